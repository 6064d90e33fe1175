"""身份证号, 统一社会信用代码 and phone validation with real valid and invalid examples."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    id_number_birth_date,
    id_number_gender,
    make_id_number,
    validate_id_number,
    validate_phone,
    validate_uscc,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("11010519491231002X", "11010519491231002X"),  # the GB 11643 sample number
        ("11010519491231002x", "11010519491231002X"),  # lower-case x is accepted
        ("５３０３８１１９８５０６１５１２３１", "530381198506151231"),  # full-width digits
        (" 530381198506151231　", "530381198506151231"),  # spaces, full-width space
        # 麒麟区 was created in 1997; people born earlier hold its code (interfaces.md).
        (make_id_number("530302", __import__("datetime").date(1990, 1, 1), 12), None),
    ],
)
def test_valid_id_numbers(raw, expected):
    assert validate_id_number(raw) == (expected or raw)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("110105194912310021", "校验位"),  # wrong check digit
        ("110105194902300025", "出生日期"),  # 1949-02-30 does not exist
        ("11010519491231002", "18 位"),  # 17 characters
        ("1101051949123100211", "18 位"),  # 19 characters
        ("990105194912310023", "省级"),  # 99 is not a province
        ("5.30302199001011E+17", "文本"),  # Excel turned it into a number
        ("11010519491231002Y", "数字"),
        ("", "身份证号"),
    ],
)
def test_invalid_id_numbers(raw, message):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(raw)
    assert message in exc.value.messages[0]


def test_gender_and_birth_date_come_from_the_number():
    assert id_number_gender("11010519491231002X") == "F"
    assert id_number_gender("530381198506151231") == "M"
    assert str(id_number_birth_date("11010519491231002X")) == "1949-12-31"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("199 0000 1111", "19900001111"),
    ],
)
def test_valid_phones(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "0871-1234567", "abc"])
def test_invalid_phones(raw):
    with pytest.raises(ValidationError) as exc:
        validate_phone(raw)
    assert "手机号" in exc.value.messages[0]


@pytest.mark.parametrize("code", ["91530300MA6K5Y8X4T", "12530300MB0000001B"])
def test_uscc_check_character(code):
    # Both are built from a body plus the check character computed the GB 32100 way; a
    # single changed character must be rejected.
    from core.validators import make_uscc

    body = code[:17]
    good = make_uscc(body)
    assert validate_uscc(good.lower()) == good
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_uscc(bad)
    assert "统一社会信用代码" in exc.value.messages[0]


def test_uscc_wrong_length():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("9153030")
    assert "18 位" in exc.value.messages[0]


@pytest.mark.parametrize("raw, expected", [("0874-3123456", "0874-3123456"), ("08743123456", "08743123456"), ("138 1234 5678", "13812345678")])
def test_contact_phone_accepts_landlines(raw, expected):
    from core.validators import validate_contact_phone

    assert validate_contact_phone(raw) == expected


def test_contact_phone_rejects_garbage():
    from core.validators import validate_contact_phone

    with pytest.raises(ValidationError):
        validate_contact_phone("12345")
