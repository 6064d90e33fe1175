"""The commission's dashboard, the drill-down lists, reports, charts and snapshots.

Every view starts from `access.request_scope(user, county)`: the commission may ask for any
scope, a county official only for their county (404 elsewhere), other roles get 403. Bad
dates and counties answer 400 with a Chinese message.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, figures_cache, reports, services
from . import metrics as m
from .charts import line_chart_svg
from .models import MetricKey, ReportFile, ReportFormat, ReportKind, ReportStatus, Snapshot
from .records import parts_for, record_list

PAGE_SIZE = 50
REPORT_LIST_SIZE = 50
# The 报告下载 and snapshot pages reload this often while a file is being made.
REPORT_REFRESH_SECONDS = 5


def bad_input(request, message):
    return render(request, "monitoring/error.html", {"message": message}, status=400)


def _scope_and_date(request):
    scope = access.request_scope(request.user, request.GET.get("county", ""))
    as_of = access.request_as_of(request.GET.get("as_of", ""))
    return scope, as_of


def _query(as_of, scope, **extra):
    params = {"as_of": as_of.isoformat()}
    if scope.county_id:
        params["county"] = scope.county_id
    params.update({k: v for k, v in extra.items() if v})
    return urlencode(params)


def _records_url(key, as_of, scope, part=""):
    return reverse("monitoring:records", args=[key]) + "?" + _query(as_of, scope, part=part)


def _card(v, as_of, scope, changed):
    card = {"v": v, "url": _records_url(v.key, as_of, scope), "frozen": changed.get(v.key)}
    if v.key == MetricKey.CERTIFIED:
        card["num_url"] = _records_url(v.key, as_of, scope, "certified")
        card["den_url"] = _records_url(v.key, as_of, scope, "staff")
    elif v.key == MetricKey.PARENTING:
        card["num_url"] = _records_url(v.key, as_of, scope, "passed")
        card["den_url"] = _records_url(v.key, as_of, scope, "responses")
    card["chart_url"] = reverse("monitoring:chart", args=[v.key]) + "?" + _query(as_of, scope)
    return card


@login_required
@require_GET
def dashboard(request):
    try:
        scope, as_of = _scope_and_date(request)
    except m.MetricInputError as exc:
        return bad_input(request, str(exc))
    user = request.user
    snapshot = Snapshot.objects.filter(as_of=as_of).order_by("-created_at").first()
    rows = []
    # One cached table serves the city and every county (a county official reads their row).
    table = figures_cache.cached_table(as_of, m.compute_table)
    by_county = {county.pk: values for county, values in table["counties"]}
    values = table["city"] if scope.is_city else by_county[scope.county_id]
    counties = []
    if user.is_commission:
        for county, county_values in table["counties"]:
            cscope = m.Scope(county)
            changed = services.differences(snapshot, county.name, county_values)
            rows.append({
                "county": county,
                "url": reverse("monitoring:dashboard") + "?" + _query(as_of, cscope),
                "cells": [{"v": v, "url": _records_url(v.key, as_of, cscope), "frozen": changed.get(v.key)}
                          for v in county_values],
            })
        counties = [county for county, _ in table["counties"]]
    changed = services.differences(snapshot, scope.name, values)
    context = {
        "as_of": as_of,
        "today": m.local_today(),
        "plan_start": m.PLAN_START,
        "scope": scope,
        "counties": counties,
        "cards": [_card(v, as_of, scope, changed) for v in values],
        "rows": rows,
        "metric_labels": [MetricKey(k).label for k in m.METRIC_ORDER],
        "snapshot": snapshot,
        "changed_count": len(changed) + sum(1 for r in rows for c in r["cells"] if c["frozen"]),
        "query": _query(as_of, scope),
        "report_kinds": ReportKind.choices,
        "can_freeze": access.can_freeze(user),
    }
    return render(request, "monitoring/dashboard.html", context)


@login_required
@require_GET
def chart(request, key):
    if key not in MetricKey.values:
        raise Http404("没有这个指标。")
    try:
        scope, as_of = _scope_and_date(request)
    except m.MetricInputError as exc:
        return bad_input(request, str(exc))
    def draw():
        value = m.metric(key, as_of, scope)
        series = m.trend(key, as_of, scope)
        note = "累计" if key in m.CUMULATIVE_METRICS else ("按年度，每年1月重新计算" if value.year else "每月末时点值")
        return str(line_chart_svg(series, title=f"{scope.name} · {value.label}", is_rate=value.is_rate,
                                  target=value.target, cumulative_label=note))

    # Keyed by the data version like the county table: redrawn only when the data changed.
    svg = figures_cache.cached(
        f"chart:{key}:{as_of.isoformat()}:{scope.county_id or 0}", draw,
        getattr(settings, "MONITORING_CHART_CACHE_SECONDS", 0),
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def records(request, key):
    if key not in MetricKey.values:
        raise Http404("没有这个指标。")
    try:
        scope, as_of = _scope_and_date(request)
    except m.MetricInputError as exc:
        return bad_input(request, str(exc))
    part = request.GET.get("part", "")
    if part and part not in parts_for(key):
        return bad_input(request, f"未知的名单类型：“{part}”。")
    listing = record_list(key, part, as_of, scope)
    heading = f"{scope.name} · {MetricKey(key).label} · {listing.title}（截至 {as_of:%Y-%m-%d}）"
    if request.GET.get("format") == "xlsx":
        data = reports.records_excel_bytes(listing, heading)
        response = HttpResponse(data, content_type=reports.XLSX_CONTENT_TYPE)
        name = f"{scope.name}-{MetricKey(key).label}-{listing.title}-{as_of:%Y%m%d}.xlsx"
        response["Content-Disposition"] = _attachment(name)
        return response
    page = Paginator(listing.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "key": key,
        "label": MetricKey(key).label,
        "listing": listing,
        "heading": heading,
        "page": page,
        "rows": [listing.row(obj) for obj in page.object_list],
        "parts": [(p, title, _records_url(key, as_of, scope, p)) for p, title in parts_for(key).items()],
        "scope": scope,
        "as_of": as_of,
        "query": _query(as_of, scope, part=listing.part),
        "dashboard_url": reverse("monitoring:dashboard") + "?" + _query(as_of, scope),
    }
    return render(request, "monitoring/records.html", context)


def _attachment(name):
    from urllib.parse import quote

    return f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_POST
def report_request(request):
    """Ask for an Excel or PDF report of a date and scope: queue it, then go to 报告下载.

    The file is generated by the background worker (monitoring.tasks); the same request made
    a moment ago gets the report already made or being made.
    """
    try:
        scope = access.request_scope(request.user, request.POST.get("county", ""))
        as_of = access.request_as_of(request.POST.get("as_of", ""))
    except m.MetricInputError as exc:
        return bad_input(request, str(exc))
    kind = request.POST.get("kind") or ReportKind.ANNUAL
    if kind not in ReportKind.values:
        return bad_input(request, f"未知的报告类型：“{kind}”。可选：年度监测、中期评估、终期评估。")
    fmt = request.POST.get("fmt", "")
    if fmt not in ReportFormat.values:
        return bad_input(request, f"未知的报告格式：“{fmt}”。可选：Excel（xlsx）、PDF（pdf）。")
    report, created = services.request_report(request.user, as_of, scope, kind, fmt)
    if report.status == ReportStatus.READY:
        messages.success(request, f"{report}已生成，可以下载。")
    elif report.status == ReportStatus.FAILED:
        messages.error(request, f"{report}生成失败：{report.error or '未知错误'}")
    elif created:
        messages.success(request, f"已提交：{report}。报告在后台生成，本页会自动刷新，完成后即可下载。")
    else:
        messages.info(request, f"{report}正在生成，请稍候。")
    return redirect("monitoring:reports")


# Jobs are read from the primary even in a /dashboard/ request that reads the replica otherwise
# (core.routers): the page right after a request, or right after a job finished, must see it.
PRIMARY = "default"


def _own_reports(user):
    return ReportFile.objects.using(PRIMARY).filter(requested_by=user, snapshot__isnull=True).select_related("county")


@login_required
@require_GET
def report_list(request):
    """报告下载: the reports this user asked for, newest first; reloads while any is being made."""
    if not access.can_view_dashboard(request.user):
        raise PermissionDenied("只有市卫健委和区县卫健局可以申请和下载监测报告。")
    reports_ = list(_own_reports(request.user)[:REPORT_LIST_SIZE])
    context = {
        "reports": reports_,
        "pending": any(r.is_pending for r in reports_),
        "refresh_seconds": REPORT_REFRESH_SECONDS,
        "dashboard_url": reverse("monitoring:dashboard"),
    }
    return render(request, "monitoring/reports.html", context)


@login_required
@require_GET
def report_file(request, pk):
    """The file of a ready report: for the user who asked for it (and the commission); 404 for others."""
    if not access.can_view_dashboard(request.user):
        raise PermissionDenied("只有市卫健委和区县卫健局可以下载监测报告。")
    report = get_object_or_404(ReportFile.objects.using(PRIMARY).select_related("county"), pk=pk, snapshot__isnull=True)
    user = request.user
    if not user.is_commission and (report.requested_by_id != user.pk or report.county_id != user.county_id):
        raise Http404("没有找到该报告。")
    if report.status != ReportStatus.READY or not report.file:
        raise Http404("该报告还没有生成。")
    content_type = reports.XLSX_CONTENT_TYPE if report.fmt == ReportFormat.XLSX else "application/pdf"
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.download_name,
                        content_type=content_type)


@login_required
@require_http_methods(["GET", "POST"])
def snapshots(request):
    if not access.can_freeze(request.user):
        raise PermissionDenied("只有市卫健委可以冻结和下载数据快照。")
    if request.method == "POST":
        try:
            as_of = access.request_as_of(request.POST.get("as_of", ""))
        except m.MetricInputError as exc:
            return bad_input(request, str(exc))
        kind = request.POST.get("kind") or ReportKind.ANNUAL
        if kind not in ReportKind.values:
            return bad_input(request, f"未知的报告类型：“{kind}”。")
        try:
            snapshot = services.freeze(as_of, kind, user=request.user, note=request.POST.get("note", "")[:200])
        except services.SnapshotExists as exc:
            messages.error(request, str(exc))
            return redirect("monitoring:snapshots")
        messages.success(request, f"已冻结：{snapshot}。Excel 和 PDF 报告在后台按冻结的数据生成；冻结后的报告不会因之后的数据更正而改变。")
        return redirect("monitoring:snapshots")
    snapshots_ = list(Snapshot.objects.using(PRIMARY).select_related("created_by"))
    jobs = {}
    for job in ReportFile.objects.using(PRIMARY).filter(snapshot__in=snapshots_):  # newest first
        jobs.setdefault(job.snapshot_id, []).append(job)
    for snapshot in snapshots_:
        snapshot.files = _snapshot_files(snapshot, jobs.get(snapshot.pk, []))
    context = {
        "snapshots": snapshots_,
        "pending": any(f["pending"] for s in snapshots_ for f in s.files),
        "refresh_seconds": REPORT_REFRESH_SECONDS,
        "report_kinds": ReportKind.choices,
        "today": m.local_today(),
        "plan_start": m.PLAN_START,
    }
    return render(request, "monitoring/snapshots.html", context)


def _snapshot_files(snapshot, snapshot_jobs):
    """[{fmt, label, url or None, pending, stale, failed, error}] of a snapshot's Excel and PDF."""
    jobs = {}
    for job in snapshot_jobs:  # newest first: the latest job of each format
        jobs.setdefault(job.fmt, job)
    files = []
    for fmt, label in ReportFormat.choices:
        field = snapshot.excel if fmt == ReportFormat.XLSX else snapshot.pdf
        job = jobs.get(fmt)
        files.append({
            "fmt": fmt, "label": label,
            "url": reverse("monitoring:snapshot_file", args=[snapshot.pk, fmt]) if field else None,
            "pending": bool(not field and job and job.is_pending),
            "stale": bool(not field and job and job.is_stale),
            "failed": bool(not field and job and job.status == ReportStatus.FAILED),
            "error": job.error if job else "",
        })
    return files


