"""import_data through real files: exact counts, every error, nothing written on a bad row, idempotence."""

import datetime

import pytest

from imports.models import ImportJob, ImportStatus
from registry.models import Employment, Institution, Person, RegistrationStatus

from tests import factories as f
from tests.factories_imports import (
    INSTITUTION_HEADERS,
    STAFF_HEADERS,
    csv_bytes,
    id_number,
    media_root,  # noqa: F401 (fixture)
    run_command,
    staff_row,
    uscc,
    xls_bytes,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def sunshine(db):
    return f.InstitutionFactory(name="阳光托育园", county=f.county("麒麟区"), uscc=uscc(1))


# --- institutions ------------------------------------------------------------------------------


def test_institutions_created_then_unchanged_then_updated(tmp_path):
    rows = [
        ["阳光托育园", uscc(1), "麒麟", "民办托育机构", "是", "已备案", datetime.date(2024, 3, 5), 60, "市级"],
        ["月亮托育点", None, "曲靖经开区", "家庭托育点", "否", "未备案", None, 8, None],
        ["星星托育园", None, "经开区", "社区嵌入式托育", None, None, None, None, None],
    ]
    path = write(tmp_path, "名录.xlsx", xlsx_bytes(INSTITUTION_HEADERS, rows))
    status, result = run_command("institutions", path, "--json")
    assert status == 0
    assert result == {
        "kind": "institutions", "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": [],
        "written": True, "dry_run": False, "good_rows_only": False,
    }
    sunshine = Institution.objects.get(uscc=uscc(1))
    assert (sunshine.county.name, sunshine.is_puhui, sunshine.registration_status, sunshine.capacity) == (
        "麒麟区", True, RegistrationStatus.REGISTERED, 60)
    assert sunshine.registration_date == datetime.date(2024, 3, 5)
    assert Institution.objects.get(name="星星托育园").county.name == "曲靖经开区"

    status, result = run_command("institutions", path, "--json")
    assert (status, result["created"], result["updated"], result["unchanged"]) == (0, 0, 0, 3)

    rows[0][7] = 80
    path = write(tmp_path, "名录2.xlsx", xlsx_bytes(INSTITUTION_HEADERS, rows))
    status, result = run_command("institutions", path, "--json")
    assert (status, result["created"], result["updated"], result["unchanged"]) == (0, 0, 1, 2)
    assert Institution.objects.get(uscc=uscc(1)).capacity == 80
    assert Institution.objects.count() == 3


def test_institution_errors_are_all_reported_and_nothing_is_written(tmp_path):
    bad_code = uscc(2)[:-1] + ("0" if uscc(2)[-1] != "0" else "1")
    rows = [
        ["好托育园", None, "麒麟区", "民办托育机构", "是", "已备案", "2024-03-05", 60, "无"],
        ["坏代码园", bad_code, "麒麟区", "民办托育机构", "是", "未备案", None, 10, "无"],
        ["无日期园", None, "宣威市", "民办托育机构", "否", "已备案", None, 10, "无"],
        ["外地园", None, "昆明市", "民办托育机构", "否", "未备案", None, 10, "无"],
        ["错类型园", None, "陆良县", "幼儿园", "否", "未备案", None, -3, "国家级"],
        ["假日期园", None, "陆良县", "民办托育机构", "否", "已备案", "2024-02-30", 10, "无"],
    ]
    path = write(tmp_path, "名录.xlsx", xlsx_bytes(INSTITUTION_HEADERS, rows))
    status, result = run_command("institutions", path, "--json")
    assert status == 1
    assert result["written"] is False
    found = [(e["row"], e["column"]) for e in result["errors"]]
    assert found == [
        (3, "统一社会信用代码"),
        (4, "备案日期"),
        (5, "区县"),
        (6, "机构类型"), (6, "托位数"), (6, "示范等级"),
        (7, "备案日期"),
    ]
    messages = {(e["row"], e["column"]): e for e in result["errors"]}
    assert messages[(4, "备案日期")]["message"] == "已备案的机构必须填写备案日期。"
    assert messages[(5, "区县")]["value"] == "昆明市"
    assert "日期不存在" in messages[(7, "备案日期")]["message"]
    assert Institution.objects.count() == 0

    # After seeing the errors, the good rows only.
    status, result = run_command("institutions", path, "--json", "--good-rows-only")
    assert (status, result["created"], result["written"]) == (0, 1, True)
    assert list(Institution.objects.values_list("name", flat=True)) == ["好托育园"]


def test_missing_required_columns_are_named(tmp_path):
    path = write(tmp_path, "名录.csv", csv_bytes(["机构名称", "托位数"], [["甲园", "10"]]))
    status, result = run_command("institutions", path, "--json")
    assert status == 1
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (1, "区县", "缺少必填列“区县”。请使用导入模板中的表头。"),
        (1, "机构类型", "缺少必填列“机构类型”。请使用导入模板中的表头。"),
    ]


