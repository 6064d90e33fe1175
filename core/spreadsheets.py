"""Spreadsheet cells that are safe to open: text a spreadsheet would run as a formula
(CSV/formula injection) is neutralised. Every export of every app writes through safe_cell."""

import datetime
import numbers

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """Return `value` ready for a spreadsheet cell, with formula-like text neutralised.

    Numbers, dates and booleans are kept as they are (they are never run as formulas, and
    their type matters to the reader); text that could be read as a formula is prefixed with
    a single quote so it stays text.
    """
    if value is None:
        return None
    if isinstance(value, numbers.Number | datetime.date | datetime.time | datetime.timedelta):
        return value
    if getattr(value, "dtype", None) is not None:
        return value  # numpy/pandas scalars (e.g. numpy.bool_) from DataFrame exports
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text
