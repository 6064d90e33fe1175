"""Writing Excel files safely. Every .xlsx the system produces should go through here.

A cell whose text starts with `=`, `+`, `-`, `@` (or a tab / carriage return) is run as a
formula by Excel and by WPS when someone opens the export: a name typed as
`=HYPERLINK("http://…")` would become a live link (CSV/formula injection). `safe_cell`
neutralises such text by prefixing an apostrophe-like quote, which Excel shows as text.

Usage from any app (exports, reports, error sheets):

    from core.imports.excel import workbook_bytes  # safe_cell itself lives in core.spreadsheets
    data = workbook_bytes("名单", ["姓名", "身份证号"], rows)
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheets import safe_cell  # also re-exported: core.imports.excel.safe_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_sheet(ws, headers, rows, *, widths=None, text_columns=()):
    """Write a header row and data rows to an openpyxl worksheet, all cells through safe_cell.

    `text_columns` (header names) are formatted as text ("@"), so that numbers typed into them
    later (身份证号!) are not turned into numbers by Excel.
    """
    ws.append([safe_cell(h) for h in headers])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        width = (widths or {}).get(header) or max(10, min(40, len(str(header)) * 2 + 4))
        ws.column_dimensions[letter].width = width
        if header in text_columns:
            # Reserve the column as text for the rows people will type in the template.
            for row_index in range(2, max(ws.max_row, 500) + 1):
                ws.cell(row=row_index, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    return ws


def workbook_bytes(title, headers, rows, *, text_columns=(), extra_sheets=()):
    """Build a one-sheet workbook (plus optional (title, headers, rows) sheets) and return its bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    write_sheet(ws, headers, rows, text_columns=text_columns)
    for sheet_title, sheet_headers, sheet_rows in extra_sheets:
        write_sheet(wb.create_sheet(sheet_title[:31]), sheet_headers, sheet_rows)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
