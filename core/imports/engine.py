"""The import engine shared by every kind of spreadsheet.

A kind is a small declarative `Importer` living in the app that owns the data (e.g.
registry/importers.py, registered in core.imports.kinds): its columns, how it finds existing
objects (in bulk, in `prepare`), how it classifies a row as new / changed / unchanged (in
`check`) and how it writes the good rows (in `save`, with bulk_create). The engine does the rest: find columns by header, parse
and validate every cell of every row, collect every problem at once, and write all-or-nothing
in one transaction (or the good rows only, when the user asked for that after the preview).

    report = run_import("staff", data, "花名册.xlsx", scope=UNRESTRICTED, dry_run=True)
    report.as_dict()  # the JSON of interfaces.md
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from . import kinds, parsers
from .reader import FileRejected, read_table
from .scope import UNRESTRICTED, ImportScope

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


@dataclass
class Column:
    header: str
    key: str
    parse: object = parsers.text()
    required: bool = False
    example: object = ""
    # Formatted as text in the template, so Excel keeps long digit strings intact.
    text_format: bool = False
    note: str = ""


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class Row:
    """One data row: parsed values by column key, and the problems found in it."""

    __slots__ = ("number", "values", "cells", "errors", "status", "plan", "_headers")

    def __init__(self, number, headers):
        self.number = number
        self.values = {}
        self.cells = {}
        self.errors = []
        self.status = None
        self.plan = None
        self._headers = headers

    def __getitem__(self, key):
        return self.values.get(key)

    def get(self, key, default=None):
        value = self.values.get(key)
        return default if value is None else value

    @property
    def ok(self):
        return not self.errors

    def error(self, key, message, value=None):
        if value is None:
            value = parsers.display_value(self.cells.get(key))
        header = self._headers.get(key, key)
        self.errors.append(RowError(self.number, header, value, message))


class Context:
    """What an importer may need while checking rows: the scope, the user, today, and a cache
    for look-ups shared by the rows of one file (counties, certificate types …)."""

    def __init__(self, scope=UNRESTRICTED, user=None, today=None):
        self.scope = scope
        self.user = user
        self.today = today or datetime.date.today()
        self.cache = {}

    def cached(self, key, load):
        """The value cached under `key`, computed once per file by load()."""
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]


class Importer:
    """Base of a kind. Subclasses set kind, title, columns and implement prepare/check/save."""

    kind = ""
    title = ""
    columns = ()
    notes = ()  # extra lines for the template's 说明 sheet

    def prepare(self, rows, ctx):
        """Look up, in a few bulk queries, everything the rows refer to."""

    def check(self, row, ctx):
        """Set row.status to NEW / CHANGED / UNCHANGED (and row.plan), or call row.error()."""
        raise NotImplementedError

    def save(self, rows, ctx):
        """Write the good rows (all have status NEW or CHANGED). Runs inside a transaction."""
        raise NotImplementedError

    def summary(self, rows):
        """Extra preview lines about what the good rows would create besides themselves."""
        return []

    # -- helpers for subclasses ---------------------------------------------------------------

    @classmethod
    def headers(cls):
        return [c.header for c in cls.columns]

    @classmethod
    def required_headers(cls):
        return [c.header for c in cls.columns if c.required]


@dataclass
class Report:
    kind: str
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    good_rows_only: bool = False
    summary: list = field(default_factory=list)

    @property
    def row_count(self):
        return len(self.rows)

    def count(self, status):
        return sum(1 for r in self.rows if r.ok and r.status == status)

    @property
    def created(self):
        return self.count(NEW)

    @property
    def updated(self):
        return self.count(CHANGED)

    @property
    def unchanged(self):
        return self.count(UNCHANGED)

    @property
    def error_rows(self):
        return sum(1 for r in self.rows if not r.ok)

    @property
    def errors(self):
        found = list(self.file_errors)
        for row in self.rows:
            found.extend(row.errors)
        return found

    @property
    def has_errors(self):
        return bool(self.file_errors) or any(not r.ok for r in self.rows)

    @property
    def good_rows(self):
        return [r for r in self.rows if r.ok]

    def can_write(self, good_rows_only=False):
        """Whether write() would import something: no file-level problem, and either no bad
        row or (good rows only) at least one good row."""
        if self.file_errors:
            return False
        if not self.has_errors:
            return True
        return good_rows_only and any(r.ok for r in self.rows)

    def as_dict(self):
        """The JSON object of interfaces.md (plus `written`, `dry_run`, `good_rows_only`)."""
        return {
            "kind": self.kind,
            "rows": self.row_count,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "written": self.written,
            "dry_run": self.dry_run,
            "good_rows_only": self.good_rows_only,
        }


def normalise_header(value):
    """`身份证号 *`, `　机构名称　`, `是否普惠（是/否）` → the bare header name."""
    text = re.sub(r"\s+", "", parsers.cell_text(value))
    text = text.rstrip("*")
    text = re.sub(r"\(.*\)$", "", text)  # NFKC has turned （ ） into ( )
    return text


def analyse(importer, table, ctx):
    """Parse and check every row of `table`; nothing is written."""
    report = Report(kind=importer.kind)
    headers = {c.key: c.header for c in importer.columns}
    positions = {}
    wanted = {c.header: c for c in importer.columns}
    for index, header in enumerate(table.headers):
        name = normalise_header(header)
        column = wanted.get(name)
        if column is None:
            continue  # extra columns are ignored (interfaces.md)
        if column.key in positions:
            report.file_errors.append(RowError(1, column.header, name, f"表头中“{column.header}”出现了不止一次。"))
            continue
        positions[column.key] = index
    for column in importer.columns:
        if column.required and column.key not in positions:
            report.file_errors.append(
                RowError(1, column.header, "", f"缺少必填列“{column.header}”。请使用导入模板中的表头。")
            )
    if report.file_errors:
        return report

    present = [(c, positions[c.key]) for c in importer.columns if c.key in positions]
    for number, cells in table.rows:
        row = Row(number, headers)
        width = len(cells)
        for column, index in present:
            cell = cells[index] if index < width else None
            row.cells[column.key] = cell
            if parsers.is_blank(cell):
                row.values[column.key] = None
                if column.required:
                    row.error(column.key, "必填项不能为空。", value="")
                continue
            try:
                row.values[column.key] = column.parse(cell, ctx)
            except ValidationError as exc:
                row.values[column.key] = None
                row.error(column.key, " ".join(exc.messages))
        report.rows.append(row)

    importer.prepare(report.rows, ctx)
    for row in report.rows:
        if row.ok:
            importer.check(row, ctx)
            if row.ok and row.status not in (NEW, CHANGED, UNCHANGED):
                raise RuntimeError(f"{importer.kind}: check() left row {row.number} without a status")
    report.summary = importer.summary(report.good_rows)
    return report


def write(importer, report, ctx, *, good_rows_only=False):
    """Write in one transaction: everything, or with good_rows_only the rows without errors."""
    report.good_rows_only = good_rows_only
    if not report.can_write(good_rows_only):
        return report
    to_write = [r for r in report.rows if r.ok and r.status in (NEW, CHANGED)]
    try:
        with transaction.atomic():
            if to_write:
                importer.save(to_write, ctx)
    except IntegrityError:
        # Someone else wrote the same records between the check and the write; the
        # transaction has been rolled back, so nothing is half-written.
        report.file_errors.append(
            RowError(None, "", "", "导入时数据已被其他操作修改，本次未写入任何数据。请重新上传文件再试。")
        )
        return report
    report.written = True
    return report


def run_import(kind, data, filename, *, scope=UNRESTRICTED, user=None, dry_run=False, good_rows_only=False):
    """Read, check and (unless dry_run) write one file. Raises FileRejected or KeyError (kind)."""
    importer = kinds.get_importer(kind)
    table = read_table(data, filename)
    ctx = Context(scope=scope, user=user)
    report = analyse(importer, table, ctx)
    report.dry_run = dry_run
    if not dry_run:
        write(importer, report, ctx, good_rows_only=good_rows_only)
    else:
        report.good_rows_only = good_rows_only
    return report


__all__ = [
    "CHANGED", "ERROR", "NEW", "UNCHANGED", "UNRESTRICTED", "Column", "Context", "FileRejected", "ImportScope",
    "Importer", "Report", "Row", "RowError", "analyse", "run_import", "write",
]  # fmt: skip
