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

from django.conf import settings
from django.core.files.base import ContentFile
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
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
    size = 46 * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    qr_x = width - 36 * mm - size
    qr_y = 30 * mm
    renderPDF.draw(drawing, c, qr_x, qr_y)
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


def ensure_pdf(cert):
    """Return the stored PDF file of `cert`, rendering it first if missing or out of date."""
    fp = fingerprint(cert)
    if cert.pdf and cert.pdf_fingerprint == fp and cert.pdf.storage.exists(cert.pdf.name):
        return cert.pdf
    old_name = cert.pdf.name if cert.pdf else None
    content = render(cert)
    cert.pdf.save(f"{cert.number}.pdf", ContentFile(content), save=False)
    cert.pdf_fingerprint = fp
    type(cert).objects.filter(pk=cert.pk).update(pdf=cert.pdf.name, pdf_fingerprint=fp)
    if old_name and old_name != cert.pdf.name:
        cert.pdf.storage.delete(old_name)
    return cert.pdf
