"""Background work of certificates (django-tasks): bulk issuance only writes rows and queues the
PDFs, the worker renders them in chunks, the pages say 生成中 meanwhile; expiry reminders as a task.

The queue is django-tasks' DummyBackend (keeps what is enqueued, runs nothing) where a test
checks that the request only enqueues, the ImmediateBackend of development elsewhere, and the
real database backend with `manage.py db_worker` when the suite runs with TASKS_BACKEND=database.
"""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django_tasks import TaskResultStatus

from certification import pdf as cert_pdf
from certification import tasks
from certification.models import Certificate
from certification.services import issue_certificate, issue_for_enrollment, issue_for_run
from training.models import TrainingResult

from tests import factories as f
from tests import task_queue
from tests.task_queue import queue  # noqa: F401 (fixture)
from tests.factories_certification import CertificateFactory, finished_run, private_storage  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]



@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the "already queued" marks of a run
    yield
    cache.clear()


def queued(backend):
    return task_queue.queued(backend, "certification.tasks")


def run_queued(backend):
    return task_queue.run_queued(backend, "certification.tasks")


def pdf_on_disk(cert, storage_root):
    cert.refresh_from_db()
    return bool(cert.pdf) and (storage_root / cert.pdf.name).is_file() and cert.pdf_fingerprint == cert_pdf.fingerprint(cert)


def test_issue_run_view_only_enqueues_then_worker_renders(personas, as_user, queue, private_storage,  # noqa: F811
                                                           monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "PDF_CHUNK", 2)
    run = finished_run(personas["provider_a"].provider, passed=5, failed=1)
    client = as_user(personas["provider_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/certificates/runs/{run.pk}/issue/")
    assert response.status_code == 302 and response["Location"] == f"/certificates/runs/{run.pk}/"
    certs = list(Certificate.objects.filter(enrollment__run=run).order_by("pk"))
    assert len(certs) == 5
    assert not any(c.pdf for c in certs)  # nothing rendered in the request
    # Queued in chunks of PDF_CHUNK: 2 + 2 + 1, every certificate once.
    ours = queued(queue)
    assert [r.task.name for r in ours] == ["render_certificate_pdfs"] * 3
    assert sorted(i for r in ours for i in r.args[0]) == [c.pk for c in certs]

    page = client.get(f"/certificates/runs/{run.pk}/").content.decode()
    assert "<strong>生成中</strong>，已生成 0 / 5 张" in page and 'http-equiv="refresh"' in page
    assert "5 张证书的 PDF 正在后台生成" in page  # the message after issuing

    results = run_queued(queue)
    assert sum(r["rendered"] for r in results) == 5
    assert all(pdf_on_disk(c, private_storage) for c in certs)
    for c in certs:
        assert (private_storage / c.pdf.name).read_bytes().startswith(b"%PDF")
    page = client.get(f"/certificates/runs/{run.pk}/").content.decode()
    assert "已全部生成（5 张）" in page and "生成中" not in page and 'http-equiv="refresh"' not in page
    # Issuing again creates and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/certificates/runs/{run.pk}/issue/")
    assert Certificate.objects.filter(enrollment__run=run).count() == 5 and not queued(queue)


def test_run_zip_waits_for_the_worker_when_many_pdfs_are_missing(personas, as_user, queue, private_storage,  # noqa: F811
                                                                 monkeypatch):
    from certification import views

    monkeypatch.setattr(views, "ZIP_RENDER_INLINE_MAX", 1)
    run = finished_run(personas["provider_a"].provider, passed=3, failed=0)
    issue_for_run(run, personas["provider_a"])  # (inside the test's transaction: nothing queued yet)
    assert not queued(queue)
    client = as_user(personas["provider_a"])
    url = f"/certificates/runs/{run.pk}/certificates.zip"
    response = client.get(url)
    assert response.status_code == 202
    body = response.content.decode()
    assert "生成中" in body and "还有 3 张" in body and 'http-equiv="refresh"' in body
    assert len(queued(queue)) == 1
    # Reloading does not queue the same work again.
    assert client.get(url).status_code == 202 and len(queued(queue)) == 1
    assert as_user(personas["provider_b"]).get(url).status_code == 404  # still only for those who may see the run
    run_queued(queue)
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())


def test_run_page_without_queued_work_says_made_on_download(personas, as_user, queue):
    """Certificates without a PDF that no task is rendering (e.g. issued before PDFs were queued):
    the page says they are made on download, and does not reload itself forever."""
    run = finished_run(personas["provider_a"].provider, passed=2, failed=0)
    issue_for_run(run, personas["provider_a"])  # (inside the test's transaction: nothing queued)
    page = as_user(personas["provider_a"]).get(f"/certificates/runs/{run.pk}/").content.decode()
    assert "已生成 0 / 2 张，其余在下载时生成" in page
    assert "生成中" not in page and 'http-equiv="refresh"' not in page


