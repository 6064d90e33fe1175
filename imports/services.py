"""The web flow's actions: preview an upload, confirm (all rows or the good rows only), cancel.

The preview never writes; confirming reads the stored original again and checks every row
anew (the registry may have changed since the preview), then writes in one transaction.
"""

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.imports import kinds
from core.imports.engine import Context, analyse, write
from core.imports.excel import workbook_bytes
from core.imports.reader import FileRejected, check_size, read_table

from .models import ImportJob, ImportStatus
from .roles import scope_for


class AlreadyHandled(Exception):
    pass


class TooManyImports(Exception):
    """The user already has IMPORT_MAX_CONCURRENT_PER_USER files being read and checked."""


# A slot left by a process that died is given back after this long.
_SLOT_SECONDS = 600


@contextmanager
def import_slot(user):
    """One of the user's concurrent import slots (each reading holds a file in memory).

    Counted in the shared cache (Redis in production, so every server process sees it);
    TooManyImports when none is free.
    """
    key = f"imports:running:{user.pk}"
    cache.add(key, 0, timeout=_SLOT_SECONDS)
    try:
        running = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=_SLOT_SECONDS)
        running = 1
    try:
        if running > settings.IMPORT_MAX_CONCURRENT_PER_USER:
            raise TooManyImports(
                f"您已有 {settings.IMPORT_MAX_CONCURRENT_PER_USER} 个导入正在处理，请等它们完成后再试。"
            )
        yield
    finally:
        try:
            cache.decr(key)
        except ValueError:
            pass  # the slot expired meanwhile


def preview(user, kind, uploaded):
    """Store the upload as a pending ImportJob with its preview counts; FileRejected if unreadable.

    A refused file is recorded in the history (who tried what) but its content is not kept.
    """
    scope = scope_for(user)
    job = ImportJob(
        kind=kind, user=user, county_id=scope.county_id, provider_id=scope.provider_id,
        original_name=(uploaded.name or "upload")[:255], size=uploaded.size or 0,
    )
    try:
        # Django has the upload on disk or in memory already; the size is known before reading.
        check_size(uploaded.size or 0)
        data = uploaded.read()
        table = read_table(data, uploaded.name)
    except FileRejected as exc:
        job.status = ImportStatus.REJECTED
        job.message = str(exc)[:300]
        job.finished_at = timezone.now()
        job.save()
        raise
    report = analyse(kinds.get_importer(kind), table, Context(scope=scope, user=user))
    job.record(report)
    job.message = " ".join(report.summary)[:300]
    job.file.save(job.original_name, ContentFile(data), save=False)
    job.save()
    return job, report


def _reanalyse(job, user):
    if not job.file:
        raise FileRejected("原始文件已按保留期限删除，无法再确认。请重新上传。")
    with job.file.open("rb") as stored:
        data = stored.read()
    table = read_table(data, job.original_name)
    importer = kinds.get_importer(job.kind)
    ctx = Context(scope=scope_for(user), user=user)
    return importer, ctx, analyse(importer, table, ctx)


def confirm(job, user, *, good_rows_only=False):
    """Import a pending job. Returns the engine report; the job says whether it was written."""
    with transaction.atomic():
        # Claim the job first, so a double click or two tabs never import it twice.
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
            status=ImportStatus.IMPORTED, finished_at=timezone.now(), good_rows_only=good_rows_only
        )
        if not claimed:
            raise AlreadyHandled("该导入已处理过，不能重复确认。")
        job.refresh_from_db()
        importer, ctx, report = _reanalyse(job, user)
        write(importer, report, ctx, good_rows_only=good_rows_only)
        job.record(report)
        if report.written:
            job.message = "已导入无误的行。" if good_rows_only and report.has_errors else "已导入。"
        else:
            # The data changed since the preview and now has errors: back to the preview.
            job.status = ImportStatus.PENDING
            job.finished_at = None
            job.good_rows_only = False
            job.message = "确认时重新检查发现错误，未写入任何数据。请查看错误后再决定。"
        job.save()
    return report


def cancel(job):
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now(), message="已取消，未写入任何数据。"
    )
    if not updated:
        raise AlreadyHandled("该导入已处理过，不能取消。")


ERROR_SHEET_HEADERS = ["行号", "列", "内容", "问题"]


def error_sheet(job):
    rows = [(e.get("row"), e.get("column"), e.get("value"), e.get("message")) for e in job.errors]
    return workbook_bytes("错误清单", ERROR_SHEET_HEADERS, rows)


def template_workbook(kind):
    """The template of a kind: the exact headers, one example row, and a 说明 sheet."""
    importer = kinds.get_importer(kind)
    headers = importer.headers()
    example = [c.example if c.example != "" else None for c in importer.columns]
    notes = [("必填列", "、".join(importer.required_headers()))]
    for column in importer.columns:
        labels = getattr(column.parse, "labels", None)
        if labels:
            notes.append((column.header, "可填：" + "、".join(labels)))
    notes.append(("日期", "2024-03-05、2024/3/5、2024.3.5 或 2024年3月5日，也可以是 Excel 日期格式。"))
    notes.append(("身份证号等", "请保持“文本”格式，不要让 Excel 转成数字（会丢失后几位）。"))
    notes.extend(("说明", line) for line in importer.notes)
    return workbook_bytes(
        importer.title, headers, [example],
        text_columns=[c.header for c in importer.columns if c.text_format],
        extra_sheets=[("说明", ["项目", "说明"], notes)],
    )


def purge_originals(*, now=None, dry_run=False):
    """Delete the originals older than IMPORT_ORIGINAL_RETENTION_DAYS; the records stay and say
    when their file was deleted. A job still pending then cannot be confirmed any more (its
    file is what confirming reads): it is cancelled. Returns the jobs concerned."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.IMPORT_ORIGINAL_RETENTION_DAYS)
    jobs = list(ImportJob.objects.exclude(file="").filter(created_at__lt=cutoff).order_by("pk"))
    if dry_run:
        return jobs
    for job in jobs:
        name = job.file.name
        with transaction.atomic():
            updated = ImportJob.objects.filter(pk=job.pk, file=name).update(file="", original_deleted_at=now)
            if not updated:
                continue  # purged by a concurrent run
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
                status=ImportStatus.CANCELLED, finished_at=now,
                message="原始文件已按保留期限删除，本次导入已取消，未写入任何数据。",
            )
        # After the commit: a rolled-back update must not leave a row without its file.
        job.file.storage.delete(name)
    return jobs
