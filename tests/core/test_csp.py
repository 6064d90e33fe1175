"""The Content-Security-Policy and Permissions-Policy headers, and pages that live with them.

The front office runs no inline script at all (script-src 'self', no 'unsafe-inline', no
'unsafe-eval'): `test_no_front_office_page_has_inline_script` renders every front-office page
the access matrix knows, as each of its personas, plus Wagtail's pages and allauth's, and finds
no inline <script>, no on*= handler and no javascript: URL. Wagtail's admin keeps inline
<script> elements (config/settings.py says why) but no inline handlers and no eval.
"""

import datetime
import re
import time
from html.parser import HTMLParser

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from accounts.models import Role

from tests import factories as f
from tests import factories_cms as fc
from tests import factories_training as ft
from tests.accounts.test_access_matrix import PERSONAS, TABLE, fetch, our_patterns, persona_clients, url_for, world  # noqa: F401
from tests.core.test_seed_and_settings import run_manage
from tests.factories_certification import private_storage  # noqa: F401 - a fixture `world` uses

PASSWORD = "Qujing-2026!"  # UserFactory's

# Script types a browser does not run (json_script data, templates): CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


def directives(response):
    """{directive: [sources]} of the response's Content-Security-Policy header."""
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


class InlineScriptFinder(HTMLParser):
    """Collects what a script-src without 'unsafe-inline' refuses to run."""

    def __init__(self, nonces):
        super().__init__(convert_charrefs=True)
        self.nonces = nonces
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"line {line}: <{tag} {name}=…> (inline event handler)")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: <{tag} {name}=\"{value}\"> (javascript: URL)")
        if tag == "script" and not attrs.get("src"):
            kind = (attrs.get("type") or "text/javascript").lower()
            if kind not in DATA_SCRIPT_TYPES and attrs.get("nonce") not in self.nonces:
                self.problems.append(f"line {line}: inline <script> without the response's nonce")

    handle_startendtag = handle_starttag


def inline_script_problems(response, body):
    nonces = {s[len("'nonce-"):-1] for s in directives(response).get("script-src", []) if s.startswith("'nonce-")}
    finder = InlineScriptFinder(nonces)
    finder.feed(body.decode("utf-8", "replace"))
    finder.close()
    return finder.problems


def is_html(response):
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