def test_run_zip_renders_a_few_missing_pdfs_itself(personas, as_user, queue):
    run = finished_run(personas["provider_a"].provider, passed=2, failed=0)
    issue_for_run(run, personas["provider_a"])
    response = as_user(personas["provider_a"]).get(f"/certificates/runs/{run.pk}/certificates.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 2 and not queued(queue)


def test_immediate_backend_renders_right_after_commit(personas, private_storage,  # noqa: F811
                                                      django_capture_on_commit_callbacks):
    assert django_settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    run = finished_run(personas["provider_a"].provider, passed=3, failed=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issued = issue_for_run(run, personas["provider_a"])
    assert len(callbacks) == 1 and len(issued) == 3
    assert all(pdf_on_disk(c, private_storage) for c in issued)
    # A stale instance (loaded before the task ran) finds the stored PDF instead of rendering again.
    stale = Certificate.objects.select_related("type", "person").get(pk=issued[0].pk)
    stale.pdf, stale.pdf_fingerprint = "", ""
    name_before = Certificate.objects.get(pk=stale.pk).pdf.name
    assert cert_pdf.ensure_pdf(stale).name == name_before


def test_issue_one_enrollment_queues_its_pdf(personas, queue, django_capture_on_commit_callbacks):
    run = finished_run(personas["provider_a"].provider, passed=1, failed=0)
    enrollment = run.enrollments.get(result=TrainingResult.PASSED)
    with django_capture_on_commit_callbacks(execute=True):
        cert, created = issue_for_enrollment(enrollment, personas["provider_a"])
    assert created and [r.args[0] for r in queued(queue)] == [[cert.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        issue_for_enrollment(enrollment, personas["provider_a"])  # already issued: nothing queued
    assert len(queued(queue)) == 1


def test_render_task_is_idempotent_and_reports_failures(personas, private_storage, monkeypatch):  # noqa: F811
    certs = [
        issue_certificate(f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
                          course_name="保育", hours=40, issue_date=datetime.date(2026, 3, 1))
        for _ in range(3)
    ]
    ids = [c.pk for c in certs]
    first = tasks.render_certificate_pdfs.enqueue(ids)
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value == {"rendered": 3, "current": 0, "missing": 0}
    names = {c.pk: Certificate.objects.get(pk=c.pk).pdf.name for c in certs}
    again = tasks.render_certificate_pdfs.enqueue(ids + [999_999])
    assert again.return_value == {"rendered": 0, "current": 3, "missing": 1}
    assert {c.pk: Certificate.objects.get(pk=c.pk).pdf.name for c in certs} == names

    # One certificate whose PDF cannot be rendered: the others still are, the task fails visibly.
    Certificate.objects.filter(pk__in=ids).update(pdf="", pdf_fingerprint="")
    real_render = cert_pdf.render

    def flaky(cert):
        if cert.pk == ids[1]:
            raise RuntimeError("disk full")
        return real_render(cert)

    monkeypatch.setattr(cert_pdf, "render", flaky)
    failed = tasks.render_certificate_pdfs.enqueue(ids)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors and "PdfRenderingFailed" in failed.errors[0].exception_class_path
    assert pdf_on_disk(certs[0], private_storage) and pdf_on_disk(certs[2], private_storage)
    assert not Certificate.objects.get(pk=ids[1]).pdf
    # Its download renders it on demand once rendering works again.
    monkeypatch.setattr(cert_pdf, "render", real_render)
    client = Client()
    f.log_in(client, personas["commission"])
    download = client.get(f"/certificates/{ids[1]}/pdf/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


# --- Expiry reminders ----------------------------------------------------------------------------


def _expiring_certificate(user):
    person = f.PersonFactory(user=user)
    return CertificateFactory(person=person, issue_date=datetime.date(2023, 4, 1), expiry_date=datetime.date(2026, 3, 31))


def test_reminder_command_can_hand_the_work_to_the_worker(personas, queue):
    cert = _expiring_certificate(personas["trainee_a"])
    out = io.StringIO()
    call_command("send_expiry_reminders", "--enqueue", stdout=out)
    assert "已加入后台队列" in out.getvalue()
    assert not mail.outbox  # the command did not send anything itself
    assert [r.task.name for r in queued(queue)] == ["send_expiry_reminders"]
    assert run_queued(queue) == [1]
    assert len(mail.outbox) == 1 and cert.number in mail.outbox[0].body
    # The next day's run sends nothing again for the same expiry date.
    assert tasks.send_expiry_reminders.call() == 0


def test_reminder_command_runs_inline_by_default(personas):
    _expiring_certificate(personas["trainee_a"])
    out = io.StringIO()
    call_command("send_expiry_reminders", "--days", "10", stdout=out)
    assert "已发送 0 封" in out.getvalue() and not mail.outbox  # expires in 21 days: outside 10
    out = io.StringIO()
    call_command("send_expiry_reminders", "--enqueue", stdout=out)  # immediate backend: runs at once
    assert "已发送 1 封" in out.getvalue() and len(mail.outbox) == 1


def test_reminder_failure_gives_the_claim_back(personas, monkeypatch):
    cert = _expiring_certificate(personas["trainee_a"])

    def broken(**kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    assert tasks.send_expiry_reminders.call() == 0
    cert.refresh_from_db()
    assert cert.reminded_for_expiry is None
    monkeypatch.undo()
    assert tasks.send_expiry_reminders.call() == 1


# --- The real queue: database backend and its worker ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_queue_and_db_worker(personas, as_user, private_storage, monkeypatch, settings):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    # The production set-up (TASKS_BACKEND=database), whatever backend the suite runs with.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

    monkeypatch.setattr(tasks, "PDF_CHUNK", 2)
    run = finished_run(personas["provider_a"].provider, passed=3, failed=0)
    response = as_user(personas["provider_a"]).post(f"/certificates/runs/{run.pk}/issue/")
    assert response.status_code == 302
    certs = list(Certificate.objects.filter(enrollment__run=run))
    assert len(certs) == 3 and not any(c.pdf for c in certs)
    queued = DBTaskResult.objects.filter(task_path="certification.tasks.render_certificate_pdfs")
    assert queued.count() == 2 and set(queued.values_list("status", flat=True)) == {"READY"}
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert set(queued.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert all(pdf_on_disk(c, private_storage) for c in certs)
