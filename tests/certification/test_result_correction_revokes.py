"""A finished run's result corrected from 合格 to 不合格 revokes the certificate issued for it,
in the same transaction, as the user who corrected it; a correction back to 合格 does not
restore it, but a new certificate can then be issued."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from certification.models import Certificate
from certification.services import (
    REISSUE_REASON,
    issue_for_enrollment,
    issue_for_run,
    result_correction_reason,
    revoke,
    supersede,
)
from registry.models import StaffRole, TrainingCategory
from training import services
from training.models import AttendanceStatus, SessionKind, TrainingResult
from training.services import TrainingError

from tests import factories_training as ft
from tests.factories_certification import private_storage  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

TODAY = datetime.date(2026, 3, 20)
ISSUED = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def issued(personas):
    """A finished run of provider_a (3 trainees who all passed, 4+4 hours attended, pass mark 60)
    with a certificate each, issued on ISSUED."""
    course = ft.course(
        category=TrainingCategory.DIRECTOR, target_role=StaffRole.DIRECTOR,
        required_theory_hours=Decimal("4"), required_practice_hours=Decimal("4"),
    )
    run = ft.RunFactory(course=course, provider=personas["provider_a"].provider)
    people = [ft.EnrollmentFactory(run=run, theory_score=Decimal("85"), practice_score=Decimal("90")) for _ in range(3)]
    theory = ft.SessionFactory(run=run, kind=SessionKind.THEORY)
    practice = ft.SessionFactory(run=run, kind=SessionKind.PRACTICE, date=run.end_date)
    user = personas["provider_a"]
    for session in (theory, practice):
        services.record_attendance(session.pk, {e.pk: AttendanceStatus.PRESENT for e in people}, user)
    services.finish_run(run.pk, user, today=run.end_date + datetime.timedelta(days=1))
    certs = issue_for_run(run, user, issue_date=ISSUED)
    assert len(certs) == 3
    run.refresh_from_db()
    return run, people, practice, {c.enrollment_id: c for c in certs}


def _scores_url(run):
    return reverse("training:scores", args=[run.pk])


def _post_scores(client, run, scores):
    data = {}
    for e, (theory, practice) in scores.items():
        data[f"t-{e.pk}"], data[f"p-{e.pk}"] = theory, practice
    return client.post(_scores_url(run), data, follow=True)


def _message(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_provider_corrects_a_score_and_the_certificate_is_revoked(personas, as_user, issued):
    run, (wrong, right, _), _, certs = issued
    client = as_user(personas["provider_a"])
    response = _post_scores(client, run, {wrong: ("50", "90"), right: ("88", "90")})
    assert response.status_code == 200
    cert = Certificate.objects.get(pk=certs[wrong.pk].pk)
    message = _message(response)
    assert "成绩已保存（2 人有变更）" in message
    assert f"考核结果更正为不合格，已自动撤销 1 张证书（{cert.number}）" in message

    wrong.refresh_from_db()
    assert wrong.result == TrainingResult.FAILED
    assert cert.revoked_on == TODAY and cert.revoked_by == personas["provider_a"]
    assert cert.revoke_reason == "考核结果更正为不合格（理论成绩未达合格分（50<60））"
    assert cert.enrollment_id == wrong.pk  # still says which enrolment it was issued for
    # Counted until yesterday, no longer today (持证上岗率 follows).
    assert Certificate.objects.valid_on(TODAY - datetime.timedelta(days=1)).filter(pk=cert.pk).exists()
    assert not Certificate.objects.valid_on(TODAY).filter(pk=cert.pk).exists()
    # Audit-logged like a manual revocation: an update by the provider's user with the revocation.
    entry = LogEntry.objects.get_for_object(cert).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == personas["provider_a"]
    assert entry.changes_dict["revoked_on"][1] == str(TODAY)
    # The one whose score changed but still passed keeps a valid certificate.
    other = Certificate.objects.get(pk=certs[right.pk].pk)
    assert other.revoked_on is None
    # A correction that changes no result tells nothing about certificates.
    response = _post_scores(client, run, {right: ("89", "90")})
    assert _message(response) == "成绩已保存（1 人有变更）。"


def test_commission_correction_revokes_as_the_commission(personas, issued):
    run, (wrong, *_), _, certs = issued
    saved = services.record_scores(run.pk, {wrong.pk: ("85", "40")}, personas["commission"])
    assert saved.changed == 1 and [f.item for f in saved.follow_ups] == [certs[wrong.pk].number]
    cert = Certificate.objects.get(pk=certs[wrong.pk].pk)
    assert cert.revoked_by == personas["commission"] and cert.revoked_on == TODAY
    assert cert.revoke_reason == "考核结果更正为不合格（实操成绩未达合格分（40<60））"


def test_attendance_correction_revokes_too(personas, issued):
    run, (wrong, *_), practice, certs = issued
    saved = services.record_attendance(practice.pk, {wrong.pk: AttendanceStatus.ABSENT}, personas["provider_a"])
    cert = Certificate.objects.get(pk=certs[wrong.pk].pk)
    assert cert.revoked_on == TODAY and cert.revoke_reason == "考核结果更正为不合格（实操学时不足（0/4））"
    # The provider is told on the attendance page what the correction did.
    assert saved.changed == 1 and cert.number in saved.follow_up_text


def test_revocation_and_correction_are_one_transaction(personas, issued):
    """Someone who may not revoke the certificate cannot make the correction either: nothing is saved."""
    run, (wrong, *_), _, certs = issued
    with pytest.raises(TrainingError, match="无权撤销"):
        services.record_scores(run.pk, {wrong.pk: ("10", "90")}, personas["provider_b"])
    wrong.refresh_from_db()
    assert wrong.theory_score == Decimal("85") and wrong.result == TrainingResult.PASSED
    assert wrong.training_record.result == TrainingResult.PASSED
    assert Certificate.objects.get(pk=certs[wrong.pk].pk).revoked_on is None


def test_back_to_passed_does_not_restore_but_a_new_certificate_can_be_issued(personas, as_user, issued):
    run, (wrong, right, manual), _, certs = issued
    provider = personas["provider_a"]
    old = certs[wrong.pk]
    services.record_scores(run.pk, {wrong.pk: ("50", "90")}, provider)
    # Another trainee's certificate is revoked by hand (e.g. issued by mistake): that one stays blocked.
    revoke(certs[manual.pk], provider, "错误发证")

    response = _post_scores(as_user(provider), run, {wrong: ("80", "90")})
    assert "考核结果更正为合格：1 人的证书此前已因不合格撤销，不会自动恢复" in _message(response)
    old.refresh_from_db()
    wrong.refresh_from_db()
    assert wrong.result == TrainingResult.PASSED
    assert old.revoked_on == TODAY and old.revoke_reason.startswith("考核结果更正为不合格")
    # The run's certificate page marks both as revoked and offers "发证" for the corrected
    # trainee only (the certificate revoked by hand stays blocked).
    page = as_user(provider).get(reverse("certification:run", args=[run.pk])).content.decode()
    assert page.count("已撤销") == 2
    single = [reverse("certification:issue_enrollment", args=[e.pk]) for e in (wrong, right, manual)]
    assert single[0] in page and single[1] not in page and single[2] not in page

    [new] = issue_for_run(run, provider)
    old.refresh_from_db()
    assert new.enrollment_id == wrong.pk and new.person_id == wrong.person_id and new.number != old.number
    assert new.revoked_on is None and new.issue_date == TODAY
    # The revoked number stays revoked and points at its replacement.
    assert old.revoked_on == TODAY and old.enrollment_id is None
    assert old.superseded_by_id == new.pk and old.supersede_reason == REISSUE_REASON
    assert issue_for_run(run, provider) == []  # idempotent again
    again, created = issue_for_enrollment(manual, provider)
    assert not created and again.pk == certs[manual.pk].pk and again.revoked_on is not None
    assert Certificate.objects.filter(person=manual.person).count() == 1
    # Correcting to 不合格 once more revokes the new one as well.
    services.record_scores(run.pk, {wrong.pk: ("30", "90")}, provider)
    new.refresh_from_db()
    assert new.revoked_on == TODAY and new.revoke_reason == "考核结果更正为不合格（理论成绩未达合格分（30<60））"


def test_single_issue_replaces_a_result_revoked_certificate(personas, issued):
    run, (wrong, *_), _, certs = issued
    provider = personas["provider_a"]
    services.record_scores(run.pk, {wrong.pk: ("50", "90")}, provider)
    services.record_scores(run.pk, {wrong.pk: ("70", "90")}, provider)
    cert, created = issue_for_enrollment(wrong, provider)
    assert created and cert.enrollment_id == wrong.pk
    assert Certificate.objects.get(pk=certs[wrong.pk].pk).superseded_by_id == cert.pk


def test_a_renewal_of_the_certificate_is_revoked_with_it(personas, issued):
    run, (wrong, *_), _, certs = issued
    provider = personas["provider_a"]
    renewal = supersede(certs[wrong.pk], provider, "信息更正", issue_date=datetime.date(2026, 3, 15))
    saved = services.record_scores(run.pk, {wrong.pk: ("50", "90")}, provider)
    assert saved.follow_up_text == (
        f"考核结果更正为不合格，已自动撤销 2 张证书（{certs[wrong.pk].number}、{renewal.number}）。"
    )
    for pk in (certs[wrong.pk].pk, renewal.pk):
        assert Certificate.objects.get(pk=pk).revoked_on == TODAY
    # Back to 合格 and issue again: the end of the line points at the new certificate.
    services.record_scores(run.pk, {wrong.pk: ("70", "90")}, provider)
    [new] = issue_for_run(run, provider)
    assert Certificate.objects.get(pk=renewal.pk).superseded_by_id == new.pk


def test_a_certificate_dated_after_today_is_revoked_on_its_issue_date(personas, issued):
    run, people, _, _ = issued
    provider = personas["provider_a"]
    e = people[0]
    cert = Certificate.objects.get(enrollment=e)
    later = datetime.date(2026, 4, 1)
    Certificate.objects.filter(pk=cert.pk).update(issue_date=later)
    services.record_scores(run.pk, {e.pk: ("50", "90")}, provider)
    cert.refresh_from_db()
    assert cert.revoked_on == later


def test_reason_fits_the_field():
    long = "理论学时不足（1/80）；" * 40
    reason = result_correction_reason(long)
    assert len(reason) <= 200 and reason.startswith("考核结果更正为不合格（") and reason.endswith("…）")
    assert result_correction_reason("") == "考核结果更正为不合格"
