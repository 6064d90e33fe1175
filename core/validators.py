"""Normalisation and validation of the identifiers people type or import.

身份证号 rules (interfaces.md): 18 characters, last may be X, full-width digits accepted,
valid check digit, a real birth date, and a province code in the first two digits. The area
code is deliberately *not* checked against the list of places (python-stdnum's `validate`
does, and wrongly rejects numbers such as 530302… issued before 麒麟区 existed).
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

# GB/T 2260 province-level codes.
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip

_SCI_NOTATION = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def normalise_text(value):
    """NFKC turns full-width digits/letters/spaces into ASCII; then trim."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalise_id_number(value):
    return normalise_text(value).replace(" ", "").upper()


def validate_id_number(value):
    """Return the normalised 18-character 身份证号, or raise ValidationError in Chinese."""
    number = normalise_id_number(value)
    if not number:
        raise ValidationError("请填写身份证号。", code="required")
    if _SCI_NOTATION.match(number):
        raise ValidationError(
            "身份证号被 Excel 存成了数字（科学计数法），后几位已丢失。请把该列设置为“文本”格式后重新填写。",
            code="numeric",
        )
    if len(number) != 18:
        raise ValidationError(f"身份证号应为 18 位，当前为 {len(number)} 位。", code="length")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError("身份证号只能由数字组成，最后一位可以是 X。", code="format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号前两位不是有效的省级行政区代码。", code="province")
    try:
        birth = ric.get_birth_date(number)
    except Exception:
        birth = None
    if birth is None or birth > datetime.date.today() or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期无效。", code="birth_date")
    if ric.calc_check_digit(number) != number[-1]:
        raise ValidationError("身份证号校验位不正确，请核对。", code="checksum")
    return number


def id_number_birth_date(number):
    return ric.get_birth_date(number)


def id_number_gender(number):
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(number[16]) % 2 else "F"


def make_id_number(area, birth, sequence):
    """Build a valid 身份证号 (used by seed data and tests)."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    # stdnum expects the number with a (placeholder) check digit and ignores the last character.
    return body + ric.calc_check_digit(body + "0")


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value):
    phone = normalise_text(value)
    phone = re.sub(r"[\s\-()（）]", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def validate_phone(value):
    """Return the normalised 11-digit mainland mobile number, or raise ValidationError."""
    phone = normalise_phone(value)
    if not _PHONE_RE.match(phone):
        raise ValidationError("手机号应为 11 位中国大陆手机号码（1 开头）。", code="phone")
    return phone


_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def validate_contact_phone(value):
    """An organisation's phone: a mobile number, or a landline with its area code (0874-3123456)."""
    phone = normalise_text(value).replace(" ", "")
    if _LANDLINE_RE.match(phone):
        return phone
    try:
        return validate_phone(phone)
    except ValidationError:
        raise ValidationError("联系电话应为手机号，或带区号的固定电话（如 0874-3123456）。", code="contact_phone") from None


def validate_uscc(value):
    """Return the normalised 统一社会信用代码, or raise ValidationError."""
    code = normalise_id_number(value)
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。", code="length")
    try:
        return uscc.validate(code)
    except Exception:
        raise ValidationError("统一社会信用代码无效（格式或校验位不正确）。", code="uscc") from None


def make_uscc(body17):
    """Append the check character to a 17-character body (seed data and tests)."""
    return body17 + uscc.calc_check_digit(body17)


# --- 姓名 -----------------------------------------------------------------------------------

# A name starting with one of these would run as a formula when an export is opened in Excel/WPS.
_FORMULA_START = ("=", "+", "-", "@", "\t")


def validate_person_name(raw):
    """Return the name without whitespace, or raise ValidationError (digits, formula-like start)."""
    text = "" if raw is None else str(raw)
    if text.lstrip(" ").startswith(_FORMULA_START):
        raise ValidationError("姓名不能以 =、+、-、@ 或制表符开头，请核对是否填错了内容。", code="formula")
    value = re.sub(r"\s+", "", normalise_text(text))
    if len(value) > 50:
        raise ValidationError("姓名过长，最多 50 个字。", code="length")
    if value.startswith(_FORMULA_START):
        raise ValidationError("姓名不能以 =、+、-、@ 或制表符开头，请核对是否填错了内容。", code="formula")
    if re.search(r"\d", value):
        raise ValidationError("姓名中不应包含数字，请核对是否填错了列。", code="digits")
    return value
