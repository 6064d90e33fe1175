"""Sessions (课次) of a run and the attendance taken at each."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from .choices import SessionKind, AttendanceStatus, HOURS_FIELD
from .runs import CourseRun
from .enrolment import Enrollment


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
