"""Reading an uploaded spreadsheet into a header and typed cell rows, refusing unsafe files.

Order matters: the size limit is checked before anything is parsed, an .xlsx's zip directory
is checked (and every entry inflated in a streaming way, counting bytes) before the workbook
parser sees it, so a small file that inflates to hundreds of MB is refused without holding
more than one chunk in memory. While inflating, each sheet's declared dimension and its rows
are counted: a sheet beyond the row limit is refused before the parser, which holds a whole
sheet in memory, reads any of it.

Cells keep their type (python-calamine, fast, for .xlsx and .xls): a number stays a float, a
date cell a date. The engine parses every column itself from there, which is how an
身份证号 that Excel turned into a number is told apart from one typed as text.
"""

import codecs
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

import python_calamine

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_ZIP_ENTRIES = 1_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100
# Small entries (styles, shared strings of a tiny sheet) compress very well and are harmless.
_RATIO_CHECK_MIN_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
# Rows a sheet may have beyond header + data rows before it is refused unread: rows that are
# only formatted (the templates reserve 500 rows as text) are written as <row> elements too.
_BLANK_ROW_ALLOWANCE = 1000
_WORKSHEET_RE = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*(\d*):?[A-Z]*(\d*)\"")
_ROW_RE = re.compile(rb"<(?:\w+:)?row[\s>/]")

ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")


