"""Issuing certificates for finished runs: bulk, idempotent, only 合格, only by the run's provider."""

import datetime
import io
import zipfile

import pytest
import time_machine

from certification.models import Certificate
from certification.services import CertificationError, issue_for_enrollment, issue_for_run
from training.models import RunStatus, TrainingResult

from tests.factories_certification import finished_run, private_storage  # noqa: F401
from tests.factories_training import EnrollmentFactory, RunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)):
        yield


def test_bulk_issue_only_passed_and_idempotent(personas):
    run = finished_run(personas["provider_a"].provider, passed=3, failed=2)
    issued = issue_for_run(run, personas["provider_a"])
    assert len(issued) == 3
    assert sorted(c.number for c in issued) == ["QJTY-2026-000001", "QJTY-2026-000002", "QJTY-2026-000003"]
    assert all(c.enrollment.result == TrainingResult.PASSED for c in issued)
    cert = issued[0]
    assert cert.course_name == run.course.title and cert.hours == 12
    assert cert.issuer == run.provider.name and cert.issue_date == datetime.date(2026, 3, 10)
    assert cert.expiry_date == datetime.date(2029, 3, 9)
    # Again: nothing new, and numbers are not consumed.
    assert issue_for_run(run, personas["provider_a"]) == []
    assert Certificate.objects.count() == 3
    one = run.enrollments.filter(result=TrainingResult.PASSED).first()
    again, created = issue_for_enrollment(one, personas["provider_a"])
    assert not created and again.enrollment_id == one.pk


def test_refuses_failed_unfinished_and_other_providers(personas):
    run = finished_run(personas["provider_a"].provider, passed=1, failed=1)
    failed = run.enrollments.get(result=TrainingResult.FAILED)
    with pytest.raises(CertificationError, match="不合格"):
        issue_for_enrollment(failed, personas["provider_a"])
    with pytest.raises(CertificationError, match="培训机构"):
        issue_for_run(run, personas["provider_b"])
    open_run = RunFactory(provider=personas["provider_a"].provider, status=RunStatus.OPEN)
    enrollment = EnrollmentFactory(run=open_run, result=TrainingResult.PASSED)
    with pytest.raises(CertificationError, match="尚未结业"):
        issue_for_run(open_run, personas["provider_a"])
    with pytest.raises(CertificationError, match="尚未结业"):
        issue_for_enrollment(enrollment, personas["provider_a"])
    assert Certificate.objects.count() == 0


def test_later_run_of_same_course_gives_a_new_certificate(personas):
    provider = personas["provider_a"].provider
    first = finished_run(provider, passed=1, failed=0, end_date=datetime.date(2026, 1, 9))
    [old] = issue_for_run(first, personas["provider_a"])
    second = finished_run(provider, passed=0, failed=0, end_date=datetime.date(2026, 3, 6))
    EnrollmentFactory(run=second, person=old.person, result=TrainingResult.PASSED)
    [new] = issue_for_run(second, personas["provider_a"])
    old.refresh_from_db()
    assert new.person == old.person and new.number != old.number
    assert old.issue_date == datetime.date(2026, 3, 10) and old.course_name == first.course.title


def test_issue_view_permissions(personas, as_user):
    run = finished_run(personas["provider_a"].provider, passed=2, failed=0)
    url = f"/certificates/runs/{run.pk}/issue/"
    assert as_user(None).post(url).status_code == 302  # to login
    assert as_user(personas["provider_b"]).post(url).status_code == 404
    assert as_user(personas["trainee_a"]).post(url).status_code == 403  # finished runs are public
    assert as_user(personas["county_x"]).post(url).status_code == 403  # sees the run, may not issue
    assert as_user(personas["provider_a"]).get(url).status_code == 405
    assert Certificate.objects.count() == 0
    response = as_user(personas["provider_a"]).post(url)
    assert response.status_code == 302 and Certificate.objects.count() == 2
    page = as_user(personas["provider_a"]).get("/certificates/provider/")
    assert page.status_code == 200 and "QJTY-2026-000001" in page.content.decode()


def test_issue_view_unfinished_run_is_400(personas, as_user):
    run = RunFactory(provider=personas["provider_a"].provider, status=RunStatus.OPEN)
    response = as_user(personas["provider_a"]).post(f"/certificates/runs/{run.pk}/issue/")
    assert response.status_code == 400 and "尚未结业" in response.content.decode()


def test_run_zip_streams_all_pdfs(personas, as_user):
    run = finished_run(personas["provider_a"].provider, passed=3, failed=1)
    issue_for_run(run, personas["provider_a"])
    url = f"/certificates/runs/{run.pk}/certificates.zip"
    assert as_user(personas["provider_b"]).get(url).status_code == 404
    response = as_user(personas["provider_a"]).get(url)
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
    assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_run_page_and_issue_to_one(personas, as_user):
    run = finished_run(personas["provider_a"].provider, passed=2, failed=1)
    page = as_user(personas["provider_a"]).get(f"/certificates/runs/{run.pk}/")
    assert page.status_code == 200 and page.content.decode().count(">发证</button>") == 2
    assert as_user(personas["provider_b"]).get(f"/certificates/runs/{run.pk}/").status_code == 404
    assert as_user(personas["county_x"]).get(f"/certificates/runs/{run.pk}/").status_code == 200
    assert as_user(personas["county_y"]).get(f"/certificates/runs/{run.pk}/").status_code == 404
    passed = run.enrollments.filter(result=TrainingResult.PASSED).first()
    failed = run.enrollments.get(result=TrainingResult.FAILED)
    url = f"/certificates/enrollments/{passed.pk}/issue/"
    assert as_user(personas["provider_b"]).post(url).status_code == 404
    assert as_user(personas["county_x"]).post(url).status_code == 403
    assert as_user(personas["provider_a"]).post(url).status_code == 302
    assert as_user(personas["provider_a"]).post(url).status_code == 302  # again: nothing new
    assert Certificate.objects.count() == 1
    bad = as_user(personas["provider_a"]).post(f"/certificates/enrollments/{failed.pk}/issue/")
    assert bad.status_code == 400 and "不合格" in bad.content.decode()
    assert Certificate.objects.count() == 1
