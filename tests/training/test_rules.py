"""The rules of the training workflow: enrolment, waitlist, attendance, hours, completion."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from registry.models import Person, StaffRole, TrainingCategory
from training import services
from training.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    RunStatus,
    SessionKind,
    TrainingRecord,
    TrainingResult,
)
from training.services import TrainingError

from tests import factories as f
from tests import factories_training as ft

pytestmark = pytest.mark.django_db

IN_WINDOW = datetime.date(2026, 2, 10)
BEFORE_START = datetime.date(2026, 3, 1)
AFTER_END = datetime.date(2026, 3, 7)


def person():
    return f.PersonFactory()


# --- Enrolment ------------------------------------------------------------------------------


def test_enrol_without_approval_takes_a_seat_at_once():
    run = ft.RunFactory(needs_approval=False)
    e = services.enrol(run.pk, person(), today=IN_WINDOW)
    assert e.status == EnrollmentStatus.APPROVED
    assert e.approved_at is not None and e.approved_on is not None


def test_enrol_with_approval_waits_for_the_provider():
    run = ft.RunFactory(needs_approval=True)
    e = services.enrol(run.pk, person(), today=IN_WINDOW)
    assert e.status == EnrollmentStatus.PENDING


def test_full_run_puts_later_enrolments_on_the_waitlist_and_promotes_in_order():
    run = ft.RunFactory(capacity=2, needs_approval=False)
    first, second = person(), person()
    a = services.enrol(run.pk, first, today=IN_WINDOW)
    services.enrol(run.pk, second, today=IN_WINDOW)
    w1 = services.enrol(run.pk, person(), today=IN_WINDOW)
    w2 = services.enrol(run.pk, person(), today=IN_WINDOW)
    assert (w1.status, w2.status) == (EnrollmentStatus.WAITLISTED, EnrollmentStatus.WAITLISTED)

    services.withdraw(a.pk, first, today=BEFORE_START)
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert w1.status == EnrollmentStatus.APPROVED
    assert w2.status == EnrollmentStatus.WAITLISTED
    assert run.enrollments.filter(status__in=[EnrollmentStatus.APPROVED, EnrollmentStatus.PENDING]).count() == 2


def test_promotion_goes_to_pending_when_the_run_needs_approval():
    run = ft.RunFactory(capacity=1, needs_approval=True)
    p = person()
    a = services.enrol(run.pk, p, today=IN_WINDOW)
    w = services.enrol(run.pk, person(), today=IN_WINDOW)
    services.withdraw(a.pk, p, today=BEFORE_START)
    w.refresh_from_db()
    assert w.status == EnrollmentStatus.PENDING


def test_rejection_needs_a_reason_and_frees_the_seat(personas):
    run = ft.RunFactory(capacity=1, needs_approval=True, provider=personas["provider_a"].provider)
    a = services.enrol(run.pk, person(), today=IN_WINDOW)
    w = services.enrol(run.pk, person(), today=IN_WINDOW)
    with pytest.raises(TrainingError, match="原因"):
        services.reject(a.pk, personas["provider_a"], "  ")
    a.refresh_from_db()
    assert a.status == EnrollmentStatus.PENDING

    services.reject(a.pk, personas["provider_a"], "非本市从业人员")
    a.refresh_from_db()
    w.refresh_from_db()
    assert a.status == EnrollmentStatus.REJECTED and a.decision_reason == "非本市从业人员"
    assert w.status == EnrollmentStatus.PENDING


def test_approve_sets_the_approval_date(personas):
    run = ft.RunFactory(needs_approval=True, provider=personas["provider_a"].provider)
    e = services.enrol(run.pk, person(), today=IN_WINDOW)
    services.approve(e.pk, personas["provider_a"])
    e.refresh_from_db()
    assert e.status == EnrollmentStatus.APPROVED and e.approved_on is not None


def test_another_provider_cannot_decide_on_an_enrolment(personas):
    run = ft.RunFactory(needs_approval=True, provider=personas["provider_a"].provider)
    e = services.enrol(run.pk, person(), today=IN_WINDOW)
    with pytest.raises(Enrollment.DoesNotExist):
        services.approve(e.pk, personas["provider_b"])
    e.refresh_from_db()
    assert e.status == EnrollmentStatus.PENDING


@pytest.mark.parametrize(
    "run_kwargs, today, message",
    [
        ({}, datetime.date(2026, 1, 31), "开始"),
        ({}, datetime.date(2026, 3, 1), "截止"),
        ({"status": RunStatus.CANCELLED}, IN_WINDOW, "已取消"),
        ({"status": RunStatus.DRAFT}, IN_WINDOW, "不在报名中"),
        ({"status": RunStatus.FINISHED, "finished_at": datetime.datetime(2026, 3, 7, tzinfo=datetime.UTC)}, IN_WINDOW, "不在报名中"),
    ],
)
def test_enrolment_refused_outside_window_or_status(run_kwargs, today, message):
    run = ft.RunFactory(**run_kwargs)
    with pytest.raises(TrainingError, match=message):
        services.enrol(run.pk, person(), today=today)
    assert not Enrollment.objects.exists()


def test_enrolling_twice_is_refused_and_changes_nothing():
    run = ft.RunFactory()
    p = person()
    services.enrol(run.pk, p, today=IN_WINDOW)
    with pytest.raises(TrainingError, match="重复报名"):
        services.enrol(run.pk, p, today=IN_WINDOW)
    assert Enrollment.objects.count() == 1


def test_enrolment_needs_a_practitioner_record_and_a_phone():
    run = ft.RunFactory()
    with pytest.raises(TrainingError, match="认领"):
        services.enrol(run.pk, None, today=IN_WINDOW)
    p = f.PersonFactory(phone="")
    with pytest.raises(TrainingError, match="手机号"):
        services.enrol(run.pk, p, today=IN_WINDOW)
    assert not Enrollment.objects.exists()


def test_withdrawal_after_the_start_is_refused():
    run = ft.RunFactory()
    p = person()
    e = services.enrol(run.pk, p, today=IN_WINDOW)
    with pytest.raises(TrainingError, match="已开班"):
        services.withdraw(e.pk, p, today=run.start_date)
    e.refresh_from_db()
    assert e.status == EnrollmentStatus.APPROVED


def test_enrol_again_after_withdrawing_queues_at_the_back():
    run = ft.RunFactory(capacity=1)
    p = person()
    e = services.enrol(run.pk, p, today=IN_WINDOW)
    services.withdraw(e.pk, p, today=IN_WINDOW)
    other = services.enrol(run.pk, person(), today=IN_WINDOW)
    again = services.enrol(run.pk, p, today=IN_WINDOW)
    assert other.status == EnrollmentStatus.APPROVED
    assert again.pk == e.pk and again.status == EnrollmentStatus.WAITLISTED


def test_raising_capacity_promotes_the_waitlist():
    run = ft.RunFactory(capacity=1)
    services.enrol(run.pk, person(), today=IN_WINDOW)
    w = services.enrol(run.pk, person(), today=IN_WINDOW)
    with pytest.raises(TrainingError):
        services.change_capacity(run.pk, 0)
    services.change_capacity(run.pk, 2)
    w.refresh_from_db()
    assert w.status == EnrollmentStatus.APPROVED


def test_provider_staff_see_persons_enrolled_in_their_runs(personas):
    run = ft.RunFactory(provider=personas["provider_a"].provider)
    e = ft.EnrollmentFactory(run=run)
    assert e.person in Person.objects.visible_to(personas["provider_a"])
    assert e.person not in Person.objects.visible_to(personas["provider_b"])


# --- Sessions, attendance and hours ---------------------------------------------------------


def test_session_outside_the_run_dates_is_rejected():
    run = ft.RunFactory()
    s = ft.SessionFactory.build(run=run, date=datetime.date(2026, 3, 9))
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "date" in exc.value.message_dict


def test_session_hours_must_fit_in_its_time():
    run = ft.RunFactory()
    s = ft.SessionFactory.build(
        run=run, start_time=datetime.time(9), end_time=datetime.time(11), hours=Decimal("3")
    )
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "hours" in exc.value.message_dict
    s.hours = Decimal("2")
    s.full_clean()


def _hours(enrollment):
    e = Enrollment.objects.with_hours().get(pk=enrollment.pk)
    return e.theory_hours, e.practice_hours


def test_attended_hours_full_for_present_share_for_late_or_early_none_otherwise(personas, settings):
    settings.TRAINING_PARTIAL_ATTENDANCE_SHARE = 0.5
    run = ft.RunFactory(provider=personas["provider_a"].provider)
    e = ft.EnrollmentFactory(run=run)
    sessions = [ft.SessionFactory(run=run, hours=Decimal("4")) for _ in range(5)]
    practice = ft.SessionFactory(run=run, hours=Decimal("3"), kind=SessionKind.PRACTICE)
    marks = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EARLY_LEAVE,
             AttendanceStatus.ABSENT, AttendanceStatus.LEAVE]
    for session, status in zip(sessions, marks):
        services.record_attendance(session.pk, {e.pk: status}, personas["provider_a"])
    services.record_attendance(practice.pk, {e.pk: AttendanceStatus.PRESENT}, personas["provider_a"])
    assert _hours(e) == (Decimal("8"), Decimal("3"))

    settings.TRAINING_PARTIAL_ATTENDANCE_SHARE = 0.25
    assert _hours(e) == (Decimal("6"), Decimal("3"))


def test_sessions_before_approval_never_count(personas):
    run = ft.RunFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 6))
    e = ft.EnrollmentFactory(run=run, approved_on=datetime.date(2026, 3, 4))
    early = ft.SessionFactory(run=run, date=datetime.date(2026, 3, 3))
    on_day = ft.SessionFactory(run=run, date=datetime.date(2026, 3, 4))
    for s in (early, on_day):
        ft.AttendanceFactory(session=s, enrollment=e, status=AttendanceStatus.PRESENT)
    assert _hours(e) == (Decimal("4"), Decimal("0"))


def test_attendance_for_a_trainee_not_in_the_run_is_rejected_and_nothing_saved(personas):
    run = ft.RunFactory()
    mine = ft.EnrollmentFactory(run=run)
    stranger = ft.EnrollmentFactory()  # another run
    pending = ft.EnrollmentFactory(run=run, status=EnrollmentStatus.PENDING, approved_at=None, approved_on=None)
    session = ft.SessionFactory(run=run)
    for intruder in (stranger, pending):
        with pytest.raises(TrainingError, match="不属于本班次"):
            services.record_attendance(
                session.pk, {mine.pk: AttendanceStatus.PRESENT, intruder.pk: AttendanceStatus.PRESENT},
                personas["provider_a"],
            )
    with pytest.raises(TrainingError, match="无效"):
        services.record_attendance(session.pk, {mine.pk: "sleeping"}, personas["provider_a"])
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("raw", ["-1", "100.5", "abc", "NaN"])
def test_scores_outside_0_to_100_are_rejected(raw, personas):
    run = ft.RunFactory()
    e = ft.EnrollmentFactory(run=run)
    ok = ft.EnrollmentFactory(run=run)
    with pytest.raises(TrainingError):
        services.record_scores(run.pk, {ok.pk: ("80", "80"), e.pk: (raw, "70")}, personas["provider_a"])
    ok.refresh_from_db()
    assert ok.theory_score is None


# --- Completion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "theory_h, practice_h, theory_s, practice_s, result, reason",
    [
        ("8", "4", "60", "60", TrainingResult.PASSED, ""),
        ("7.5", "4", "90", "90", TrainingResult.FAILED, "理论学时不足"),
        ("8", "3", "90", "90", TrainingResult.FAILED, "实操学时不足"),
        ("8", "4", "59.5", "90", TrainingResult.FAILED, "理论成绩未达合格分"),
        ("8", "4", "90", "40", TrainingResult.FAILED, "实操成绩未达合格分"),
        ("8", "4", None, "90", TrainingResult.FAILED, "未录入理论成绩"),
        ("2", "0", "10", "10", TrainingResult.FAILED, "理论学时不足（2/8）；实操学时不足（0/4）；理论成绩"),
    ],
)
def test_completion_decision_table(theory_h, practice_h, theory_s, practice_s, result, reason):
    course = ft.course(required_theory_hours=Decimal("8"), required_practice_hours=Decimal("4"))
    d = services.decide(
        course, Decimal(theory_h), Decimal(practice_h),
        Decimal(theory_s) if theory_s else None, Decimal(practice_s) if practice_s else None,
    )
    assert d.result == result
    assert d.reason_text.startswith(reason)


def _finished_run_setup(personas):
    course = ft.course(
        category=TrainingCategory.DIRECTOR, target_role=StaffRole.DIRECTOR,
        required_theory_hours=Decimal("4"), required_practice_hours=Decimal("4"),
    )
    run = ft.RunFactory(course=course, provider=personas["provider_a"].provider, county=f.county("宣威市"))
    good = ft.EnrollmentFactory(run=run, theory_score=Decimal("85"), practice_score=Decimal("90"))
    short = ft.EnrollmentFactory(run=run, theory_score=Decimal("85"), practice_score=Decimal("90"))
    waiting = ft.EnrollmentFactory(run=run, status=EnrollmentStatus.WAITLISTED, approved_at=None, approved_on=None)
    theory = ft.SessionFactory(run=run, kind=SessionKind.THEORY)
    practice = ft.SessionFactory(run=run, kind=SessionKind.PRACTICE, date=run.end_date)
    user = personas["provider_a"]
    services.record_attendance(theory.pk, {good.pk: "present", short.pk: "present"}, user)
    services.record_attendance(practice.pk, {good.pk: "present", short.pk: "absent"}, user)
    return run, good, short, waiting, practice


def test_finish_run_creates_exactly_one_record_per_approved_enrolment(personas):
    run, good, short, waiting, _ = _finished_run_setup(personas)
    created = services.finish_run(run.pk, personas["provider_a"], today=AFTER_END)
    assert created == 2
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.finished_at is not None

    rec = TrainingRecord.objects.get(enrollment=good)
    assert rec.result == TrainingResult.PASSED
    assert rec.county == run.county and rec.provider == run.provider
    assert rec.role == StaffRole.DIRECTOR and rec.category == TrainingCategory.DIRECTOR
    assert rec.completion_date == run.end_date and rec.hours == Decimal("8")
    assert rec.person == good.person and rec.source == "platform"

    failed = TrainingRecord.objects.get(enrollment=short)
    short.refresh_from_db()
    assert failed.result == TrainingResult.FAILED and failed.hours == Decimal("4")
    assert "实操学时不足" in short.result_reason
    assert not TrainingRecord.objects.filter(enrollment=waiting).exists()
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.REJECTED


def test_finishing_again_never_duplicates_records(personas):
    run, *_ = _finished_run_setup(personas)
    services.finish_run(run.pk, personas["provider_a"], today=AFTER_END)
    assert services.finish_run(run.pk, personas["provider_a"], today=AFTER_END) == 0
    assert TrainingRecord.objects.count() == 2


def test_finish_before_the_end_date_or_of_a_cancelled_run_is_refused(personas):
    run, *_ = _finished_run_setup(personas)
    with pytest.raises(TrainingError, match="届时"):
        services.finish_run(run.pk, personas["provider_a"], today=run.end_date - datetime.timedelta(days=1))
    services.cancel_run(run.pk, personas["provider_a"])
    with pytest.raises(TrainingError, match="已取消"):
        services.finish_run(run.pk, personas["provider_a"], today=AFTER_END)
    assert not TrainingRecord.objects.exists()


def test_correction_after_finishing_updates_the_record_and_is_audit_logged(personas):
    run, good, short, _, practice = _finished_run_setup(personas)
    services.finish_run(run.pk, personas["provider_a"], today=AFTER_END)
    record = TrainingRecord.objects.get(enrollment=short)
    assert record.result == TrainingResult.FAILED

    services.record_attendance(practice.pk, {short.pk: AttendanceStatus.PRESENT}, personas["provider_a"])
    record.refresh_from_db()
    assert record.result == TrainingResult.PASSED and record.hours == Decimal("8")
    assert TrainingRecord.objects.count() == 2
    entries = LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.UPDATE)
    assert entries.exists()
    assert "result" in entries.first().changes_dict

    services.record_scores(run.pk, {good.pk: ("50", "90")}, personas["provider_a"])
    good_record = TrainingRecord.objects.get(enrollment=good)
    assert good_record.result == TrainingResult.FAILED
    assert TrainingRecord.objects.count() == 2


def test_record_queryset_helpers():
    ft.TrainingRecordFactory(completion_date=datetime.date(2024, 1, 1))
    ft.TrainingRecordFactory(completion_date=datetime.date(2025, 1, 1), result=TrainingResult.FAILED)
    ft.TrainingRecordFactory(completion_date=datetime.date(2026, 12, 31))
    qs = TrainingRecord.objects.passed().completed_between(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    assert qs.count() == 1


def test_attendance_for_a_future_session_is_refused(personas):
    run = ft.RunFactory()
    e = ft.EnrollmentFactory(run=run)
    session = ft.SessionFactory(run=run)
    with pytest.raises(TrainingError, match="尚未开始"):
        services.record_attendance(session.pk, {e.pk: "present"}, personas["provider_a"], today=session.date - datetime.timedelta(days=1))
    assert not Attendance.objects.exists()


def test_person_enrolled_twice_with_a_provider_is_listed_once(personas):
    person = f.PersonFactory()
    for _ in range(2):
        ft.EnrollmentFactory(run=ft.RunFactory(provider=personas["provider_a"].provider), person=person)
    assert list(Person.objects.visible_to(personas["provider_a"])).count(person) == 1
