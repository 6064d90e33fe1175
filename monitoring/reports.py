"""The commission's reports for an as-of date and scope: an Excel workbook and a PDF.

Both are built from one `ReportData` (the figures of monitoring.metrics), so they show exactly
the numbers of the dashboard and of progress_report. Titles follow the plan's reporting:
年度监测 / 中期评估 / 终期评估.
"""

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone

from registry.models import County

from . import metrics as m
from . import xlsx
from .models import MetricKey, ReportKind
from .records import parts_for, record_list

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ReportData:
    as_of: object
    scope: m.Scope
    kind: str
    values: list  # MetricValues of the scope
    counties: list  # [(County, [MetricValue])] shown in the county tables

    @property
    def title(self):
        return f"{self.scope.name}托育服务人才队伍建设{ReportKind(self.kind).label}报告"

    @property
    def subtitle(self):
        return f"统计截止日期：{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日"


def report_scope(report):
    return m.Scope(report.county) if report.county_id else m.CITY


def _value_from_json(as_of, scope_name, data):
    return m.MetricValue(
        key=data["key"], as_of=as_of, scope_name=scope_name, actual=data["actual"], target=data["target"],
        numerator=data.get("numerator"), denominator=data.get("denominator"),
        period_start=datetime.date.fromisoformat(data["period_start"]) if data.get("period_start") else None,
        period_end=datetime.date.fromisoformat(data["period_end"]) if data.get("period_end") else None,
        year=data.get("year"), progress=data["progress"],
    )


def snapshot_report_data(snapshot):
    """The ReportData of a snapshot's reports: the frozen figures of the city and each county.

    The record-list sheets and the trend charts are read when the file is generated (moments
    after the freeze); the summary, the county tables and the PDF's tables are the figures
    frozen in the snapshot row, whenever the worker gets to the job.
    """
    by_name = {block["scope"]: block for block in snapshot.figures["scopes"]}
    counties = {c.name: c for c in County.objects.filter(name__in=list(by_name))}

    def values(name):
        return [_value_from_json(snapshot.as_of, name, d) for d in by_name[name]["metrics"]]

    county_rows = [(counties[block["scope"]], values(block["scope"]))
                   for block in snapshot.figures["scopes"] if block["scope"] != m.CITY_NAME]
    return ReportData(snapshot.as_of, m.CITY, snapshot.kind, values(m.CITY_NAME), county_rows)


def report_data(as_of, scope, kind=ReportKind.ANNUAL):
    """City: the city's figures and all ten counties; a county: its own figures only."""
    if scope.is_city:
        table = m.compute_table(as_of)
        return ReportData(as_of, scope, kind, table["city"], table["counties"])
    values = m.compute_scope(as_of, scope)
    return ReportData(as_of, scope, kind, values, [(scope.county, values)])


def filename(data, ext):
    return f"{data.scope.name}-{ReportKind(data.kind).label}-{data.as_of:%Y%m%d}.{ext}"


# --- Excel ------------------------------------------------------------------------------------
#
# Written with monitoring.xlsx (streamed; see its docstring for why not pandas.to_excel): the
# sheets, headers and numbers are those the pandas + openpyxl version wrote. Each sheet: the
# heading in A1, the column headers in row 3, the rows from row 4.

HEADER_ROW = 3


def _basis(v):
    if v.is_rate:
        return f"{v.numerator}/{v.denominator}"
    return f"{v.year}年" if v.year else f"{m.PLAN_START:%Y-%m-%d} 至 {v.as_of:%Y-%m-%d} 累计"


SUMMARY_HEADERS = ["指标", "指标代码", "实际值", "目标值", "完成进度", "分子", "分母", "统计口径", "状态"]
COUNTY_HEADERS = ["区县", "实际值", "分子", "分母", "目标值", "完成进度"]


def summary_rows(values):
    return [
        [v.label, v.key, v.actual, v.target, v.progress, v.numerator if v.is_rate else v.actual,
         v.denominator if v.is_rate else None, _basis(v), v.status_label]
        for v in values
    ]


