"""An authenticated user cannot exhaust the server's memory with a sheet of many rows: the
declared dimension and the rows are counted while the file is inflated, and a sheet beyond
the row limit is refused before the parser holds any of it (issue 13, finding 6)."""

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tests.factories_imports import STAFF_HEADERS

ROWS = 100_000  # twice the default limit of 50,000 data rows
# Read in a fresh interpreter: its peak RSS before and after read_table. VmHWM, not
# ru_maxrss, which Linux carries over from the forking pytest process across exec.
PROBE = """
import re, sys
import django
django.setup()
from core.imports.reader import FileRejected, read_table

def peak_kb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))

data = open(sys.argv[1], "rb").read()
before = peak_kb()
try:
    read_table(data, "花名册.xlsx")
    print("read")
except FileRejected as exc:
    print("refused:", exc)
print("growth_kb", peak_kb() - before)
"""


def many_rows_xlsx(rows):
    """A 3-4 MB roster that inflates to ~30 MB of XML (about what calamine then holds ×10)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("花名册")
    sheet.write_row(0, 0, STAFF_HEADERS)
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, [f"张{i % 97}", f"5303021990{i:08d}", f"138{i:08d}", "麒麟区阳光托育园", "", "麒麟区",
                               "保育人员", "2024-03-05", ""])
    workbook.close()
    return buffer.getvalue()


def without_dimension(data):
    """The same workbook whose sheet lies about its size (<dimension ref="A1"/>)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', content, count=1)
            target.writestr(info.filename, content)
    return out.getvalue()


def probe(path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, env=env,
                          cwd=root, timeout=300, check=True)
    lines = done.stdout.strip().splitlines()
    return lines[-2], int(lines[-1].split()[1]) / 1024


@pytest.fixture(scope="module")
def roster():
    return many_rows_xlsx(ROWS)


@pytest.mark.parametrize("lying", [False, True], ids=["declared dimension", "lying dimension"])
def test_a_sheet_beyond_the_row_limit_is_refused_in_bounded_memory(roster, lying, tmp_path):
    data = without_dimension(roster) if lying else roster
    assert len(data) < 10 * 1024 * 1024  # under the upload limit: the row limit is what stops it
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)
    outcome, growth_mb = probe(path)
    assert outcome == "refused: 数据行超过 50000 行的上限，请拆分后分批导入。"
    # Parsing the whole sheet grows the process by ~150 MB; counting while inflating by a few.
    assert growth_mb < 40, f"RSS grew by {growth_mb:.0f} MB"
