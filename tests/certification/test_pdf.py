"""The certificate PDF: Chinese text extractable, QR decodes to the verification link, stored once."""

import datetime
import subprocess

import pytest

from certification import pdf as cert_pdf
from certification.services import issue_certificate
from certification.verification import verification_url

from tests import factories as f
from tests.factories_certification import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db



def test_pdf_text_has_name_number_and_masked_id(personas, private_storage, tmp_path):  # noqa: F811
    person = f.PersonFactory(name="张晓明")
    cert = issue_certificate(
        person, by_user=personas["provider_a"], provider=personas["provider_a"].provider,
        course_name="托育机构保育人员岗前培训", hours=80, issue_date=datetime.date(2025, 5, 20),
    )
    path = tmp_path / "c.pdf"
    path.write_bytes(cert_pdf.render(cert))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "张晓明" in text
    assert cert.number in text
    assert person.id_number_masked in text
    assert person.id_number not in text  # never the full 身份证号
    assert "托育机构保育人员岗前培训" in text
    assert "2028年05月19日" in text  # default validity of three years
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.276" in info  # A4 landscape


def test_qr_decodes_to_verification_url(personas, private_storage, tmp_path):  # noqa: F811
    cert = issue_certificate(
        f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
        course_name="保育", hours=40, issue_date=datetime.date(2025, 5, 20),
    )
    path = tmp_path / "c.pdf"
    path.write_bytes(cert_pdf.render(cert))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out == verification_url(cert)
    assert cert.verification_token in out and cert.number in out


def test_pdf_stored_once_and_regenerated_when_certificate_changes(personas, private_storage, monkeypatch):  # noqa: F811
    cert = issue_certificate(
        f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
        course_name="保育", hours=40, issue_date=datetime.date(2025, 5, 20),
    )
    calls = []
    real_render = cert_pdf.render
    monkeypatch.setattr(cert_pdf, "render", lambda c: calls.append(1) or real_render(c))
    first = cert_pdf.ensure_pdf(cert).name
    cert.refresh_from_db()
    assert cert_pdf.ensure_pdf(cert).name == first
    assert len(calls) == 1
    cert.course_name = "保育（更正）"
    cert.save()
    cert_pdf.ensure_pdf(cert)
    assert len(calls) == 2
    assert (private_storage / cert.pdf.name).is_file()
    assert not (private_storage / first).exists() or first == cert.pdf.name


def test_fallback_cid_font_when_no_truetype(settings, monkeypatch, personas, private_storage):  # noqa: F811
    monkeypatch.setattr(cert_pdf, "FONT_CANDIDATES", [])
    cert_pdf._register_font.cache_clear()
    settings.CERT_FONT_PATH = "/nonexistent.ttf"
    try:
        assert cert_pdf.font_name() == "STSong-Light"
        cert = issue_certificate(
            f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
            issue_date=datetime.date(2025, 5, 20),
        )
        assert cert_pdf.render(cert).startswith(b"%PDF")
    finally:
        cert_pdf._register_font.cache_clear()