class FileRejected(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass
class Table:
    """Header cells (row 1) and data rows as (excel_row_number, cells); blank rows dropped."""

    headers: list
    rows: list = field(default_factory=list)
    file_format: str = ""


def _setting(name, default):
    return getattr(settings, name, default)


def max_bytes():
    return _setting("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows():
    return _setting("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _human(n):
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_size(size):
    if size == 0:
        raise FileRejected("文件为空。")
    if size > max_bytes():
        raise FileRejected(f"文件过大（{_human(size)}），上限为 {_human(max_bytes())}。请拆分后分批导入。")


def check_zip(data):
    """Refuse zip bombs and macro workbooks before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected("文件已损坏，无法作为 Excel 文件打开。") from None
    with archive:
        entries = archive.infolist()
        names = {info.filename for info in entries}
        if len(entries) > _setting("IMPORT_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES):
            raise FileRejected("文件结构异常（压缩包内文件过多），已拒绝。")
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise FileRejected("这不是 Excel 工作簿（.xlsx）文件。")
        if "xl/vbaProject.bin" in names:
            raise FileRejected("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。")
        limit = _setting("IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
        ratio_limit = _setting("IMPORT_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO)
        declared = 0
        for info in entries:
            declared += info.file_size
            if declared > limit:
                raise FileRejected("文件解压后过大，疑似压缩炸弹，已拒绝。")
            if info.file_size > _RATIO_CHECK_MIN_BYTES and info.file_size > ratio_limit * max(info.compress_size, 1):
                raise FileRejected("文件压缩比异常，疑似压缩炸弹，已拒绝。")
        # The sizes above are what the archive *claims*. Inflate each entry in chunks (never
        # more than one chunk in memory) so a lying header is caught before the parser,
        # which trusts the header, runs: zipfile stops at the declared size and checks the CRC.
        inflated = 0
        for info in entries:
            sheet = _WORKSHEET_RE.match(info.filename) is not None
            rows, head, tail = 0, b"", b""
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > limit:
                            raise FileRejected("文件解压后过大，疑似压缩炸弹，已拒绝。")
                        if sheet:
                            # Counted while inflating, so a sheet with far too many rows is
                            # refused before the parser builds any of them in memory.
                            if len(head) < 4096:
                                head += chunk[: 4096 - len(head)]
                                _check_declared_rows(head)
                            window = tail + chunk
                            rows += len(_ROW_RE.findall(window)) - len(_ROW_RE.findall(tail))
                            tail = window[-32:]
                            _check_row_count(rows)
            except FileRejected:
                raise
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                raise FileRejected("文件已损坏（压缩数据校验失败），无法读取。") from None


def _row_ceiling():
    return max_rows() + 1 + _BLANK_ROW_ALLOWANCE


def _too_many_rows():
    return FileRejected(f"数据行超过 {max_rows()} 行的上限，请拆分后分批导入。")


def _check_declared_rows(head):
    """The sheet's own <dimension ref="A1:F200000"/> (written by Excel, WPS, openpyxl)."""
    match = _DIMENSION_RE.search(head)
    if match:
        first, last = match.group(1), match.group(2) or match.group(1)
        if first and last and int(last) - int(first) + 1 > _row_ceiling():
            raise _too_many_rows()


def _check_row_count(rows):
    if rows > _row_ceiling():
        raise _too_many_rows()


def _is_blank(cells):
    return all(c is None or (isinstance(c, str) and not c.strip(" \u3000\t\r\n")) for c in cells)


def _table_from_rows(raw_rows, file_format):
    """First non-blank row is the header; row numbers are as Excel shows them (1-based)."""
    header_index = None
    for index, cells in enumerate(raw_rows):
        if not _is_blank(cells):
            header_index = index
            break
    if header_index is None:
        raise FileRejected("文件中没有任何内容。")
    table = Table(headers=list(raw_rows[header_index]), file_format=file_format)
    limit = max_rows()
    for index in range(header_index + 1, len(raw_rows)):
        cells = raw_rows[index]
        if _is_blank(cells):
            continue
        table.rows.append((index + 1, list(cells)))
        if len(table.rows) > limit:
            raise FileRejected(f"数据行超过 {limit} 行的上限，请拆分后分批导入。")
    if not table.rows:
        raise FileRejected("文件只有表头，没有数据行。")
    return table


def _read_workbook(data, file_format):
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = None
        for meta in workbook.sheets_metadata:
            if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith("Visible"):
                sheet = workbook.get_sheet_by_name(meta.name)
                break
        if sheet is None:
            raise FileRejected("工作簿中没有可见的工作表。")
        rows = sheet.to_python(skip_empty_area=False)
    except FileRejected:
        raise
    except python_calamine.PasswordError:
        raise FileRejected("文件已加密（设有密码），请取消密码后再导入。") from None
    except Exception:
        # calamine raises several error types for damaged files; all mean the same to the user.
        raise FileRejected("无法读取该 Excel 文件，文件可能已损坏。请用 Excel 打开后另存为 .xlsx 再试。") from None
    return _table_from_rows(rows, file_format)


def decode_csv(data):
    """UTF-8 (with or without BOM) or GB18030/GBK, detected strictly: never a silent wrong guess."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError:
            raise FileRejected("文件编码无法识别：声明为 UTF-8 但内容不是有效的 UTF-8。") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRejected("文件编码无法识别，请另存为 UTF-8 或 GB18030 编码的 CSV。") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Chinese text encoded in GBK/GB18030 is practically never valid UTF-8, so the order
    # above decides reliably; GB18030 is a superset of GBK and GB2312.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRejected("文件编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码的 CSV。") from None


def _read_csv(data):
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("这不是表格文件（CSV 中含有二进制内容）。")
    text = decode_csv(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRejected("CSV 文件格式有误，无法读取。") from None
    return _table_from_rows(rows, "csv")


def read_table(data, filename):
    """Bytes of an uploaded file → Table, or FileRejected with a Chinese message."""
    check_size(len(data))
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".xlsm" or extension == ".xltm":
        raise FileRejected("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。")
    if extension not in ALLOWED_EXTENSIONS:
        raise FileRejected("只支持 .xlsx、.xls 和 .csv 文件。")
    # The content decides the format, not the name: offices often rename files.
    if data.startswith(b"PK\x03\x04"):
        check_zip(data)
        return _read_workbook(data, "xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _read_workbook(data, "xls")
    if extension != ".csv":
        raise FileRejected("这不是有效的 Excel 文件，无法读取。")
    return _read_csv(data)
