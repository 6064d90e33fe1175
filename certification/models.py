"""Certificate types, certificates, the per-year number counter and the verification log.

A certificate is either issued here (source "platform", numbered QJTY-YYYY-NNNNNN, with a
PDF and a public verification token) or held from elsewhere (source "external": submitted by
its holder with a scan, or imported, and counted only once a reviewer approved it).
Which certificates count toward 持证上岗率 at a date D is `Certificate.objects.valid_on(D)`;
the monitoring app relies on that name and on the rules of metrics.md.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core import pii
from core.dates import local_today
from core.storage import encrypted_private_storage
from core.storage import private_storage as shared_private_storage
from registry.models import Employment

NUMBER_PREFIX = "QJTY"


def private_storage():  # the path migrations name: keep it
    """Scans and PDFs hold personal data: they live in a storage that is never served directly.

    The alias is configured in settings (STORAGES["private"]); in production it can point at an
    object store. Downloads always go through a view that checks who is asking. Lazy, so that
    the storage is looked up when first used rather than when models are imported.
    """
    return shared_private_storage()


def scan_storage():  # the path migrations name: keep it
    """Scans of certificates from elsewhere often show the full 身份证号: encrypted at rest with
    the PII key, decrypted by the scoped download view. (Issued PDFs show only the name and the
    masked number, as the public verification page does, and stay in the plain private storage.)
    """
    return encrypted_private_storage()


# --- Certificate type ------------------------------------------------------------------


class IssuerKind(models.TextChoices):
    PLATFORM = "platform", "本平台颁发"
    EXTERNAL = "external", "外部机构颁发"


class PdfTemplate(models.TextChoices):
    TRAINING = "training", "培训合格证书（横版）"


class CertificateType(models.Model):
    name = models.CharField("证书类型", max_length=50, unique=True)
    issuer_kind = models.CharField("颁发方", max_length=10, choices=IssuerKind.choices, default=IssuerKind.EXTERNAL)
    counts_toward_rate = models.BooleanField(
        "计入持证上岗率", default=True, help_text="取消勾选后，此类证书不再计入任何日期的持证上岗率。"
    )
    levels = models.CharField(
        "等级", max_length=100, blank=True, help_text="有等级的证书填写等级，用逗号分隔，如：五级,四级,三级,二级,一级"
    )
    validity_years = models.PositiveSmallIntegerField(
        "默认有效期（年）", null=True, blank=True, help_text="留空表示长期有效。"
    )
    pdf_template = models.CharField(
        "证书模板", max_length=20, choices=PdfTemplate.choices, default=PdfTemplate.TRAINING, blank=True
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    # Which courses' runs issue this type. The link lives here, not on the course page: the
    # certification app depends on courses, never the reverse. A course listed by no type
    # leads to the first platform type (certification.services.platform_type()).
    courses = models.ManyToManyField(
        "courses.CoursePage", blank=True, related_name="+", verbose_name="适用课程",
        help_text="仅本平台颁发的证书类型可选。所选课程的班次结业后颁发此类证书；"
                  "一门课程只能对应一种证书类型；未列入任何证书类型的课程颁发排序最前的本平台证书。",
    )

    class Meta:
        verbose_name = "证书类型"
        verbose_name_plural = "证书类型"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # The courses a form is about to save (set by the form's clean, which runs before
        # this); otherwise the ones already saved.
        courses = getattr(self, "_courses_to_check", None)
        if courses is None:
            courses = list(self.courses.all()) if self.pk else []
        problem = self.courses_problem(courses)
        if problem:
            raise ValidationError({"courses": problem})

    def courses_problem(self, courses):
        """Why this type cannot list `courses` (a Chinese message), or None."""
        courses = list(courses)
        if not courses:
            return None
        if self.issuer_kind != IssuerKind.PLATFORM:
            return "外部机构颁发的证书类型不能选择适用课程，只有本平台颁发的证书类型可以。"
        taken = (
            CertificateType.courses.through.objects.filter(coursepage_id__in=[c.pk for c in courses])
            .exclude(certificatetype_id=self.pk)
            .select_related("certificatetype", "coursepage")
            .order_by("coursepage__title", "certificatetype__sort_order")
        )
        clashes = [f"“{row.coursepage.title}”已对应证书类型“{row.certificatetype.name}”" for row in taken]
        if clashes:
            return "一门课程只能对应一种证书类型：" + "；".join(clashes) + "。请先在那种证书类型中取消该课程。"
        return None

    @property
    def level_list(self):
        return [x.strip() for x in self.levels.replace("，", ",").split(",") if x.strip()]

    @property
    def has_levels(self):
        return bool(self.level_list)

    def default_expiry(self, issue_date):
        if not self.validity_years:
            return None
        try:
            return issue_date.replace(year=issue_date.year + self.validity_years) - datetime.timedelta(days=1)
        except ValueError:  # 29 February
            return issue_date.replace(year=issue_date.year + self.validity_years, day=28)


# --- Numbering ---------------------------------------------------------------------------


class NumberCounter(models.Model):
    """The last number allocated per year. Rows are locked (select_for_update) while allocating."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    last_value = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "证书编号计数器"
        verbose_name_plural = "证书编号计数器"

    def __str__(self):
        return f"{self.year}: {self.last_value}"