@login_required
@require_POST
def snapshot_retry(request, pk, fmt):
    """Queue again a snapshot's Excel or PDF whose generation failed (or was lost with its worker)."""
    if not access.can_freeze(request.user):
        raise PermissionDenied("只有市卫健委可以重新生成冻结的报告。")
    snapshot = get_object_or_404(Snapshot, pk=pk)
    job = services.retry_snapshot_file(snapshot, fmt, user=request.user)
    label = ReportFormat(fmt).label
    if job is None:
        messages.info(request, f"{snapshot}的 {label} 报告已经生成。")
    elif job.status == ReportStatus.READY:
        messages.success(request, f"{snapshot}的 {label} 报告已重新生成。")
    elif job.status == ReportStatus.FAILED:
        messages.error(request, f"{snapshot}的 {label} 报告生成失败：{job.error or '未知错误'}")
    else:
        messages.success(request, f"{snapshot}的 {label} 报告正在后台生成。")
    return redirect("monitoring:snapshots")


@login_required
@require_GET
def snapshot_file(request, pk, fmt):
    if not access.can_freeze(request.user):
        raise PermissionDenied("只有市卫健委可以下载冻结的报告。")
    snapshot = get_object_or_404(Snapshot.objects.using(PRIMARY), pk=pk)
    field = snapshot.excel if fmt == "xlsx" else snapshot.pdf
    if not field:
        raise Http404("该快照没有这个文件。")
    name = f"{m.CITY_NAME}-{snapshot.get_kind_display()}-{snapshot.as_of:%Y%m%d}-冻结.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)
