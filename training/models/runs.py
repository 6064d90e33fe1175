"""Course runs (班次): the schedule, seats and enrolment window of one offering of a course."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q

from .choices import RunStatus, DeliveryMode, EnrollmentStatus, SEAT_HOLDING, local_today


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
            # The enrolment model sits in its own module, which imports this one.
            enrollments = self.model._meta.get_field("enrollments").related_model
            mine = enrollments.objects.filter(run=OuterRef("pk"), person__user=user)
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
