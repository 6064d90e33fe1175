"""Certificate PDFs (reportlab): A4 landscape, the holder's facts and a QR code to verify it.

Chinese must render in every viewer, so a TrueType CJK font is embedded (subset) when one is
configured (CERT_FONT_PATH) or installed (Debian: fonts-wqy-microhei, fonts-wqy-zenhei);
otherwise reportlab's built-in STSong-Light CID font is used, which viewers substitute.
Rendered PDFs are stored and re-rendered only when something printed on them changes
(`pdf_fingerprint`); bump LAYOUT_VERSION when the layout changes to refresh them all.
"""

import hashlib
import io
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import qrcode
from django.conf import settings
from django.core.files.base import ContentFile
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .verification import verification_url

logger = logging.getLogger(__name__)

LAYOUT_VERSION = "1"

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
FALLBACK_FONT = "STSong-Light"
BRAND = colors.HexColor("#0b7a75")


@lru_cache(maxsize=4)
def _register_font(configured_path):
    """Register and return the font name to draw with; cached per configured path."""
    paths = [configured_path] if configured_path else []
    paths += FONT_CANDIDATES
    for path in paths:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("CertCJK", path, subfontIndex=0))
                return "CertCJK"
            except Exception:  # a broken or unsupported font file: try the next one
                logger.warning("certificate font %s could not be loaded", path, exc_info=True)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def font_name():
    return _register_font(getattr(settings, "CERT_FONT_PATH", "") or "")


# --- QR code ----------------------------------------------------------------------------------

QR_SIZE = 46 * mm  # printed size, quiet zone included
QR_BORDER = 4  # modules of quiet zone on each side (the QR standard's minimum)


class _QRCode(qrcode.QRCode):
    """qrcode's QRCode with a faster choice of mask pattern, and the same choice.

    qrcode lays out the data eight times (once per mask) and scores each layout in pure Python:
    about half the time of a whole certificate page. Here the data is laid out once; the
    seven other layouts differ from it only in the data modules (XOR of two mask grids), and
    all eight are scored with numpy by the rules of qrcode.util.lost_point (same penalties,
    same tie-break: the first lowest); the chosen layout then gets its format information as
    in qrcode's makeImpl. tests/certification/test_pdf_speed.py checks the layouts and the final matrix
    against plain qrcode's for many inputs (small codes and those with version information).
    """

    def map_data(self, data, mask_pattern):
        # Which modules are data (still empty before the data goes in), for best_mask_pattern.
        self._data_modules = [[m is None for m in row] for row in self.modules]
        super().map_data(data, mask_pattern)

    def best_mask_pattern(self):
        self.makeImpl(True, 0)
        first = np.array(self.modules, dtype=bool)
        data = np.array(self._data_modules, dtype=bool)
        grids = _mask_grids(len(first))
        # The test layouts (format and version modules blank) of the eight masks.
        self._layouts = [first ^ (data & (grids[0] ^ grids[i])) for i in range(8)]
        penalties = [_lost_point(m) for m in self._layouts]
        return penalties.index(min(penalties))

    def makeImpl(self, test, mask_pattern):
        layouts = getattr(self, "_layouts", None)
        if test or layouts is None:
            super().makeImpl(test, mask_pattern)
            return
        # The final layout: the chosen test layout with its format (and version) information,
        # what makeImpl(False, mask) would build again from scratch.
        self._layouts = None
        self.modules = layouts[mask_pattern].tolist()
        self.modules_count = len(self.modules)
        self.setup_type_info(False, mask_pattern)
        if self.version >= 7:
            self.setup_type_number(False)


@lru_cache(maxsize=64)
def _mask_grids(n):
    """The eight mask patterns of an n×n code as boolean grids (grid[row, col] = mask_func(row, col))."""
    from qrcode import util

    grids = []
    for pattern in range(8):
        func = util.mask_func(pattern)
        grid = np.array([[bool(func(r, c)) for c in range(n)] for r in range(n)], dtype=bool)
        grid.setflags(write=False)
        grids.append(grid)
    return grids


