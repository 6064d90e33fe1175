"""Portals: the access matrix (trainee, provider A/B, county X/Y, commission, anonymous) and journeys."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from training.models import Attendance, Enrollment, EnrollmentStatus, RunStatus, TrainingRecord

from tests import factories as f
from tests import factories_training as ft

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(personas):
    """A run of provider A in 麒麟区 (county X) with one approved and one pending enrolment."""
    r = ft.RunFactory(provider=personas["provider_a"].provider, county=f.county("麒麟区"), needs_approval=True)
    ft.EnrollmentFactory(run=r)
    ft.EnrollmentFactory(run=r, status=EnrollmentStatus.PENDING, approved_at=None, approved_on=None)
    ft.SessionFactory(run=r)
    return r


def claimed(user):
    return f.PersonFactory(user=user)


# --- Access matrix ------------------------------------------------------------------------------

READ_PAGES = ["run_detail", "scores", "roster_export"]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    "persona, expected",
    [("provider_a", 200), ("county_x", 200), ("commission", 200), ("provider_b", 404), ("county_y", 404),
     ("trainee_a", 403), ("editor", 403)],
)
def test_run_pages_access_matrix(name, persona, expected, personas, run, as_user):
    response = as_user(personas[persona]).get(reverse(f"training:{name}", args=[run.pk]))
    assert response.status_code == expected


def test_anonymous_is_sent_to_login(run, client):
    response = client.get(reverse("training:run_detail", args=[run.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_attendance_sheet_matrix(personas, run, as_user):
    session = run.sessions.get()
    url = reverse("training:attendance_sheet", args=[run.pk, session.pk])
    assert as_user(personas["provider_a"]).get(url).status_code == 200
    assert as_user(personas["county_x"]).get(url).status_code == 200
    assert as_user(personas["provider_b"]).get(url).status_code == 404
    # Read-only users may look but not write.
    enrollment = run.enrollments.get(status=EnrollmentStatus.APPROVED)
    assert as_user(personas["county_x"]).post(url, {f"e-{enrollment.pk}": "present"}).status_code == 403
    assert not Attendance.objects.exists()


def test_bad_ids_give_404(personas, run, as_user):
    client = as_user(personas["provider_a"])
    assert client.get(reverse("training:run_detail", args=[999999])).status_code == 404
    assert client.get(reverse("training:attendance_sheet", args=[run.pk, 999999])).status_code == 404
    other_session = ft.SessionFactory()
    assert client.get(reverse("training:attendance_sheet", args=[run.pk, other_session.pk])).status_code == 404


def test_run_list_shows_only_own_runs_and_filters(personas, run, as_user):
    other = ft.RunFactory(provider=personas["provider_b"].provider, title="宣威班")
    ft.RunFactory(provider=personas["provider_a"].provider, title="已取消的班", status=RunStatus.CANCELLED)
    client = as_user(personas["provider_a"])
    body = client.get(reverse("training:run_list")).content.decode()
    assert run.display_title in body and other.display_title not in body
    body = client.get(reverse("training:run_list"), {"status": "cancelled"}).content.decode()
    assert "已取消的班" in body and run.display_title not in body
    assert client.get(reverse("training:run_list"), {"status": "nonsense"}).status_code == 200


def test_wrong_method_gives_405(personas, run, as_user):
    e = run.enrollments.get(status=EnrollmentStatus.PENDING)
    response = as_user(personas["provider_a"]).get(reverse("training:approve_enrollment", args=[run.pk, e.pk]))
    assert response.status_code == 405


# --- Provider journeys -----------------------------------------------------------------------------


def test_provider_approves_and_rejects_with_reason(personas, run, as_user):
    client = as_user(personas["provider_a"])
    pending = run.enrollments.get(status=EnrollmentStatus.PENDING)
    response = client.post(reverse("training:reject_enrollment", args=[run.pk, pending.pk]), {"reason": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.PENDING
    client.post(reverse("training:approve_enrollment", args=[run.pk, pending.pk]))
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.APPROVED


def test_provider_b_cannot_approve_provider_a_enrolment(personas, run, as_user):
    pending = run.enrollments.get(status=EnrollmentStatus.PENDING)
    response = as_user(personas["provider_b"]).post(reverse("training:approve_enrollment", args=[run.pk, pending.pk]))
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.PENDING


def test_attendance_sheet_saves_and_rejects_outsiders(personas, run, as_user):
    client = as_user(personas["provider_a"])
    session = run.sessions.get()
    approved = run.enrollments.get(status=EnrollmentStatus.APPROVED)
    pending = run.enrollments.get(status=EnrollmentStatus.PENDING)
    url = reverse("training:attendance_sheet", args=[run.pk, session.pk])
    page = client.get(url).content.decode()
    assert approved.person.name in page and pending.person.name not in page

    response = client.post(url, {f"e-{approved.pk}": "present", f"e-{pending.pk}": "present"})
    assert response.status_code == 400
    assert "不属于本班次" in response.content.decode()
    assert not Attendance.objects.exists()

    response = client.post(url, {f"e-{approved.pk}": "late"})
    assert response.status_code == 302
    assert Attendance.objects.get().status == "late"


def test_scores_form_rejects_out_of_range(personas, run, as_user):
    client = as_user(personas["provider_a"])
    approved = run.enrollments.get(status=EnrollmentStatus.APPROVED)
    url = reverse("training:scores", args=[run.pk])
    response = client.post(url, {f"t-{approved.pk}": "101", f"p-{approved.pk}": "80"})
    assert response.status_code == 400 and "0–100" in response.content.decode()
    approved.refresh_from_db()
    assert approved.theory_score is None
    assert client.post(url, {f"t-{approved.pk}": "88.5", f"p-{approved.pk}": "90"}).status_code == 302
    approved.refresh_from_db()
    assert approved.theory_score == Decimal("88.5")


@time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
def test_finish_needs_confirmation_and_is_idempotent(personas, run, as_user):
    client = as_user(personas["provider_a"])
    url = reverse("training:finish", args=[run.pk])
    assert client.get(url).status_code == 200
    client.post(url, {})
    assert not TrainingRecord.objects.exists()
    client.post(url, {"confirm": "yes"})
    client.post(url, {"confirm": "yes"})
    assert TrainingRecord.objects.count() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert as_user(personas["county_x"]).post(url, {"confirm": "yes"}).status_code == 403


def test_roster_export_is_excel_with_masked_data_and_no_formulas(personas, run, as_user):
    evil = f.PersonFactory(name="=HYPERLINK(\"http://x\")")
    ft.EnrollmentFactory(run=run, person=evil)
    response = as_user(personas["provider_a"]).get(reverse("training:roster_export", args=[run.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["B1"].value == "姓名"
    names = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    ids = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert all("*" in value for value in ids)
    assert len(names) == 3


# --- Trainee journeys ------------------------------------------------------------------------------


def test_trainee_without_claimed_record_is_sent_to_claim(personas, run, as_user):
    client = as_user(personas["trainee_a"])
    response = client.get(reverse("training:my_training"))
    assert response.status_code == 302 and response["Location"] == reverse("registry:claim")
    response = client.post(reverse("training:enrol", args=[run.pk]))
    assert response["Location"] == reverse("registry:claim")
    assert run.enrollments.count() == 2


@time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC))
def test_trainee_enrols_sees_it_and_cannot_enrol_twice(personas, as_user):
    person = claimed(personas["trainee_a"])
    r = ft.RunFactory(needs_approval=False, capacity=1)
    client = as_user(personas["trainee_a"])
    response = client.post(reverse("training:enrol", args=[r.pk]))
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.status == EnrollmentStatus.APPROVED
    page = client.get(reverse("training:my_training")).content.decode()
    assert r.display_title in page

    response = client.post(reverse("training:enrol", args=[r.pk]), follow=True)
    assert "请勿重复报名" in response.content.decode()
    assert Enrollment.objects.count() == 1

    # Full run: the next trainee goes on the waiting list.
    other = claimed(personas["trainee_b"])
    as_user(personas["trainee_b"]).post(reverse("training:enrol", args=[r.pk]))
    assert Enrollment.objects.get(person=other).status == EnrollmentStatus.WAITLISTED

    # Withdrawing hands the seat on.
    client.post(reverse("training:withdraw", args=[enrollment.pk]))
    assert Enrollment.objects.get(person=other).status == EnrollmentStatus.APPROVED


def test_enrol_in_draft_run_is_404(personas, as_user):
    claimed(personas["trainee_a"])
    r = ft.RunFactory(status=RunStatus.DRAFT)
    assert as_user(personas["trainee_a"]).post(reverse("training:enrol", args=[r.pk])).status_code == 404


def test_trainee_sees_only_own_enrolments_and_records(personas, as_user):
    mine = claimed(personas["trainee_a"])
    theirs = claimed(personas["trainee_b"])
    e_mine = ft.EnrollmentFactory(person=mine)
    e_theirs = ft.EnrollmentFactory(person=theirs)
    ft.TrainingRecordFactory(person=mine, course_name="我的导入记录")
    ft.TrainingRecordFactory(person=theirs, course_name="别人的记录")
    client = as_user(personas["trainee_a"])
    page = client.get(reverse("training:my_training")).content.decode()
    assert "我的导入记录" in page and "别人的记录" not in page
    assert client.get(reverse("training:my_enrollment", args=[e_mine.pk])).status_code == 200
    assert client.get(reverse("training:my_enrollment", args=[e_theirs.pk])).status_code == 404
    assert client.post(reverse("training:withdraw", args=[e_theirs.pk])).status_code == 404


def test_provider_cannot_use_trainee_portal(personas, as_user):
    assert as_user(personas["provider_a"]).get(reverse("training:my_training")).status_code == 403


# --- Course pages --------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC))
def test_course_page_lists_upcoming_runs_and_enrol_button(personas, as_user, client):
    course = ft.course(title="保育人员岗前培训")
    open_run = ft.RunFactory(course=course, title="三月班")
    ft.RunFactory(course=course, title="草稿班", status=RunStatus.DRAFT)
    page = client.get(course.url).content.decode()
    assert "三月班" in page and "草稿班" not in page and "登录后报名" in page
    claimed(personas["trainee_a"])
    page = as_user(personas["trainee_a"]).get(course.url).content.decode()
    assert reverse("training:enrol", args=[open_run.pk]) in page
    index = client.get(course.get_parent().url)
    assert index.status_code == 200 and "保育人员岗前培训" in index.content.decode()


def test_course_page_hours_must_add_up():
    from django.core.exceptions import ValidationError

    course = ft.course(required_theory_hours=Decimal("8"), required_practice_hours=Decimal("4"))
    course.syllabus = [
        ("module", {"title": "模块一", "theory_hours": Decimal("6"), "practice_hours": Decimal("4"), "description": ""}),
    ]
    with pytest.raises(ValidationError) as exc:
        course.full_clean()
    assert "required_theory_hours" in exc.value.message_dict
    course.syllabus = [
        ("module", {"title": "模块一", "theory_hours": Decimal("8"), "practice_hours": Decimal("4"), "description": ""}),
    ]
    course.full_clean()


def test_trainee_exports_own_history_only(personas, as_user):
    mine = claimed(personas["trainee_a"])
    ft.TrainingRecordFactory(person=mine, course_name="=1+1")
    ft.TrainingRecordFactory(course_name="别人的记录")
    response = as_user(personas["trainee_a"]).get(reverse("training:my_records_export"))
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["'=1+1"]


@time_machine.travel(datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC))
def test_withdraw_button_only_before_the_run_starts(personas, as_user):
    mine = claimed(personas["trainee_a"])
    started = ft.EnrollmentFactory(person=mine)  # run started 2026-03-02
    future = ft.EnrollmentFactory(person=mine, run=ft.RunFactory(start_date=datetime.date(2026, 4, 1),
                                                                    end_date=datetime.date(2026, 4, 3)))
    page = as_user(personas["trainee_a"]).get(reverse("training:my_training")).content.decode()
    assert reverse("training:withdraw", args=[future.pk]) in page
    assert reverse("training:withdraw", args=[started.pk]) not in page