# --- staff ------------------------------------------------------------------------------------------


def test_staff_roster_xlsx_with_date_cells_full_width_and_header_spaces(tmp_path, sunshine):
    headers = ["　姓名 *", "身份证号＊", "手机号", "机构名称", "区县", "岗位", "入职日期", "离职日期", "备注"]
    full_width = id_number(2).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        ["张三", id_number(1), "+86 138-1234-5678", "阳光托育园", "麒麟区", "保育人员", datetime.date(2024, 3, 5), None, "x"],
        ["　李四　", full_width, None, " 阳光托育园 ", "麒麟", "机构负责人", "2024年3月5日", "2025.1.31", None],
        [None, None, None, None, None, None, None, None, None],  # blank rows are skipped
        ["王五", id_number(3), None, "阳光托育园", "麒麟区", "保健人员", datetime.datetime(2023, 9, 1, 0, 0), None, None],
    ]
    path = write(tmp_path, "花名册.xlsx", xlsx_bytes(headers, rows))
    status, result = run_command("staff", path, "--json")
    assert status == 0, result
    assert (result["rows"], result["created"], result["errors"]) == (3, 3, [])
    zhang = Person.objects.by_id_number(id_number(1)).get()
    assert (zhang.name, zhang.phone) == ("张三", "13812345678")
    li = Person.objects.by_id_number(id_number(2)).get()
    assert li.name == "李四"
    employment = Employment.objects.get(person=li)
    assert (employment.institution, employment.role, employment.start_date, employment.end_date) == (
        sunshine, "director", datetime.date(2024, 3, 5), datetime.date(2025, 1, 31))
    assert Employment.objects.get(person__name="王五").start_date == datetime.date(2023, 9, 1)

    # The same file again changes nothing.
    status, result = run_command("staff", path, "--json")
    assert (status, result["created"], result["updated"], result["unchanged"]) == (0, 0, 0, 3)
    assert (Person.objects.count(), Employment.objects.count()) == (3, 3)
    jobs = list(ImportJob.objects.values_list("kind", "status", "created", "unchanged", "via_command"))
    assert jobs == [("staff", ImportStatus.IMPORTED, 0, 3, True), ("staff", ImportStatus.IMPORTED, 3, 0, True)]


def test_excel_numeric_id_cell_is_rejected_with_how_to_fix(tmp_path, sunshine):
    rows = [
        staff_row("张三", id_number(1)),
        staff_row("李四", 5.30302199001011e17),  # what Excel makes of a number typed into a General cell
    ]
    path = write(tmp_path, "花名册.xlsx", xlsx_bytes(STAFF_HEADERS, rows))
    status, result = run_command("staff", path, "--json")
    assert status == 1
    assert result["errors"] == [
        {
            "row": 3, "column": "身份证号", "value": "5.30302199001011E+17",
            "message": "身份证号被 Excel 存成了数字（如 5.30302199001011E+17），后几位已丢失。请把该列设置为“文本”格式后重新填写。",
        }
    ]
    assert (Person.objects.count(), Employment.objects.count()) == (0, 0)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk"])