_FINDER_LIKE = (
    np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool),
    np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool),
)


def _lost_point(m):
    """qrcode.util.lost_point of the boolean matrix `m`, with numpy."""
    n = m.shape[0]
    points = 0
    for lines in (m, m.T):
        # Rule 1: runs of five or more modules of one colour, 3 + (length - 5) each.
        change = np.ones((n, n + 1), dtype=bool)
        change[:, 1:n] = lines[:, 1:] != lines[:, :-1]
        lengths = np.diff(np.flatnonzero(change))  # (the 1-long gaps between lines are ignored)
        long_runs = lengths[lengths >= 5]
        points += int(long_runs.sum()) - 2 * len(long_runs)
        # Rule 3: 1:1:3:1:1 finder-like patterns with four light modules on one side, 40 each.
        if n > 10:
            windows = np.lib.stride_tricks.sliding_window_view(lines, 11, axis=1)
            for pattern in _FINDER_LIKE:
                points += 40 * int((windows == pattern).all(axis=2).sum())
    # Rule 2: 2×2 blocks of one colour, 3 each.
    top_left = m[:-1, :-1]
    same = (top_left == m[1:, :-1]) & (top_left == m[:-1, 1:]) & (top_left == m[1:, 1:])
    points += 3 * int(same.sum())
    # Rule 4: 10 for every full 5 % the dark share departs from 50 %.
    percent = float(int(m.sum())) / (n**2)
    points += int(abs(percent * 100 - 50) / 5) * 10
    return points


def qr_matrix(data):
    """The dark/light modules of the QR code of `data` (error correction M), without border."""
    code = _QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.modules


def qr_path_operators(matrix):
    """PDF path operators that fill the dark modules of `matrix`, one unit per module.

    Each horizontal run of dark modules is one rectangle ("x y w h re"), the first row at the
    top; filled as ONE path, so viewers draw no hairline seams between neighbouring modules.
    """
    n = len(matrix)
    ops = []
    append = ops.append
    for r, row in enumerate(matrix):
        y = n - 1 - r
        start = None
        for col, dark in enumerate(row):
            if dark:
                if start is None:
                    start = col
            elif start is not None:
                append(f"{start} {y} {col - start} 1 re")
                start = None
        if start is not None:
            append(f"{start} {y} {n - start} 1 re")
    return "\n".join(ops)


def draw_qr(c, data, x, y, size, border=QR_BORDER):
    """Draw the QR code of `data` on canvas `c`: a `size` square at (x, y), quiet zone included.

    One filled path in module units under a scaling transform: a few hundred short operators
    instead of one drawing object per module (reportlab's QrCodeWidget, ~10x slower).
    """
    matrix = qr_matrix(data)
    unit = size / (len(matrix) + 2 * border)
    c.saveState()
    c.setFillColor(colors.black)
    c.transform(unit, 0, 0, unit, x + border * unit, y + border * unit)
    c.addLiteral(qr_path_operators(matrix) + "\nf")
    c.restoreState()


def printed_facts(cert):
    """Everything printed on the PDF, in order; also the input of the fingerprint."""
    facts = [
        ("姓名", cert.person.name),
        ("身份证号", cert.person.id_number_masked),
    ]
    if cert.level:
        facts.append(("等级", cert.level))
    if cert.course_name:
        facts.append(("培训课程", cert.course_name))
    if cert.hours is not None:
        facts.append(("培训学时", f"{cert.hours_display} 学时"))
    facts.append(("培训机构" if cert.issuing_provider_id else "发证机构", cert.issuer))
    facts.append(("发证日期", cert.issue_date.strftime("%Y年%m月%d日")))
    facts.append(("有效期至", cert.expiry_date.strftime("%Y年%m月%d日") if cert.expiry_date else "长期有效"))
    return facts


