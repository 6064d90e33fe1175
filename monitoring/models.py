"""Targets of the plan and frozen snapshots of the figures.

The metrics themselves are computed from dated records (monitoring/metrics.py); nothing here
stores a live figure. Targets are data the commission edits in the Wagtail admin; the plan's
city targets arrive with the data migration 0002.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.storage import private_storage as shared_private_storage


# The city-wide scope's name; monitoring.metrics re-exports it for its callers.
CITY_NAME = "曲靖市"


class MetricKey(models.TextChoices):
    """The five metrics of metrics.md; the values are part of the progress_report contract."""

    DIRECTOR = "director_training_person_times", "累计培训各类托育机构负责人人次"
    CAREGIVER = "caregiver_training_person_times", "累计培训保健、保育人员人次"
    TALENTS = "talents_trained", "年度培养托育人才数"
    CERTIFIED = "certified_rate", "托育服务从业人员持证上岗率"
    PARENTING = "parenting_knowledge_rate", "婴幼儿家长科学育儿知识普及率"


RATE_METRICS = {MetricKey.CERTIFIED, MetricKey.PARENTING}


class TargetQuerySet(models.QuerySet):
    def for_scope(self, county_id):
        return self.filter(county_id=county_id)


class Target(models.Model):
    """A target value for one metric, one scope (the city when county is empty) and one period.

    A yearly target (年度培养托育人才数) is entered with its year; a plan-period target with
    its start and end dates. Rates are fractions (0.70 = 70%).
    """

    metric = models.CharField("指标", max_length=40, choices=MetricKey.choices)
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", null=True, blank=True, on_delete=models.CASCADE,
        related_name="targets", help_text="留空表示全市目标。",
    )
    year = models.PositiveSmallIntegerField(
        "年度", null=True, blank=True, help_text="按年度考核的指标填写年度；填写后起止日期自动取该年全年。"
    )
    period_start = models.DateField("起始日期", blank=True)
    period_end = models.DateField("截止日期", blank=True)
    value = models.DecimalField(
        "目标值", max_digits=12, decimal_places=4, help_text="人次、人数填整数；比率填小数，如 0.70 表示 70%。"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["metric", "county__sort_order", "period_start"]
        constraints = [
            models.CheckConstraint(name="target_period_order", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(name="target_value_nonnegative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="target_rate_at_most_one",
                # A fixed list (not the set above): the migration must see the same order every run.
                condition=~Q(metric__in=["parenting_knowledge_rate", "certified_rate"]) | Q(value__lte=1),
            ),
            # One target per metric, scope and period (NULL county = the city needs its own rule).
            models.UniqueConstraint(
                fields=["metric", "period_start", "period_end"], condition=Q(county__isnull=True),
                name="target_city_unique",
            ),
            models.UniqueConstraint(
                fields=["metric", "county", "period_start", "period_end"], condition=Q(county__isnull=False),
                name="target_county_unique",
            ),
        ]

    def __str__(self):
        return f"{self.get_metric_display()} · {self.scope_label} · {self.period_label}：{self.value_display}"

    @property
    def scope_label(self):
        return self.county.name if self.county_id else "全市"

    @property
    def period_label(self):
        if self.year:
            return f"{self.year}年"
        return f"{self.period_start:%Y-%m-%d} 至 {self.period_end:%Y-%m-%d}"

    @property
    def value_display(self):
        value = Decimal(str(self.value))
        if self.metric in RATE_METRICS:
            return f"{float(value) * 100:g}%"
        return f"{value.normalize():f}"

    def clean(self):
        super().clean()
        errors = {}
        if self.year:
            if not 2000 <= self.year <= 2100:
                errors["year"] = "年度应为四位年份，如 2025。"
            else:
                self.period_start = datetime.date(self.year, 1, 1)
                self.period_end = datetime.date(self.year, 12, 31)
        if not self.period_start or not self.period_end:
            errors.setdefault("period_start", "请填写年度，或同时填写起始日期和截止日期。")
        elif self.period_end < self.period_start:
            errors["period_end"] = "截止日期不能早于起始日期。"
        if self.value is not None:
            if self.value < 0:
                errors["value"] = "目标值不能为负数。"
            elif self.metric in RATE_METRICS and self.value > 1:
                errors["value"] = "比率目标请填 0 到 1 之间的小数，如 0.70 表示 70%。"
            elif self.metric and self.metric not in RATE_METRICS and self.value != self.value.to_integral_value():
                errors["value"] = "人次、人数目标须为整数。"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.year:
            self.period_start = datetime.date(self.year, 1, 1)
            self.period_end = datetime.date(self.year, 12, 31)
        super().save(*args, **kwargs)


# --- Snapshots ------------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "年度监测"
    MIDTERM = "midterm", "中期评估"
    FINAL = "final", "终期评估"


def private_storage():  # the path migrations name: keep it
    return shared_private_storage()


class Snapshot(models.Model):
    """The figures of one as-of date, frozen by the commission, with the reports made from them.

    `figures` is the JSON of every metric for the city and each county at `as_of` (the shape of
    progress_report --json, one object per scope); the stored files are served as they were
    generated, so a later correction of a record never changes a frozen report.
    """

    as_of = models.DateField("统计截止日期")
    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices, default=ReportKind.ANNUAL)
    figures = models.JSONField("冻结数据")
    excel = models.FileField("Excel 报告", storage=private_storage, upload_to="monitoring/snapshots/", blank=True)
    pdf = models.FileField("PDF 报告", storage=private_storage, upload_to="monitoring/snapshots/", blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="冻结人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField("冻结时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据快照"
        verbose_name_plural = "数据快照"
        ordering = ["-as_of", "-created_at"]
        constraints = [
            # A report of a kind is frozen once per date; a second freeze would make two "official" versions.
            models.UniqueConstraint(fields=["as_of", "kind"], name="snapshot_asof_kind_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（截至 {self.as_of:%Y-%m-%d}）"

    def scope_figures(self, scope_name):
        """The frozen {key: metric dict} of one scope (曲靖市 or a county's name), or {}."""
        for block in self.figures.get("scopes", []):
            if block.get("scope") == scope_name:
                return {m["key"]: m for m in block.get("metrics", [])}
        return {}


# --- Reports generated in the background ------------------------------------------------------


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel"
    PDF = "pdf", "PDF"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


PENDING_STATUSES = (ReportStatus.QUEUED, ReportStatus.RUNNING)
# A job still queued or running after this long has lost its worker (a crash, a restart): it is
# shown as 超时 and no longer reused, so that asking again queues a new one.
REPORT_STALE_AFTER = datetime.timedelta(minutes=30)


class ReportFile(models.Model):
    """One Excel or PDF report asked for on the dashboard (or one file of a snapshot), made by
    the background worker (monitoring.tasks.generate_report_file) and kept in the private storage.

    A snapshot's files are jobs too (`snapshot` set): their output is stored in the snapshot's
    own excel/pdf field, and they are listed with the snapshot, not on the 报告下载 page.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="monitoring_reports",
    )
    as_of = models.DateField("统计截止日期")
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="留空表示全市。",
    )
    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices, default=ReportKind.ANNUAL)
    fmt = models.CharField("格式", max_length=4, choices=ReportFormat.choices)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    file = models.FileField("文件", storage=private_storage, upload_to="monitoring/reports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, verbose_name="数据快照", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报告文件"
        verbose_name_plural = "报告文件"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The 报告下载 page and the reuse of an identical request: a user's recent reports.
            models.Index(fields=["requested_by", "created_at"], name="reportfile_user_created_idx"),
        ]

    def __str__(self):
        return f"{self.scope_name} · {self.get_kind_display()} · {self.get_fmt_display()}（截至 {self.as_of:%Y-%m-%d}）"

    @property
    def scope_name(self):
        return self.county.name if self.county_id else CITY_NAME

    @property
    def is_stale(self):
        return self.status in PENDING_STATUSES and timezone.now() - self.created_at > REPORT_STALE_AFTER

    @property
    def is_pending(self):
        """Queued or running, and not given up on: the page keeps reloading."""
        return self.status in PENDING_STATUSES and not self.is_stale

    @property
    def status_display(self):
        return "超时，请重新申请" if self.is_stale else self.get_status_display()

    @property
    def download_name(self):
        return f"{self.scope_name}-{self.get_kind_display()}-{self.as_of:%Y%m%d}.{self.fmt}"
