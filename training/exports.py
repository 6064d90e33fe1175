"""Excel exports. Cells that a spreadsheet would read as a formula are neutralised."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from core.spreadsheets import safe_cell


def workbook_bytes(title, header, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(max(width * 2 + 2, 8), 40)
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


ROSTER_HEADER = [
    "序号", "姓名", "身份证号", "手机号", "报名状态", "报名时间", "理论学时", "实操学时",
    "理论成绩", "实操成绩", "考核结果", "结果说明",
]


def roster_rows(enrollments):
    """`enrollments` must carry with_hours() annotations and select_related('person')."""
    for i, e in enumerate(enrollments, start=1):
        yield [
            i,
            e.person.name,
            e.person.id_number_masked,
            e.person.masked_phone,
            e.get_status_display(),
            e.created_at.strftime("%Y-%m-%d %H:%M"),
            float(e.theory_hours),
            float(e.practice_hours),
            float(e.theory_score) if e.theory_score is not None else None,
            float(e.practice_score) if e.practice_score is not None else None,
            e.get_result_display() if e.result else "",
            e.result_reason,
        ]


HISTORY_HEADER = ["课程名称", "培训类别", "培训对象", "培训机构", "区县", "开始日期", "结业日期", "学时", "考核结果", "来源"]


def history_rows(records):
    """`records` with select_related('provider', 'county')."""
    for r in records:
        yield [
            r.course_name, r.get_category_display(), r.get_role_display(), r.provider.name, r.county.name,
            r.start_date, r.completion_date, float(r.hours), r.get_result_display(), r.get_source_display(),
        ]