# --- the headers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_front_office_runs_only_the_sites_own_script_files(client):
    for url in ("/", "/accounts/login/", "/verify/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert "script-src-attr" not in policy  # script-src covers handlers: none allowed
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_wagtail_admin_allows_inline_script_elements_but_no_handlers_or_eval(as_user):
    response = as_user(f.UserFactory(role=Role.COMMISSION)).get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src-attr"] == ["'none'"]
    header = response["Content-Security-Policy"]
    # A nonce would make browsers ignore 'unsafe-inline' and break Wagtail's widgets.
    assert "'unsafe-eval'" not in header and "'nonce-" not in header
    # Everything else is the front office's policy.
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["connect-src"] == ["'self'"]


@pytest.mark.django_db
def test_django_admin_keeps_the_strict_policy(as_user):
    superuser = f.UserFactory(role=Role.COMMISSION, is_staff=True, is_superuser=True)
    response = as_user(superuser).get("/django-admin/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert not inline_script_problems(response, response.content)


@pytest.mark.django_db
def test_permissions_policy_on_every_response(client, as_user):
    responses = {
        "page": client.get("/accounts/login/"),
        "redirect": client.get("/dashboard/"),
        "not found": client.get("/no-such-page/"),
        "admin": as_user(f.UserFactory(role=Role.COMMISSION)).get("/admin/"),
        "health": client.get("/healthz"),
    }
    assert responses["redirect"].status_code == 302 and responses["not found"].status_code == 404
    for what, response in responses.items():
        features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        for off in ("camera", "microphone", "payment", "usb", "serial", "hid", "bluetooth", "display-capture"):
            assert features[off] == "()", (what, off)
        # QR check-in may ask for the position, on our own origin only; videos may go fullscreen.
        assert features["geolocation"] == "(self)", what
        assert features["fullscreen"] == "(self)", what


def test_production_settings_build_the_same_policies():
    """What `make check` passes with (manage.py check --deploy) is this policy, not a laxer one."""
    from cryptography.fernet import Fernet

    show = (
        "from csp.utils import build_policy; from core.headers import directives_for_path; "
        "from django_permissions_policy import PermissionsPolicyMiddleware as P; "
        "print(build_policy()); print(build_policy(replace=directives_for_path('/admin/pages/1/edit/'))); "
        "print(P(lambda r: None).permissions_policy)"
    )
    result = run_manage(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "prod-" + "k3y" * 20,
            "ALLOWED_HOSTS": "qjty.example.cn",
            "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "PII_HASH_KEY": "hash-key-for-the-test-0123456789",
            "SMS_LOG_SENDER_ALLOWED": "true",
        },
        "shell", "-c", show,
    )
    assert result.returncode == 0, result.stderr
    front, admin, permissions = result.stdout.strip().splitlines()[-3:]
    assert "script-src 'self';" in front and "unsafe" not in front.replace("style-src 'self' 'unsafe-inline'", "")
    assert "script-src 'self' 'unsafe-inline'" in admin and "script-src-attr 'none'" in admin
    assert "'unsafe-eval'" not in admin
    assert "camera=()" in permissions and "geolocation=(self)" in permissions


# --- the pages --------------------------------------------------------------------------------


def front_office_pages(w):
    """Wagtail's public pages and allauth's: not in the matrix's table of our own URLs."""
    article = fc.article("夜醒怎么办", index=fc.article_index())
    course = ft.course()
    survey = fc.survey_page()
    return [
        "/", fc.article_index().url, article.url, ft.course_index().url, course.url,
        fc.class_index().url, w["class_a"].url, survey.url,
        "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
        "/accounts/password/change/", "/accounts/email/", "/accounts/2fa/", "/accounts/2fa/totp/activate/",
        "/accounts/2fa/recovery-codes/",
    ]


def test_no_front_office_page_has_inline_script(world, personas):
    clients = persona_clients(personas)
    urls = [url_for(name, route, world) for route, name in our_patterns() if TABLE.get(name, ("GET",))[0] == "GET"]
    urls = [u for u in urls if not u.startswith(("/admin/", "/django-admin/"))]
    urls += front_office_pages(world)
    problems, rendered, seen_urls = [], 0, set()
    for url in urls:
        for persona in PERSONAS:
            response, body = fetch(clients[persona], "GET", url)
            if not is_html(response):
                continue
            rendered += 1
            seen_urls.add(url)
            assert directives(response)["script-src"] == ["'self'"], url
            problems += [f"{url} as {persona}: {p}" for p in inline_script_problems(response, body)]
    assert not problems, "inline script the CSP refuses to run:\n" + "\n".join(problems)
    # The scan reached the pages that matter, for the personas that see them.
    for must in ("/", "/accounts/login/", "/me/", "/training/me/", "/dashboard/?as_of=2025-06-30"):
        assert must in seen_urls, must
    assert any(re.search(r"/training/runs/\d+/sessions/\d+/attendance/", u) for u in seen_urls)
    assert rendered > 150


@pytest.mark.django_db
def test_second_factor_step_has_no_inline_script(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = f.UserFactory(role=Role.COMMISSION, email="wjw@example.cn")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/accounts/login/", {"login": "wjw@example.cn", "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    step = client.get(response["Location"])
    assert step.status_code == 200 and 'name="code"' in step.content.decode()
    assert directives(step)["script-src"] == ["'self'"]
    assert not inline_script_problems(step, step.content)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post(response["Location"], {"code": code})
    assert done.status_code == 302


@pytest.mark.django_db
def test_withdraw_confirmation_and_attendance_shortcut_are_static_files(as_user):
    """The two behaviours that were inline (onsubmit=confirm(), the 全部出勤 script) now come from
    static/js/ and keep their data- hooks."""
    provider = f.ProviderFactory()
    trainee = f.UserFactory(role=Role.TRAINEE)
    person = f.PersonFactory(user=trainee)
    today = timezone.localdate()
    # Withdrawal is offered until the run starts.
    run = ft.RunFactory(provider=provider, enrol_opens=today - datetime.timedelta(days=10),
                        enrol_closes=today + datetime.timedelta(days=5), start_date=today + datetime.timedelta(days=10),
                        end_date=today + datetime.timedelta(days=14))
    session = ft.SessionFactory(run=run)
    ft.EnrollmentFactory(run=run, person=person)
    mine = as_user(trainee).get("/training/me/").content.decode()
    assert 'data-confirm="确定退出该班次吗？"' in mine and "/static/js/confirm" in mine
    staff = f.UserFactory(role=Role.PROVIDER, provider=provider)
    sheet = as_user(staff).get(f"/training/runs/{run.pk}/sessions/{session.pk}/attendance/").content.decode()
    assert 'data-all="present"' in sheet and "/static/js/attendance" in sheet
