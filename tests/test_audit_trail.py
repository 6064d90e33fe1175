"""审计日志 in the Wagtail admin: the commission sees who changed what and when, filtered by data
type, actor and date; nobody else sees it; nobody edits or deletes entries."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType


from . import factories as f
from . import factories_training as ft
from training import services
from training.models import AttendanceStatus

INDEX = "/admin/audit/"


@pytest.fixture(autouse=True)
def _viewer_registered():
    # The viewset is registered by accounts.audit_hooks, which AccountsConfig.ready must import
    # (Wagtail collects admin viewsets when the URLconf is first loaded).
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("audit_logentry:index")
    except NoReverseMatch:
        pytest.skip("审计日志 viewer not wired: AccountsConfig.ready() must import accounts.audit_hooks")


@pytest.fixture
def changes(personas, provider_a_obj):
    """Attendance recorded by provider A's staff through the service (audited)."""
    run = ft.RunFactory(provider=provider_a_obj)
    session = ft.SessionFactory(run=run)
    enrollment = ft.EnrollmentFactory(run=run, approved_on=run.start_date)
    services.record_attendance(session.pk, {enrollment.pk: AttendanceStatus.PRESENT}, personas["provider_a"])
    f.InstitutionFactory(name="审计测试托育园")
    return run


def test_commission_sees_and_filters_the_trail(changes, personas, as_user):
    client = as_user(personas["commission"])
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "审计测试托育园" in html
    attendance = ContentType.objects.get(app_label="training", model="attendance")
    entries = LogEntry.objects.filter(content_type=attendance)
    assert entries.exists()
    assert entries.filter(actor=personas["provider_a"]).exists()  # who

    by_type = client.get(INDEX, {"content_type": attendance.pk}).content.decode()
    assert "审计测试托育园" not in by_type
    by_actor = client.get(INDEX, {"actor": personas["provider_a"].pk}).content.decode()
    assert "审计测试托育园" not in by_actor
    today = datetime.date.today()
    old = client.get(INDEX, {"timestamp_from": "2000-01-01", "timestamp_to": "2000-12-31"}).content.decode()
    assert "审计测试托育园" not in old
    recent = client.get(INDEX, {"timestamp_from": (today - datetime.timedelta(days=2)).isoformat()}).content.decode()
    assert "审计测试托育园" in recent
    entry = entries.first()
    assert client.get(f"{INDEX}inspect/{entry.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["trainee_a", "provider_a", "county_x", "editor"])
def test_others_do_not_see_the_trail(changes, personas, as_user, persona):
    response = as_user(personas[persona]).get(INDEX)
    assert response.status_code in (302, 403)
    assert "审计测试托育园" not in response.content.decode()


def test_entries_cannot_be_changed_from_the_admin(changes, personas, as_user):
    client = as_user(personas["commission"])
    entry = LogEntry.objects.first()
    count = LogEntry.objects.count()
    for url in (f"{INDEX}edit/{entry.pk}/", f"{INDEX}delete/{entry.pk}/", f"{INDEX}new/"):
        assert client.get(url).status_code in (302, 403)
        client.post(url, {})
    assert LogEntry.objects.count() >= count
    assert LogEntry.objects.filter(pk=entry.pk).exists()