# --- Certificate -------------------------------------------------------------------------


class Source(models.TextChoices):
    PLATFORM = "platform", "本平台颁发"
    EXTERNAL = "external", "外部证书"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"


class Status(models.TextChoices):
    """The status a viewer sees at a date (computed, not stored)."""

    VALID = "valid", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已撤销"
    PENDING = "pending", "待审核"
    REJECTED = "rejected", "已驳回"
    NOT_YET = "not_yet", "尚未生效"


def new_token():
    # 192 bits from the OS generator; the token is what makes a QR link unguessable.
    return secrets.token_urlsafe(24)


def current_county_q(county_id, date=None):
    """Q on certificates: the holder's current employment (on `date`) is in this county."""
    date = date or local_today()
    return Q(
        Exists(
            Employment.objects.active_on(date).filter(person=OuterRef("person_id"), institution__county_id=county_id)
        )
    )


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Holder: their own; provider: what it issued; county: its staff's; commission: all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        condition = Q(pk__in=[])
        if user.is_trainee:
            condition |= Q(person__user=user)
        if user.is_provider_staff:
            condition |= Q(issuing_provider_id=user.provider_id)
        if user.is_county_official:
            condition |= Q(
                Exists(Employment.objects.filter(person=OuterRef("person_id"), institution__county_id=user.county_id))
            )
        return self.filter(condition)

    def reviewable_by(self, user):
        """External certificates this user may review: commission all, county its current staff."""
        if not user.is_authenticated:
            return self.none()
        qs = self.filter(source=Source.EXTERNAL)
        if user.is_commission:
            return qs
        if user.is_county_official:
            return qs.filter(current_county_q(user.county_id))
        return qs.none()

    def valid_on(self, date):
        """Certificates that count toward 持证上岗率 at `date` (metrics.md).

        Type counts, issued on or before D, not revoked on or before D, not expired (expiry
        empty or >= D), and, for certificates from elsewhere, approved by a reviewer.
        """
        return self.filter(
            type__counts_toward_rate=True,
            issue_date__lte=date,
            review_status=ReviewStatus.APPROVED,
        ).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=date),
            Q(expiry_date__isnull=True) | Q(expiry_date__gte=date),
        )

    def with_status(self, status, date):
        """Filter by the status `status_on(date)` would compute (in SQL, for searches)."""
        approved = Q(review_status=ReviewStatus.APPROVED)
        revoked = Q(revoked_on__isnull=False, revoked_on__lte=date)
        expired = Q(expiry_date__isnull=False, expiry_date__lt=date)
        conditions = {
            Status.PENDING: Q(review_status=ReviewStatus.PENDING),
            Status.REJECTED: Q(review_status=ReviewStatus.REJECTED),
            Status.REVOKED: approved & revoked,
            Status.NOT_YET: approved & ~revoked & Q(issue_date__gt=date),
            Status.EXPIRED: approved & ~revoked & Q(issue_date__lte=date) & expired,
            Status.VALID: approved & ~revoked & Q(issue_date__lte=date) & ~expired,
        }
        return self.filter(conditions[Status(status)])

    def expiring_between(self, start, end):
        """Currently valid certificates whose expiry date falls in [start, end]."""
        return self.filter(
            review_status=ReviewStatus.APPROVED, revoked_on__isnull=True, expiry_date__gte=start, expiry_date__lte=end
        )


