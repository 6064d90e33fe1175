"""Targets in the Wagtail admin (commission only) and the demo seed."""

import datetime

import pytest

from monitoring import demo
from monitoring.models import Target

pytestmark = pytest.mark.django_db


def test_commission_adds_a_yearly_target(personas, as_user):
    client = as_user(personas["commission"])
    assert client.get("/admin/monitoring_target/").status_code == 200
    response = client.post("/admin/monitoring_target/new/", {
        "metric": "talents_trained", "county": "", "year": "2027", "period_start": "", "period_end": "",
        "value": "700", "note": "延续目标",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get(metric="talents_trained", year=2027)
    assert (target.period_start, target.period_end) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"metric": "certified_rate", "value": "70", "year": "2025"}, "0 到 1 之间"),
        ({"metric": "talents_trained", "value": "500.5", "year": "2025"}, "须为整数"),
        ({"metric": "talents_trained", "value": "500"}, "请填写年度"),
        ({"metric": "talents_trained", "value": "500", "period_start": "2025-12-31", "period_end": "2025-01-01"},
         "不能早于"),
    ],
)
def test_bad_targets_are_refused_with_a_message(personas, as_user, data, message):
    client = as_user(personas["commission"])
    before = Target.objects.count()
    payload = {"county": "", "year": "", "period_start": "", "period_end": "", "note": "", **data}
    response = client.post("/admin/monitoring_target/new/", payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Target.objects.count() == before


def test_only_the_commission_manages_targets(personas, as_user):
    for persona in ("county_x", "provider_a", "editor"):
        response = as_user(personas[persona]).post("/admin/monitoring_target/new/", {
            "metric": "talents_trained", "year": "2027", "value": "1"})
        assert response.status_code in (302, 403)
    assert not Target.objects.filter(year=2027).exists()


def test_demo_seed_is_idempotent(db):
    class Ctx:
        def log(self, message):
            pass

    demo.seed(Ctx())
    count = Target.objects.count()
    assert count == 7 + 70
    demo.seed(Ctx())
    assert Target.objects.count() == count
