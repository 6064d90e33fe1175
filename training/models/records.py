"""Training records (培训记录): completed training, from a finished run or from elsewhere."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from registry.models import StaffRole, TrainingCategory

from .choices import TrainingResult, RecordSource, HOURS_FIELD
from .enrolment import Enrollment


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
