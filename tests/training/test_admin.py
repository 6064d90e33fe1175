"""Runs and sessions in the Wagtail admin, scoped to the provider."""

import datetime

import pytest
from django.urls import reverse

from training.models import CourseRun, EnrollmentStatus, RunStatus, Session

from tests import factories as f
from tests import factories_training as ft

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_a(personas):
    return ft.RunFactory(provider=personas["provider_a"].provider, title="A机构三月班")


@pytest.fixture
def run_b(personas):
    return ft.RunFactory(provider=personas["provider_b"].provider, title="B机构三月班")


def test_provider_lists_only_own_runs(personas, run_a, run_b, as_user):
    response = as_user(personas["provider_a"]).get(reverse("training_courserun:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A机构三月班" in body and "B机构三月班" not in body


@pytest.mark.parametrize(
    "persona, expected", [("provider_a", 200), ("provider_b", 404), ("county_x", 403), ("county_y", 404)]
)
def test_run_edit_matrix(persona, expected, personas, run_a, as_user):
    response = as_user(personas[persona]).get(reverse("training_courserun:edit", args=[run_a.pk]))
    assert response.status_code == expected


def test_provider_creates_a_run_only_for_itself(personas, as_user):
    course = ft.course()
    data = {
        "course": course.pk, "title": "新班", "county": f.county().pk, "place": "培训楼",
        "mode": "offline", "capacity": "20", "start_date": "2026-05-04", "end_date": "2026-05-08",
        "enrol_opens": "2026-04-01", "enrol_closes": "2026-04-30", "needs_approval": "on", "status": "open",
    }
    client = as_user(personas["provider_a"])
    response = client.post(reverse("training_courserun:add"), {**data, "provider": personas["provider_b"].provider.pk})
    assert response.status_code == 400
    assert not CourseRun.objects.exists()
    response = client.post(reverse("training_courserun:add"), {**data, "provider": personas["provider_a"].provider.pk})
    assert response.status_code == 302
    assert CourseRun.objects.get().provider == personas["provider_a"].provider


def test_run_cannot_be_set_finished_through_the_form(personas, run_a, as_user):
    response = as_user(personas["provider_a"]).get(reverse("training_courserun:edit", args=[run_a.pk]))
    assert 'value="finished"' not in response.content.decode()


def test_raising_capacity_in_admin_promotes_waitlist(personas, as_user):
    run = ft.RunFactory(provider=personas["provider_a"].provider, capacity=1)
    ft.EnrollmentFactory(run=run)
    waiting = ft.EnrollmentFactory(run=run, status=EnrollmentStatus.WAITLISTED, approved_at=None, approved_on=None)
    data = {
        "provider": run.provider_id, "course": run.course_id, "title": "", "county": run.county_id, "place": run.place,
        "mode": run.mode, "capacity": "2", "start_date": "2026-03-02", "end_date": "2026-03-06",
        "enrol_opens": "2026-02-01", "enrol_closes": "2026-02-28", "status": "open",
    }
    response = as_user(personas["provider_a"]).post(reverse("training_courserun:edit", args=[run.pk]), data)
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.APPROVED


def test_session_outside_run_dates_is_rejected_in_admin(personas, run_a, as_user):
    client = as_user(personas["provider_a"])
    data = {"run": run_a.pk, "date": "2026-04-01", "start_time": "09:00", "end_time": "12:00", "hours": "3",
            "kind": "theory", "topic": "婴幼儿喂养", "trainer": "李老师"}
    response = client.post(reverse("training_session:add"), data)
    assert response.status_code == 400
    assert "开班与结业日期之间" in response.content.decode()
    response = client.post(reverse("training_session:add"), {**data, "date": "2026-03-03"})
    assert response.status_code == 302
    assert Session.objects.get().date == datetime.date(2026, 3, 3)


def test_session_for_another_providers_run_is_refused(personas, run_b, as_user):
    data = {"run": run_b.pk, "date": "2026-03-03", "start_time": "09:00", "end_time": "12:00", "hours": "3",
            "kind": "theory", "topic": "越权", "trainer": ""}
    response = as_user(personas["provider_a"]).post(reverse("training_session:add"), data)
    assert response.status_code == 400
    assert not Session.objects.exists()


def test_finished_run_sessions_cannot_be_added(personas, as_user):
    run = ft.RunFactory(provider=personas["provider_a"].provider, status=RunStatus.FINISHED,
                        finished_at=datetime.datetime(2026, 3, 7, tzinfo=datetime.UTC))
    data = {"run": run.pk, "date": "2026-03-03", "start_time": "09:00", "end_time": "12:00", "hours": "3",
            "kind": "theory", "topic": "补课", "trainer": ""}
    assert as_user(personas["provider_a"]).post(reverse("training_session:add"), data).status_code == 400


def test_run_with_enrolments_cannot_be_deleted_but_an_empty_one_can(personas, run_a, as_user):
    ft.EnrollmentFactory(run=run_a)
    client = as_user(personas["provider_a"])
    response = client.post(reverse("training_courserun:delete", args=[run_a.pk]))
    assert response.status_code == 302
    assert CourseRun.objects.filter(pk=run_a.pk).exists()
    empty = ft.RunFactory(provider=personas["provider_a"].provider, status=RunStatus.DRAFT)
    client.post(reverse("training_courserun:delete", args=[empty.pk]))
    assert not CourseRun.objects.filter(pk=empty.pk).exists()
    assert as_user(personas["provider_b"]).post(reverse("training_courserun:delete", args=[run_a.pk])).status_code == 404
