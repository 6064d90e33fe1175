"""Enrolment (报名) of a practitioner in a run, its approval, scores and credited hours."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import EnrollmentStatus, SEAT_HOLDING, SessionKind, AttendanceStatus, TrainingResult, SCORE_VALIDATORS, partial_share, local_today
from .runs import CourseRun


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