def test_staff_csv_in_each_encoding(tmp_path, sunshine, encoding):
    rows = [
        staff_row("张三", id_number(1), start="2024/3/5"),
        staff_row("欧阳娜娜", id_number(2), start="2024-03-05", end="2024年12月31日", phone="13900001111"),
    ]
    path = write(tmp_path, "花名册.csv", csv_bytes(STAFF_HEADERS, rows, encoding=encoding))
    status, result = run_command("staff", path, "--json")
    assert (status, result["created"], result["errors"]) == (0, 2, [])
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张三", "欧阳娜娜"]
    assert Employment.objects.get(person__name="欧阳娜娜").end_date == datetime.date(2024, 12, 31)


def test_staff_bad_rows_all_reported_nothing_written(tmp_path, sunshine):
    known = f.PersonFactory(name="赵六")
    known.id_number = id_number(50)
    known.save()
    bad_check = id_number(4)[:-1] + ("1" if id_number(4)[-1] != "1" else "2")
    rows = [
        staff_row("张三", id_number(1)),  # 2 good
        staff_row("李四", bad_check),  # 3 wrong check digit
        staff_row("王五", id_number(5), start="2024-02-30"),  # 4 impossible date
        staff_row("钱七", id_number(6), start="2024-05-01", end="2024-04-01"),  # 5 end before start
        staff_row("孙八", id_number(7), institution="不存在托育园"),  # 6 unknown institution
        staff_row("赵小六", id_number(50)),  # 7 another name for a known 身份证号
        staff_row("周九", id_number(8), start="2024-01-01"),  # 8 good
        staff_row("周九", id_number(8), role="机构负责人", start="2024-06-01"),  # 9 overlaps row 8
        staff_row("吴十", id_number(9)),  # 10 good
        staff_row("吴拾", id_number(9), start="2025-01-01"),  # 11 same number, another name in the file
        staff_row("郑一", id_number(10), role="园长"),  # 12 unknown role
        staff_row("冯二", id_number(11), county="昆明市"),  # 13 unknown county
    ]
    path = write(tmp_path, "花名册.xlsx", xlsx_bytes(STAFF_HEADERS, rows))
    status, result = run_command("staff", path, "--json")
    assert status == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "身份证号"), (4, "入职日期"), (5, "离职日期"), (6, "机构名称"), (7, "姓名"),
        (9, "入职日期"), (11, "姓名"), (12, "岗位"), (13, "区县"),
    ]
    by_row = {e["row"]: e["message"] for e in result["errors"]}
    assert by_row[3] == "身份证号校验位不正确，请核对。"
    assert by_row[5] == "离职日期不能早于入职日期。"
    assert by_row[7].startswith("该身份证号已登记的姓名为“赵*”")
    assert by_row[9] == "同一人员在同一机构的任职时间与第 8 行重叠。"
    assert "第 10 行" in by_row[11]
    assert (result["created"], result["written"]) == (3, False)
    assert (Person.objects.count(), Employment.objects.count()) == (1, 0)
    assert Person.objects.get().name == "赵六"  # never silently renamed

    status, result = run_command("staff", path, "--json", "--dry-run")
    assert (status, result["written"], result["dry_run"]) == (1, False, True)

    status, result = run_command("staff", path, "--json", "--good-rows-only")
    assert (status, result["created"], result["written"]) == (0, 3, True)
    assert sorted(Employment.objects.values_list("person__name", flat=True)) == ["吴十", "周九", "张三"]


def test_staff_end_date_change_is_an_update(tmp_path, sunshine):
    rows = [staff_row("张三", id_number(1))]
    run_command("staff", write(tmp_path, "a.xlsx", xlsx_bytes(STAFF_HEADERS, rows)), "--json")
    rows = [staff_row("张三", id_number(1), end=datetime.date(2025, 6, 30))]
    status, result = run_command("staff", write(tmp_path, "b.xlsx", xlsx_bytes(STAFF_HEADERS, rows)), "--json")
    assert (status, result["created"], result["updated"], result["unchanged"]) == (0, 0, 1, 0)
    assert Employment.objects.get().end_date == datetime.date(2025, 6, 30)


