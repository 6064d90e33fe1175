"""Upload → preview → confirm / cancel / good rows only; error sheets, templates, history.

Who may do what is decided in imports.roles; which jobs a user sees by
ImportJob.objects.visible_to(user) (outsiders get 404). Users without any import right get 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core.imports import kinds
from core.imports.excel import XLSX_CONTENT_TYPE
from core.imports.reader import FileRejected, max_bytes, max_rows

from core.scoping import get_for_user

from . import services
from .forms import UploadForm
from .models import ImportJob
from .roles import kinds_for, may_import

PREVIEW_ERROR_LIMIT = 200


def _require_importer(user):
    if not may_import(user):
        raise PermissionDenied("您没有导入数据的权限。")


def _attachment(response, filename):
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def _allowed_kinds(user):
    available = set(kinds.available_kinds())
    return [k for k in kinds_for(user) if k in available]


def _index_context(request, form):
    return {
        "form": form,
        "kinds": [(k, kinds.KIND_TITLES[k]) for k in _allowed_kinds(request.user)],
        # select_related: one query for the list, whatever its length.
        "jobs": ImportJob.objects.visible_to(request.user).select_related("user", "county", "provider")[:50],
        "max_mb": max_bytes() // (1024 * 1024),
        "max_rows": max_rows(),
    }


@never_cache
@login_required
@require_GET
def index(request):
    _require_importer(request.user)
    form = UploadForm(allowed_kinds=_allowed_kinds(request.user))
    return render(request, "imports/index.html", _index_context(request, form))


# Room for the form's other fields and the multipart boundaries around the file.
_MULTIPART_OVERHEAD = 64 * 1024


@csrf_exempt  # checked by _upload below, after the size check
@never_cache
@login_required
@require_POST
def upload(request):
    _require_importer(request.user)
    # Refuse an oversized upload from its Content-Length, before Django reads the body to a
    # temporary file (the CSRF middleware would otherwise parse it first).
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes() + _MULTIPART_OVERHEAD:
        context = _index_context(request, UploadForm(allowed_kinds=_allowed_kinds(request.user)))
        context["upload_error"] = f"文件过大，上限为 {max_bytes() // (1024 * 1024)} MB。请拆分后分批导入。"
        return render(request, "imports/index.html", context, status=400)
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST, request.FILES, allowed_kinds=_allowed_kinds(request.user))
    if not form.is_valid():
        return render(request, "imports/index.html", _index_context(request, form), status=400)
    try:
        with services.import_slot(request.user):
            job, _report = services.preview(request.user, form.cleaned_data["kind"], form.cleaned_data["file"])
    except services.TooManyImports as exc:
        context = _index_context(request, form)
        context["upload_error"] = str(exc)
        return render(request, "imports/index.html", context, status=429)
    except FileRejected as exc:
        form.add_error("file", str(exc))
        return render(request, "imports/index.html", _index_context(request, form), status=400)
    return redirect("imports:detail", pk=job.pk)


def _job_for(request, pk):
    """The job if `request.user` may see it (404 otherwise)."""
    _require_importer(request.user)
    return get_for_user(ImportJob.objects.select_related("user"), request.user, pk)


def _job_to_act_on(request, pk):
    """Only the person who uploaded a file decides what happens to it (403 for other viewers)."""
    job = _job_for(request, pk)
    if job.user_id != request.user.pk or not may_import(request.user, job.kind):
        raise PermissionDenied("只有上传该文件的用户可以确认或取消导入。")
    return job


@never_cache
@login_required
@require_GET
def detail(request, pk):
    job = _job_for(request, pk)
    errors = job.errors[:PREVIEW_ERROR_LIMIT]
    good_rows = job.created + job.updated + job.unchanged
    context = {
        "job": job,
        "errors": errors,
        "more_errors": max(0, len(job.errors) - len(errors)),
        "good_rows": good_rows,
        "can_act": job.is_pending and job.user_id == request.user.pk,
        "has_header_errors": any(e.get("row") in (1, None) for e in job.errors) and good_rows == 0,
        "retention_days": settings.IMPORT_ORIGINAL_RETENTION_DAYS,
    }
    return render(request, "imports/detail.html", context)


@never_cache
@login_required
@require_POST
def confirm(request, pk):
    job = _job_to_act_on(request, pk)
    good_rows_only = request.POST.get("mode") == "good"
    try:
        with services.import_slot(request.user):
            report = services.confirm(job, request.user, good_rows_only=good_rows_only)
    except services.TooManyImports as exc:
        messages.error(request, str(exc))
        return redirect("imports:detail", pk=job.pk)
    except services.AlreadyHandled as exc:
        messages.error(request, str(exc))
        return redirect("imports:detail", pk=job.pk)
    except FileRejected as exc:  # the stored file can no longer be read (storage problem)
        messages.error(request, str(exc))
        return redirect("imports:detail", pk=job.pk)
    if report.written:
        messages.success(
            request, f"导入完成：新增 {report.created} 行，更新 {report.updated} 行，未变 {report.unchanged} 行。"
        )
    else:
        messages.error(request, "文件中有错误，未写入任何数据。可以修改后重新上传，或选择“仅导入无误的行”。")
    return redirect("imports:detail", pk=job.pk)


@never_cache
@login_required
@require_POST
def cancel(request, pk):
    job = _job_to_act_on(request, pk)
    try:
        services.cancel(job)
    except services.AlreadyHandled as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, "已取消本次导入，未写入任何数据。")
    return redirect("imports:detail", pk=job.pk)


@never_cache
@login_required
@require_GET
def error_sheet(request, pk):
    job = _job_for(request, pk)
    response = HttpResponse(services.error_sheet(job), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, f"错误清单-{job.pk}.xlsx")


@never_cache
@login_required
@require_GET
def original(request, pk):
    job = _job_for(request, pk)
    if not job.file:
        raise Http404("该记录没有保存原始文件。")
    response = FileResponse(job.file.open("rb"), content_type="application/octet-stream")
    return _attachment(response, job.original_name)


@login_required
@require_GET
def template_download(request, kind):
    _require_importer(request.user)
    if kind not in kinds.available_kinds():
        raise Http404("没有这种导入模板。")
    if not may_import(request.user, kind):
        raise PermissionDenied("您没有导入这类数据的权限。")
    response = HttpResponse(services.template_workbook(kind), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, f"{kinds.KIND_TITLES[kind]}-导入模板.xlsx")
