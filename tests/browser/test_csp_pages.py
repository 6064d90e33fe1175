"""The key pages under the real Content-Security-Policy in chromium: zero violations.

Every page load is watched for `securitypolicyviolation` events (an init script, which CSP does
not govern, reports them through a Playwright binding) and for console messages about the
policy. The front office's two behaviours that used to be inline (the 全部出勤 shortcut and the
withdrawal confirmation) are used, so a blocked or missing script file shows as a failure too.
"""

import datetime
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from accounts.models import Role
from training.models import Enrollment, EnrollmentStatus

from tests import factories as f
from tests import factories_cms as fc
from tests import factories_training as ft
from tests.browser.conftest import login_cookie

PASSWORD = "Qujing-2026!"  # UserFactory's

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
                         source: e.sourceFile + ":" + e.lineNumber, page: document.location.href});
});
"""


class Violations(list):
    def watch(self, context):
        context.expose_binding("__cspViolation", lambda source, v: self.append(v))
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", lambda msg: "Content Security Policy" in msg.text and self.append(
            {"console": msg.text, "page": msg.page.url if msg.page else ""}))
        return context


def visit(page, url, violations):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Events fire asynchronously after the blocked load or execution: give them a moment.
    page.wait_for_timeout(200)
    assert not violations, f"CSP violations on {url}:\n" + "\n".join(map(str, violations))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_front_office_pages_run_under_the_strict_policy(new_context, site, shots, settings):
    violations = Violations()
    article = fc.article("宝宝夜醒怎么办", text="夜醒是正常的发育现象。")

    # Anonymous: home, an article, the login page.
    anon = violations.watch(new_context()).new_page()
    for url in ("/", article.url, "/accounts/login/"):
        visit(anon, site + url, violations)
    shots(anon, "login")

    # A trainee with a run that has not started: the portal, and withdrawing asks first.
    today = timezone.localdate()
    provider = f.ProviderFactory()
    run = ft.RunFactory(provider=provider, enrol_opens=today - datetime.timedelta(days=10),
                        enrol_closes=today + datetime.timedelta(days=5),
                        start_date=today + datetime.timedelta(days=10), end_date=today + datetime.timedelta(days=14))
    session = ft.SessionFactory(run=run)
    trainee = f.UserFactory(role=Role.TRAINEE, full_name="李小红")
    enrollment = ft.EnrollmentFactory(run=run, person=f.PersonFactory(name="李小红", user=trainee))
    ft.EnrollmentFactory(run=run, person=f.PersonFactory(name="王大军"))
    context = violations.watch(new_context())
    login_cookie(context, trainee, site)
    page = context.new_page()
    visit(page, site + "/me/", violations)
    visit(page, site + "/training/me/", violations)
    questions = []
    page.on("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.locator("form[data-confirm] button").click()
    page.wait_for_timeout(300)
    assert questions == ["确定退出该班次吗？"]  # static/js/confirm.js ran; dismissing keeps the seat
    enrollment.refresh_from_db()
    assert enrollment.status != EnrollmentStatus.WITHDRAWN
    shots(page, "my-training")

    # The provider's attendance sheet: 全部出勤 (static/js/attendance.js) marks everyone.
    staff = f.UserFactory(role=Role.PROVIDER, provider=provider)
    context = violations.watch(new_context())
    login_cookie(context, staff, site)
    page = context.new_page()
    visit(page, site + f"/training/runs/{run.pk}/sessions/{session.pk}/attendance/", violations)
    page.get_by_role("button", name="全部出勤").click()
    assert page.locator("input[value=present]:checked").count() == Enrollment.objects.filter(run=run).count() == 2
    shots(page, "attendance")

    # The commission logs in with password and TOTP, then opens the dashboard.
    settings.MFA_REQUIRED_FOR_STAFF = True
    commission = f.UserFactory(role=Role.COMMISSION, email="wjw@example.cn")
    secret = generate_totp_secret()
    TOTP.activate(commission, secret)
    page = violations.watch(new_context()).new_page()
    visit(page, site + "/accounts/login/", violations)
    page.fill("input[name=login]", "wjw@example.cn")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.wait_for_timeout(200)
    assert not violations, violations
    shots(page, "second-factor")
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.locator("form:has(input[name=code]) button[type=submit]:not([form])").click()
    page.wait_for_load_state()
    visit(page, site + "/dashboard/", violations)
    assert page.locator("h1").first.inner_text().startswith("曲靖市")
    # A staff member on a public page gets Wagtail's userbar (its scripts are files too).
    visit(page, site + article.url, violations)
    shots(page, "dashboard-then-article")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_pages_run_under_their_policy(new_context, site, shots):
    violations = Violations()
    article = fc.article("辅食添加的顺序", text="从强化铁的米粉开始。")
    editor = f.UserFactory(role=Role.EDITOR)
    context = violations.watch(new_context())
    login_cookie(context, editor, site)
    page = context.new_page()
    visit(page, site + "/admin/", violations)
    shots(page, "wagtail-dashboard")
    # The page editor: date widgets and choosers write inline <script> elements (allowed on
    # /admin/ only), the rest is Stimulus and telepath from static files.
    visit(page, site + f"/admin/pages/{article.pk}/edit/", violations)
    assert page.locator("input[name=title]").input_value() == "辅食添加的顺序"
    page.locator("input[name=title]").fill("辅食添加的先后顺序")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")
    assert not violations, violations
    article.refresh_from_db()
    assert article.get_latest_revision().as_object().title == "辅食添加的先后顺序"
    shots(page, "page-edit")

    # Django's admin needs no exception: the strict policy holds there.
    superuser = f.UserFactory(role=Role.COMMISSION, is_staff=True, is_superuser=True)
    context = violations.watch(new_context())
    login_cookie(context, superuser, site)
    page = context.new_page()
    visit(page, site + "/django-admin/", violations)
    visit(page, site + "/django-admin/auth/group/add/", violations)
    shots(page, "django-admin")
