"""Real spreadsheet files for the import tests: xlsx written with openpyxl, csv in both encodings."""

import csv
import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command

from core.validators import make_id_number, make_uscc

INSTITUTION_HEADERS = ["机构名称", "统一社会信用代码", "区县", "机构类型", "是否普惠", "备案状态", "备案日期", "托位数", "示范等级"]
STAFF_HEADERS = ["姓名", "身份证号", "手机号", "机构名称", "统一社会信用代码", "区县", "岗位", "入职日期", "离职日期"]


def id_number(n, birth=datetime.date(1990, 1, 1), area="530302"):
    """A valid 身份证号, distinct per n (n < 900 per birth day)."""
    return make_id_number(area, birth + datetime.timedelta(days=n // 900), n % 900 + 1)


def uscc(n):
    return make_uscc(f"52530302MJ{n:07d}")


def xlsx_bytes(headers, rows):
    """Cells are written as given: an int/float becomes a numeric cell, a date a date cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, encoding="utf-8-sig"):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)


def zip_bomb_bytes(inflated_mb=50):
    """An .xlsx-shaped zip of ~50 KB whose sheet inflates to `inflated_mb` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated_mb):
                stream.write(chunk)
    return buffer.getvalue()


def staff_row(name, number, institution="阳光托育园", county="麒麟区", role="保育人员",
              start=datetime.date(2024, 3, 5), end=None, phone="", code=""):
    return [name, number, phone, institution, code, county, role, start, end]


def run_command(*args):
    """Run import_data; return (exit status, parsed JSON or plain output)."""
    out = io.StringIO()
    err = io.StringIO()
    status = 0
    try:
        call_command("import_data", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        status = exc.code
    text = out.getvalue()
    if "--json" in args:
        return status, json.loads(text)
    return status, text + err.getvalue()


@pytest.fixture(autouse=False)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
