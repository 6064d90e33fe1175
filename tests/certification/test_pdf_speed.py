"""Certificate PDF speed: the QR code drawn as one path from qrcode's matrix (with a faster but
identical choice of mask), still decoding to the verification link; the page rendered at
least 0.85 times as fast as a bare reportlab page with the same font and QR code."""

import datetime
import random
import shutil
import string
import subprocess
import time

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from certification import pdf as cert_pdf
from certification.services import issue_certificate
from certification.verification import verification_url

from tests import factories as f
from tests.factories_certification import private_storage  # noqa: F401

needs_zbar = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")), reason="zbar-tools missing")


def library_matrix(data):
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.modules, code.version


def test_fast_mask_choice_gives_the_qrcode_library_matrix():
    rng = random.Random(9)
    alphabet = string.ascii_letters + string.digits + "/:?=&.-_%"
    versions = set()
    for length in [1, 8, 25, 40, 70, 95, 120, 150, 200, 260, 330] * 12:
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(max(1, length - 5), length)))
        expected, version = library_matrix(data)
        versions.add(version)
        assert cert_pdf.qr_matrix(data) == expected, data
    # Small and large codes alike, including those that carry version information (7 and up).
    assert min(versions) <= 2 and max(versions) >= 9


def test_each_mask_layout_is_the_librarys():
    rng = random.Random(3)
    for length in (10, 60, 150, 280):
        data = "".join(rng.choice(string.ascii_letters) for _ in range(length))
        code = cert_pdf._QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(data)
        code.best_fit()
        code.best_mask_pattern()
        for mask in range(8):
            reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
            reference.add_data(data)
            reference.best_fit()
            reference.makeImpl(True, mask)
            assert code._layouts[mask].tolist() == reference.modules, (length, mask)


def test_qr_path_fills_exactly_the_dark_modules_with_one_rectangle_per_run():
    matrix = cert_pdf.qr_matrix("https://example.cn/verify/?n=QJTY-2026-000001&t=" + "x" * 32)
    n = len(matrix)
    ops = cert_pdf.qr_path_operators(matrix).splitlines()
    painted = [[False] * n for _ in range(n)]
    for op in ops:
        x, y, w, h, name = op.split()
        assert name == "re" and h == "1"
        row = n - 1 - int(y)
        for col in range(int(x), int(x) + int(w)):
            assert not painted[row][col]  # no overlaps
            painted[row][col] = True
    assert painted == [[bool(m) for m in r] for r in matrix]
    runs = sum(1 for r in matrix for c in range(n) if r[c] and (c == 0 or not r[c - 1]))
    assert len(ops) == runs < sum(map(sum, matrix))


@needs_zbar
@pytest.mark.django_db
def test_stored_pdf_qr_decodes_to_the_verification_link(personas, private_storage, tmp_path):  # noqa: F811
    cert = issue_certificate(
        f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
        course_name="托育机构保育人员岗前培训", hours=80, issue_date=datetime.date(2026, 3, 1),
    )
    stored = cert_pdf.ensure_pdf(cert)
    path = tmp_path / "c.pdf"
    path.write_bytes((private_storage / stored.name).read_bytes())
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out == verification_url(cert)


@pytest.mark.django_db
def test_certificate_pdf_rate_against_a_bare_reportlab_page(personas):
    """The bench's figure (bench/run.py measure_pdf), on a few certificates: interleaved rounds,
    the best round of each side, so that a neighbour's burst of load does not decide it."""
    from bench.run import bare_reportlab_page

    certs = [
        issue_certificate(
            f.PersonFactory(), by_user=personas["commission"], provider=personas["provider_a"].provider,
            course_name="托育机构保育人员岗前培训", hours=80, issue_date=datetime.date(2026, 3, 1),
        )
        for _ in range(6)
    ]
    font = cert_pdf.font_name()
    urls = [verification_url(c) for c in certs]
    cert_pdf.render(certs[0])
    bare_reportlab_page(font, urls[0])
    ours, bare = [], []
    for _ in range(5):
        started = time.perf_counter()
        for url in urls:
            bare_reportlab_page(font, url)
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        for cert in certs:
            cert_pdf.render(cert)
        ours.append(time.perf_counter() - started)
    ratio = min(bare) / min(ours)  # rates: (n / ours) / (n / bare)
    assert ratio >= 0.85, f"certificate PDFs at {ratio:.2f}× the bare page's rate"