def fingerprint(cert):
    parts = [LAYOUT_VERSION, cert.type.name, cert.number, verification_url(cert)]
    parts += [f"{k}={v}" for k, v in printed_facts(cert)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def render(cert):
    """The PDF bytes of one certificate."""
    font = font_name()
    width, height = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle(f"{cert.type.name} {cert.number}")
    c.setAuthor(settings.WAGTAIL_SITE_NAME)
    c.setSubject(cert.number)

    # Double frame.
    c.setStrokeColor(BRAND)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(BRAND)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 44 * mm, cert.type.name)
    c.setFillColor(colors.black)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, height - 54 * mm, f"证书编号：{cert.number}")

    # The sentence that says what the certificate attests.
    c.setFont(font, 14)
    if cert.course_name:
        sentence = f"{cert.person.name} 参加「{cert.course_name}」培训，经考核合格，特发此证。"
    else:
        sentence = f"{cert.person.name} 持有{cert.type.name}{cert.level}。"
    c.drawString(36 * mm, height - 74 * mm, sentence)

    y = height - 90 * mm
    for label, value in printed_facts(cert):
        c.setFillColor(colors.HexColor("#5f6b7a"))
        c.setFont(font, 12)
        c.drawString(36 * mm, y, label)
        c.setFillColor(colors.black)
        c.setFont(font, 13)
        c.drawString(64 * mm, y, str(value))
        y -= 9 * mm

    # QR code to the public verification page (with the token), bottom right.
    url = verification_url(cert)
    size = QR_SIZE
    qr_x = width - 36 * mm - size
    qr_y = 30 * mm
    draw_qr(c, url, qr_x, qr_y, size)
    c.setFont(font, 10)
    c.drawCentredString(qr_x + size / 2, qr_y - 5 * mm, "扫码查验证书真伪")

    c.setFont(font, 14)
    c.drawRightString(width - 36 * mm - size - 12 * mm, 44 * mm, cert.issuer)
    c.setFont(font, 12)
    c.drawRightString(width - 36 * mm - size - 12 * mm, 36 * mm, cert.issue_date.strftime("%Y年%m月%d日"))
    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#5f6b7a"))
    c.drawString(24 * mm, 20 * mm, f"{settings.WAGTAIL_SITE_NAME} · 查验地址：{url.split('?')[0]}")

    c.showPage()
    c.save()
    return buf.getvalue()


def has_current_pdf(cert, fp=None):
    """Whether the stored PDF fields of `cert` (as loaded) match what it should print."""
    return bool(cert.pdf) and cert.pdf_fingerprint == (fp or fingerprint(cert))


def ensure_pdf(cert, reread=True):
    """Return the stored PDF file of `cert`, rendering it first if missing or out of date.

    The background task (certification.tasks) may have rendered it after `cert` was loaded:
    a stale instance re-reads its PDF fields once before rendering again (`reread`; the task
    itself, which has just loaded its certificates, skips that query).
    """
    fp = fingerprint(cert)
    if reread and not has_current_pdf(cert, fp) and cert.pk:
        stored = type(cert).objects.filter(pk=cert.pk).values("pdf", "pdf_fingerprint").first()
        if stored and stored["pdf"] and stored["pdf_fingerprint"] == fp:
            cert.pdf = stored["pdf"]
            cert.pdf_fingerprint = fp
    if has_current_pdf(cert, fp) and cert.pdf.storage.exists(cert.pdf.name):
        return cert.pdf
    old_name = cert.pdf.name if cert.pdf else None
    content = render(cert)
    cert.pdf.save(f"{cert.number}.pdf", ContentFile(content), save=False)
    cert.pdf_fingerprint = fp
    type(cert).objects.filter(pk=cert.pk).update(pdf=cert.pdf.name, pdf_fingerprint=fp)
    if old_name and old_name != cert.pdf.name:
        cert.pdf.storage.delete(old_name)
    return cert.pdf
