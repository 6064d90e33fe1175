"""Wagtail's CSV/xlsx exports neutralise formula-like text like the project's own exports."""

import csv
import io

import openpyxl
import pytest

from tests import factories as f

FORMULAS = ['=HYPERLINK("http://evil.example/","点击")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "=1+1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_person_export_neutralises_formulas(client, personas, county_x_obj, fmt):
    inst = f.InstitutionFactory(county=county_x_obj)
    for n, name in enumerate(FORMULAS):
        person = f.PersonFactory(name=name, phone=f"1390000010{n}")
        f.EmploymentFactory(person=person, institution=inst)
    f.log_in(client, personas["commission"])
    response = client.get(f"/admin/registry/persons/?export={fmt}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    else:
        wb = openpyxl.load_workbook(io.BytesIO(body))
        cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    texts = [c for c in cells if isinstance(c, str)]
    # Masked names keep their first character; none may start a formula.
    assert not [c for c in texts if c[:1] in ("=", "+", "-", "@", "\t")], texts
