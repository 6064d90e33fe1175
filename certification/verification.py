"""Public verification of certificates issued here: a page and a small JSON endpoint.

Rules (issue 4): no login; lookups by certificate number only (never by 身份证号); the number
alone tells status and type, never the holder; the QR link adds an unguessable token and then
the masked name and the dates are shown too; "not found" and "malformed" get the same answer;
every lookup is logged; each IP address has a budget of lookups in the shared cache.

Mount with `path("verify/", include("certification.verify_urls"))` in config/urls.py; until
then the same views answer under /certificates/verify/.
"""

import ipaddress
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Certificate, Source, Status, VerificationLog, VerificationOutcome, local_today

NOT_FOUND_MESSAGE = "未查到该证书。请核对证书编号（格式如 QJTY-2025-000123）后重试。"
RATE_LIMITED_MESSAGE = "查询过于频繁，请稍后再试。"


def verification_path():
    try:
        return reverse("verify:page")  # the public address, once config/urls.py mounts it
    except NoReverseMatch:
        return reverse("certification:verify")


def verification_url(cert, absolute=True):
    """The link printed in the QR code: number and token."""
    path = verification_path() + "?" + urlencode({"n": cert.number, "t": cert.verification_token})
    if not absolute:
        return path
    return settings.CERT_PUBLIC_BASE_URL.rstrip("/") + path


def client_ip(request):
    """The visitor's address. Behind a reverse proxy, REMOTE_ADDR is the proxy's own: set
    CERT_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP) to the header the proxy sets, or all visitors
    would share one rate-limit budget."""
    header = getattr(settings, "CERT_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() if value else request.META.get("REMOTE_ADDR", "")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


def over_rate_limit(request):
    """Count one lookup for this IP; True when the budget of the window is spent."""
    key = f"certification:verify:{client_ip(request) or 'unknown'}"
    window = settings.CERT_VERIFY_RATE_WINDOW
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > settings.CERT_VERIFY_RATE_LIMIT


@dataclass
class Result:
    found: bool = False
    with_token: bool = False
    certificate: Certificate | None = None
    facts: dict = field(default_factory=dict)


def lookup(number, token=""):
    """Find a certificate issued here by number (and, optionally, its token)."""
    from .numbering import normalise_number

    number = normalise_number(number)
    if number is None:
        return Result()
    # One SELECT of just the columns the answer shows (the public page is hit by every QR
    # scan): get() has no ORDER BY, the number is unique among platform certificates.
    try:
        cert = (
            Certificate.objects.filter(source=Source.PLATFORM, number=number)
            .select_related("type", "person", "superseded_by")
            .only(*PUBLIC_FIELDS)
            .get()
        )
    except Certificate.DoesNotExist:
        return Result()
    with_token = bool(token) and secrets.compare_digest(str(token).encode(), cert.verification_token.encode())
    return Result(found=True, with_token=with_token, certificate=cert, facts=public_facts(cert, with_token))


# Everything public_facts() and the verification log read, and nothing else.
PUBLIC_FIELDS = (
    "number", "source", "level", "issuer", "course_name", "hours", "issue_date", "expiry_date",
    "revoked_on", "revoke_reason", "supersede_reason", "review_status", "verification_token",
    "type__name", "person__name", "superseded_by__number",
)


def public_facts(cert, with_token):
    today = local_today()
    status = cert.status_on(today)
    facts = {
        "number": cert.number,
        "status": status.value,
        "status_display": status.label,
        "type": cert.type.name,
        "superseded_by": cert.superseded_by.number if cert.superseded_by_id else None,
    }
    if with_token:
        facts.update(
            {
                "holder": cert.holder_masked_name,
                "level": cert.level or None,
                "issuer": cert.issuer,
                "course": cert.course_name or None,
                "hours": cert.hours_display,
                "issue_date": cert.issue_date.isoformat(),
                "expiry_date": cert.expiry_date.isoformat() if cert.expiry_date else None,
                "revoked_on": cert.revoked_on.isoformat() if status == Status.REVOKED else None,
                "revoke_reason": cert.revoke_reason if status == Status.REVOKED else None,
                "supersede_reason": cert.supersede_reason or None if cert.superseded_by_id else None,
            }
        )
    return facts


def _log(request, channel, number, token, outcome, cert=None):
    VerificationLog.objects.create(
        ip=client_ip(request),
        channel=channel,
        number_queried=(number or "")[:60],
        with_token=bool(token),
        outcome=outcome,
        certificate=cert,
    )


def _run_lookup(request, channel):
    """(http status, Result or None) for the query in request.GET; None when rate limited."""
    number = request.GET.get("n", "") or request.GET.get("number", "")
    token = request.GET.get("t", "") or request.GET.get("token", "")
    if over_rate_limit(request):
        _log(request, channel, number, token, VerificationOutcome.RATE_LIMITED)
        return 429, None
    result = lookup(number, token)
    if not result.found:
        _log(request, channel, number, token, VerificationOutcome.NOT_FOUND)
        return 404, result
    outcome = VerificationOutcome.FOUND if result.with_token else VerificationOutcome.FOUND_NUMBER_ONLY
    _log(request, channel, number, token, outcome, result.certificate)
    return 200, result


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_GET
def verify_page(request):
    number = (request.GET.get("n", "") or request.GET.get("number", "")).strip()
    context = {"number": number[:30], "queried": bool(number)}
    status = 200
    if number:
        status, result = _run_lookup(request, "page")
        context["result"] = result
        if status == 429:
            context["error"] = RATE_LIMITED_MESSAGE
        elif status == 404:
            context["error"] = NOT_FOUND_MESSAGE
    return _noindex(render(request, "certification/verify.html", context, status=status))


@never_cache
@require_GET
def verify_json(request):
    status, result = _run_lookup(request, "json")
    if status == 429:
        body = {"status": "rate_limited", "message": RATE_LIMITED_MESSAGE}
    elif status == 404:
        body = {"status": "not_found", "status_display": "不存在", "message": NOT_FOUND_MESSAGE}
    else:
        body = result.facts
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return _noindex(response)
