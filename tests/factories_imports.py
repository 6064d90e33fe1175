"""Real spreadsheet files for the import tests: xlsx written with openpyxl, csv in both encodings."""

import csv
import datetime
import io
import json
import struct
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
    """Stored originals go to a temporary private storage, never the developer's folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    storages = {**settings.STORAGES}
    storages["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
    }
    settings.STORAGES = storages
    return tmp_path / "private"


# --- .xls (BIFF8 in an OLE2 container), written by hand: no .xls writer is installed ---------


def _record(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def _biff8_workbook(headers, rows):
    """The Workbook stream: strings through the SST, numbers as NUMBER, dates with a date XF."""
    strings, index = [], {}
    cells = []
    for r, row in enumerate([headers, *rows]):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 17, float(serial))))
            elif isinstance(value, int | float):
                cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 16, float(value))))
            else:
                text = str(value)
                if text not in index:
                    index[text] = len(strings)
                    strings.append(text)
                cells.append(_record(0x00FD, struct.pack("<HHHI", r, c, 16, index[text])))
    sst = struct.pack("<II", len(cells), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings
    )
    style_xf = struct.pack("<HHH", 0, 0, 0xFFF5) + b"\0" * 14
    xfs = [style_xf] * 16 + [
        struct.pack("<HHH", 0, 0, 0x0001) + b"\0" * 14,  # 16: general cell
        struct.pack("<HHH", 0, 14, 0x0001) + b"\0" * 14,  # 17: date cell (built-in format 14)
    ]
    bof = lambda dt: _record(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))  # noqa: E731
    name = b"Sheet1"
    head = [bof(0x0005), _record(0x0042, struct.pack("<H", 1200)), _record(0x0022, struct.pack("<H", 0))]
    head += [_record(0x00E0, xf) for xf in xfs]
    tail = [_record(0x00FC, sst), _record(0x000A)]
    boundsheet_len = 4 + 8 + len(name)  # record header + fixed part + name
    sheet_offset = sum(map(len, head)) + boundsheet_len + sum(map(len, tail))
    boundsheet = _record(0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, len(name), 0) + name)
    width = max(len(headers), *(len(r) for r in rows)) if rows else len(headers)
    sheet = [bof(0x0010), _record(0x0200, struct.pack("<IIHHH", 0, len(rows) + 1, 0, width, 0))]
    sheet += cells + [_record(0x000A)]
    return b"".join(head) + boundsheet + b"".join(tail) + b"".join(sheet)


def xls_bytes(headers, rows):
    """A real .xls file (Excel 97-2003) holding `headers` and `rows`."""
    stream = _biff8_workbook(headers, rows)
    stream += b"\0" * (max(4096, -(-len(stream) // 512) * 512) - len(stream))  # no mini stream
    sectors = len(stream) // 512
    assert sectors + 2 <= 128, "test workbook too large for a one-sector FAT"
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sect, end] + [2 + i + 1 for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(name, kind, child, start, size):
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1 if name else 0)
            + struct.pack("<III", nostream, nostream, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<II", start, size) + b"\0" * 4
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, nostream, 2, len(stream))
        + entry("", 0, nostream, 0, 0) * 2
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0) + struct.pack("<I", free) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def entity_bomb_bytes(headers):
    """An .xlsx whose sheet XML declares a "billion laughs" entity chain and uses it in a cell."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(headers, [["张三"] * len(headers)])))
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + text[text.index("<worksheet"):]
                body = text.replace("<t>张三</t>", "<t>&lol9;</t>", 1).encode()
            archive.writestr(info.filename, body)
    return buffer.getvalue()
