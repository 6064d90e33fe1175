"""Cell parsing: the value forms of interfaces.md, and the messages for the ones that are wrong."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.imports import parsers
from core.imports.engine import normalise_header
from registry.models import StaffRole


@pytest.mark.parametrize(
    "cell",
    ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", " 2024-03-05 ", "２０２４－０３－０５", "2024-03-05 00:00:00",
     datetime.date(2024, 3, 5), datetime.datetime(2024, 3, 5, 0, 0)],
)
def test_date_forms(cell):
    assert parsers.date(cell, None) == datetime.date(2024, 3, 5)


@pytest.mark.parametrize(
    "cell,message",
    [("2024-02-30", "日期不存在"), ("2023-13-01", "日期不存在"), ("05/03/2024", "日期格式应为"), ("昨天", "日期格式应为"),
     (45356.0, "日期被存成了数字"), ("1900-01-01", "年份不合理")],
)
def test_bad_dates(cell, message):
    with pytest.raises(ValidationError) as info:
        parsers.date(cell, None)
    assert message in info.value.messages[0]


@pytest.mark.parametrize("cell", ["+86 138-1234-5678", "13812345678", 13812345678.0, "138 1234 5678", "008613812345678"])
def test_phone_forms(cell):
    assert parsers.phone(cell, None) == "13812345678"


def test_id_number_numeric_cells_are_refused_even_when_integral():
    for cell in (5.30302199001011e17, 530302199001010010):
        with pytest.raises(ValidationError) as info:
            parsers.id_number(cell, None)
        assert "文本" in info.value.messages[0]


def test_id_number_lower_case_x_and_full_width():
    number = "11010519491231002X"
    assert parsers.id_number(number.lower(), None) == number
    assert parsers.id_number("１１０１０５１９４９１２３１００２ｘ", None) == number


@pytest.mark.parametrize("cell,expected", [("120", Decimal("120.0")), (16.5, Decimal("16.5")), ("1,200", Decimal("1200.0"))])
def test_hours(cell, expected):
    assert parsers.number(0, 2000, places=1, positive=True)(cell, None) == expected


@pytest.mark.parametrize("cell", ["-8", "0", "99999", "abc", "1.25", "nan", "inf"])
def test_bad_hours(cell):
    with pytest.raises(ValidationError):
        parsers.number(0, 2000, places=1, positive=True)(cell, None)


def test_choice_by_label_ignores_spaces():
    parse = parsers.choice(StaffRole)
    assert parse(" 保育 人员 ", None) == StaffRole.CAREGIVER
    with pytest.raises(ValidationError) as info:
        parse("园长", None)
    assert info.value.messages[0] == "应为以下之一：机构负责人、保育人员、保健人员、其他。"


@pytest.mark.parametrize(
    "header", ["身份证号", " 身份证号 ", "　身份证号　", "身份证号*", "身份证号 ＊", "身份 证号", "身份证号（18位）", "身份证号(必填)"]
)
def test_header_forms(header):
    assert normalise_header(header) == "身份证号"


def test_display_value_looks_like_excel():
    assert parsers.display_value(5.303021990010113e17) == "5.30302199001011E+17"
    assert parsers.display_value(60.0) == "60"


def test_id_number_in_scientific_notation_as_text_from_a_csv():
    with pytest.raises(ValidationError) as info:
        parsers.id_number("5.30302199001011E+17", None)
    assert "文本" in info.value.messages[0]
