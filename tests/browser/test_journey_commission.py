"""Commission journey: log in with password and a TOTP code → dashboard → change the as-of date →
open a county → click a figure down to its records → ask for the Excel and PDF reports and download
them from the 报告下载 page (made by the task queue; the development backend runs it at once)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import Role

from tests import factories as f
from tests import factories_monitoring as fm

PASSWORD = "Weijianwei-Qujing-2026"


def _code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_commission_journey(page, site, shots, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = f.UserFactory(role=Role.COMMISSION, email="wjw@example.cn", password=PASSWORD, full_name="市卫健委")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    fm.crafted(with_survey=False)  # 麒麟区 at 2025-06-30: 2 director person-times (see EXPECTED)

    page.goto(site + "/dashboard/")
    assert "/accounts/login/" in page.url  # staff pages need a login
    page.fill("input[name=login]", "wjw@example.cn")
    page.fill("input[name=password]", PASSWORD)
    shots(page, "login")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", _code(secret))
    shots(page, "second-factor")
    page.locator("form:has(input[name=code]) button[type=submit]:not([form])").click()
    page.wait_for_load_state()
    if "/dashboard/" not in page.url:  # login lands on the portal; the dashboard is one click away
        page.goto(site + "/dashboard/")
    assert page.locator("h1").first.inner_text().startswith("曲靖市")
    shots(page, "dashboard")

    page.fill("input[name=as_of]", "2025-06-30")
    page.get_by_role("button", name="查看", exact=True).click()
    page.wait_for_load_state()
    assert "as_of=2025-06-30" in page.url
    assert "2025年6月30日" in page.content()

    page.locator(".mon-table").get_by_role("link", name="麒麟区", exact=True).click()
    page.wait_for_load_state()
    assert "麒麟区" in page.locator("h1").first.inner_text()
    shots(page, "county")
    director = page.locator(".mon-card").first
    assert director.locator(".mon-actual a").inner_text().strip() == str(fm.EXPECTED["麒麟区"]["director"])
    director.locator(".mon-actual a").click()
    page.wait_for_load_state()
    assert "/dashboard/records/" in page.url
    shots(page, "records")
    assert page.locator("table tbody tr").count() == fm.EXPECTED["麒麟区"]["director"]

    page.go_back()
    page.wait_for_load_state()
    for fmt, magic in (("Excel", b"PK"), ("PDF", b"%PDF")):
        page.locator(".mon-report").first.get_by_role("button", name=fmt, exact=True).click()
        page.wait_for_url("**/dashboard/reports/")
        row = page.locator("table tbody tr").first
        assert "麒麟区" in row.inner_text() and "年度监测" in row.inner_text()
        shots(page, f"reports-{fmt.lower()}")
        with page.expect_download() as info:
            # While the job is queued the page reloads itself every few seconds; the link appears when ready.
            row.get_by_role("link", name=f"下载{fmt}").click()
        body = open(info.value.path(), "rb").read()
        assert body.startswith(magic), f"{fmt} report: {body[:20]!r}"
        assert info.value.suggested_filename.startswith("麒麟区-年度监测-20250630")
        page.go_back()
        page.wait_for_load_state()
        assert "/dashboard/" in page.url and page.locator(".mon-report").count() == 3
