"""Actions on certificates. Each runs in one transaction and refuses bad input with a
CertificationError carrying a Chinese message; nothing is half-written.
"""

import datetime

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import pii

from . import roles
from .models import (
    Certificate,
    CertificateType,
    IssuerKind,
    ReviewStatus,
    Source,
    local_today,
)
from .numbering import allocate_numbers

PLATFORM_TYPE_NAME = "托育从业人员培训合格证书"

# Scans of certificates from elsewhere: recognised by their first bytes, never by the name.
SCAN_SIGNATURES = [
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
]


class CertificationError(Exception):
    """A refused action; str(exc) is the message for the user."""


def platform_type():
    """The default platform type: the first one (by sort order) issued here."""
    ctype = CertificateType.objects.filter(issuer_kind=IssuerKind.PLATFORM).order_by("sort_order", "pk").first()
    if ctype is None:
        raise CertificationError("尚未配置由本平台颁发的证书类型，请联系市卫健委。")
    return ctype


def type_for_course(course):
    """The platform type a course's runs issue: the one listing the course, else platform_type().

    CertificateType.clean keeps a course on at most one type; should two list it anyway (rows
    written around the form), the first by sort order wins, the same one every time.
    """
    ctype = (
        CertificateType.objects.filter(issuer_kind=IssuerKind.PLATFORM, courses=course.pk)
        .order_by("sort_order", "pk")
        .first()
    )
    return ctype or platform_type()


# --- Issuance -----------------------------------------------------------------------------


def _new_platform_certificates(specs, by_user, issue_date):
    """Create platform certificates for `specs` (dicts of field values), numbered in one go.

    Must run inside a transaction: the numbers are allocated under the year's counter lock.
    """
    numbers = allocate_numbers(issue_date.year, len(specs))
    certs = []
    for spec, number in zip(specs, numbers, strict=True):
        ctype = spec.pop("type")
        cert = Certificate(
            type=ctype,
            number=number,
            source=Source.PLATFORM,
            review_status=ReviewStatus.APPROVED,
            issue_date=issue_date,
            expiry_date=spec.pop("expiry_date", None) or ctype.default_expiry(issue_date),
            created_by=by_user,
            **spec,
        )
        certs.append(cert)
    with set_actor(by_user):
        for cert in certs:
            cert.save()  # one by one, so each issuance is in the audit log
    return certs


@transaction.atomic
def issue_certificate(person, *, by_user, course_name="", hours=None, provider=None, issuer="",
                      issue_date=None, ctype=None, **extra):
    """Issue one platform certificate (no run needed: used for corrections, demo and tests)."""
    issue_date = issue_date or local_today()
    spec = {
        "type": ctype or platform_type(),
        "person": person,
        "course_name": course_name,
        "hours": hours,
        "issuing_provider": provider,
        "issuer": issuer or (provider.name if provider else ""),
        **extra,
    }
    if not spec["issuer"]:
        raise CertificationError("请填写发证机构。")
    return _new_platform_certificates([spec], by_user, issue_date)[0]


def _run_spec(enrollment, run, ctype):
    record = getattr(enrollment, "training_record", None)
    course = run.course
    return {
        "type": ctype,
        "person": enrollment.person,
        "enrollment": enrollment,
        "course_name": record.course_name if record else course.title,
        "hours": record.hours if record else None,
        "issuing_provider": run.provider,
        "issuer": run.provider.name,
    }


def _lock_finished_run(run, by_user):
    from training.models import CourseRun, RunStatus

    if not roles.can_issue_for_provider(by_user, run.provider_id):
        raise CertificationError("只有举办该班次的培训机构或市卫健委可以发证。")
    # Locking the run serialises two clicks on "issue": the second sees the first's certificates.
    locked = CourseRun.objects.select_for_update().select_related("provider", "course").get(pk=run.pk)
    if locked.status != RunStatus.FINISHED:
        raise CertificationError(f"班次“{locked}”尚未结业，不能发证。")
    return locked


