"""Portals: who sees which certificate, downloads, revocation, submission and review of
certificates from elsewhere, scan access control (persona matrix, style.md habit 3)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Certificate, ReviewStatus
from certification.services import issue_certificate

from tests import factories as f
from tests.factories_certification import (
    PDF_BYTES,
    PNG_BYTES,
    CertificateFactory,
    ExternalCertificateFactory,
    ctype,
    private_storage,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def holder(personas):
    """trainee_a's person, employed in 麒麟区 (county_x)."""
    person = f.PersonFactory(name="李小红", user=personas["trainee_a"])
    f.EmploymentFactory(person=person, institution=f.InstitutionFactory(county=f.county("麒麟区")))
    return person


@pytest.fixture
def cert(personas, holder):
    return issue_certificate(
        holder, by_user=personas["provider_a"], provider=personas["provider_a"].provider,
        course_name="保育人员岗前培训", hours=80, issue_date=datetime.date(2025, 5, 20),
    )


MATRIX_DETAIL = {
    None: 302, "trainee_a": 200, "trainee_b": 404, "provider_a": 200, "provider_b": 404,
    "county_x": 200, "county_y": 404, "commission": 200, "editor": 404,
}


@pytest.mark.parametrize("who,expected", MATRIX_DETAIL.items())
def test_detail_and_pdf_matrix(personas, as_user, cert, who, expected):
    client = as_user(personas.get(who))
    assert client.get(f"/certificates/{cert.pk}/").status_code == expected
    response = client.get(f"/certificates/{cert.pk}/pdf/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get("/certificates/999999/").status_code in (302, 404)


@pytest.mark.parametrize(
    "who,expected",
    {"trainee_a": 403, "trainee_b": 404, "provider_a": 200, "provider_b": 404, "county_x": 403,
     "county_y": 404, "commission": 200}.items(),
)
def test_revoke_view_matrix(personas, as_user, cert, who, expected):
    client = as_user(personas[who])
    assert client.get(f"/certificates/{cert.pk}/revoke/").status_code == expected
    response = client.post(f"/certificates/{cert.pk}/revoke/", {"reason": "发证错误"})
    cert.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302 and cert.revoked_on is not None
        # Revoking twice: a clear message, nothing changed.
        again = client.post(f"/certificates/{cert.pk}/revoke/", {"reason": "再次"})
        assert again.status_code == 400 and "不能重复撤销" in again.content.decode()
        cert.refresh_from_db()
        assert cert.revoke_reason == "发证错误"
    else:
        assert response.status_code == expected and cert.revoked_on is None


def test_revoke_without_reason_is_400(personas, as_user, cert):
    response = as_user(personas["commission"]).post(f"/certificates/{cert.pk}/revoke/", {"reason": ""})
    assert response.status_code == 400
    cert.refresh_from_db()
    assert cert.revoked_on is None


def test_my_certificates_page_shows_status_qr_and_expiry_notice(personas, as_user, holder, time_machine):
    time_machine.move_to(datetime.datetime(2028, 4, 1, 10, tzinfo=datetime.UTC))
    cert = issue_certificate(
        holder, by_user=personas["commission"], provider=personas["provider_a"].provider,
        course_name="保育", hours=8, issue_date=datetime.date(2025, 5, 20),
    )
    other = CertificateFactory()  # someone else's
    client = as_user(personas["trainee_a"])
    body = client.get("/certificates/").content.decode()
    assert cert.number in body and other.number not in body
    assert "有效" in body and "将于 2028-05-19 到期" in body
    assert f"/certificates/{cert.pk}/qr.svg" in body and "?n=" in body
    qr = client.get(f"/certificates/{cert.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert as_user(personas["trainee_b"]).get(f"/certificates/{cert.pk}/qr.svg").status_code == 404
    assert as_user(personas["provider_a"]).get("/certificates/").status_code == 403


def _scan(content=PNG_BYTES, name="scan.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def _form(**kw):
    data = {
        "type": ctype("保育师").pk, "level": "四级", "number": "BYS-2024-0001", "issuer": "云南省人力资源和社会保障厅",
        "issue_date": "2024-06-01", "expiry_date": "", "scan": _scan(),
    }
    data.update(kw)
    return data


def test_submit_external_and_review_flow(personas, as_user, holder):
    client = as_user(personas["trainee_a"])
    assert client.get("/certificates/submit/").status_code == 200
    response = client.post("/certificates/submit/", _form())
    assert response.status_code == 302
    cert = Certificate.objects.get(number="BYS-2024-0001")
    assert cert.review_status == ReviewStatus.PENDING and cert.person == holder
    assert Certificate.objects.valid_on(datetime.date.today()).filter(pk=cert.pk).count() == 0
    # Submitting the same certificate again is refused.
    again = client.post("/certificates/submit/", _form())
    assert again.status_code == 400 and "已登记" in again.content.decode()
    # Review queue: county of the holder's current employment, and the commission.
    assert cert.number in as_user(personas["county_x"]).get("/certificates/reviews/").content.decode()
    assert cert.number not in as_user(personas["county_y"]).get("/certificates/reviews/").content.decode()
    assert as_user(personas["provider_a"]).get("/certificates/reviews/").status_code == 403
    assert as_user(personas["county_y"]).post(f"/certificates/{cert.pk}/review/", {"decision": "approve"}).status_code == 404
    bad = as_user(personas["county_x"]).post(f"/certificates/{cert.pk}/review/", {"decision": "reject", "reason": ""})
    assert bad.status_code == 400
    ok = as_user(personas["county_x"]).post(f"/certificates/{cert.pk}/review/", {"decision": "approve"})
    assert ok.status_code == 302
    cert.refresh_from_db()
    assert cert.review_status == ReviewStatus.APPROVED
    assert Certificate.objects.valid_on(datetime.date.today()).filter(pk=cert.pk).exists()


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf"), "只接受"),
        (SimpleUploadedFile("scan.png", b"GIF89a......", content_type="image/png"), "只接受"),
        (SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (5 * 1024 * 1024), content_type="application/pdf"), "过大"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), ""),
    ],
)
def test_bad_scans_are_refused(personas, as_user, holder, upload, message):
    response = as_user(personas["trainee_a"]).post("/certificates/submit/", _form(scan=upload))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Certificate.objects.exists()


