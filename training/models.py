"""Runs (班次), enrolments, sessions, attendance and the training records they produce.

Actions that change several rows (enrol, approve, withdraw, take attendance, finish a run)
live in services.py; this module holds the data, its invariants and the scoping querysets.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.dates import local_today
from registry.models import StaffRole, TrainingCategory

# --- Vocabulary ----------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "报名中"
    RUNNING = "running", "进行中"
    FINISHED = "finished", "已结业"
    CANCELLED = "cancelled", "已取消"


class DeliveryMode(models.TextChoices):
    OFFLINE = "offline", "线下"
    ONLINE = "online", "线上"
    BLENDED = "blended", "混合"


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已录取"
    WAITLISTED = "waitlisted", "候补"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已退出"


# Enrolments that hold one of the run's seats (a pending one keeps its seat while the
# provider decides, so approving can never overfill the run).
SEAT_HOLDING = (EnrollmentStatus.PENDING, EnrollmentStatus.APPROVED)


class SessionKind(models.TextChoices):
    THEORY = "theory", "理论"
    PRACTICE = "practice", "实操"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出勤"
    LATE = "late", "迟到"
    EARLY_LEAVE = "early_leave", "早退"
    ABSENT = "absent", "缺勤"
    LEAVE = "leave", "请假"


class TrainingResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class RecordSource(models.TextChoices):
    PLATFORM = "platform", "平台班次"
    IMPORTED = "imported", "导入"


HOURS_FIELD = {"max_digits": 6, "decimal_places": 1}
SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def partial_share():
    """Share of a session's hours credited for 迟到/早退 (settings.TRAINING_PARTIAL_ATTENDANCE_SHARE)."""
    share = Decimal(str(getattr(settings, "TRAINING_PARTIAL_ATTENDANCE_SHARE", "0.5")))
    return min(max(share, Decimal("0")), Decimal("1"))


# --- Course run -------------------------------------------------------------------------------


class CourseRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Runs a user may look at in the back office and portals."""
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_county_official:
            return self.filter(county_id=user.county_id)
        if user.is_provider_staff:
            return self.filter(provider_id=user.provider_id)
        if user.is_trainee:
            mine = Enrollment.objects.filter(run=OuterRef("pk"), person__user=user)
            return self.filter(~Q(status=RunStatus.DRAFT) | Q(Exists(mine)))
        return self.none()

    def editable_by(self, user):
        """Runs a user may manage: a provider its own; the commission all; others none."""
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_provider_staff:
            return self.filter(provider_id=user.provider_id)
        return self.none()

    def public(self):
        """Runs shown on course pages: published, not drafts."""
        return self.exclude(status__in=[RunStatus.DRAFT])

    def upcoming(self, today=None):
        today = today or local_today()
        return self.filter(status__in=[RunStatus.OPEN, RunStatus.RUNNING], end_date__gte=today).order_by(
            "start_date", "pk"
        )

    def with_seat_counts(self):
        """Annotate seats taken and waitlist length (one query, no per-row counting)."""
        return self.annotate(
            seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING), distinct=True),
            waitlist_length=Count(
                "enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED), distinct=True
            ),
        )


class CourseRun(models.Model):
    provider = models.ForeignKey(
        "registry.TrainingProvider", verbose_name="培训机构", on_delete=models.PROTECT, related_name="runs"
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name="课程", on_delete=models.PROTECT, related_name="runs"
    )
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", on_delete=models.PROTECT, related_name="runs"
    )
    title = models.CharField("班次名称", max_length=120, blank=True, help_text="留空时使用“课程名称 + 开班日期”")
    place = models.CharField("培训地点", max_length=200, blank=True)
    mode = models.CharField("培训方式", max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.OFFLINE)
    capacity = models.PositiveIntegerField("名额", validators=[MinValueValidator(1)])
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    enrol_opens = models.DateField("报名开始")
    enrol_closes = models.DateField("报名截止")
    needs_approval = models.BooleanField("报名需审核", default=True)
    status = models.CharField("状态", max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT)
    finished_at = models.DateTimeField("结业操作时间", null=True, blank=True, editable=False)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结业操作人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CourseRunQuerySet.as_manager()

    class Meta:
        verbose_name = "班次"
        verbose_name_plural = "班次"
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(name="courserun_end_after_start", condition=Q(end_date__gte=F("start_date"))),
            models.CheckConstraint(
                name="courserun_window_order", condition=Q(enrol_closes__gte=F("enrol_opens"))
            ),
            models.CheckConstraint(name="courserun_capacity_positive", condition=Q(capacity__gte=1)),
            # A finished run always says when it was finished: finish_run claims it with one update.
            models.CheckConstraint(
                name="courserun_finished_has_time",
                condition=~Q(status="finished") | Q(finished_at__isnull=False),
            ),
        ]
        indexes = [
            # Provider portal: "my runs" by status, newest first.
            models.Index(fields=["provider", "status", "start_date"], name="run_provider_status_idx"),
            # Course pages: upcoming open runs of one course.
            models.Index(fields=["course", "status", "end_date"], name="run_course_upcoming_idx"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        if self.title:
            return self.title
        return f"{self.course.title}（{self.start_date:%Y年%-m月%-d日}开班）"

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "结业日期不能早于开班日期。"
        if self.enrol_opens and self.enrol_closes and self.enrol_closes < self.enrol_opens:
            errors["enrol_closes"] = "报名截止日期不能早于报名开始日期。"
        if self.enrol_closes and self.end_date and self.enrol_closes > self.end_date:
            errors["enrol_closes"] = "报名截止日期不能晚于结业日期。"
        if self.pk and self.start_date and self.end_date:
            outside = self.sessions.exclude(date__range=(self.start_date, self.end_date))
            if outside.exists():
                errors["start_date"] = "已有课次不在新的开班—结业日期范围内，请先调整课次。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_finished(self):
        return self.status == RunStatus.FINISHED

    def enrolment_open_on(self, day):
        return self.status == RunStatus.OPEN and self.enrol_opens <= day <= self.enrol_closes

    def seats_taken_now(self):
        """Counts in the database; use with_seat_counts() in lists."""
        return self.enrollments.filter(status__in=SEAT_HOLDING).count()


# --- Enrollment -------------------------------------------------------------------------------


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_county_official:
            return self.filter(run__county_id=user.county_id)
        if user.is_provider_staff:
            return self.filter(run__provider_id=user.provider_id)
        if user.is_trainee:
            return self.filter(person__user=user)
        return self.none()

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_provider_staff:
            return self.filter(run__provider_id=user.provider_id)
        return self.none()

    def with_hours(self):
        """Annotate attended theory_hours and practice_hours (aggregated in the database).

        出勤 credits a session's full hours, 迟到/早退 the configured share, anything else none.
        Sessions dated before the enrolment was approved never count. Cost: one join to the
        attendance and session tables; use on lists, not per row.
        """
        share = partial_share()
        zero = Value(Decimal("0"), output_field=DecimalField(max_digits=8, decimal_places=2))
        credit = Case(
            When(attendance__status=AttendanceStatus.PRESENT, then=F("attendance__session__hours")),
            When(
                attendance__status__in=[AttendanceStatus.LATE, AttendanceStatus.EARLY_LEAVE],
                then=F("attendance__session__hours") * Value(share),
            ),
            default=zero,
            output_field=DecimalField(max_digits=8, decimal_places=2),
        )
        counts = Q(approved_on__isnull=False) & Q(attendance__session__date__gte=F("approved_on"))
        return self.annotate(
            theory_hours=Coalesce(
                Sum(credit, filter=counts & Q(attendance__session__kind=SessionKind.THEORY)), zero
            ),
            practice_hours=Coalesce(
                Sum(credit, filter=counts & Q(attendance__session__kind=SessionKind.PRACTICE)), zero
            ),
        )


class Enrollment(models.Model):
    # PROTECT: a run with enrolments is cancelled, not deleted (its history and records stay).
    run = models.ForeignKey(CourseRun, verbose_name="班次", on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(
        "registry.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField("状态", max_length=12, choices=EnrollmentStatus.choices)
    approved_at = models.DateTimeField("录取时间", null=True, blank=True)
    # The local date of approval, kept next to approved_at so the hours query can compare it
    # with session dates in SQL on every database (sessions before it never count).
    approved_on = models.DateField("录取日期", null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decision_reason = models.CharField("审核意见", max_length=200, blank=True)
    theory_score = models.DecimalField(
        "理论成绩", max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    practice_score = models.DecimalField(
        "实操成绩", max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    result = models.CharField("考核结果", max_length=10, choices=TrainingResult.choices, null=True, blank=True)
    result_reason = models.CharField("结果说明", max_length=300, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["created_at", "pk"]
        constraints = [
            # One enrolment per person and run; withdrawing and enrolling again reuses it.
            models.UniqueConstraint(fields=["run", "person"], name="enrollment_run_person_unique"),
            models.CheckConstraint(
                name="enrollment_theory_score_range",
                condition=Q(theory_score__isnull=True) | Q(theory_score__gte=0, theory_score__lte=100),
            ),
            models.CheckConstraint(
                name="enrollment_practice_score_range",
                condition=Q(practice_score__isnull=True) | Q(practice_score__gte=0, practice_score__lte=100),
            ),
            models.CheckConstraint(
                name="enrollment_approved_has_time",
                condition=~Q(status="approved") | Q(approved_at__isnull=False, approved_on__isnull=False),
            ),
        ]
        indexes = [
            # Seat counting and waitlist promotion under the run's row lock.
            models.Index(fields=["run", "status", "created_at"], name="enrollment_run_status_idx"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.run}"

    def mark_approved(self, when=None):
        when = when or timezone.now()
        self.status = EnrollmentStatus.APPROVED
        self.approved_at = when
        self.approved_on = timezone.localdate(when)

    @property
    def holds_seat(self):
        return self.status in SEAT_HOLDING

    @property
    def can_withdraw(self):
        """Withdrawal is open until the run starts (uses the run: select_related it in lists)."""
        active = self.status in (*SEAT_HOLDING, EnrollmentStatus.WAITLISTED)
        return active and local_today() < self.run.start_date


# --- Sessions and attendance ------------------------------------------------------------------


class SessionQuerySet(models.QuerySet):
    """Sessions follow their run's scope."""

    def visible_to(self, user):
        return self.filter(run__in=CourseRun.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(run__in=CourseRun.objects.editable_by(user).values("pk"))


class Session(models.Model):
    run = models.ForeignKey(CourseRun, verbose_name="班次", on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    hours = models.DecimalField("学时", validators=[MinValueValidator(Decimal("0.5"))], **HOURS_FIELD)
    kind = models.CharField("类型", max_length=10, choices=SessionKind.choices, default=SessionKind.THEORY)
    topic = models.CharField("主题", max_length=200)
    trainer = models.CharField("授课教师", max_length=50, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "课次"
        verbose_name_plural = "课次"
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(name="session_end_after_start", condition=Q(end_time__gt=F("start_time"))),
            models.CheckConstraint(name="session_hours_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self):
        return f"{self.date:%m-%d} {self.start_time:%H:%M} {self.topic}"

    @property
    def duration_hours(self):
        start = datetime.datetime.combine(self.date, self.start_time)
        end = datetime.datetime.combine(self.date, self.end_time)
        return Decimal((end - start).total_seconds()) / Decimal(3600)

    def clean(self):
        super().clean()
        errors = {}
        run = self.run if self.run_id else None
        if run and self.date and not (run.start_date <= self.date <= run.end_date):
            errors["date"] = (
                f"课次日期须在班次的开班与结业日期之间（{run.start_date:%Y-%m-%d} 至 {run.end_date:%Y-%m-%d}）。"
            )
        if self.start_time and self.end_time:
            if self.end_time <= self.start_time:
                errors["end_time"] = "结束时间须晚于开始时间。"
            elif self.date and self.hours is not None and self.hours > self.duration_hours:
                errors["hours"] = f"学时 {self.hours} 超过了课次时长（{self.duration_hours:.1f} 小时），学时与时间不相符。"
        if errors:
            raise ValidationError(errors)


class Attendance(models.Model):
    # PROTECT: deleting a session that has attendance would silently change credited hours.
    session = models.ForeignKey(Session, verbose_name="课次", on_delete=models.PROTECT, related_name="attendance")
    enrollment = models.ForeignKey(
        Enrollment, verbose_name="报名", on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField("考勤", max_length=12, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考勤"
        verbose_name_plural = "考勤"
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_session_enrollment_unique"),
        ]

    def __str__(self):
        return f"{self.session} · {self.get_status_display()}"


# --- Training records -------------------------------------------------------------------------


class TrainingRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_county_official:
            return self.filter(county_id=user.county_id)
        if user.is_provider_staff:
            return self.filter(provider_id=user.provider_id)
        if user.is_trainee:
            return self.filter(person__user=user)
        return self.none()

    def passed(self):
        return self.filter(result=TrainingResult.PASSED)

    def completed_between(self, start, end):
        """Completion date in [start, end], both inclusive."""
        return self.filter(completion_date__gte=start, completion_date__lte=end)


class TrainingRecord(models.Model):
    """One person's outcome of one training: from a finished run, or imported (metrics.md)."""

    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="training_records"
    )
    category = models.CharField("培训类别", max_length=20, choices=TrainingCategory.choices)
    role = models.CharField("培训对象", max_length=20, choices=StaffRole.choices)
    provider = models.ForeignKey(
        "registry.TrainingProvider", verbose_name="培训机构", on_delete=models.PROTECT,
        related_name="training_records",
    )
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", on_delete=models.PROTECT, related_name="training_records"
    )
    course_name = models.CharField("课程名称", max_length=200, blank=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    completion_date = models.DateField("结业日期")
    hours = models.DecimalField("学时", validators=[MinValueValidator(Decimal("0"))], **HOURS_FIELD)
    result = models.CharField("考核结果", max_length=10, choices=TrainingResult.choices)
    source = models.CharField("来源", max_length=10, choices=RecordSource.choices, default=RecordSource.PLATFORM)
    enrollment = models.OneToOneField(
        Enrollment, verbose_name="报名", null=True, blank=True, on_delete=models.PROTECT,
        related_name="training_record",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-completion_date", "pk"]
        constraints = [
            # Importing the same row twice must not count twice (metrics.md): an imported
            # record is identified by person + category + provider + completion date + course.
            models.UniqueConstraint(
                fields=["person", "category", "provider", "completion_date", "course_name"],
                condition=Q(source="imported"),
                name="trainingrecord_import_identity",
            ),
            # A platform record always comes from exactly one enrolment (one per enrolment is
            # guaranteed by the one-to-one field).
            models.CheckConstraint(
                name="trainingrecord_platform_has_enrollment",
                condition=~Q(source="platform") | Q(enrollment__isnull=False),
            ),
            models.CheckConstraint(name="trainingrecord_hours_nonnegative", condition=Q(hours__gte=0)),
            models.CheckConstraint(
                name="trainingrecord_start_before_completion",
                condition=Q(start_date__isnull=True) | Q(start_date__lte=F("completion_date")),
            ),
        ]
        indexes = [
            # Person-times (director/caregiver_training_person_times): result = 合格,
            # completion date in [2024-01-01, D], role in (...).
            models.Index(fields=["result", "completion_date", "role"], name="record_person_times_idx"),
            # Scope S of every metric and the county official's lists: county, then date.
            models.Index(fields=["county", "completion_date"], name="record_county_date_idx"),
            # Talents trained in year Y: distinct persons with a passed record in the year.
            models.Index(fields=["completion_date", "person"], name="record_date_person_idx"),
            # Covering index for the dashboard's per-county person-times and talents (monitoring
            # .metrics.compute_table): 合格, completion date in [2024-01-01, D], grouped by county/role.
            models.Index(
                fields=["result", "completion_date", "county", "role", "person"], name="record_metric_cover_idx"
            ),
            # monitoring.metrics.compute_table / compute_scope of a county: county IN (…), 合格,
            # completion date in [2024-01-01, D] — one covering range per county, in county order.
            models.Index(
                fields=["county", "result", "completion_date", "role", "person"], name="record_county_metric_idx"
            ),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.course_name or self.get_category_display()} · {self.get_result_display()}"