@transaction.atomic
def issue_for_run(run, by_user, issue_date=None):
    """Issue certificates to every 合格 trainee of a finished run who has none yet.

    Idempotent: issuing again creates nothing. Returns the new certificates. The rows are
    written in this transaction; their PDFs are queued as background tasks once it commits
    (certification.tasks; with the immediate backend of development they render right then).
    """
    from training.models import Enrollment, TrainingResult

    run = _lock_finished_run(run, by_user)
    issue_date = issue_date or local_today()
    if issue_date < run.end_date:
        raise CertificationError("发证日期不能早于班次结业日期。")
    ctype = type_for_course(run.course)
    candidates = (
        Enrollment.objects.filter(run=run, result=TrainingResult.PASSED)
        .filter(Q(certificate__isnull=True) | _REVOKED_FOR_RESULT)
        .select_related("person", "training_record")
        .order_by("pk")
    )
    pending, replaced = [], {}
    for enrollment in candidates:
        old = _replaceable_certificate(enrollment)
        if old is _KEEP:
            continue
        pending.append(enrollment)
        if old is not None:
            replaced[enrollment.pk] = old
    if not pending:
        return []
    _detach(replaced.values(), by_user)
    certs = _new_platform_certificates([_run_spec(e, run, ctype) for e in pending], by_user, issue_date)
    _link_replacements(replaced, certs, by_user)
    _render_pdfs_after_commit(run, certs)
    return certs


@transaction.atomic
def issue_for_enrollment(enrollment, by_user, issue_date=None):
    """Issue the certificate of one passed enrolment. Returns (certificate, created)."""
    from training.models import Enrollment, TrainingResult

    run = _lock_finished_run(enrollment.run, by_user)
    enrollment = Enrollment.objects.select_related("person", "training_record").get(pk=enrollment.pk)
    if enrollment.run_id != run.pk:
        raise CertificationError("报名与班次不符。")
    if enrollment.result != TrainingResult.PASSED:
        label = enrollment.get_result_display() if enrollment.result else "尚无考核结果"
        raise CertificationError(f"{enrollment.person.name}的考核结果为“{label}”，不能发证。")
    old = _replaceable_certificate(enrollment)
    if old is _KEEP:
        return Certificate.objects.get(enrollment=enrollment), False
    issue_date = issue_date or local_today()
    if issue_date < run.end_date:
        raise CertificationError("发证日期不能早于班次结业日期。")
    replaced = {enrollment.pk: old} if old is not None else {}
    _detach(replaced.values(), by_user)
    spec = _run_spec(enrollment, run, type_for_course(run.course))
    cert = _new_platform_certificates([spec], by_user, issue_date)[0]
    _link_replacements(replaced, [cert], by_user)
    _render_pdfs_after_commit(run, [cert], whole_run=False)
    return cert, True


# Re-issuing after a result went 合格 -> 不合格 -> 合格. Certificate.enrollment is one-to-one,
# so the enrolment's revoked certificate gives up the link to the new one and points at it
# through superseded_by (its number stays verifiable: "revoked, replaced by ..."). Only a
# certificate revoked *because the result was corrected* is replaced this way: one revoked by
# hand (a fraud, a mistake) keeps blocking issuance for that enrolment.

RESULT_CORRECTION_REASON = "考核结果更正为不合格"
REISSUE_REASON = "考核结果更正为合格，重新发证"
_REVOKED_FOR_RESULT = Q(
    certificate__revoked_on__isnull=False, certificate__revoke_reason__startswith=RESULT_CORRECTION_REASON
)
_KEEP = object()


def _lineage(cert):
    """`cert` and the certificates that superseded it, oldest first, each row locked."""
    chain = [cert]
    while chain[-1].superseded_by_id and len(chain) < 50:
        chain.append(Certificate.objects.select_for_update().get(pk=chain[-1].superseded_by_id))
    return chain


def _replaceable_certificate(enrollment):
    """For a 合格 enrolment: None when it has no certificate (issue one), its certificate when
    that was revoked for a corrected result and nothing after it is valid (issue a new one in
    its place), else _KEEP (it has its certificate: issue nothing)."""
    cert = Certificate.objects.select_for_update().filter(enrollment_id=enrollment.pk).first()
    if cert is None:
        return None
    if not (cert.revoked_on and cert.revoke_reason.startswith(RESULT_CORRECTION_REASON)):
        return _KEEP
    if any(c.revoked_on is None for c in _lineage(cert)):
        return _KEEP
    return cert


