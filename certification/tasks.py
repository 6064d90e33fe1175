"""Background work of the certificates app, through django-tasks (Django 6's task framework).

    render_certificate_pdfs   the PDFs of newly issued certificates, in chunks
    send_expiry_reminders     the daily expiry reminder emails

settings.TASKS decides where they run: in production (TASKS_BACKEND=database) they are stored
in the database and run by `manage.py db_worker` (deploy/systemd/qjty-worker.service; run two
workers on two cores and the chunks of one bulk issuance render in parallel); in development
and tests (ImmediateBackend) `.enqueue()` runs them at once, in the caller's process.

Task arguments are JSON: certificate ids, never model instances.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django_tasks import TaskResultStatus, task

from .models import Certificate, Source, local_today
from .pdf import ensure_pdf, has_current_pdf

logger = logging.getLogger(__name__)

# Certificates per rendering task: ~100 PDFs take a worker a second or two, so that one bulk
# issuance spreads over all workers and a failure costs a retry of one chunk, not all of it.
PDF_CHUNK = 100
# How long a queued rendering of a run's missing PDFs keeps others from queueing it again.
PDF_QUEUE_MARK_SECONDS = 10 * 60


class PdfRenderingFailed(Exception):
    """Some PDFs of a chunk could not be rendered (the others were); the task shows as failed."""


@task()
def render_certificate_pdfs(certificate_ids):
    """Render and store the PDFs of these platform certificates; skip those already current.

    Returns {"rendered": n, "current": n, "missing": n}. A certificate that fails is logged and
    the others still render; the task then fails so that the failure is visible in the task
    results, and the PDF is rendered on its first download instead.
    """
    certs = (
        Certificate.objects.filter(pk__in=certificate_ids, source=Source.PLATFORM)
        .select_related("type", "person", "issuing_provider")
        .order_by("pk")
    )
    rendered = current = 0
    failed = []
    # One commit per chunk, not one per certificate (on PostgreSQL each commit waits for the
    # WAL flush: ~4 ms, half the time of a PDF); a savepoint per certificate keeps one failure
    # from undoing the others.
    with transaction.atomic():
        for cert in certs:
            if has_current_pdf(cert):
                current += 1  # a re-run, or rendered meanwhile by a download (the file is checked then)
                continue
            try:
                with transaction.atomic():
                    ensure_pdf(cert, reread=False)
            except Exception:
                logger.exception("certificate PDF %s (%s) could not be rendered", cert.pk, cert.number)
                failed.append(cert.pk)
            else:
                rendered += 1
    if failed:
        raise PdfRenderingFailed(f"{len(failed)} certificate PDFs failed: ids {failed[:20]}")
    return {"rendered": rendered, "current": current, "missing": len(certificate_ids) - rendered - current}


def enqueue_pdf_rendering(certificate_ids, chunk=None):
    """Queue the rendering of these certificates' PDFs, `chunk` (PDF_CHUNK) per task. Returns the results."""
    chunk = chunk or PDF_CHUNK
    ids = sorted(set(certificate_ids))
    return [render_certificate_pdfs.enqueue(ids[i:i + chunk]) for i in range(0, len(ids), chunk)]


def _run_mark(run_id):
    return f"certification:pdf-queued:run:{run_id}"


def _ran_at_once(results):
    """The backend ran the tasks in enqueue() (ImmediateBackend): nothing stays queued."""
    return all(r.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED) for r in results)


def queue_run_pdfs(run_id, certificate_ids):
    """Queue the PDFs of certificates just issued for run `run_id` and mark the run as 生成中
    (for PDF_QUEUE_MARK_SECONDS, or until the queue has run them when it runs them at once)."""
    cache.set(_run_mark(run_id), 1, PDF_QUEUE_MARK_SECONDS)
    results = enqueue_pdf_rendering(certificate_ids)
    if _ran_at_once(results):
        cache.delete(_run_mark(run_id))
    return results


def run_pdfs_queued(run_id):
    """Whether the rendering of run `run_id`'s PDFs was queued a moment ago (the page says 生成中)."""
    return bool(cache.get(_run_mark(run_id)))


def request_missing_pdfs(run_id, certs):
    """For a download of a run's PDFs: queue those of `certs` not rendered yet.

    Returns True when every PDF is there to be read now (none missing, or the task backend ran
    the rendering at once); False when it is queued for the worker ("生成中"). A run's missing
    PDFs are queued once per PDF_QUEUE_MARK_SECONDS however often the page is reloaded.
    """
    missing = [c.pk for c in certs if not has_current_pdf(c)]
    if not missing:
        return True
    if not cache.add(_run_mark(run_id), 1, PDF_QUEUE_MARK_SECONDS):
        return False  # already queued a moment ago
    results = enqueue_pdf_rendering(missing)
    if _ran_at_once(results):
        cache.delete(_run_mark(run_id))  # (a failure may be retried by the next request)
    return all(r.status == TaskResultStatus.SUCCESSFUL for r in results)


# --- Expiry reminders --------------------------------------------------------------------------


def due_reminders(days, today=None):
    from .services import expiring_soon

    return (
        expiring_soon(Certificate.objects.all(), days, today or local_today())
        .filter(person__user__isnull=False)
        .exclude(person__user__email="")
        .exclude(reminded_for_expiry=F("expiry_date"))
        .select_related("type", "person__user")
        .order_by("expiry_date", "pk")
    )


@task()
def send_expiry_reminders(days=None):
    """Email holders whose certificates expire within `days` (default CERT_EXPIRY_REMINDER_DAYS).

    Each certificate is reminded once per expiry date: the reminder is claimed with a
    conditional update, so two overlapping runs never send it twice; a failed email gives
    the claim back so that the next day's run tries again. Returns the number sent.
    """
    days = days if days is not None else settings.CERT_EXPIRY_REMINDER_DAYS
    sent = 0
    for cert in due_reminders(days):
        claimed = (
            Certificate.objects.filter(pk=cert.pk)
            .exclude(reminded_for_expiry=F("expiry_date"))
            .update(reminded_for_expiry=F("expiry_date"))
        )
        if not claimed:
            continue  # another run got there first
        try:
            send_mail(
                subject=f"您的{cert.type.name}将于 {cert.expiry_date:%Y-%m-%d} 到期",
                message=(
                    f"{cert.person.name}，您好：\n\n"
                    f"您的{cert.type.name}（编号 {cert.number}）将于 {cert.expiry_date:%Y年%m月%d日} 到期。"
                    "请及时参加培训或办理换证，以免影响持证上岗。\n\n"
                    f"{settings.WAGTAIL_SITE_NAME}"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[cert.person.user.email],
            )
        except Exception:
            Certificate.objects.filter(pk=cert.pk).update(reminded_for_expiry=None)
            logger.exception("expiry reminder for certificate %s failed", cert.pk)
            continue
        sent += 1
    return sent
