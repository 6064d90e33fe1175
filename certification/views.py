"""Portals for certificates: the trainee's own, a provider's issued ones, the officials' search
and review queue. Every view starts from a scoped queryset (models.py): outsiders get 404,
those who may look but not act get 403.
"""

import io
import zipfile

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.scoping import get_for_user
from training.models import CourseRun

from . import roles, services
from .forms import ExternalCertificateForm, ReviewForm, RevokeForm, SearchForm, SupersedeForm
from .models import Certificate, ReviewStatus, Source, Status, current_county_q, local_today
from .pdf import ensure_pdf, has_current_pdf
from .tasks import request_missing_pdfs, run_pdfs_queued
from .verification import verification_url

PAGE_SIZE = 50
# A run's ZIP renders at most this many missing PDFs while it streams; more wait for the worker.
ZIP_RENDER_INLINE_MAX = 20


def _visible(user):
    return Certificate.objects.visible_to(user).select_related(
        "type", "person", "issuing_provider", "superseded_by", "revoked_by"
    )


def _get_visible(request, pk):
    return get_object_or_404(_visible(request.user), pk=pk)


# --- Trainee ------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def my_certificates(request):
    if not request.user.is_trainee:
        raise PermissionDenied("只有学员账号有“我的证书”。")
    person = getattr(request.user, "person", None)
    certificates = []
    if person is not None:
        certificates = list(
            _visible(request.user).filter(person=person).prefetch_related("supersedes").order_by("-issue_date", "-pk")
        )
    today = local_today()
    days = settings.CERT_EXPIRY_REMINDER_DAYS
    for cert in certificates:
        cert.current_status = cert.status_on(today)
        left = cert.days_to_expiry(today)
        cert.expires_soon = (
            cert.current_status == Status.VALID and left is not None and left <= days and not cert.superseded_by_id
        )
        if cert.is_platform:
            cert.verify_link = verification_url(cert)
    return render(
        request,
        "certification/mine.html",
        {
            "person": person,
            "certificates": certificates,
            "expiring": [c for c in certificates if c.expires_soon],
            "reminder_days": days,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def submit_external(request):
    if not request.user.is_trainee:
        raise PermissionDenied("只有学员可以提交自己持有的证书。")
    person = getattr(request.user, "person", None)
    if person is None:
        messages.warning(request, "请先认领您的从业人员记录，再提交证书。")
        return redirect("registry:claim")
    form = ExternalCertificateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_external(
                    person, by_user=request.user, ctype=data["type"], level=data["level"], number=data["number"],
                    issuer=data["issuer"], issue_date=data["issue_date"], expiry_date=data["expiry_date"],
                    scan=data["scan"],
                )
            except services.CertificationError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, "证书已提交，等待所在区县卫健局审核。")
                return redirect("certification:mine")
        else:
            status = 400
    return render(request, "certification/submit.html", {"form": form}, status=status)


# --- One certificate ------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def detail(request, pk):
    cert = _get_visible(request, pk)
    user = request.user
    context = {
        "cert": cert,
        "status": cert.status_on(local_today()),
        "can_revoke": roles.can_revoke(user, cert) and not cert.revoked_on and cert.review_status == ReviewStatus.APPROVED,
        "can_supersede": cert.is_platform and not cert.superseded_by_id and roles.can_revoke(user, cert),
        "can_review": cert.review_status == ReviewStatus.PENDING and roles.can_review(user, cert),
        "can_scan": roles.can_download_scan(user, cert),
        "verify_link": verification_url(cert) if cert.is_platform else None,
        "revoke_form": RevokeForm(),
        "review_form": ReviewForm(),
        "replaces": list(cert.supersedes.all()),
    }
    return render(request, "certification/detail.html", context)


@never_cache
@login_required
@require_GET
def download_pdf(request, pk):
    cert = _get_visible(request, pk)
    if not cert.is_platform:
        raise PermissionDenied("外部证书没有本平台生成的 PDF，请下载扫描件。")
    pdf = ensure_pdf(cert)
    return FileResponse(pdf.open("rb"), as_attachment=True, filename=f"{cert.number}.pdf", content_type="application/pdf")


@never_cache
@login_required
@require_GET
def qr_svg(request, pk):
    cert = _get_visible(request, pk)
    if not cert.is_platform:
        raise PermissionDenied("外部证书不能在本平台查验。")
    image = qrcode.make(verification_url(cert), image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
@require_GET
def download_scan(request, pk):
    cert = _get_visible(request, pk)
    if not cert.scan:
        raise PermissionDenied("该证书没有扫描件。")
    if not roles.can_download_scan(request.user, cert):
        raise PermissionDenied("扫描件只有持证人和审核人可以下载。")
    name = cert.scan.name.rsplit("/", 1)[-1]
    return FileResponse(cert.scan.open("rb"), as_attachment=True, filename=name)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    cert = _get_visible(request, pk)
    if not roles.can_revoke(request.user, cert):
        raise PermissionDenied("只有市卫健委或颁发该证书的培训机构可以撤销证书。")
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.revoke(cert, request.user, form.cleaned_data["reason"])
            except services.CertificationError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, f"证书 {cert.number} 已撤销。")
                return redirect("certification:detail", pk=cert.pk)
        else:
            status = 400
    return render(request, "certification/revoke.html", {"cert": cert, "form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def supersede(request, pk):
    """Renew a certificate or re-issue it after a correction; the old number points to the new."""
    cert = _get_visible(request, pk)
    if not roles.can_revoke(request.user, cert):
        raise PermissionDenied("只有市卫健委或颁发该证书的培训机构可以换发证书。")
    form = SupersedeForm(request.POST or None, initial={"course_name": cert.course_name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {"course_name": data["course_name"]} if data["course_name"] else {}
            try:
                with transaction.atomic():
                    new = services.supersede(cert, request.user, data["reason"], **changes)
                    if data["revoke_old"] and not cert.revoked_on:
                        services.revoke(cert, request.user, f"已换发为 {new.number}：{data['reason']}"[:200])
            except services.CertificationError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, f"已换发新证书 {new.number}。")
                return redirect("certification:detail", pk=new.pk)
        else:
            status = 400
    return render(request, "certification/supersede.html", {"cert": cert, "form": form}, status=status)


@never_cache
@login_required
@require_POST
def review(request, pk):
    cert = _get_visible(request, pk)
    if not roles.can_review(request.user, cert):
        raise PermissionDenied("只有持证人所在区县卫健局或市卫健委可以审核。")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.non_field_errors()) or "请选择审核结果。")
        return render(request, "certification/detail.html", _detail_context(request, cert, form), status=400)
    try:
        services.review(cert, request.user, form.cleaned_data["decision"] == "approve", form.cleaned_data["reason"])
    except services.CertificationError as exc:
        messages.error(request, str(exc))
        return render(request, "certification/detail.html", _detail_context(request, cert, form), status=400)
    messages.success(request, "审核结果已保存。")
    return redirect("certification:review_queue")


def _detail_context(request, cert, review_form):
    cert.refresh_from_db()
    return {
        "cert": cert,
        "status": cert.status_on(local_today()),
        "can_review": cert.review_status == ReviewStatus.PENDING,
        "can_scan": roles.can_download_scan(request.user, cert),
        "review_form": review_form,
        "replaces": list(cert.supersedes.all()),
    }


# --- Back office ----------------------------------------------------------------------------


def _paginate(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@never_cache
@login_required
@require_GET
def manage(request):
    """Search certificates (commission: all; county: its staff's), and those expiring soon."""
    user = request.user
    if not (user.is_commission or user.is_county_official):
        raise PermissionDenied("证书查询仅对市卫健委和区县卫健局开放。")
    form = SearchForm(request.GET or None)
    today = local_today()
    qs = _visible(user).order_by("-issue_date", "-pk")
    expiring = False
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(number__icontains=q) | Q(person__name__contains=q))
        if data["type"]:
            qs = qs.filter(type=data["type"])
        if data["status"]:
            qs = qs.with_status(data["status"], today)
        if data["county"]:
            qs = qs.filter(current_county_q(data["county"].pk, today))
        if data["expiring"]:
            expiring = True
            qs = services.expiring_soon(qs, settings.CERT_EXPIRY_REMINDER_DAYS, today).order_by("expiry_date", "pk")
    page = _paginate(request, qs)
    for cert in page:
        cert.current_status = cert.status_on(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/manage.html",
        {"form": form, "page": page, "expiring": expiring, "query": query.urlencode(),
         "reminder_days": settings.CERT_EXPIRY_REMINDER_DAYS},
    )


@never_cache
@login_required
@require_GET
def review_queue(request):
    user = request.user
    if not (user.is_commission or user.is_county_official):
        raise PermissionDenied("证书审核仅对市卫健委和区县卫健局开放。")
    qs = (
        Certificate.objects.reviewable_by(user)
        .filter(review_status=ReviewStatus.PENDING)
        .select_related("type", "person")
        .order_by("created_at", "pk")
    )
    return render(request, "certification/review_queue.html", {"page": _paginate(request, qs)})


@never_cache
@login_required
@require_GET
def provider_certificates(request):
    """A provider's issued certificates, and its finished runs waiting for certificates."""
    user = request.user
    if not user.is_provider_staff:
        raise PermissionDenied("此页面供培训机构使用。")
    today = local_today()
    qs = _visible(user).filter(issuing_provider_id=user.provider_id, source=Source.PLATFORM)
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(person__name__contains=q))
    page = _paginate(request, qs.order_by("-issue_date", "-pk"))
    for cert in page:
        cert.current_status = cert.status_on(today)
    return render(
        request,
        "certification/provider.html",
        {"page": page, "q": q, "runs": _runs_for_issuing(user)},
    )


def _runs_for_issuing(user):
    """Finished runs of the user's provider with counts of passed and certified trainees."""
    from training.models import CourseRun, RunStatus, TrainingResult

    return list(
        CourseRun.objects.editable_by(user)
        .filter(status=RunStatus.FINISHED, provider_id=user.provider_id)
        .select_related("course")
        .annotate(
            passed_count=Count("enrollments", filter=Q(enrollments__result=TrainingResult.PASSED), distinct=True),
            certified_count=Count("enrollments__certificate", distinct=True),
        )
        .order_by("-end_date", "-pk")[:100]
    )


@never_cache
@login_required
@require_POST
def issue_run(request, run_id):
    """Issue certificates to all 合格 trainees of a finished run (idempotent)."""
    run = get_for_user(CourseRun.objects.select_related("provider"), request.user, run_id)
    if not roles.can_issue_for_provider(request.user, run.provider_id):
        raise PermissionDenied("只有举办该班次的培训机构或市卫健委可以发证。")
    try:
        # Writes the certificates and queues their PDFs (background tasks): nothing is rendered here.
        issued = services.issue_for_run(run, request.user)
    except services.CertificationError as exc:
        return render(request, "certification/error.html", {"message": str(exc)}, status=400)
    if issued:
        waiting = Certificate.objects.filter(pk__in=[c.pk for c in issued], pdf="").count()
        messages.success(
            request,
            f"已为 {len(issued)} 名合格学员颁发证书。"
            + (f"{waiting} 张证书的 PDF 正在后台生成，本页显示进度；未生成的下载时当场生成。" if waiting else "证书 PDF 已生成。"),
        )
    else:
        messages.info(request, "该班次的合格学员都已发证，没有新证书。")
    return redirect("certification:run", run_id=run.pk)


@never_cache
@login_required
@require_GET
def run_certificates(request, run_id):
    """One finished run: each trainee's result and certificate, issue to all or to one."""
    from training.models import EnrollmentStatus

    run = get_for_user(CourseRun.objects.select_related("provider"), request.user, run_id)
    user = request.user
    can_issue = roles.can_issue_for_provider(user, run.provider_id)
    if not (can_issue or (user.is_county_official and run.county_id == user.county_id)):
        raise PermissionDenied("只有举办该班次的培训机构、所在区县卫健局或市卫健委可以查看。")
    enrollments = list(
        run.enrollments.filter(status=EnrollmentStatus.APPROVED)
        .select_related("person", "certificate")
        .order_by("person__name", "pk")
    )
    certs = [e.certificate for e in enrollments if getattr(e, "certificate", None)]
    pdf_pending = sum(1 for c in certs if not c.pdf)
    # A certificate revoked because the result was corrected to 不合格 can be issued anew once
    # the result is 合格 again (services.issue_for_enrollment); a revocation by hand cannot.
    reissuable = {
        e.pk for e in enrollments
        if getattr(e, "certificate", None) and e.certificate.revoked_on
        and e.certificate.revoke_reason.startswith(services.RESULT_CORRECTION_REASON)
    }
    return render(
        request,
        "certification/run.html",
        {"run": run, "enrollments": enrollments, "can_issue": can_issue and run.is_finished,
         "cert_count": len(certs), "pdf_pending": pdf_pending, "pdf_ready": len(certs) - pdf_pending,
         "pdf_queued": bool(pdf_pending) and run_pdfs_queued(run.pk), "reissuable": reissuable},
    )


@never_cache
@login_required
@require_POST
def issue_enrollment(request, enrollment_id):
    from training.models import Enrollment

    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).select_related("run"), pk=enrollment_id
    )
    if not roles.can_issue_for_provider(request.user, enrollment.run.provider_id):
        raise PermissionDenied("只有举办该班次的培训机构或市卫健委可以发证。")
    try:
        cert, created = services.issue_for_enrollment(enrollment, request.user)
    except services.CertificationError as exc:
        return render(request, "certification/error.html", {"message": str(exc)}, status=400)
    if created:
        messages.success(request, f"已为{enrollment.person.name}颁发证书 {cert.number}。")
    else:
        messages.info(request, f"{enrollment.person.name}已有证书 {cert.number}，未重复颁发。")
    return redirect("certification:run", run_id=enrollment.run_id)