def test_staff_institution_found_by_credit_code(tmp_path, sunshine):
    rows = [staff_row("张三", id_number(1), institution="阳光托育园（总园）", code=uscc(1))]
    status, result = run_command("staff", write(tmp_path, "a.xlsx", xlsx_bytes(STAFF_HEADERS, rows)), "--json")
    assert (status, result["created"]) == (0, 1)
    assert Employment.objects.get().institution == sunshine


def test_dry_run_writes_nothing(tmp_path, sunshine):
    path = write(tmp_path, "a.xlsx", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", id_number(1))]))
    status, result = run_command("staff", path, "--json", "--dry-run")
    assert (status, result["created"], result["written"]) == (0, 1, False)
    assert (Person.objects.count(), ImportJob.objects.count()) == (0, 0)


def test_usage_errors_exit_2(tmp_path):
    status, result = run_command("nonsense", str(tmp_path / "x.xlsx"), "--json")
    assert status == 2 and "未知的导入类型" in result["errors"][0]["message"]
    status, result = run_command("staff", str(tmp_path / "missing.xlsx"), "--json")
    assert status == 2 and "找不到文件" in result["errors"][0]["message"]


def test_plain_output_lists_errors(tmp_path, sunshine):
    path = write(tmp_path, "a.xlsx", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", "123")]))
    status, output = run_command("staff", path)
    assert status == 1
    assert "第 2 行 身份证号 “123”：身份证号应为 18 位，当前为 3 位。" in output
    assert "未写入任何数据" in output


def test_new_person_values_match_the_person_model_setter():
    from core import pii
    from registry.importers import NewPerson

    number = id_number(123, birth=datetime.date(1988, 2, 29))
    values = NewPerson("张三", number, "13800000000", pii.lookup_hash(number)).person_values()
    person = Person(name="张三", phone="13800000000")
    person.id_number = number
    for field in ("id_number_hash", "id_number_masked", "gender", "birth_date"):
        assert values[field] == getattr(person, field), field
    assert pii.decrypt(values["id_number_encrypted"]) == number


def test_staff_roster_in_the_old_xls_format(tmp_path, sunshine):
    rows = [
        staff_row("张三", id_number(1), start=datetime.date(2024, 3, 5), phone="13812345678"),
        staff_row("李四", id_number(2), start="2024/3/6", end=datetime.date(2025, 1, 31)),
    ]
    path = write(tmp_path, "花名册.xls", xls_bytes(STAFF_HEADERS, rows))
    status, result = run_command("staff", path, "--json")
    assert (status, result["created"], result["errors"]) == (0, 2, [])
    li = Employment.objects.get(person__name="李四")
    assert (li.start_date, li.end_date) == (datetime.date(2024, 3, 6), datetime.date(2025, 1, 31))

    rows.append(staff_row("王五", 5.30302199001011e17))
    status, result = run_command("staff", write(tmp_path, "b.xls", xls_bytes(STAFF_HEADERS, rows)), "--json")
    assert status == 1
    assert [(e["row"], e["column"], e["value"]) for e in result["errors"]] == [(4, "身份证号", "5.30302199001011E+17")]


def test_good_rows_only_with_no_good_row_imports_nothing(tmp_path, sunshine):
    path = write(tmp_path, "a.xlsx", xlsx_bytes(STAFF_HEADERS, [staff_row("张三", "123")]))
    for extra in ([], ["--dry-run"]):
        status, result = run_command("staff", path, "--json", "--good-rows-only", *extra)
        assert (status, result["written"]) == (1, False)
    assert ImportJob.objects.get().status == ImportStatus.FAILED
