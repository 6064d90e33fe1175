"""Authentication hardening: second factor for staff, idle timeout, one login form, lockout,
session rotation."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import Role

from tests import factories as f

PASSWORD = "Qj-childcare-2026"
pytestmark = pytest.mark.django_db


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.mark.parametrize("persona", ["commission", "county_x", "provider_a"])
def test_staff_without_totp_must_set_it_up(mfa_on, personas, client, persona):
    client.force_login(personas[persona])  # a session without a second factor
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("persona", ["trainee_a", "editor"])
def test_other_roles_are_not_forced(mfa_on, personas, as_user, persona):
    assert as_user(personas[persona]).get("/me/").status_code == 200


def test_staff_with_totp_get_in(mfa_on, personas, as_user):
    user = personas["commission"]
    TOTP.activate(user, generate_totp_secret())
    assert as_user(user).get("/me/").status_code == 200


def test_login_asks_for_the_code(mfa_on, client):
    user = f.UserFactory(role=Role.COMMISSION, email="wjw@example.cn", password=PASSWORD)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/accounts/login/", {"login": "wjw@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/me/").status_code == 302  # not logged in yet
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert client.get("/me/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_idle_staff_session_ends(personas, as_user, settings):
    client = as_user(personas["county_x"])
    assert client.get("/me/").status_code == 200
    session = client.session
    session["staff_last_seen"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/me/").status_code == 302  # logged out for good


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_forms_redirect_to_the_one_login(client, url):
    response = client.get(url + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_repeated_failures_lock_the_account_on_this_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False  # isolate axes from allauth's own limits
    f.UserFactory(email="lock@example.cn", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": "lock@example.cn", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": "lock@example.cn", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert client.get("/me/").status_code == 302


def test_allauth_rate_limits_failed_logins(client):
    f.UserFactory(email="rl@example.cn", password=PASSWORD)
    # allauth counts failures per login name (5 per 5 minutes here) and answers with a form error.
    pages = [
        client.post("/accounts/login/", {"login": "rl@example.cn", "password": f"wrong-{i}"}).content.decode()
        for i in range(6)
    ]
    assert "登录失败次数过多" not in pages[0]
    assert "登录失败次数过多" in pages[-1]


def test_session_key_rotates_at_login_and_dies_at_logout(client):
    f.UserFactory(email="s@example.cn", password=PASSWORD)
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"login": "s@example.cn", "password": PASSWORD})
    after = client.session.session_key
    assert after and after != before
    old_cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    from django.test import Client

    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get("/me/").status_code == 302


def test_content_security_policy_forbids_other_hosts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    for name, sources in directives.items():
        assert "http" not in sources and "*" not in sources, name
    assert directives["frame-ancestors"] == "'none'"


def test_pages_for_logged_in_users_are_not_stored(personas, as_user, client):
    response = as_user(personas["trainee_a"]).get("/me/")
    assert "no-store" in response["Cache-Control"]
    assert "no-store" not in client.get("/").get("Cache-Control", "")