def _detach(old_certs, by_user):
    with set_actor(by_user):
        for old in old_certs:
            old.enrollment = None
            old.save(update_fields=["enrollment", "updated_at"])


def _link_replacements(replaced, new_certs, by_user):
    """Point the end of each replaced certificate's line at the new one of its enrolment."""
    if not replaced:
        return
    new_by_enrollment = {c.enrollment_id: c for c in new_certs}
    with set_actor(by_user):
        for enrollment_id, old in replaced.items():
            last = _lineage(old)[-1]
            last.superseded_by = new_by_enrollment[enrollment_id]
            last.supersede_reason = REISSUE_REASON
            last.save(update_fields=["superseded_by", "supersede_reason", "updated_at"])


def _render_pdfs_after_commit(run, certs, whole_run=True):
    """Queue the PDFs of certificates newly issued for `run` once they are committed (the
    worker must see the rows); a whole run's are marked 生成中 on its page. Should the process
    die in between, nothing is lost: a PDF not rendered yet is rendered on its first download,
    or queued by the run's ZIP download."""
    from .tasks import enqueue_pdf_rendering, queue_run_pdfs

    ids = [c.pk for c in certs]
    if not whole_run:
        transaction.on_commit(lambda: enqueue_pdf_rendering(ids), robust=True)
    else:
        transaction.on_commit(lambda: queue_run_pdfs(run.pk, ids), robust=True)


# --- Revocation ---------------------------------------------------------------------------