def test_bad_fields_are_refused(personas, as_user, holder):
    client = as_user(personas["trainee_a"])
    assert client.post("/certificates/submit/", _form(level="")).status_code == 400
    assert client.post("/certificates/submit/", _form(expiry_date="2020-01-01")).status_code == 400
    assert client.post("/certificates/submit/", _form(type=ctype().pk)).status_code == 400  # issued here only
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    "who,expected",
    {"trainee_a": 200, "trainee_b": 404, "provider_a": 404, "county_x": 200, "county_y": 404, "commission": 200}.items(),
)
def test_scan_download_only_holder_and_reviewers(personas, as_user, holder, who, expected):
    from django.core.files.base import ContentFile

    cert = ExternalCertificateFactory(person=holder)
    cert.scan.save("s.pdf", ContentFile(PDF_BYTES))
    response = as_user(personas[who]).get(f"/certificates/{cert.pk}/scan/")
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_provider_sees_its_certificate_but_not_the_scan(personas, as_user, holder, cert):
    """A provider that issued one certificate must not reach the holder's other scans."""
    from django.core.files.base import ContentFile

    ext = ExternalCertificateFactory(person=holder)
    ext.scan.save("s.pdf", ContentFile(PDF_BYTES))
    client = as_user(personas["provider_a"])
    assert client.get(f"/certificates/{ext.pk}/scan/").status_code == 404
    assert client.get(f"/certificates/{cert.pk}/scan/").status_code == 403  # no scan on this one


def test_manage_search_scoped(personas, as_user, cert):
    other = CertificateFactory()  # holder without an employment in 麒麟区
    body = as_user(personas["commission"]).get("/certificates/manage/", {"q": ""}).content.decode()
    assert cert.number in body and other.number in body
    body = as_user(personas["county_x"]).get("/certificates/manage/").content.decode()
    assert cert.number in body and other.number not in body
    qilin = f.county("麒麟区").pk
    body = as_user(personas["commission"]).get("/certificates/manage/", {"county": qilin}).content.decode()
    assert cert.number in body and other.number not in body
    body = as_user(personas["commission"]).get("/certificates/manage/", {"q": "李小红"}).content.decode()
    assert cert.number in body and other.number not in body
    assert as_user(personas["provider_a"]).get("/certificates/manage/").status_code == 403
    assert as_user(personas["trainee_a"]).get("/certificates/manage/").status_code == 403
    response = as_user(personas["commission"]).get("/certificates/manage/", {"status": "bogus", "expiring": "on"})
    assert response.status_code == 200


def test_manage_expiring_soon(personas, as_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC))
    soon = CertificateFactory(expiry_date=datetime.date(2026, 4, 1))
    later = CertificateFactory(expiry_date=datetime.date(2026, 12, 1))
    body = as_user(personas["commission"]).get("/certificates/manage/", {"expiring": "on"}).content.decode()
    assert soon.number in body and later.number not in body


def test_supersede_view(personas, as_user, cert):
    url = f"/certificates/{cert.pk}/supersede/"
    assert as_user(personas["provider_b"]).get(url).status_code == 404
    assert as_user(personas["county_x"]).get(url).status_code == 403
    assert as_user(personas["provider_a"]).post(url, {"reason": ""}).status_code == 400
    response = as_user(personas["provider_a"]).post(url, {"reason": "课程名称更正", "course_name": "保育人员培训（更正）",
                                                         "revoke_old": "on"})
    assert response.status_code == 302
    cert.refresh_from_db()
    new = cert.superseded_by
    assert new.course_name == "保育人员培训（更正）" and cert.revoked_on is not None
    assert new.number in as_user(personas["trainee_a"]).get(f"/certificates/{cert.pk}/").content.decode()
    assert as_user(personas["provider_a"]).post(url, {"reason": "再换"}).status_code == 400


def test_external_detail_and_portal_section(personas, as_user, holder):
    from django.template import Context, Template

    ext = ExternalCertificateFactory(person=holder)
    body = as_user(personas["county_x"]).get(f"/certificates/{ext.pk}/").content.decode()
    assert "待审核" in body and "提交审核结果" in body
    body = as_user(personas["trainee_a"]).get(f"/certificates/{ext.pk}/").content.decode()
    assert "提交审核结果" not in body
    html = Template("{% load certification_tags %}{% certificate_portal_section user %}").render(
        Context({"user": personas["trainee_a"]})
    )
    assert "共 1 张证书" in html and "/certificates/" in html
    assert Template("{% load certification_tags %}{% certificate_portal_section user %}").render(
        Context({"user": personas["provider_a"]})
    ).strip() == ""