def county_rows(data, index):
    rows = [(m.CITY_NAME, data.values[index])] if data.scope.is_city else []
    rows += [(county.name, values[index]) for county, values in data.counties]
    v0 = data.values[index]
    return [
        [name, v.actual, v.numerator if v0.is_rate else v.actual, v.denominator if v0.is_rate else None, v.target,
         v.progress]
        for name, v in rows
    ]


def _widths(headers):
    return [max(12, min(40, len(str(name)) * 2 + 6)) for name in headers]


def _start_sheet(book, sheet, headers, heading, note=None):
    """A sheet with its heading (A1), an optional note (A2) and the header row (row 3)."""
    ws = book.sheet(sheet, _widths(headers))
    ws.append([heading], style=xlsx.TITLE)
    ws.append([note] if note else [])
    ws.append(headers, style=xlsx.BOLD)
    return ws


def _percent(headers, names):
    return {headers.index(name): xlsx.PERCENT for name in names}


SHEET_NAMES = {
    MetricKey.DIRECTOR: "负责人培训人次",
    MetricKey.CAREGIVER: "保育保健培训人次",
    MetricKey.TALENTS: "年度培养人才",
    MetricKey.CERTIFIED: "持证上岗率",
    MetricKey.PARENTING: "育儿知识普及率",
}


def report_record_lists(data):
    """(sheet name, heading, RecordList) of the record sheets of the workbook, in order."""
    for key in m.METRIC_ORDER:
        for part, title in parts_for(key).items():
            if key == MetricKey.TALENTS and part == "records":
                continue  # the persons list is the figure; the records are in the person-times sheets
            if key == MetricKey.PARENTING and part == "passed":
                continue
            yield f"{SHEET_NAMES[key]}-{_short(part)}", f"{SHEET_NAMES[key]}：{title}", \
                record_list(key, part, data.as_of, data.scope)


def write_excel(data, fileobj, with_records=True):
    """Write the report workbook into `fileobj` (a binary file or buffer), streaming the record lists."""
    with xlsx.Workbook(fileobj, title=data.title) as book:
        ws = _start_sheet(book, "汇总", SUMMARY_HEADERS, f"{data.title}（{data.subtitle}）",
                          note=f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}")
        # Rates are fractions like the JSON; shown as percentages.
        for v, row in zip(data.values, summary_rows(data.values)):
            ws.append(row, styles=_percent(SUMMARY_HEADERS, ("完成进度", "实际值", "目标值") if v.is_rate else ("完成进度",)))
        for index, v in enumerate(data.values):
            ws = _start_sheet(book, SHEET_NAMES[MetricKey(v.key)], COUNTY_HEADERS, f"{v.label}（{data.subtitle}）")
            styles = _percent(COUNTY_HEADERS, ("完成进度", "实际值", "目标值") if v.is_rate else ("完成进度",))
            for row in county_rows(data, index):
                ws.append(row, styles=styles)
        if with_records:
            for sheet, heading, records in report_record_lists(data):
                ws = _start_sheet(book, sheet, records.headers, heading)
                ws.extend(records.rows())


def excel_bytes(data, with_records=True):
    buffer = io.BytesIO()
    write_excel(data, buffer, with_records)
    return buffer.getvalue()


def _short(part):
    return {"records": "记录", "persons": "人员", "staff": "从业人员", "certified": "持证", "uncertified": "未持证",
            "certificates": "证书", "responses": "答卷", "passed": "合格"}.get(part, part)


