"""Ten failed logins lock an account, not everyone behind an IP address (issue 13, finding 2)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Qj-childcare-2026"


@pytest.fixture(autouse=True)
def axes_only(settings):
    settings.ACCOUNT_RATE_LIMITS = False  # isolate axes from allauth's own limits


def test_made_up_accounts_from_one_ip_do_not_lock_a_real_one(client, settings):
    f.UserFactory(email="real@example.cn", password=PASSWORD)
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        client.post("/accounts/login/", {"login": f"nobody{i}@example.cn", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": "real@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_ten_failures_lock_the_account_from_any_address(settings):
    from django.test import Client

    f.UserFactory(email="lock@example.cn", phone="13912345678", password=PASSWORD)
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post("/accounts/login/", {"login": "LOCK@example.cn", "password": "bad"})
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = other.post("/accounts/login/", {"login": "lock@example.cn", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert other.get("/me/").status_code == 302


def test_a_burst_from_one_ip_is_throttled(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    for i in range(12):
        response = client.post("/accounts/login/", {"login": f"n{i}@example.cn", "password": "bad"})
    assert "登录失败次数过多" in response.content.decode()
