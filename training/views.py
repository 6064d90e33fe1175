"""Trainee and provider portals. Thin views: scoping from visible_to/editable_by, actions in services."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.scoping import get_for_user

from . import services
from .exports import HISTORY_HEADER, ROSTER_HEADER, history_rows, roster_rows, workbook_bytes
from .filters import EnrollmentFilter, RecordFilter, RunFilter
from .models import (
    Attendance,
    AttendanceStatus,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    Session,
    TrainingRecord,
    local_today,
)
from .services import TrainingError


def _paginate(request, queryset):
    page = Paginator(queryset, getattr(settings, "TRAINING_PAGE_SIZE", 25)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- Trainee ---------------------------------------------------------------------------------


def trainee_required(view):
    """A logged-in trainee with a claimed practitioner record; otherwise off to the claim page."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_trainee:
            raise PermissionDenied("只有学员账号可以使用学员中心。")
        person = getattr(request.user, "person", None)
        if person is None:
            messages.warning(request, "请先用姓名和身份证号认领您的从业人员记录，再报名或查看培训。")
            return redirect("registry:claim")
        request.person = person
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@trainee_required
def my_training(request):
    person = request.person
    today = local_today()
    enrollments = (
        Enrollment.objects.visible_to(request.user)
        .with_hours()
        .select_related("run__course", "run__provider", "run__county")
        .order_by("-run__start_date", "-pk")
    )
    upcoming = (
        Session.objects.filter(
            run__enrollments__person=person,
            run__enrollments__status=EnrollmentStatus.APPROVED,
            date__gte=today,
        )
        .select_related("run__course")
        .order_by("date", "start_time")[:10]
    )
    records = TrainingRecord.objects.visible_to(request.user).select_related("provider", "county")
    record_filter = RecordFilter(request.GET or None, queryset=records)
    page, query = _paginate(request, record_filter.qs)
    totals = records.passed().aggregate(hours=Sum("hours"))
    theory_total = sum((e.theory_hours for e in enrollments), 0)
    practice_total = sum((e.practice_hours for e in enrollments), 0)
    return render(
        request,
        "training/my_training.html",
        {
            "person": person,
            "enrollments": enrollments,
            "upcoming": upcoming,
            "record_filter": record_filter,
            "page": page,
            "query": query,
            "passed_hours": totals["hours"] or 0,
            "theory_total": theory_total,
            "practice_total": practice_total,
        },
    )


def _xlsx_response(content, filename):
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@never_cache
@trainee_required
def my_records_export(request):
    """The trainee's own training history (all runs and imported records) as Excel."""
    records = TrainingRecord.objects.visible_to(request.user).select_related("provider", "county")
    content = workbook_bytes("培训记录", HISTORY_HEADER, history_rows(records))
    return _xlsx_response(content, f"培训记录-{request.person.name}.xlsx")


@never_cache
@trainee_required
def my_enrollment(request, pk):
    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).with_hours().select_related("run__course", "run__provider", "run__county"),
        pk=pk,
    )
    sessions = enrollment.run.sessions.all()
    marks = dict(Attendance.objects.filter(enrollment=enrollment).values_list("session_id", "status"))
    labels = dict(AttendanceStatus.choices)
    rows = []
    for s in sessions:
        status = marks.get(s.pk)
        counts = enrollment.approved_on is not None and s.date >= enrollment.approved_on
        rows.append({"session": s, "status": labels.get(status, ""), "counts": counts})
    return render(
        request,
        "training/my_enrollment.html",
        {"enrollment": enrollment, "run": enrollment.run, "rows": rows,
         "record": TrainingRecord.objects.filter(enrollment=enrollment).first()},
    )


@require_POST
@trainee_required
def enrol(request, run_pk):
    run = get_object_or_404(CourseRun.objects.public(), pk=run_pk)
    try:
        enrollment = services.enrol(run.pk, request.person)
    except TrainingError as exc:
        messages.error(request, str(exc))
        return redirect(_course_url(run))
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        messages.warning(request, "该班次名额已满，您已进入候补名单；有人退出时将按报名顺序递补。")
    elif enrollment.status == EnrollmentStatus.PENDING:
        messages.success(request, "报名已提交，等待培训机构审核。")
    else:
        messages.success(request, "报名成功，您已被录取。")
    return redirect("training:my_training")


def _course_url(run):
    url = run.course.url
    return url or reverse("training:my_training")


@require_POST
@trainee_required
def withdraw(request, pk):
    enrollment = get_for_user(Enrollment.objects, request.user, pk)
    try:
        services.withdraw(enrollment.pk, request.person)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已退出该班次。")
    return redirect("training:my_training")


# --- Provider ----------------------------------------------------------------------------------


