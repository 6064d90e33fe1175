"""Counties, childcare institutions, training providers, practitioners and their employments."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core import pii
from core.scoping import Scope, ScopedQuerySet
from core.validators import (
    validate_contact_phone,
    id_number_birth_date,
    id_number_gender,
    normalise_id_number,
    validate_id_number,
    validate_phone,
    validate_uscc,
)


class StaffRole(models.TextChoices):
    """岗位: the role of an employment, and the 培训对象 of a training."""

    DIRECTOR = "director", "机构负责人"
    CAREGIVER = "caregiver", "保育人员"
    HEALTH = "health", "保健人员"
    OTHER = "other", "其他"


class TrainingCategory(models.TextChoices):
    """培训类别 (interfaces.md). Shared vocabulary of courses, runs and training records."""

    DIRECTOR = "director", "负责人培训"
    CAREGIVER = "caregiver", "保育人员培训"
    HEALTH = "health", "保健人员培训"
    PRE_JOB = "pre_job", "岗前培训"
    TRANSFER = "transfer", "转岗培训"
    UPSKILL = "upskill", "技能提升培训"
    STARTUP = "startup", "创业培训"
    COLLEGE = "college", "院校培养"


# --- County ---------------------------------------------------------------------------


class CountyQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The list of counties is public; scoping of what is *in* a county happens elsewhere.
        return self

    def by_name(self, name):
        """Find a county by full name or its short form (麒麟 → 麒麟区, 经开区 → 曲靖经开区)."""
        name = (name or "").strip()
        if not name:
            return None
        for county in self:
            if name == county.name or name in county.aliases():
                return county
        return None


class County(models.Model):
    name = models.CharField("名称", max_length=20, unique=True)
    short_name = models.CharField("简称", max_length=10, unique=True)
    code = models.CharField("区划代码", max_length=12, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = "区县"
        verbose_name_plural = "区县"
        ordering = ["sort_order"]

    def __str__(self):
        return self.name

    def aliases(self):
        names = {self.short_name}
        if self.name.startswith("曲靖"):
            names.add(self.name.removeprefix("曲靖"))
        return names


# --- Institution ------------------------------------------------------------------------


class InstitutionType(models.TextChoices):
    PUBLIC_CENTRE = "public_centre", "公办综合托育服务中心"
    KINDERGARTEN = "kindergarten", "幼儿园托班"
    COMMUNITY = "community", "社区嵌入式托育"
    EMPLOYER = "employer", "用人单位福利性托育"
    PRIVATE = "private", "民办托育机构"
    FAMILY = "family", "家庭托育点"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "已备案"
    UNREGISTERED = "unregistered", "未备案"


class DemoLevel(models.TextChoices):
    NONE = "none", "无"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"


class InstitutionQuerySet(ScopedQuerySet):
    scope = Scope(county="county_id")

    def registered_on(self, date):
        """Institutions registered (已备案) with a registration date on or before `date`."""
        return self.filter(
            registration_status=RegistrationStatus.REGISTERED, registration_date__lte=date
        )


class Institution(models.Model):
    name = models.CharField("机构名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, null=True, unique=True)
    county = models.ForeignKey(County, verbose_name="区县", on_delete=models.PROTECT, related_name="institutions")
    type = models.CharField("机构类型", max_length=20, choices=InstitutionType.choices)
    is_puhui = models.BooleanField("是否普惠", default=False)
    registration_status = models.CharField(
        "备案状态", max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.UNREGISTERED
    )
    registration_date = models.DateField("备案日期", null=True, blank=True)
    capacity = models.PositiveIntegerField("托位数", default=0)
    demo_level = models.CharField("示范等级", max_length=10, choices=DemoLevel.choices, default=DemoLevel.NONE)
    address = models.CharField("地址", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = "托育机构"
        verbose_name_plural = "托育机构"
        ordering = ["county__sort_order", "name"]
        constraints = [
            # Without a credit code an institution is identified by name + county (interfaces.md).
            models.UniqueConstraint(fields=["name", "county"], name="institution_name_county_unique"),
            models.CheckConstraint(
                name="institution_registered_has_date",
                condition=~Q(registration_status="registered") | Q(registration_date__isnull=False),
            ),
        ]
        indexes = [
            # 持证上岗率: staff at D joins institutions registered by D in a county.
            models.Index(fields=["county", "registration_status", "registration_date"], name="inst_county_reg_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except ValidationError as exc:
                raise ValidationError({"uscc": exc.messages}) from None
        else:
            self.uscc = None
        if self.registration_status == RegistrationStatus.REGISTERED and not self.registration_date:
            raise ValidationError({"registration_date": "已备案的机构必须填写备案日期。"})
        if self.registration_date and self.registration_date > datetime.date.today():
            raise ValidationError({"registration_date": "备案日期不能晚于今天。"})

    def save(self, *args, **kwargs):
        if not self.uscc:
            self.uscc = None
        super().save(*args, **kwargs)


# --- Training provider --------------------------------------------------------------------


class ProviderKind(models.TextChoices):
    COLLEGE = "college", "职业院校"
    CHILDCARE_CENTRE = "centre", "市托育综合服务中心"
    MCH = "mch", "妇幼保健机构"
    HOSPITAL = "hospital", "医院"
    PRIVATE = "private", "民办培训机构"
    OTHER = "other", "其他"


class TrainingProviderQuerySet(ScopedQuerySet):
    # County officials see the providers in their county but only the commission and the
    # provider's own staff change them.
    scope = Scope(county="county_id", provider="pk")
    write_scope = Scope(provider="pk")


class TrainingProvider(models.Model):
    name = models.CharField("培训机构名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=ProviderKind.choices, default=ProviderKind.OTHER)
    county = models.ForeignKey(
        County, verbose_name="所在区县", null=True, blank=True, on_delete=models.PROTECT, related_name="providers"
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, null=True, unique=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    approved = models.BooleanField("经市卫健委认定", default=True)
    imported = models.BooleanField("由导入创建", default=False, help_text="历史培训记录导入时自动创建的机构")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TrainingProviderQuerySet.as_manager()

    class Meta:
        verbose_name = "培训机构"
        verbose_name_plural = "培训机构"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except ValidationError as exc:
                raise ValidationError({"uscc": exc.messages}) from None
        else:
            self.uscc = None
        if self.contact_phone:
            try:
                self.contact_phone = validate_contact_phone(self.contact_phone)
            except ValidationError as exc:
                raise ValidationError({"contact_phone": exc.messages}) from None

    def save(self, *args, **kwargs):
        if not self.uscc:
            self.uscc = None
        super().save(*args, **kwargs)


# --- Person -----------------------------------------------------------------------------

# Higher apps (training: a provider sees the people enrolled in its runs) add visibility
# rules here instead of this module importing them.
_person_visibility_rules = []


def register_person_visibility(rule):
    """rule(user) -> Q or None: extra persons `user` may see."""
    _person_visibility_rules.append(rule)
    return rule


class PersonQuerySet(ScopedQuerySet):
    # Hand-written: a person belongs to a county through any of their employments (an Exists,
    # not a path), and other apps add visibility rules (e.g. a provider sees its trainees).
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        condition = Q(pk__in=[])
        if user.is_county_official:
            condition |= Q(
                Exists(Employment.objects.filter(person=OuterRef("pk"), institution__county_id=user.county_id))
            )
        if user.is_trainee:
            condition |= Q(user=user)
        for rule in _person_visibility_rules:
            extra = rule(user)
            if extra is not None:
                condition |= extra
        return self.filter(condition)

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_county_official:
            return self.filter(
                Exists(Employment.objects.filter(person=OuterRef("pk"), institution__county_id=user.county_id))
            )
        return self.none()

    def by_id_number(self, id_number):
        """Exact look-up through the keyed hash; the clear number is never compared."""
        return self.filter(id_number_hash=pii.lookup_hash(normalise_id_number(id_number)))


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    name = models.CharField("姓名", max_length=50)
    # 身份证号: encrypted at rest, HMAC for look-up and uniqueness, masked copy for display.
    id_number_encrypted = models.TextField("身份证号（加密）", editable=False)
    id_number_hash = models.CharField("身份证号摘要", max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("手机号", max_length=11, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "从业人员"
        verbose_name_plural = "从业人员"
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def id_number(self):
        """The clear 身份证号. Decrypts: don't call it in lists, use id_number_masked."""
        return pii.decrypt(self.id_number_encrypted)

    @id_number.setter
    def id_number(self, value):
        number = validate_id_number(value)
        self.id_number_encrypted = pii.encrypt(number)
        self.id_number_hash = pii.lookup_hash(number)
        self.id_number_masked = pii.mask_id_number(number)
        self.gender = id_number_gender(number)
        self.birth_date = id_number_birth_date(number)

    @property
    def masked_name(self):
        return pii.mask_name(self.name)

    @property
    def masked_phone(self):
        return pii.mask_phone(self.phone)

    def clean(self):
        super().clean()
        if self.phone:
            try:
                self.phone = validate_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from None
        self.name = (self.name or "").strip()

    def can_see_full_id(self, user):
        return user.is_authenticated and self.user_id == user.pk