class Certificate(models.Model):
    person = models.ForeignKey(
        "registry.Person", verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates"
    )
    type = models.ForeignKey(CertificateType, verbose_name="证书类型", on_delete=models.PROTECT, related_name="certificates")
    level = models.CharField("等级", max_length=20, blank=True)
    number = models.CharField("证书编号", max_length=50)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PLATFORM)
    issuer = models.CharField("发证机构", max_length=100)
    issuing_provider = models.ForeignKey(
        "registry.TrainingProvider", verbose_name="颁发培训机构", null=True, blank=True,
        on_delete=models.PROTECT, related_name="issued_certificates",
    )
    # The passed enrolment this certificate was issued for (one per passed run; renewals and
    # corrections that supersede it carry none, and point back through `supersedes`).
    enrollment = models.OneToOneField(
        "training.Enrollment", verbose_name="报名", null=True, blank=True, on_delete=models.PROTECT,
        related_name="certificate",
    )
    # What the certificate says, frozen at issue: a later edit of the course must not change it.
    course_name = models.CharField("培训课程", max_length=200, blank=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, null=True, blank=True)
    issue_date = models.DateField("发证日期")
    expiry_date = models.DateField("有效期至", null=True, blank=True)

    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self", verbose_name="被替代为", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    supersede_reason = models.CharField("替代原因", max_length=200, blank=True)

    review_status = models.CharField(
        "审核状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.APPROVED
    )
    review_reason = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    verification_token = models.CharField("验证令牌", max_length=64, unique=True, default=new_token, editable=False)
    scan = models.FileField("证书扫描件", storage=scan_storage, upload_to="certificates/scans/%Y/", blank=True)
    pdf = models.FileField("证书PDF", storage=private_storage, upload_to="certificates/pdf/%Y/", blank=True)
    # Hash of everything printed on the PDF: the stored PDF is re-rendered only when it changes.
    pdf_fingerprint = models.CharField("PDF 指纹", max_length=64, blank=True, editable=False)

    # The expiry date a reminder was sent for; claimed with a conditional update so a
    # reminder goes out once even if two schedulers run the command at the same time.
    reminded_for_expiry = models.DateField("已提醒的到期日", null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "证书"
        verbose_name_plural = "证书"
        ordering = ["-issue_date", "-pk"]
        constraints = [
            # Numbers issued here are unique forever, whatever the type.
            models.UniqueConstraint(
                fields=["number"], condition=Q(source="platform"), name="certificate_platform_number_unique"
            ),
            # The same outside certificate cannot be on file twice (a rejected one may be resubmitted).
            models.UniqueConstraint(
                fields=["type", "number"], condition=~Q(review_status="rejected"),
                name="certificate_type_number_unique",
            ),
            models.CheckConstraint(
                name="certificate_expiry_after_issue",
                condition=Q(expiry_date__isnull=True) | Q(expiry_date__gte=models.F("issue_date")),
            ),
            models.CheckConstraint(
                name="certificate_platform_approved",
                condition=~Q(source="platform") | Q(review_status="approved"),
            ),
            models.CheckConstraint(
                name="certificate_enrollment_is_platform",
                condition=Q(enrollment__isnull=True) | Q(source="platform"),
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=Q(revoked_on__isnull=True) | ~Q(revoke_reason=""),
            ),
        ]
        indexes = [
            # 持证上岗率: valid_on(D) filters by issue/expiry dates per person.
            models.Index(fields=["person", "issue_date", "expiry_date"], name="cert_person_dates_idx"),
            # Expiry reminders and the commission's "expiring soon" list.
            models.Index(fields=["expiry_date"], name="cert_expiry_idx"),
            # Covering index for valid_on(D) -> holders (持证上岗率 of every county in one query).
            models.Index(
                fields=["review_status", "issue_date", "expiry_date", "revoked_on", "type", "person"],
                name="cert_valid_on_cover_idx",
            ),
            # monitoring.metrics certified rate: "does this person hold a qualifying certificate at
            # D" as one covering seek per staff person.
            models.Index(
                fields=["person", "review_status", "issue_date", "expiry_date", "revoked_on", "type"],
                name="cert_holder_valid_idx",
            ),
        ]

    def __str__(self):
        return f"{self.type.name} {self.number}"

    def status_on(self, date=None):
        date = date or local_today()
        if self.review_status == ReviewStatus.PENDING:
            return Status.PENDING
        if self.review_status == ReviewStatus.REJECTED:
            return Status.REJECTED
        if self.revoked_on and self.revoked_on <= date:
            return Status.REVOKED
        if self.issue_date > date:
            return Status.NOT_YET
        if self.expiry_date and self.expiry_date < date:
            return Status.EXPIRED
        return Status.VALID

    @property
    def status(self):
        return self.status_on()

    @property
    def is_platform(self):
        return self.source == Source.PLATFORM

    @property
    def holder_masked_name(self):
        return pii.mask_name(self.person.name)

    @property
    def hours_display(self):
        """80 rather than 80.0; None when the certificate states no hours."""
        if self.hours is None:
            return None
        return f"{Decimal(str(self.hours)).normalize():f}"

    def days_to_expiry(self, date=None):
        if not self.expiry_date:
            return None
        return (self.expiry_date - (date or local_today())).days


# --- Verification log ----------------------------------------------------------------------


class VerificationOutcome(models.TextChoices):
    FOUND = "found", "查到（含令牌）"
    FOUND_NUMBER_ONLY = "number_only", "查到（仅编号）"
    NOT_FOUND = "not_found", "不存在或格式错误"
    RATE_LIMITED = "rate_limited", "超过频率限制"


class VerificationLog(models.Model):
    """Every public lookup, for abuse investigation and to show how certificates are checked."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    channel = models.CharField("渠道", max_length=10, default="page")
    number_queried = models.CharField("查询编号", max_length=60, blank=True)
    with_token = models.BooleanField("带令牌", default=False)
    outcome = models.CharField("结果", max_length=20, choices=VerificationOutcome.choices)
    certificate = models.ForeignKey(
        Certificate, verbose_name="证书", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # One row per public lookup: Wagtail's reference index ("usage" of the certificate) has no
    # use for these rows, and its post_save handler doubled the cost of every verification.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = "证书查验记录"
        verbose_name_plural = "证书查验记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.number_queried} {self.outcome}"