def back_office_required(view):
    """Provider staff, county officials and the commission; trainees and editors get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_provider_staff or user.is_county_official or user.is_commission):
            raise PermissionDenied("只有培训机构、区县卫健局和市卫健委可以查看班次管理。")
        return view(request, *args, **kwargs)

    return wrapper


def _get_run(user, pk, write=False):
    return get_for_user(CourseRun.objects.select_related("course", "provider", "county"), user, pk, write=write)


@never_cache
@back_office_required
def run_list(request):
    runs = (
        CourseRun.objects.visible_to(request.user)
        .select_related("course", "provider", "county")
        .with_seat_counts()
        .annotate(pending_count=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.PENDING), distinct=True))
        .order_by("-start_date", "-pk")
    )
    run_filter = RunFilter(request.GET or None, queryset=runs)
    page, query = _paginate(request, run_filter.qs)
    return render(request, "training/run_list.html", {"filter": run_filter, "page": page, "query": query})


@never_cache
@back_office_required
def run_detail(request, pk):
    run = _get_run(request.user, pk)
    can_edit = CourseRun.objects.editable_by(request.user).filter(pk=run.pk).exists()
    enrollments = run.enrollments.with_hours().select_related("person").order_by("created_at", "pk")
    enrollment_filter = EnrollmentFilter(request.GET or None, queryset=enrollments)
    page, query = _paginate(request, enrollment_filter.qs)
    sessions = run.sessions.all()
    counts = {row["status"]: row["n"] for row in run.enrollments.values("status").annotate(n=Count("pk")).order_by()}
    return render(
        request,
        "training/run_detail.html",
        {
            "run": run,
            "can_edit": can_edit,
            "filter": enrollment_filter,
            "page": page,
            "query": query,
            "sessions": sessions,
            "counts": counts,
            "statuses": EnrollmentStatus,
            "seats_taken": counts.get(EnrollmentStatus.APPROVED, 0) + counts.get(EnrollmentStatus.PENDING, 0),
        },
    )


@require_POST
@back_office_required
def decide_enrollment(request, pk, enrollment_pk, action):
    run = _get_run(request.user, pk, write=True)
    enrollment = get_object_or_404(run.enrollments.all(), pk=enrollment_pk)
    try:
        if action == "approve":
            services.approve(enrollment.pk, request.user)
            messages.success(request, f"已录取 {enrollment.person.name}。")
        else:
            services.reject(enrollment.pk, request.user, request.POST.get("reason", ""))
            messages.success(request, f"已将 {enrollment.person.name} 的报名设为不通过。")
    except TrainingError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('training:run_detail', args=[run.pk])}?status=pending", permanent=False)
    return redirect("training:run_detail", pk=run.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@back_office_required
def attendance_sheet(request, pk, session_pk):
    """One screen per session for the whole class; big touch targets for a phone."""
    run = _get_run(request.user, pk, write=request.method == "POST")
    session = get_object_or_404(run.sessions.all(), pk=session_pk)
    enrollments = list(run.enrollments.filter(status=EnrollmentStatus.APPROVED).select_related("person").order_by("person__name", "pk"))
    marks = dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "status"))
    error = None
    status_code = 200
    if request.method == "POST":
        statuses = {}
        for key, value in request.POST.items():
            if key.startswith("e-"):
                try:
                    statuses[int(key[2:])] = value
                except ValueError:
                    error = "提交的考勤数据无效。"
        if error is None:
            try:
                saved = services.record_attendance(session.pk, statuses, request.user)
            except TrainingError as exc:
                error = str(exc)
            else:
                messages.success(request, f"考勤已保存（{saved.changed} 条变更）。{saved.follow_up_text}")
                return redirect("training:attendance_sheet", pk=run.pk, session_pk=session.pk)
        status_code = 400
        marks.update(statuses)
    rows = [
        {
            "enrollment": e,
            "status": marks.get(e.pk, ""),
            "counts": e.approved_on is not None and session.date >= e.approved_on,
        }
        for e in enrollments
    ]
    return render(
        request,
        "training/attendance_sheet.html",
        {"run": run, "session": session, "rows": rows, "choices": AttendanceStatus.choices, "error": error,
         "can_edit": CourseRun.objects.editable_by(request.user).filter(pk=run.pk).exists()},
        status=status_code,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@back_office_required
def scores(request, pk):
    run = _get_run(request.user, pk, write=request.method == "POST")
    enrollments = list(
        run.enrollments.filter(status=EnrollmentStatus.APPROVED).with_hours().select_related("person").order_by("person__name", "pk")
    )
    error = None
    status_code = 200
    posted = {}
    if request.method == "POST":
        try:
            for key in request.POST:
                if key.startswith("t-"):
                    eid = int(key[2:])
                    posted[eid] = (request.POST.get(f"t-{eid}", ""), request.POST.get(f"p-{eid}", ""))
        except ValueError:
            error = "提交的成绩数据无效。"
        if error is None:
            try:
                saved = services.record_scores(run.pk, posted, request.user)
            except TrainingError as exc:
                error = str(exc)
            else:
                # follow_up_text: e.g. "考核结果更正为不合格，已自动撤销 1 张证书（QJTY-…）。"
                messages.success(request, f"成绩已保存（{saved.changed} 人有变更）。{saved.follow_up_text}")
                return redirect("training:scores", pk=run.pk)
        status_code = 400
    rows = []
    for e in enrollments:
        theory, practice = posted.get(e.pk, (e.theory_score, e.practice_score))
        rows.append({"enrollment": e, "theory": "" if theory is None else theory, "practice": "" if practice is None else practice})
    return render(
        request,
        "training/scores.html",
        {"run": run, "rows": rows, "error": error, "course": run.course,
         "can_edit": CourseRun.objects.editable_by(request.user).filter(pk=run.pk).exists()},
        status=status_code,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@back_office_required
def finish(request, pk):
    run = _get_run(request.user, pk, write=True)
    enrollments = list(
        run.enrollments.filter(status=EnrollmentStatus.APPROVED).with_hours().select_related("person").order_by("person__name")
    )
    course = run.course
    preview = [
        (e, services.decide(course, e.theory_hours, e.practice_hours, e.theory_score, e.practice_score))
        for e in enrollments
    ]
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "请勾选确认后再结业。")
            return redirect("training:finish", pk=run.pk)
        try:
            created = services.finish_run(run.pk, request.user)
        except TrainingError as exc:
            messages.error(request, str(exc))
            return redirect("training:run_detail", pk=run.pk)
        if created:
            messages.success(request, f"班次已结业，生成培训记录 {created} 条。")
        else:
            messages.info(request, "该班次已经结业，未重复生成培训记录。")
        return redirect("training:run_detail", pk=run.pk)
    passed = sum(1 for _, d in preview if d.result == "passed")
    return render(
        request,
        "training/finish.html",
        {"run": run, "preview": preview, "passed": passed, "failed": len(preview) - passed},
    )


@never_cache
@back_office_required
def roster_export(request, pk):
    run = _get_run(request.user, pk)
    enrollments = (
        run.enrollments.exclude(status=EnrollmentStatus.WITHDRAWN)
        .with_hours()
        .select_related("person")
        .order_by("status", "person__name", "pk")
    )
    content = workbook_bytes("花名册", ROSTER_HEADER, roster_rows(enrollments))
    return _xlsx_response(content, f"花名册-{run.display_title}.xlsx".replace("/", "-"))


# --- QR self check-in ----------------------------------------------------------------------------


@never_cache
@back_office_required
def checkin_display(request, pk, session_pk):
    """The trainer's screen: a QR code that rotates; the page reloads itself to follow it."""
    import qrcode
    import qrcode.image.svg

    from . import checkin

    run = _get_run(request.user, pk, write=True)
    session = get_object_or_404(run.sessions.all(), pk=session_pk)
    svg = None
    is_open = checkin.is_open(session)
    if is_open and not run.is_finished:
        url = request.build_absolute_uri(
            reverse("training:checkin", args=[session.pk, checkin.code_for(session)])
        )
        svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).to_string(encoding="unicode")
    opens, closes = checkin.window(session)
    return render(
        request,
        "training/checkin_display.html",
        {"run": run, "session": session, "svg": svg, "opens": opens, "closes": closes,
         "refresh": checkin.rotate_seconds()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@trainee_required
def checkin_view(request, session_pk, code):
    """The trainee's side: confirm on GET (link previews must not check anyone in), mark on POST."""
    from . import checkin

    session = get_object_or_404(Session.objects.select_related("run__course"), pk=session_pk)
    enrollment = Enrollment.objects.filter(
        run=session.run, person=request.person, status=EnrollmentStatus.APPROVED
    ).first()
    error, status_code = None, 200
    if enrollment is None:
        error, status_code = "您没有被录取到该班次，不能签到。", 403
    elif not checkin.code_is_valid(session, code):
        error, status_code = "二维码已过期，请重新扫描培训老师屏幕上的二维码。", 400
    elif not checkin.is_open(session) or session.run.is_finished:
        error, status_code = "不在本课次的签到时间内。", 400
    existing = Attendance.objects.filter(session=session, enrollment=enrollment).first() if enrollment else None
    if request.method == "POST" and error is None:
        if existing is None:
            services.record_attendance(session.pk, {enrollment.pk: checkin.status_at(session)}, request.user)
            existing = Attendance.objects.get(session=session, enrollment=enrollment)
            messages.success(request, f"签到成功：{existing.get_status_display()}。")
        else:
            messages.info(request, f"您已签到（{existing.get_status_display()}）。")
        return redirect("training:my_enrollment", pk=enrollment.pk)
    return render(
        request,
        "training/checkin.html",
        {"session": session, "error": error, "existing": existing},
        status=status_code,
    )
