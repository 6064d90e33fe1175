"""审计日志 in the Wagtail admin: the commission sees who changed what and when, filtered by data
type, actor and date; nobody else sees it; nobody edits or deletes entries."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType


from auditlog.context import set_actor

from tests import factories as f

INDEX = "/admin/audit/"


@pytest.fixture(autouse=True)
def _viewer_registered():
    # The viewset is registered by accounts.audit_hooks, which AccountsConfig.ready must import
    # (Wagtail collects admin viewsets when the URLconf is first loaded).
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("audit_logentry:index")
    except NoReverseMatch:
        pytest.fail("审计日志 viewer not wired: AccountsConfig.ready() must import accounts.audit_hooks")


@pytest.fixture
def changes(personas):
    """Two audited changes by two people: an institution (county official), a provider (commission)."""
    with set_actor(personas["county_x"]):
        f.InstitutionFactory(name="审计测试托育园", county=personas["county_x"].county)
    with set_actor(personas["commission"]):
        f.ProviderFactory(name="审计测试培训学校")


def test_commission_sees_and_filters_the_trail(changes, personas, as_user):
    client = as_user(personas["commission"])
    html = client.get(INDEX).content.decode()
    assert "审计测试托育园" in html and "审计测试培训学校" in html
    institution = ContentType.objects.get(app_label="registry", model="institution")
    entry = LogEntry.objects.get(content_type=institution, object_repr__contains="审计测试托育园")
    assert entry.actor == personas["county_x"]  # who

    by_type = client.get(INDEX, {"content_type": institution.pk}).content.decode()
    assert "审计测试托育园" in by_type and "审计测试培训学校" not in by_type
    by_actor = client.get(INDEX, {"actor": personas["commission"].pk}).content.decode()
    assert "审计测试培训学校" in by_actor and "审计测试托育园" not in by_actor
    old = client.get(INDEX, {"timestamp_from": "2000-01-01", "timestamp_to": "2000-12-31"}).content.decode()
    assert "审计测试托育园" not in old
    since = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    assert "审计测试托育园" in client.get(INDEX, {"timestamp_from": since}).content.decode()
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
