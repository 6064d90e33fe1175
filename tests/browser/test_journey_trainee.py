"""Trainee journey: sign up → claim the practitioner record → find a course → enrol → the
provider approves, takes attendance for every session, records scores, finishes the run and
issues certificates (all through the provider's web pages) → the trainee downloads the PDF →
the QR code in it opens the verification page → 有效."""

import datetime
import subprocess
from decimal import Decimal

import pytest

from accounts.models import Role
from registry.models import StaffRole
from training.models import RunStatus, SessionKind, local_today

from tests import factories as f
from tests import factories_training as ft
from tests.browser.conftest import login_cookie

NAME = "赵春梅"
ID_NUMBER = "53030219920315002X"


def _decode_qr(pdf_path, tmp_path):
    prefix = tmp_path / "cert"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf_path), str(prefix)], check=True)
    png = sorted(tmp_path.glob("cert*.png"))[0]
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sqrcode.enable", str(png)], capture_output=True, text=True)
    assert out.returncode == 0, f"no QR code found in the certificate PDF: {out.stderr}"
    return out.stdout.strip().splitlines()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_trainee_journey(new_context, site, shots, tmp_path, provider_a_obj):
    today = local_today()
    # Seeded: the practitioner record (from the staff roster), a course with one run by
    # provider A that opens for enrolment today and ends today, and provider A's staff account.
    person = f.PersonFactory(name=NAME, id_number=ID_NUMBER, phone="13987650001")
    f.EmploymentFactory(person=person, role=StaffRole.CAREGIVER)
    course = ft.course(title="保育人员岗位技能培训", required_theory_hours=Decimal("4"), required_practice_hours=Decimal("2"))
    run = ft.RunFactory(
        provider=provider_a_obj, course=course, needs_approval=True, status=RunStatus.OPEN,
        start_date=today, end_date=today, enrol_opens=today - datetime.timedelta(days=3),
        enrol_closes=today, capacity=20,
    )
    sessions = [
        ft.SessionFactory(run=run, date=today, hours=Decimal("4"), kind=SessionKind.THEORY, topic="婴幼儿生活照料"),
        ft.SessionFactory(run=run, date=today, start_time=datetime.time(14, 0), end_time=datetime.time(16, 0),
                          hours=Decimal("2"), kind=SessionKind.PRACTICE, topic="回应性照护实操"),
    ]
    staff = f.UserFactory(role=Role.PROVIDER, provider=provider_a_obj, full_name="钱老师")

    # --- trainee: sign up, claim, find the course, enrol ---
    trainee = new_context().new_page()
    trainee.goto(site + "/accounts/signup/")
    trainee.fill("input[name=full_name]", NAME)
    trainee.fill("input[name=email]", "chunmei@example.cn")
    trainee.fill("input[name=password1]", "Chunmei-Qujing-2026")
    trainee.fill("input[name=password2]", "Chunmei-Qujing-2026")
    shots(trainee, "signup")
    trainee.locator("form:has(input[name=password1]) [type=submit]").click()
    trainee.wait_for_load_state()

    trainee.goto(site + "/registry/claim/")
    trainee.fill("input[name=name]", NAME)
    trainee.fill("input[name=id_number]", ID_NUMBER)
    shots(trainee, "claim")
    trainee.locator("form:has(input[name=id_number]) [type=submit]").click()
    trainee.wait_for_load_state()
    assert "认领成功" in trainee.content()
    assert ID_NUMBER not in trainee.url

    trainee.goto(site + "/")
    trainee.get_by_role("link", name="培训课程").first.click()
    trainee.get_by_role("link", name="保育人员岗位技能培训").first.click()
    shots(trainee, "course")
    trainee.locator("#runs").get_by_role("button", name="报名").click()
    trainee.wait_for_load_state()
    assert "报名已提交，等待培训机构审核" in trainee.content()
    shots(trainee, "enrolled")

    # --- provider (through the provider's web pages): approve, attendance, scores, finish, issue ---
    provider_ctx = new_context()
    login_cookie(provider_ctx, staff, site)
    provider = provider_ctx.new_page()
    provider.goto(f"{site}/training/runs/{run.pk}/")
    provider.get_by_role("button", name="录取").click()
    provider.wait_for_load_state()
    shots(provider, "approved")
    for session in sessions:
        provider.goto(f"{site}/training/runs/{run.pk}/sessions/{session.pk}/attendance/")
        provider.get_by_role("button", name="全部出勤").click()
        provider.get_by_role("button", name="保存考勤").click()
        provider.wait_for_load_state()
        assert "考勤已保存" in provider.content()
    shots(provider, "attendance")
    provider.goto(f"{site}/training/runs/{run.pk}/scores/")
    provider.locator("input[name^=t-]").fill("86")
    provider.locator("input[name^=p-]").fill("90")
    provider.get_by_role("button", name="保存成绩").click()
    provider.wait_for_load_state()
    assert "成绩已保存" in provider.content()
    shots(provider, "scores")
    provider.goto(f"{site}/training/runs/{run.pk}/finish/")
    provider.locator("input[name=confirm]").check()
    provider.get_by_role("button", name="确认结业").click()
    provider.wait_for_load_state()
    assert "班次已结业" in provider.content()
    provider.goto(f"{site}/certificates/runs/{run.pk}/")
    provider.get_by_role("button", name="为全部合格学员发证").click()
    provider.wait_for_load_state()
    shots(provider, "issued")

    # --- trainee: download the PDF, decode its QR code, open the verification page ---
    trainee.goto(site + "/certificates/")
    shots(trainee, "my-certificates")
    with trainee.expect_download() as download_info:
        trainee.get_by_role("link", name="下载 PDF").first.click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:4] == b"%PDF"
    url = _decode_qr(pdf_path, tmp_path)
    assert url.startswith(site + "/") and "verify/" in url, url

    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    phone.goto(url)
    shots(phone, "verified")
    status = phone.locator(".verify-result h2").inner_text()
    assert "有效" in status, status
    assert "持证人" in phone.content()  # the QR's token shows the holder (masked or not)