def revoke(cert, by_user, reason, on=None):
    """Revoke `cert` from date `on` (default today). Commission, or the issuing provider."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError("请填写撤销原因。")
    if len(reason) > 200:
        raise CertificationError("撤销原因不能超过 200 字。")
    on = on or local_today()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().filter(pk=cert.pk).first()
        if locked is None or not roles.can_revoke(by_user, locked):
            raise CertificationError("您无权撤销该证书。")
        if locked.revoked_on:
            raise CertificationError(f"该证书已于 {locked.revoked_on:%Y-%m-%d} 撤销，不能重复撤销。")
        if locked.review_status != ReviewStatus.APPROVED:
            raise CertificationError("该证书尚未审核通过，无需撤销。")
        if on < locked.issue_date:
            raise CertificationError("撤销日期不能早于发证日期。")
        _mark_revoked(locked, by_user, reason, on)
    return locked


def _mark_revoked(locked, by_user, reason, on):
    """Write a revocation (the row is locked by the caller); saved, so it is audit-logged."""
    locked.revoked_on = on
    locked.revoke_reason = reason
    locked.revoked_by = by_user
    with set_actor(by_user):
        locked.save(update_fields=["revoked_on", "revoke_reason", "revoked_by", "updated_at"])


def result_correction_reason(result_reason):
    """"考核结果更正为不合格（理论成绩未达合格分（50<60））", cut to fit the 200 characters."""
    detail = (result_reason or "").strip()
    if not detail:
        return RESULT_CORRECTION_REASON
    room = 200 - len(RESULT_CORRECTION_REASON) - 2
    if len(detail) > room:
        detail = detail[: room - 1] + "…"
    return f"{RESULT_CORRECTION_REASON}（{detail}）"


def revoke_for_failed_result(enrollment, by_user, on=None):
    """The enrolment's result was corrected from 合格 to 不合格: revoke what was issued for it.

    That is the certificate issued for the enrolment and any that superseded it (a renewal
    carries no enrolment), each still valid on `on` (default today; a certificate dated later
    is revoked on its issue date). Runs in the caller's transaction, so the correction and the
    revocations are written together or not at all. Each is saved as `by_user` (audit log);
    `by_user` is whoever corrected the result -- the run's provider or the commission, who
    may revoke it (roles.can_revoke) -- or None for commands. Someone else is refused with a
    TrainingError, which rolls the correction back. Returns the revoked certificates.
    """
    from training.services import TrainingError

    cert = Certificate.objects.select_for_update().filter(enrollment_id=enrollment.pk).first()
    if cert is None:
        return []
    on = on or local_today()
    reason = result_correction_reason(enrollment.result_reason)
    revoked = []
    for link in _lineage(cert):
        if link.review_status != ReviewStatus.APPROVED:
            continue
        if link.revoked_on is not None and link.revoked_on <= max(on, link.issue_date):
            continue  # already revoked by then
        if by_user is not None and not roles.can_revoke(by_user, link):
            raise TrainingError(
                f"{enrollment.person.name}的考核结果更正为不合格，需撤销其证书 {link.number}，"
                "但您无权撤销该证书；未保存任何更改，请联系发证的培训机构或市卫健委。"
            )
        _mark_revoked(link, by_user, reason, max(on, link.issue_date))
        revoked.append(link)
    return revoked


def on_result_changed(sender, enrollment, old_result, new_result, user=None, **kwargs):
    """training.signals.result_changed receiver (connected in CertificationConfig.ready)."""
    from training.models import TrainingResult
    from training.signals import FollowUp

    if old_result == TrainingResult.PASSED and new_result == TrainingResult.FAILED:
        return [
            FollowUp("考核结果更正为不合格，已自动撤销 {n} 张证书", cert.number)
            for cert in revoke_for_failed_result(enrollment, user)
        ]
    if old_result == TrainingResult.FAILED and new_result == TrainingResult.PASSED:
        # Revoked certificates stay revoked; the run's page can issue a new one.
        if Certificate.objects.filter(enrollment_id=enrollment.pk).filter(
            revoked_on__isnull=False, revoke_reason__startswith=RESULT_CORRECTION_REASON
        ).exists():
            return FollowUp(
                "考核结果更正为合格：{n} 人的证书此前已因不合格撤销，不会自动恢复，可在“班次证书”页重新发证",
                pii.mask_name(enrollment.person.name),
            )
    return None


# --- Renewal and correction ------------------------------------------------------------------

SUPERSEDE_FIELDS = ("level", "course_name", "hours", "issuer", "expiry_date")


def supersede(old, by_user, reason, issue_date=None, **changes):
    """Replace a platform certificate with a new one (renewal, or re-issue after a correction).

    The old number stays verifiable and points at the new one; the old certificate is not
    changed otherwise (a renewal leaves it valid until it expires; a wrong one should also be
    revoked by whoever supersedes it).
    """
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError("请填写换发原因。")
    unknown = set(changes) - set(SUPERSEDE_FIELDS)
    if unknown:
        raise CertificationError("不能修改这些字段：" + "、".join(sorted(unknown)))
    issue_date = issue_date or local_today()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("type").filter(pk=old.pk).first()
        if locked is None or not roles.can_revoke(by_user, locked):
            raise CertificationError("您无权换发该证书。")
        if not locked.is_platform:
            raise CertificationError("只有本平台颁发的证书可以换发。")
        if locked.superseded_by_id:
            raise CertificationError("该证书已被换发，请对新证书操作。")
        spec = {
            "type": locked.type,
            "person": locked.person,
            "issuing_provider": locked.issuing_provider,
            **{f: getattr(locked, f) for f in SUPERSEDE_FIELDS if f != "expiry_date"},
            **changes,
        }
        if issue_date < locked.issue_date:
            raise CertificationError("新证书的发证日期不能早于原证书。")
        new = _new_platform_certificates([spec], by_user, issue_date)[0]
        locked.superseded_by = new
        locked.supersede_reason = reason
        with set_actor(by_user):
            locked.save(update_fields=["superseded_by", "supersede_reason", "updated_at"])
    return new


# --- Certificates from elsewhere ---------------------------------------------------------


def check_scan(upload, max_bytes):
    """Return the file extension for an uploaded scan, or raise ValidationError."""
    if upload is None:
        raise ValidationError("请上传证书扫描件或照片。")
    if upload.size > max_bytes:
        raise ValidationError(f"文件过大：不能超过 {max_bytes // (1024 * 1024)} MB。")
    if upload.size == 0:
        raise ValidationError("文件是空的。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, ext in SCAN_SIGNATURES:
        if head.startswith(signature):
            return ext
    raise ValidationError("只接受 PDF、JPG 或 PNG 文件（按文件内容判断，改扩展名无效）。")


def _check_external_fields(ctype, level, issue_date, expiry_date):
    if ctype.issuer_kind != IssuerKind.EXTERNAL:
        raise CertificationError(f"“{ctype.name}”由本平台颁发，不能作为外部证书提交。")
    if ctype.has_levels and level not in ctype.level_list:
        raise CertificationError(f"请选择{ctype.name}的等级：" + "、".join(ctype.level_list) + "。")
    if not ctype.has_levels and level:
        raise CertificationError(f"{ctype.name}没有等级。")
    if issue_date > local_today():
        raise CertificationError("发证日期不能晚于今天。")
    if expiry_date and expiry_date < issue_date:
        raise CertificationError("有效期至不能早于发证日期。")


def submit_external(person, *, by_user, ctype, number, issuer, issue_date, expiry_date=None, level="", scan):
    """A holder submits a certificate from elsewhere; it counts only once approved."""
    number = (number or "").strip()
    if not number or not (issuer or "").strip():
        raise CertificationError("请填写证书编号和发证机构。")
    _check_external_fields(ctype, level, issue_date, expiry_date)
    try:
        with transaction.atomic():
            if Certificate.objects.filter(type=ctype, number=number).exclude(
                review_status=ReviewStatus.REJECTED
            ).exists():
                raise CertificationError("该证书已登记，无需重复提交。")
            cert = Certificate(
                person=person, type=ctype, level=level, number=number, source=Source.EXTERNAL,
                issuer=issuer.strip(), issue_date=issue_date, expiry_date=expiry_date,
                review_status=ReviewStatus.PENDING, created_by=by_user,
            )
            cert.scan.save(f"{number}-{person.pk}{_ext_of(scan)}", scan, save=False)
            with set_actor(by_user):
                cert.save()
    except IntegrityError:
        raise CertificationError("该证书已登记，无需重复提交。") from None
    return cert


def _ext_of(upload):
    head = upload.read(16)
    upload.seek(0)
    for signature, ext in SCAN_SIGNATURES:
        if head.startswith(signature):
            return "." + ext
    return ""


def review(cert, by_user, approve, reason=""):
    """Approve or reject a submitted certificate (county official of the holder, or commission)."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise CertificationError("驳回时请填写原因。")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().filter(pk=cert.pk).first()
        if locked is None or not roles.can_review(by_user, locked):
            raise CertificationError("您无权审核该证书。")
        if locked.review_status != ReviewStatus.PENDING:
            raise CertificationError(f"该证书已{locked.get_review_status_display()}，不能重复审核。")
        locked.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
        locked.review_reason = reason[:200]
        locked.reviewed_by = by_user
        locked.reviewed_at = timezone.now()
        with set_actor(by_user):
            locked.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    return locked


