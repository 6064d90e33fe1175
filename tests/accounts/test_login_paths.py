"""Every login URL the resolver knows leads to the one allauth login, and no staff page answers
a session that has not given the second factor (issue 13, finding 1)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.views import LoginView
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.models import Role

from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Qj-childcare-2026"


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def is_login_view(pattern: URLPattern):
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None and issubclass(view_class, LoginView):
        return True
    # Django admin's login is a bound method of the site.
    return getattr(pattern.callback, "__func__", None) is AdminSite.login


def login_urls():
    urls = sorted({"/" + route for route, pattern in walk(get_resolver()) if is_login_view(pattern)})
    assert {"/_util/login/", "/admin/login/", "/django-admin/login/"} <= set(urls)
    return urls + ["/accounts/login/"]


def test_every_login_view_is_shadowed_by_a_redirect_to_allauth(client):
    for url in login_urls()[:-1]:
        match = resolve(url)
        assert not is_login_view(URLPattern("", match.func)), url
        response = client.get(url + "?next=/admin/")
        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/", url


@pytest.fixture
def commission():
    user = f.UserFactory(role=Role.COMMISSION, email="wjw@example.cn", password=PASSWORD, is_superuser=True, is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def staff_pages(person_pk):
    return [("get", "/admin/"), ("get", "/django-admin/"), ("get", "/dashboard/"), ("get", "/me/"),
            ("post", f"/registry/persons/{person_pk}/reveal-id/")]


def test_no_login_url_gives_a_staff_page_without_the_code(client, commission):
    user, secret = commission
    pk = f.PersonFactory().pk
    for url in login_urls():
        client.post(url, {"login": user.email, "username": user.email, "password": PASSWORD, "next": "/admin/"})
        for method, page in staff_pages(pk):
            response = getattr(client, method)(page)
            assert response.status_code == 302, (url, page)
            assert response["Location"].startswith(("/accounts/login/", "/admin/login/", "/django-admin/login/",
                                                    "/accounts/2fa/")), (url, page)
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_a_password_only_session_must_give_the_code(client, commission):
    user, secret = commission
    client.force_login(user)  # however a session was made, it has no record of the second factor
    for page in ("/admin/", "/django-admin/", "/dashboard/", "/accounts/2fa/totp/deactivate/", "/accounts/email/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), page
    response = client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_failwhale_is_gone(as_user, personas):
    assert as_user(personas["commission"]).get("/admin/failwhale/").status_code == 404
