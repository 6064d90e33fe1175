"""Counting rules for 持证上岗率 (valid_on), revocation, supersession, reviews, reminders."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.management import call_command

from certification.models import Certificate, ReviewStatus, Status
from certification.services import CertificationError, record_external, review, revoke, supersede

from tests import factories as f
from tests.factories_certification import CertificateFactory, ExternalCertificateFactory, ctype

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 6, 30)


def valid_ids(date=D):
    return set(Certificate.objects.valid_on(date).values_list("pk", flat=True))


def test_valid_on_follows_metrics_definition(personas):
    ok = CertificateFactory(issue_date=datetime.date(2025, 1, 1), expiry_date=None)
    expires_on_d = CertificateFactory(expiry_date=D)
    expired = CertificateFactory(expiry_date=D - datetime.timedelta(days=1))
    issued_later = CertificateFactory(issue_date=D + datetime.timedelta(days=1), expiry_date=None)
    revoked_on_d = CertificateFactory(revoked_on=D, revoke_reason="x")
    revoked_later = CertificateFactory(revoked_on=D + datetime.timedelta(days=1), revoke_reason="x")
    pending = ExternalCertificateFactory()
    rejected = ExternalCertificateFactory(review_status=ReviewStatus.REJECTED)
    approved = ExternalCertificateFactory(review_status=ReviewStatus.APPROVED)
    nurse = ExternalCertificateFactory(type=ctype("护士执业证书"), level="", review_status=ReviewStatus.APPROVED)
    assert valid_ids() == {ok.pk, expires_on_d.pk, revoked_later.pk, approved.pk, nurse.pk}
    assert issued_later.pk not in valid_ids() and expired.pk not in valid_ids()
    assert {revoked_on_d.pk, pending.pk, rejected.pk}.isdisjoint(valid_ids())
    # Past dates stay reproducible: before the revocation the revoked one counted.
    assert revoked_on_d.pk in valid_ids(D - datetime.timedelta(days=1))
    # The commission decides a type no longer counts: it stops counting for every date.
    nurse_type = ctype("护士执业证书")
    nurse_type.counts_toward_rate = False
    nurse_type.save()
    assert nurse.pk not in valid_ids()


def test_with_status_matches_status_on(personas):
    certs = [
        CertificateFactory(expiry_date=None),
        CertificateFactory(expiry_date=D - datetime.timedelta(days=1)),
        CertificateFactory(revoked_on=D, revoke_reason="x"),
        CertificateFactory(issue_date=D + datetime.timedelta(days=3), expiry_date=None),
        ExternalCertificateFactory(),
        ExternalCertificateFactory(review_status=ReviewStatus.REJECTED),
    ]
    for status in Status:
        found = set(Certificate.objects.with_status(status, D).values_list("pk", flat=True))
        assert found == {c.pk for c in certs if c.status_on(D) == status}, status


def test_revocation_rules_and_audit(personas):
    cert = CertificateFactory(issuing_provider=personas["provider_a"].provider)
    with pytest.raises(CertificationError, match="原因"):
        revoke(cert, personas["commission"], "  ")
    with pytest.raises(CertificationError, match="无权"):
        revoke(cert, personas["provider_b"], "错误发证")
    with pytest.raises(CertificationError, match="无权"):
        revoke(cert, personas["county_x"], "错误发证")
    revoked = revoke(cert, personas["provider_a"], "错误发证", on=datetime.date(2026, 1, 5))
    assert revoked.revoked_on == datetime.date(2026, 1, 5) and revoked.revoked_by == personas["provider_a"]
    with pytest.raises(CertificationError, match="不能重复撤销"):
        revoke(cert, personas["commission"], "再次撤销")
    cert.refresh_from_db()
    assert cert.revoke_reason == "错误发证"
    entry = LogEntry.objects.get_for_object(cert).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == personas["provider_a"] and "revoked_on" in entry.changes_dict


def test_supersede_keeps_old_number_and_points_to_new(personas):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)):
        old = CertificateFactory(issuing_provider=personas["provider_a"].provider)
        new = supersede(old, personas["provider_a"], "出生日期更正", course_name="保育人员培训（更正）")
        old.refresh_from_db()
        assert old.superseded_by == new and old.supersede_reason == "出生日期更正"
        assert new.number.startswith("QJTY-2026-") and new.person == old.person
        assert new.course_name == "保育人员培训（更正）" and new.issue_date == datetime.date(2026, 4, 1)
        with pytest.raises(CertificationError, match="已被换发"):
            supersede(old, personas["commission"], "再换一次")
        with pytest.raises(CertificationError, match="无权"):
            supersede(new, personas["provider_b"], "x")


def test_review_by_county_of_current_employment(personas):
    person = f.PersonFactory()
    inst_x = f.InstitutionFactory(county=f.county("麒麟区"))
    f.EmploymentFactory(person=person, institution=inst_x, start_date=datetime.date(2024, 1, 1))
    cert = ExternalCertificateFactory(person=person)
    with pytest.raises(CertificationError, match="无权"):
        review(cert, personas["county_y"], True)
    with pytest.raises(CertificationError, match="无权"):
        review(cert, personas["provider_a"], True)
    with pytest.raises(CertificationError, match="驳回时请填写原因"):
        review(cert, personas["county_x"], False)
    reviewed = review(cert, personas["county_x"], True)
    assert reviewed.review_status == ReviewStatus.APPROVED and reviewed.reviewed_by == personas["county_x"]
    with pytest.raises(CertificationError, match="不能重复审核"):
        review(cert, personas["commission"], False, "x")


def test_record_external_is_an_upsert(personas):
    person = f.PersonFactory()
    kwargs = dict(by_user=personas["commission"], ctype=ctype("育婴员"), number="YY-1", issuer="云南省人社厅",
                  issue_date=datetime.date(2023, 5, 1), level="四级")
    cert, created = record_external(person, **kwargs)
    assert created and cert.review_status == ReviewStatus.APPROVED
    assert record_external(person, **kwargs) == (cert, False)
    with pytest.raises(CertificationError, match="其他人"):
        record_external(f.PersonFactory(), **kwargs)
    with pytest.raises(CertificationError, match="等级"):
        record_external(person, **{**kwargs, "number": "YY-2", "level": "一级"})


def test_expiry_reminders_once_per_expiry(personas):
    user = personas["trainee_a"]
    person = f.PersonFactory(user=user)
    soon = CertificateFactory(person=person, issue_date=datetime.date(2023, 3, 1), expiry_date=datetime.date(2026, 3, 20))
    CertificateFactory(person=person, issue_date=datetime.date(2023, 3, 1), expiry_date=datetime.date(2026, 9, 1))
    revoked = CertificateFactory(person=person, expiry_date=datetime.date(2026, 3, 25), revoked_on=datetime.date(2026, 1, 1), revoke_reason="x")
    no_email = CertificateFactory(person=f.PersonFactory(user=f.UserFactory(email="")), expiry_date=datetime.date(2026, 3, 20))
    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC)):
        call_command("send_expiry_reminders")
        call_command("send_expiry_reminders")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email] and soon.number in mail.outbox[0].body
    soon.refresh_from_db()
    assert soon.reminded_for_expiry == datetime.date(2026, 3, 20)
    assert revoked.pk and no_email.pk
