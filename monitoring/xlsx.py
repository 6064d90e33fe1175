"""The monitoring workbooks, written with XlsxWriter in constant-memory mode.

Why not pandas + openpyxl (what the reports used first): at province size a report holds about
400,000 record rows (3.3 million cells). openpyxl serialises every cell through its
pure-Python XML tree (the report took 67 s); XlsxWriter's constant_memory mode writes each row
out as soon as the next one starts, so memory stays flat whatever the size. The report is made
by the background worker (monitoring.tasks), never in a web request.

The small API the reports use: `Workbook(fileobj, title)` as a context manager, `sheet(name,
widths)` opens the next sheet, `append(values, style=…, styles={column: style})` writes one
row, `extend(rows)` writes plain rows from an iterator. Every text cell goes through
core.spreadsheets.safe_cell (text a spreadsheet would run as a formula keeps a leading quote),
characters XML cannot carry are dropped, and dates are written as ISO text.
"""

import datetime
import decimal
import math
import numbers
import re

import xlsxwriter

from core.spreadsheets import safe_cell

# Cell styles.
PLAIN, BOLD, TITLE, PERCENT = 0, 1, 2, 3

MAX_SHEET_NAME = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot carry (openpyxl refuses them too): dropped from text cells.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value):
    return _ILLEGAL_XML.sub("", safe_cell(value))


class Sheet:
    """One worksheet being written: rows in order, each a list of values."""

    def __init__(self, worksheet, formats, widths=()):
        self._ws = worksheet
        self._formats = formats
        self._row = -1
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)

    @property
    def row_count(self):
        return self._row + 1

    def _write(self, row, col, value, fmt):
        ws = self._ws
        if value is None or value == "":  # as openpyxl: an empty text is an empty cell
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, _text(value), fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, numbers.Real | decimal.Decimal):
            number = float(value)
            if math.isfinite(number):
                ws.write_number(row, col, number, fmt)
            elif fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, datetime.date):
            # The reports format dates as text themselves; a stray date stays readable.
            ws.write_string(row, col, value.isoformat(), fmt)
        else:
            ws.write_string(row, col, _text(str(value)), fmt)

    def append(self, values, style=PLAIN, styles=None):
        """One row: `style` for every cell, or `styles` {column index (0-based): style}."""
        self._row += 1
        formats = self._formats
        for col, value in enumerate(values):
            self._write(self._row, col, value, formats[styles.get(col, style) if styles else style])

    def extend(self, rows):
        """Plain rows (no styles) from an iterator: the long record lists."""
        write = self._write
        for values in rows:
            self._row += 1
            row = self._row
            for col, value in enumerate(values):
                write(row, col, value, None)


class Workbook:
    """Sheets are written one after another: open one with `sheet()`, fill it, open the next."""

    def __init__(self, fileobj, title=""):
        self._book = xlsxwriter.Workbook(fileobj, {
            "constant_memory": True,
            # Text stays text: no formulas, links or numbers made out of strings.
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        self._book.set_properties({"title": title, "author": "曲靖市卫生健康委员会"})
        add = self._book.add_format
        self._formats = {
            PLAIN: None,
            BOLD: add({"bold": True}),
            TITLE: add({"bold": True, "font_size": 14, "align": "left"}),
            PERCENT: add({"num_format": "0.00%"}),
        }
        self._names = []

    def sheet(self, name, widths=()):
        name = _SHEET_NAME_FORBIDDEN.sub("_", name)[:MAX_SHEET_NAME] or f"Sheet{len(self._names) + 1}"
        if name in self._names:
            raise ValueError(f"duplicate sheet name {name!r}")
        self._names.append(name)
        return Sheet(self._book.add_worksheet(name), self._formats, widths)

    def close(self):
        if not self._names:
            self.sheet("Sheet1")
        self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        return False
