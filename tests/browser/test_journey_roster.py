"""Staff roster journey: upload a 从业人员花名册 with two bad rows → the preview lists the errors
(row, column, reason) and imports nothing → upload the fixed file → confirm → the people appear
in the registry.

The issue calls this the provider journey; in this tree staff rosters are imported by county
officials and the commission (imports.roles: training providers import training records only),
so a county official of 麒麟区 uploads the roster of an institution of that county."""

import datetime

import openpyxl
import pytest

from accounts.models import Role
from core.validators import make_id_number
from registry.models import Person

from tests import factories as f
from tests.browser.conftest import login_cookie

HEADER = ["姓名", "身份证号", "手机号", "机构名称", "统一社会信用代码", "区县", "岗位", "入职日期", "离职日期"]
PEOPLE = [
    ("孙丽娟", make_id_number("530302", datetime.date(1991, 4, 2), 11), "13987650011", "保育人员"),
    ("周建华", make_id_number("530302", datetime.date(1985, 9, 12), 21), "13987650012", "机构负责人"),
    ("吴晓燕", make_id_number("530381", datetime.date(1996, 1, 23), 31), "13987650013", "保健人员"),
]


def _roster(path, institution, broken):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i, (name, number, phone, role) in enumerate(PEOPLE):
        start = "2024-03-01"
        if broken and i == 1:
            number = number[:-1] + ("1" if number[-1] != "1" else "2")  # wrong check digit
        if broken and i == 2:
            start = "2024-13-45"  # no such date
        ws.append([name, number, phone, institution.name, institution.uscc, "麒麟区", role, start, None])
    wb.save(path)
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_roster_import_journey(new_context, site, shots, tmp_path, county_x_obj):
    institution = f.InstitutionFactory(name="麒麟区小太阳托育园", county=county_x_obj)
    official = f.UserFactory(role=Role.COUNTY, county=county_x_obj, full_name="麒麟区卫健局")
    context = new_context()
    login_cookie(context, official, site)
    page = context.new_page()

    page.goto(site + "/imports/")
    page.select_option("select[name=kind]", "staff")
    page.set_input_files("input[name=file]", str(_roster(tmp_path / "花名册.xlsx", institution, broken=True)))
    shots(page, "upload-broken")
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    shots(page, "preview-errors")
    errors = page.locator("table.imports-errors tbody tr")
    assert errors.count() == 2, page.locator("main").inner_text()
    text = errors.all_inner_texts()
    assert any("3" in t and "身份证号" in t for t in text), text
    assert any("4" in t and "入职日期" in t for t in text), text
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert not Person.objects.filter(name__in=[p[0] for p in PEOPLE]).exists()

    page.goto(site + "/imports/")
    page.select_option("select[name=kind]", "staff")
    page.set_input_files("input[name=file]", str(_roster(tmp_path / "花名册-已修正.xlsx", institution, broken=False)))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    assert page.locator("table.imports-errors").count() == 0
    shots(page, "preview-clean")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    shots(page, "imported")

    page.goto(site + "/admin/registry/persons/")
    shots(page, "persons")
    listing = page.locator("main").inner_text()
    for name, number, _, _ in PEOPLE:
        assert name in listing
        assert number not in page.content()  # masked in the list
    assert Person.objects.filter(name__in=[p[0] for p in PEOPLE]).count() == 3