# --- Employment ---------------------------------------------------------------------------


class EmploymentQuerySet(ScopedQuerySet):
    # A trainee sees their own employment history; only the county (and the commission) change it.
    scope = Scope(county="institution__county_id", trainee="person__user")
    write_scope = Scope(county="institution__county_id")

    def active_on(self, date):
        """Started on or before `date` and not ended before it (metrics.md, 持证上岗率)."""
        return self.filter(start_date__lte=date).filter(Q(end_date__isnull=True) | Q(end_date__gte=date))


class Employment(models.Model):
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="employments")
    institution = models.ForeignKey(
        Institution, verbose_name="托育机构", on_delete=models.PROTECT, related_name="employments"
    )
    role = models.CharField("岗位", max_length=20, choices=StaffRole.choices)
    start_date = models.DateField("入职日期")
    end_date = models.DateField("离职日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="employment_end_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            ),
            # Identity of an employment for imports (interfaces.md): person + institution + role + start.
            models.UniqueConstraint(
                fields=["person", "institution", "role", "start_date"], name="employment_identity_unique"
            ),
        ]
        indexes = [
            # 持证上岗率: employments active on D, by role; covering (institution, person) so the
            # staff-at-D count reads the index only.
            models.Index(
                fields=["role", "start_date", "end_date", "institution", "person"], name="employment_staff_cover_idx"
            ),
            # monitoring.metrics certified rate: the staff join runs from the institutions registered
            # by D (per county) to their employments active on D; covering, so no table lookups.
            models.Index(
                fields=["institution", "role", "start_date", "end_date", "person"], name="employment_inst_staff_idx"
            ),
        ]

    def __str__(self):
        return f"{self.person.name} @ {self.institution.name}（{self.get_role_display()}）"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "离职日期不能早于入职日期。"})

    @property
    def is_current(self):
        today = datetime.date.today()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)