def records_excel_bytes(records, heading):
    """One drill-down list as a workbook (the dashboard's 导出 Excel)."""
    buffer = io.BytesIO()
    with xlsx.Workbook(buffer, title=heading) as book:
        ws = _start_sheet(book, "名单", records.headers, heading)
        ws.extend(records.rows())
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def pdf_bytes(data, with_charts=True):
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from certification.pdf import font_name

    font = font_name()
    brand = colors.HexColor("#0b7a75")
    title_style = ParagraphStyle("t", fontName=font, fontSize=18, leading=24, alignment=1, spaceAfter=6)
    sub_style = ParagraphStyle("s", fontName=font, fontSize=11, leading=16, alignment=1, textColor=colors.grey)
    h_style = ParagraphStyle("h", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=6, textColor=brand)
    cell_style = ParagraphStyle("c", fontName=font, fontSize=9, leading=12)
    body_style = ParagraphStyle("b", fontName=font, fontSize=10, leading=15)

    def table(rows, widths):
        t = Table([[Paragraph(str(c), cell_style) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3f2f1")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9fb3c8")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return t

    story = [Paragraph(data.title, title_style), Paragraph(data.subtitle, sub_style), Spacer(1, 6 * mm)]
    story.append(Paragraph("一、主要指标完成情况", h_style))
    rows = [["指标", "实际值", "目标值", "完成进度", "统计口径", "状态"]]
    for v in data.values:
        rows.append([v.label, v.actual_display, v.target_display, v.progress_display, _basis(v), v.status_label])
    story.append(table(rows, [52 * mm, 22 * mm, 20 * mm, 20 * mm, 40 * mm, 20 * mm]))
    story.append(Paragraph(
        "说明：人次为考核合格的培训记录数；年度培养人才为当年（截至统计日）有合格培训记录的去重人数；"
        "持证上岗率 = 统计日持有效证书的从业人员 ÷ 统计日在已备案机构任职的机构负责人、保育人员、保健人员；"
        "无从业人员或无答卷时比率记为“—”。", body_style))
    story.append(Paragraph("二、各区县情况", h_style))
    rows = [["区县"] + [SHEET_NAMES[k] for k in m.METRIC_ORDER]]
    if data.scope.is_city:
        rows.append([m.CITY_NAME] + [v.actual_display for v in data.values])
    for county, values in data.counties:
        rows.append([county.name] + [v.actual_display for v in values])
    story.append(table(rows, [28 * mm] + [30 * mm] * 5))
    if with_charts:
        story.append(Paragraph("三、逐月趋势", h_style))
        for v in data.values:
            series = m.trend(v.key, data.as_of, data.scope)
            drawing = Drawing(170 * mm, 62 * mm)
            drawing.add(String(0, 58 * mm, v.label, fontName=font, fontSize=10, fillColor=brand))
            points = [(i, val * (100 if v.is_rate else 1)) for i, (_d, val) in enumerate(series) if val is not None]
            if points:
                plot = LinePlot()
                plot.x, plot.y = 16 * mm, 10 * mm
                plot.width, plot.height = 148 * mm, 42 * mm
                plot.data = [points]
                plot.lines[0].strokeColor = brand
                plot.lines[0].strokeWidth = 1.5
                plot.xValueAxis.valueMin = 0
                plot.xValueAxis.valueMax = max(len(series) - 1, 1)
                plot.xValueAxis.valueSteps = [i for i, (d, _) in enumerate(series) if d.month in (1, 7)]
                labels = {i: f"{d.year}年{d.month}月" for i, (d, _) in enumerate(series)}
                plot.xValueAxis.labelTextFormat = lambda x, labels=labels: labels.get(int(x), "")
                plot.xValueAxis.labels.fontName = font
                plot.xValueAxis.labels.fontSize = 7
                plot.yValueAxis.labels.fontName = font
                plot.yValueAxis.labels.fontSize = 7
                plot.yValueAxis.valueMin = 0
                top = max([p[1] for p in points] + [(v.target or 0) * (100 if v.is_rate else 1), 1])
                plot.yValueAxis.valueMax = 100 if v.is_rate else top * 1.1
                if v.is_rate:
                    plot.yValueAxis.labelTextFormat = "%d%%"
                drawing.add(plot)
                if v.target:
                    target = v.target * (100 if v.is_rate else 1)
                    ty = plot.y + plot.height * target / plot.yValueAxis.valueMax
                    drawing.add(Line(plot.x, ty, plot.x + plot.width, ty, strokeColor=colors.HexColor("#c0392b"),
                                     strokeDashArray=[4, 3]))
                    drawing.add(String(plot.x + plot.width, ty + 2, f"目标 {v.target_display}", fontName=font,
                                       fontSize=7, fillColor=colors.HexColor("#c0392b"), textAnchor="end"))
            else:
                drawing.add(String(80 * mm, 30 * mm, "暂无数据", fontName=font, fontSize=10, textAnchor="middle"))
            story.append(drawing)
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}　曲靖市卫生健康委员会", body_style))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=data.title, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm)
    doc.build(story)
    return buffer.getvalue()
