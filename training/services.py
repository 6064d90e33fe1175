"""Actions of the training workflow. Each runs in one transaction and leaves nothing half-written.

Capacity is guarded by a row lock on the run (`select_for_update`): every action that takes or
frees a seat locks the run row first, so two enrolments can never both see the last free seat.
"""

from auditlog.context import set_actor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from . import signals
from .models import (
    SEAT_HOLDING,
    Attendance,
    AttendanceStatus,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    RecordSource,
    RunStatus,
    Session,
    TrainingRecord,
    TrainingResult,
    local_today,
)


class TrainingError(Exception):
    """A rule of the workflow refused the action; the message is shown to the user."""


# --- Enrolment --------------------------------------------------------------------------------


def profile_problems(person):
    """What a trainee's profile still lacks before they may enrol (empty when complete)."""
    problems = []
    if not person.phone:
        problems.append("手机号")
    return problems


def _lock_run(run_id):
    return CourseRun.objects.select_for_update().select_related("course").get(pk=run_id)


def _free_seats(run):
    return run.capacity - run.enrollments.filter(status__in=SEAT_HOLDING).count()


def _take_seat(enrollment, run, now):
    if run.needs_approval:
        enrollment.status = EnrollmentStatus.PENDING
    else:
        enrollment.mark_approved(now)


@transaction.atomic
def enrol(run_id, person, today=None):
    """Enrol `person` in a run: a seat when one is free, else the waiting list.

    Returns the enrolment. Raises TrainingError (nothing changed) outside the enrolment
    window, for a cancelled or unpublished run, for a second enrolment, or without a person.
    """
    if person is None:
        raise TrainingError("请先认领您的从业人员记录，再报名培训。")
    missing = profile_problems(person)
    if missing:
        raise TrainingError(f"请先完善个人资料（{ '、'.join(missing) }）再报名。")
    today = today or local_today()
    run = _lock_run(run_id)
    if run.status == RunStatus.CANCELLED:
        raise TrainingError("该班次已取消，不能报名。")
    if run.status != RunStatus.OPEN:
        raise TrainingError("该班次当前不在报名中。")
    if today < run.enrol_opens:
        raise TrainingError(f"报名将于 {run.enrol_opens:%Y-%m-%d} 开始。")
    if today > run.enrol_closes:
        raise TrainingError(f"报名已于 {run.enrol_closes:%Y-%m-%d} 截止。")
    enrollment = Enrollment.objects.filter(run=run, person=person).first()
    if enrollment is not None and enrollment.status != EnrollmentStatus.WITHDRAWN:
        raise TrainingError(f"您已报名该班次（当前状态：{enrollment.get_status_display()}），请勿重复报名。")
    if enrollment is None:
        enrollment = Enrollment(run=run, person=person)
    else:
        # Enrolling again after withdrawing queues at the back, like a new enrolment.
        enrollment.created_at = timezone.now()
        enrollment.approved_at = enrollment.approved_on = None
        enrollment.decision_reason = ""
    now = timezone.now()
    if _free_seats(run) > 0:
        _take_seat(enrollment, run, now)
    else:
        enrollment.status = EnrollmentStatus.WAITLISTED
    enrollment.save()
    return enrollment


def _promote_waitlist(run, now=None):
    """Fill free seats from the waiting list, first come first served. The run must be locked."""
    now = now or timezone.now()
    free = _free_seats(run)
    promoted = []
    if free <= 0:
        return promoted
    for enrollment in run.enrollments.filter(status=EnrollmentStatus.WAITLISTED).order_by("created_at", "pk")[:free]:
        _take_seat(enrollment, run, now)
        enrollment.save()
        promoted.append(enrollment)
    return promoted


@transaction.atomic
def withdraw(enrollment_id, person, today=None):
    """The trainee leaves a run before it starts; a freed seat goes to the waiting list."""
    today = today or local_today()
    enrollment = Enrollment.objects.select_related("run").get(pk=enrollment_id, person=person)
    run = _lock_run(enrollment.run_id)
    enrollment.refresh_from_db()
    if enrollment.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.APPROVED, EnrollmentStatus.WAITLISTED):
        raise TrainingError("该报名当前不能退出。")
    if today >= run.start_date:
        raise TrainingError("班次已开班，不能再退出。如有特殊情况请联系培训机构。")
    held_seat = enrollment.holds_seat
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status", "updated_at"])
    if held_seat:
        _promote_waitlist(run)
    return enrollment


