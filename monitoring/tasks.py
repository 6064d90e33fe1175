"""Background work of the monitoring app, through django-tasks (as certification/tasks.py).

    generate_report_file   one Excel or PDF report (a ReportFile), or one file of a snapshot

The web request only writes the ReportFile row and enqueues (services.request_report,
services.freeze); in production (TASKS_BACKEND=database) `manage.py db_worker` generates the
file; in development and tests (ImmediateBackend) `.enqueue()` runs it at once. At province
size the Excel takes ~9 s and the PDF ~1.5 s of a worker's time.

The task is enqueued inside the transaction that writes the ReportFile row: with the database
backend both rows commit together, so a job can neither be lost between the two nor run
before its row exists.
"""

import logging
import tempfile

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.routers import use_replica

from . import reports
from .models import ReportFile, ReportFormat, ReportStatus

logger = logging.getLogger(__name__)

ERROR_MESSAGE_LENGTH = 2000


class ReportFailed(Exception):
    pass


def _claim(report_id):
    """QUEUED -> RUNNING in one conditional update: two workers never generate the same file."""
    return ReportFile.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )


def _write(report, data, target):
    """Generate the file of `report` from `data` into the FileField `target`."""
    name = reports.filename(data, report.fmt)
    if report.fmt == ReportFormat.XLSX:
        with tempfile.TemporaryFile() as tmp:  # streamed: the workbook never sits in memory whole
            reports.write_excel(data, tmp)
            size = tmp.tell()
            tmp.seek(0)
            target.save(name, File(tmp, name=name), save=False)
    else:
        content = reports.pdf_bytes(data)
        size = len(content)
        target.save(name, ContentFile(content), save=False)
    return size


@task()
def generate_report_file(report_id):
    """Generate the file of ReportFile `report_id`; returns {"status": ..., "size": bytes}.

    A job that is not queued any more (done, running elsewhere, deleted) is left alone. A
    failure is stored on the job (shown as 生成失败 with its message) and re-raised, so that it
    also shows as failed in the task results.
    """
    if not _claim(report_id):
        return {"status": "skipped"}
    report = ReportFile.objects.select_related("county", "snapshot").get(pk=report_id)
    target = None
    try:
        if report.snapshot_id:
            # A snapshot's file shows the frozen figures, read from the primary.
            data = reports.snapshot_report_data(report.snapshot)
            target = report.snapshot.excel if report.fmt == ReportFormat.XLSX else report.snapshot.pdf
            size = _write(report, data, target)
        else:
            # Reports tolerate the replica's lag like the dashboard (a no-op without a replica).
            with use_replica():
                data = reports.report_data(report.as_of, reports.report_scope(report), report.kind)
                target = report.file
                size = _write(report, data, target)
        with transaction.atomic():
            if report.snapshot_id:
                field = "excel" if report.fmt == ReportFormat.XLSX else "pdf"
                type(report.snapshot).objects.filter(pk=report.snapshot_id).update(**{field: target.name})
            ReportFile.objects.filter(pk=report.pk).update(
                status=ReportStatus.READY, file=report.file.name or "", size=size, error="",
                finished_at=timezone.now(),
            )
    except Exception as exc:
        logger.exception("report file %s (%s) could not be generated", report.pk, report)
        if target is not None and target.name:
            try:
                target.storage.delete(target.name)
            except Exception:
                logger.exception("could not remove the partial file %s", target.name)
        ReportFile.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:ERROR_MESSAGE_LENGTH],
            finished_at=timezone.now(),
        )
        raise ReportFailed(f"report file {report.pk}: {exc}") from exc
    return {"status": ReportStatus.READY.value, "size": size}
