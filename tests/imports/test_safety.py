"""Files that must be refused with a message: bombs, non-spreadsheets, empty, too big, too long."""

import datetime
import io
import tracemalloc

import openpyxl
import pytest

from core.imports.excel import safe_cell, workbook_bytes
from core.imports.reader import FileRejected, decode_csv, read_table
from registry.models import Person

from tests.factories_imports import (
    STAFF_HEADERS,
    csv_bytes,
    entity_bomb_bytes,
    id_number,
    media_root,  # noqa: F401 (fixture)
    run_command,
    staff_row,
    xlsx_bytes,
    zip_bomb_bytes,
)


def refused(data, name):
    with pytest.raises(FileRejected) as info:
        read_table(data, name)
    return str(info.value)


def test_zip_bomb_is_refused_without_inflating_it():
    bomb = zip_bomb_bytes(inflated_mb=50)
    assert len(bomb) < 200 * 1024
    tracemalloc.start()
    try:
        message = refused(bomb, "花名册.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "压缩炸弹" in message
    assert peak < 5 * 1024 * 1024


def test_total_uncompressed_size_is_limited(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10**6  # only the total limit applies here
    assert "解压后过大" in refused(zip_bomb_bytes(inflated_mb=20), "a.xlsx")


def test_macro_workbooks_are_refused():
    data = xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))])
    assert ".xlsm" in refused(data, "花名册.xlsm")


@pytest.mark.parametrize(
    "data,name,expected",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "花名册.xlsx", "不是有效的 Excel 文件"),
        (b"", "花名册.xlsx", "文件为空"),
        (b"", "花名册.csv", "文件为空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "花名册.csv", "不是表格文件"),
        (b"hello", "花名册.pdf", "只支持 .xlsx、.xls 和 .csv"),
        (b"\n\n  \n", "花名册.csv", "没有任何内容"),
        ("姓名,身份证号\n".encode(), "花名册.csv", "只有表头"),
        (b"PK\x03\x04garbage-not-a-zip", "花名册.xlsx", "已损坏"),
    ],
)
def test_not_a_spreadsheet_empty_and_header_only(data, name, expected):
    assert expected in refused(data, name)


def test_a_docx_is_not_a_workbook():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "不是 Excel 工作簿" in refused(buffer.getvalue(), "花名册.xlsx")


def test_header_only_xlsx():
    assert "只有表头" in refused(xlsx_bytes(STAFF_HEADERS, []), "花名册.xlsx")


def test_size_limit_is_checked_before_parsing(settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert "文件过大" in refused(b"x" * 1001, "a.csv")


def test_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [staff_row("张三", id_number(n)) for n in range(4)]
    assert "超过 3 行" in refused(xlsx_bytes(STAFF_HEADERS, rows), "a.xlsx")
    assert read_table(xlsx_bytes(STAFF_HEADERS, rows[:3]), "a.xlsx").rows[-1][0] == 4


def test_encodings_are_detected_not_guessed():
    text = "姓名,区县\n张三,麒麟区\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"):
        assert decode_csv(text.encode(encoding)) == text
    with pytest.raises(FileRejected):
        decode_csv(b"\xef\xbb\xbf\xff\xfe\xfd")  # a UTF-8 BOM followed by garbage


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_command_exit_2_for_unreadable_files(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb_bytes())
    status, result = run_command("staff", str(bomb), "--json")
    assert status == 2
    assert "压缩炸弹" in result["errors"][0]["message"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    status, result = run_command("staff", str(empty), "--json")
    assert (status, result["errors"][0]["message"]) == (2, "文件为空。")
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=HYPERLINK(\"http://x\",\"点我\")", "'=HYPERLINK(\"http://x\",\"点我\")"),
        ("+8613812345678", "'+8613812345678"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("张三", "张三"),
        (12, 12),
        (datetime.date(2024, 1, 1), datetime.date(2024, 1, 1)),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert safe_cell(value) == expected


def test_exports_never_contain_formulas():
    data = workbook_bytes("清单", ["姓名"], [["=1+1"], ["@cmd"], ["张三"]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [c.value for c in ws["A"]]
    assert values == ["姓名", "'=1+1", "'@cmd", "张三"]
    assert all(c.data_type != "f" for c in ws["A"])


def test_csv_helper_round_trip_is_real():
    # Guard for the fixtures themselves: GB18030 bytes are not valid UTF-8.
    data = csv_bytes(["姓名"], [["张三"]], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_safe_cell_keeps_numpy_and_pandas_values():
    import numpy
    import pandas

    assert safe_cell(numpy.int64(-5)) == -5 and isinstance(safe_cell(numpy.int64(-5)), numpy.int64)
    assert safe_cell(numpy.float64(0.5)) == 0.5
    assert safe_cell(pandas.Timestamp("2024-01-01")) == pandas.Timestamp("2024-01-01")
    assert safe_cell(numpy.bool_(True))
    frame = pandas.DataFrame({"n": [-1, 2], "s": ["=x", "ok"]}).map(safe_cell)
    assert frame["n"].tolist() == [-1, 2] and frame["s"].tolist() == ["'=x", "ok"]


def test_xml_parsing_is_defused():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_xml_entity_expansion_is_refused():
    # calamine's XML reader does not expand DTD entities: the reference is an error, not 3 GB.
    assert "无法读取该 Excel 文件" in refused(entity_bomb_bytes(STAFF_HEADERS), "花名册.xlsx")
