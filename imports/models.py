"""The history of imports: who imported which file, when, with what result, and the file itself."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.imports.kinds import KIND_TITLES
from core.storage import encrypted_private_storage


class ImportKind(models.TextChoices):
    INSTITUTIONS = "institutions", KIND_TITLES["institutions"]
    STAFF = "staff", KIND_TITLES["staff"]
    TRAINING = "training", KIND_TITLES["training"]
    CERTIFICATES = "certificates", KIND_TITLES["certificates"]


class ImportStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    IMPORTED = "imported", "已导入"
    CANCELLED = "cancelled", "已取消"
    REJECTED = "rejected", "文件被拒绝"
    FAILED = "failed", "未导入（有错误）"


class ImportJobQuerySet(models.QuerySet):
    # Hand-written, not a core.scoping.Scope: the uploader also sees their own job, whatever
    # its county or provider, and nobody edits a job once it is written.
    def visible_to(self, user):
        """The commission sees every import; a county official and provider staff their own scope's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_commission:
            return self
        if user.is_county_official:
            return self.filter(Q(county_id=user.county_id) | Q(user=user))
        if user.is_provider_staff:
            return self.filter(Q(provider_id=user.provider_id) | Q(user=user))
        return self.none()


def private_storage():  # the path migrations name: keep it
    """The uploaded originals hold 身份证号: they live in the storage that is never served
    directly (STORAGES["private"]), encrypted with the PII key; the download view checks the
    user and decrypts. They are deleted after IMPORT_ORIGINAL_RETENTION_DAYS (purge_import_originals).
    """
    return encrypted_private_storage()


def _upload_to(instance, filename):
    # The stored name never comes from the user (path tricks, PII in names); the original
    # name is kept in original_name.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class ImportJob(models.Model):
    kind = models.CharField("类型", max_length=20, choices=ImportKind.choices)
    status = models.CharField("状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="import_jobs",
    )
    # The scope the import ran in (null: the commission or the command line).
    county = models.ForeignKey(
        "registry.County", verbose_name="区县", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "registry.TrainingProvider", verbose_name="培训机构", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    via_command = models.BooleanField("命令行导入", default=False)
    original_name = models.CharField("文件名", max_length=255)
    file = models.FileField("原始文件", upload_to=_upload_to, storage=private_storage, max_length=255, blank=True)
    size = models.PositiveIntegerField("文件大小（字节）", default=0)
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)
    good_rows_only = models.BooleanField("仅导入无误的行", default=False)
    # When the original was deleted at the end of its retention (the record itself stays).
    original_deleted_at = models.DateTimeField("原始文件删除时间", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="importjob_kind_valid", condition=Q(kind__in=ImportKind.values)),
            models.CheckConstraint(name="importjob_status_valid", condition=Q(status__in=ImportStatus.values)),
        ]
        indexes = [
            # The history page: a scope's imports, newest first.
            models.Index(fields=["county", "-created_at"], name="importjob_county_idx"),
            models.Index(fields=["provider", "-created_at"], name="importjob_provider_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def extension(self):
        name = self.original_name.lower()
        for ext in (".xlsx", ".xls", ".csv"):
            if name.endswith(ext):
                return ext
        return ".bin"

    @property
    def is_pending(self):
        return self.status == ImportStatus.PENDING

    def record(self, report):
        """Copy the counts and errors of an engine Report onto the job (not saved)."""
        self.rows = report.row_count
        self.created = report.created
        self.updated = report.updated
        self.unchanged = report.unchanged
        errors = report.errors
        self.error_count = len(errors)
        self.errors = [e.as_dict() for e in errors]
