"""Cell parsers: a typed cell (str, float, bool, date …) → a Python value, or a Chinese error.

Every parser takes (cell, ctx) and returns the parsed value, or raises ValidationError with
a message written for the person who filled in the sheet. Blank cells never reach a parser:
the engine turns them into None and checks required columns itself.
"""

import datetime
import decimal
import re

from django.core.exceptions import ValidationError

from core.validators import normalise_text, validate_id_number, validate_phone, validate_uscc

NUMERIC_ID_MESSAGE = (
    "身份证号被 Excel 存成了数字（如 5.30302199001011E+17），后几位已丢失。"
    "请把该列设置为“文本”格式后重新填写。"
)


def is_blank(cell):
    return cell is None or (isinstance(cell, str) and not normalise_text(cell))


def cell_text(cell):
    """The text a person sees in the cell, normalised (NFKC: full-width digits and spaces)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, datetime.datetime):
        if cell.time() == datetime.time(0):
            return cell.date().isoformat()
        return cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return normalise_text(cell)


def display_value(cell):
    """The value as shown in error lists: numbers in the form Excel would show them."""
    if isinstance(cell, float) and abs(cell) >= 1e11:
        mantissa, exponent = f"{cell:.14E}".split("E")  # 15 significant digits, like Excel
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"  # e.g. 5.30302199001011E+17
    return cell_text(cell)


def text(max_length=100):
    def parse(cell, ctx):
        value = cell_text(cell)
        value = re.sub(r"\s+", " ", value)
        if len(value) > max_length:
            raise ValidationError(f"内容过长（{len(value)} 个字），最多 {max_length} 个字。")
        return value

    return parse


def person_name(cell, ctx):
    value = re.sub(r"\s+", "", cell_text(cell))
    if len(value) > 50:
        raise ValidationError("姓名过长，最多 50 个字。")
    if re.search(r"\d", value):
        raise ValidationError("姓名中不应包含数字，请核对是否填错了列。")
    return value


def id_number(cell, ctx):
    # A numeric cell has lost its last digits (Excel keeps 15 significant digits).
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise ValidationError(NUMERIC_ID_MESSAGE)
    return validate_id_number(cell_text(cell))


def phone(cell, ctx):
    return validate_phone(cell_text(cell))


def uscc(cell, ctx):
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise ValidationError("统一社会信用代码被 Excel 存成了数字，请把该列设置为“文本”格式后重新填写。")
    return validate_uscc(cell_text(cell))


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
DATE_HINT = "日期格式应为 2024-03-05、2024/3/5、2024.3.5 或 2024年3月5日。"


def date(cell, ctx):
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # An unformatted serial number (45356) is ambiguous to a reader: ask for a real date.
        raise ValidationError("日期被存成了数字，" + DATE_HINT)
    value = cell_text(cell)
    match = _DATE_RE.match(value)
    if not match:
        raise ValidationError(DATE_HINT)
    year, month, day = (int(g) for g in match.groups())
    try:
        parsed = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError("日期不存在，请核对年、月、日。") from None
    if not 1950 <= parsed.year <= 2100:
        raise ValidationError("日期的年份不合理，请核对。")
    return parsed


def integer(min_value=0, max_value=None):
    def parse(cell, ctx):
        value = cell_text(cell).replace(",", "")
        if not re.fullmatch(r"-?\d+(\.0+)?", value):
            raise ValidationError("应填写整数。")
        number = int(decimal.Decimal(value))
        if number < min_value:
            raise ValidationError(f"不能小于 {min_value}。")
        if max_value is not None and number > max_value:
            raise ValidationError(f"数值过大（最多 {max_value}），请核对。")
        return number

    return parse


def number(min_value=0, max_value=None, places=1, *, positive=False):
    def parse(cell, ctx):
        value = cell_text(cell).replace(",", "")
        try:
            parsed = decimal.Decimal(value)
        except decimal.InvalidOperation:
            raise ValidationError("应填写数字。") from None
        if not parsed.is_finite():
            raise ValidationError("应填写数字。")
        if parsed < min_value or (positive and parsed == 0):
            raise ValidationError("应大于 0。" if positive else f"不能小于 {min_value}。")
        if max_value is not None and parsed > max_value:
            raise ValidationError(f"数值不合理（最多 {max_value}），请核对。")
        quantum = decimal.Decimal(1).scaleb(-places)
        if parsed != parsed.quantize(quantum):
            raise ValidationError(f"最多保留 {places} 位小数。")
        return parsed.quantize(quantum)

    return parse


def choice(choices):
    """choices: a TextChoices class or a {label: value} dict; the label is what people type."""
    mapping = dict(choices) if isinstance(choices, dict) else {label: value for value, label in choices.choices}
    allowed = "、".join(mapping)

    def parse(cell, ctx):
        value = re.sub(r"\s+", "", cell_text(cell))
        if value not in mapping:
            raise ValidationError(f"应为以下之一：{allowed}。")
        return mapping[value]

    parse.labels = list(mapping)
    return parse


YES_NO = {"是": True, "否": False}