def record_external(person, *, by_user, ctype, number, issuer, issue_date, expiry_date=None, level=""):
    """Record an already verified certificate from elsewhere (spreadsheet import by officials).

    Upsert by (type, number): returns (certificate, created). A certificate on file for another
    person is an error, not a silent overwrite.
    """
    number = (number or "").strip()
    _check_external_fields(ctype, level, issue_date, expiry_date)
    with transaction.atomic():
        existing = (
            Certificate.objects.select_for_update()
            .filter(type=ctype, number=number)
            .exclude(review_status=ReviewStatus.REJECTED)
            .first()
        )
        if existing is not None:
            if existing.person_id != person.pk:
                raise CertificationError("该证书编号已登记在其他人名下。")
            return existing, False
        cert = Certificate(
            person=person, type=ctype, level=level, number=number, source=Source.EXTERNAL,
            issuer=issuer.strip(), issue_date=issue_date, expiry_date=expiry_date,
            review_status=ReviewStatus.APPROVED, reviewed_by=by_user, reviewed_at=timezone.now(),
            review_reason="导入", created_by=by_user,
        )
        with set_actor(by_user):
            cert.save()
    return cert, True


# --- Expiry reminders ----------------------------------------------------------------------


def expiring_soon(qs, days, today=None):
    today = today or local_today()
    return qs.expiring_between(today, today + datetime.timedelta(days=days)).filter(superseded_by__isnull=True)