class _ZipSink:
    """A write-only file for zipfile: what is written is handed out chunk by chunk."""

    def __init__(self):
        self._chunks = []

    def write(self, data):
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self._chunks)
        self._chunks = []
        return data


def _zip_stream(certs):
    sink = _ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for cert in certs:
            pdf = ensure_pdf(cert)  # rendered on first download, then reused
            with pdf.open("rb") as fh:
                archive.writestr(f"{cert.number}-{cert.person.name}.pdf", fh.read())
            yield sink.take()
    yield sink.take()


@never_cache
@login_required
@require_GET
def run_zip(request, run_id):
    """All certificates of a run as one ZIP, streamed (PDFs are rendered as it goes)."""
    run = get_for_user(CourseRun.objects.select_related("provider"), request.user, run_id)
    certs = list(
        _visible(request.user).filter(enrollment__run=run, source=Source.PLATFORM).order_by("number")
    )
    if not certs:
        raise Http404("该班次还没有证书。")
    missing = sum(1 for c in certs if not has_current_pdf(c))
    # A few missing PDFs are rendered as the ZIP streams; more are the worker's job: queue
    # them (once) and say "生成中" until they are there (the immediate backend renders at once).
    if missing > ZIP_RENDER_INLINE_MAX and not request_missing_pdfs(run.pk, certs):
        return render(
            request, "certification/run_zip_pending.html",
            {"run": run, "total": len(certs), "missing": missing, "refresh_seconds": 10}, status=202,
        )
    response = StreamingHttpResponse(_zip_stream(certs), content_type="application/zip")
    filename = f"certificates-run-{run.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