@transaction.atomic
def approve(enrollment_id, user):
    enrollment = Enrollment.objects.editable_by(user).get(pk=enrollment_id)
    _lock_run(enrollment.run_id)
    enrollment.refresh_from_db()
    if enrollment.status != EnrollmentStatus.PENDING:
        raise TrainingError(f"只能审核待审核的报名（当前状态：{enrollment.get_status_display()}）。")
    if enrollment.run.status in (RunStatus.FINISHED, RunStatus.CANCELLED):
        raise TrainingError("班次已结业或已取消，不能再录取。")
    enrollment.mark_approved()
    enrollment.decided_by = user
    enrollment.save()
    return enrollment


@transaction.atomic
def reject(enrollment_id, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError("请填写不通过的原因。")
    enrollment = Enrollment.objects.editable_by(user).get(pk=enrollment_id)
    run = _lock_run(enrollment.run_id)
    enrollment.refresh_from_db()
    if enrollment.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.WAITLISTED):
        raise TrainingError(f"只能对待审核或候补的报名作出不通过决定（当前状态：{enrollment.get_status_display()}）。")
    held_seat = enrollment.holds_seat
    enrollment.status = EnrollmentStatus.REJECTED
    enrollment.decision_reason = reason[:200]
    enrollment.decided_by = user
    enrollment.save()
    if held_seat:
        _promote_waitlist(run)
    return enrollment


@transaction.atomic
def change_capacity(run_id, capacity):
    """Raise or lower the number of seats; extra seats go to the waiting list at once."""
    run = _lock_run(run_id)
    taken = run.capacity - _free_seats(run)
    if capacity < 1:
        raise TrainingError("名额至少为 1。")
    if capacity < taken:
        raise TrainingError(f"已有 {taken} 人占用名额，名额不能少于 {taken}。")
    run.capacity = capacity
    run.save(update_fields=["capacity", "updated_at"])
    return _promote_waitlist(run)


# --- Attendance and scores -------------------------------------------------------------------


@transaction.atomic
def record_attendance(session_id, statuses, user, today=None):
    """Save the attendance sheet of one session: {enrollment_id: AttendanceStatus value}.

    Only approved enrolments of the session's run can be marked. After the run is finished,
    a change is a correction: the affected training records are recomputed (and audit-logged).
    """
    session = Session.objects.select_related("run").get(pk=session_id)
    run = session.run
    if session.date > (today or local_today()):
        raise TrainingError("课次尚未开始，不能提前记录考勤。")
    valid = set(AttendanceStatus.values)
    allowed = dict(
        run.enrollments.filter(status=EnrollmentStatus.APPROVED).values_list("pk", "person__name")
    )
    for enrollment_id, status in statuses.items():
        if enrollment_id not in allowed:
            raise TrainingError("考勤名单中有不属于本班次（或未录取）的学员，未保存任何考勤。")
        if status not in valid:
            raise TrainingError(f"学员 {allowed[enrollment_id]} 的考勤状态无效，未保存任何考勤。")
    existing = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
    to_create, to_update = [], []
    for enrollment_id, status in statuses.items():
        row = existing.get(enrollment_id)
        if row is None:
            to_create.append(Attendance(session=session, enrollment_id=enrollment_id, status=status, recorded_by=user))
        elif row.status != status:
            row.status = status
            row.recorded_by = user
            to_update.append(row)
    # Each row goes through save() so that django-auditlog records who marked whom how
    # (issue 8: attendance is part of the audit trail). A class is tens of rows, not thousands.
    # set_actor: the audit entries name the user even when no request is behind the call.
    follow_ups = []
    with set_actor(user):
        for row in to_create + to_update:
            row.save()
        if run.is_finished and (to_create or to_update):
            _, follow_ups = _refresh(run, list(statuses), user)
    return Saved(len(to_create) + len(to_update), follow_ups)


def parse_score(raw, label):
    """'' -> None; otherwise a number between 0 and 100, else TrainingError."""
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in ("", None):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise TrainingError(f"{label}“{raw}”不是数字。") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise TrainingError(f"{label} {raw} 超出 0–100 的范围。")
    return value.quantize(Decimal("0.1"))


@dataclass
class Saved:
    """What record_scores / record_attendance did: how many rows changed, and what other apps
    did because a result changed (signals.FollowUp, e.g. certificates revoked)."""

    changed: int
    follow_ups: list

    @property
    def follow_up_text(self):
        return signals.describe(self.follow_ups)


@transaction.atomic
def record_scores(run_id, scores, user):
    """scores: {enrollment_id: (theory, practice)} with raw form values. All or nothing.

    On a finished run a change is a correction: the records are decided again, and a result
    that changes is announced (signals.result_changed) in this transaction. Returns Saved.
    """
    run = _lock_run(run_id)
    enrollments = {e.pk: e for e in run.enrollments.filter(status=EnrollmentStatus.APPROVED).select_related("person")}
    changed = []
    for enrollment_id, (theory_raw, practice_raw) in scores.items():
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None:
            raise TrainingError("成绩表中有不属于本班次（或未录取）的学员，未保存任何成绩。")
        name = enrollment.person.name
        theory = parse_score(theory_raw, f"{name} 的理论成绩")
        practice = parse_score(practice_raw, f"{name} 的实操成绩")
        if (theory, practice) != (enrollment.theory_score, enrollment.practice_score):
            enrollment.theory_score, enrollment.practice_score = theory, practice
            changed.append(enrollment)
    for enrollment in changed:
        enrollment.save(update_fields=["theory_score", "practice_score", "updated_at"])
    follow_ups = []
    if run.is_finished and changed:
        _, follow_ups = _refresh(run, [e.pk for e in changed], user)
    return Saved(len(changed), follow_ups)


# --- Completion -----------------------------------------------------------------------------


@dataclass
class Decision:
    result: str
    reasons: list

    @property
    def reason_text(self):
        return "；".join(self.reasons)


def _fmt(value):
    value = Decimal(value or 0).quantize(Decimal("0.1"))
    return f"{value.normalize():f}"


def decide(course, theory_hours, practice_hours, theory_score, practice_score):
    """The completion decision table: 合格 only when every requirement is met."""
    reasons = []
    if theory_hours < course.required_theory_hours:
        reasons.append(f"理论学时不足（{_fmt(theory_hours)}/{_fmt(course.required_theory_hours)}）")
    if practice_hours < course.required_practice_hours:
        reasons.append(f"实操学时不足（{_fmt(practice_hours)}/{_fmt(course.required_practice_hours)}）")
    if theory_score is None:
        reasons.append("未录入理论成绩")
    elif theory_score < course.theory_pass_mark:
        reasons.append(f"理论成绩未达合格分（{_fmt(theory_score)}<{course.theory_pass_mark}）")
    if practice_score is None:
        reasons.append("未录入实操成绩")
    elif practice_score < course.practice_pass_mark:
        reasons.append(f"实操成绩未达合格分（{_fmt(practice_score)}<{course.practice_pass_mark}）")
    return Decision(TrainingResult.FAILED if reasons else TrainingResult.PASSED, reasons)


def refresh_records(run, enrollment_ids=None, user=None):
    """Decide each approved enrolment of a finished run and create or update its one record.

    Records are saved one by one so that django-auditlog logs every correction. Every
    enrolment whose result changed is announced through signals.result_changed (as made by
    `user`), after the new results are written. Returns the number of records created or changed.
    """
    return _refresh(run, enrollment_ids, user)[0]


def _refresh(run, enrollment_ids, user):
    """refresh_records, also returning the receivers' FollowUps: (count, follow_ups)."""
    course = run.course.specific if hasattr(run.course, "specific") else run.course
    enrollments = (
        run.enrollments.filter(status=EnrollmentStatus.APPROVED).with_hours().select_related("person")
    )
    if enrollment_ids is not None:
        enrollments = enrollments.filter(pk__in=enrollment_ids)
    existing = {r.enrollment_id: r for r in TrainingRecord.objects.filter(enrollment__run=run)}
    count = 0
    # First decisions are written in bulk (one finish creates a whole class's records);
    # corrections to existing records are saved one by one so each is audit-logged.
    new_records, decided, changes = [], [], []
    now = timezone.now()
    for enrollment in enrollments:
        decision = decide(
            course, enrollment.theory_hours, enrollment.practice_hours,
            enrollment.theory_score, enrollment.practice_score,
        )
        hours = Decimal(enrollment.theory_hours + enrollment.practice_hours).quantize(Decimal("0.1"))
        record = existing.get(enrollment.pk)
        if (enrollment.result, enrollment.result_reason) != (decision.result, decision.reason_text[:300]):
            if enrollment.result != decision.result:
                changes.append((enrollment, enrollment.result, decision.result))
            enrollment.result, enrollment.result_reason = decision.result, decision.reason_text[:300]
            if record is None:
                enrollment.updated_at = now
                decided.append(enrollment)
            else:
                enrollment.save(update_fields=["result", "result_reason", "updated_at"])
        values = {
            "person_id": enrollment.person_id,
            "category": course.category,
            "role": course.target_role,
            "provider_id": run.provider_id,
            "county_id": run.county_id,
            "course_name": course.title,
            "start_date": run.start_date,
            "completion_date": run.end_date,
            "hours": hours,
            "result": decision.result,
            "source": RecordSource.PLATFORM,
        }
        if record is None:
            new_records.append(TrainingRecord(enrollment=enrollment, **values))
            count += 1
        elif any(getattr(record, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(record, key, value)
            record.save()
            count += 1
    # One UPDATE per distinct outcome (most of a class shares "合格" with no reason).
    outcomes = {}
    for enrollment in decided:
        outcomes.setdefault((enrollment.result, enrollment.result_reason), []).append(enrollment.pk)
    for (result, reason), ids in outcomes.items():
        Enrollment.objects.filter(pk__in=ids).update(result=result, result_reason=reason, updated_at=now)
    TrainingRecord.objects.bulk_create(new_records)
    follow_ups = []
    for enrollment, old_result, new_result in changes:
        responses = signals.result_changed.send(
            sender=Enrollment, enrollment=enrollment, old_result=old_result, new_result=new_result, user=user
        )
        follow_ups.extend(signals.collect(responses))
    return count, follow_ups


@transaction.atomic
def finish_run(run_id, user, today=None):
    """结业: decide every approved enrolment and create its training record, once.

    The run is claimed with a conditional update (status not yet finished -> finished), so two
    clicks or two workers never both create records. Returns the number of records created;
    finishing an already finished run changes nothing and returns 0.
    """
    today = today or local_today()
    run = _lock_run(run_id)
    if run.status == RunStatus.FINISHED:
        return 0
    if run.status not in (RunStatus.OPEN, RunStatus.RUNNING):
        raise TrainingError(f"班次状态为“{run.get_status_display()}”，不能结业。")
    if today < run.end_date:
        raise TrainingError(f"班次的结业日期是 {run.end_date:%Y-%m-%d}，届时才能结业。")
    claimed = CourseRun.objects.filter(pk=run.pk, status__in=[RunStatus.OPEN, RunStatus.RUNNING]).update(
        status=RunStatus.FINISHED, finished_at=timezone.now(), finished_by=user, updated_at=timezone.now()
    )
    if not claimed:
        return 0
    run.refresh_from_db()
    # Who was still waiting when the run ended will not be trained in it.
    run.enrollments.filter(status__in=[EnrollmentStatus.PENDING, EnrollmentStatus.WAITLISTED]).update(
        status=EnrollmentStatus.REJECTED, decision_reason="班次已结业，未获录取", updated_at=timezone.now()
    )
    return refresh_records(run, user=user)


@transaction.atomic
def cancel_run(run_id, user):
    run = _lock_run(run_id)
    if run.status == RunStatus.FINISHED:
        raise TrainingError("已结业的班次不能取消。")
    run.status = RunStatus.CANCELLED
    run.save(update_fields=["status", "updated_at"])
    return run
