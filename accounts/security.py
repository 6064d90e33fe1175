"""Extra protection for back-office accounts.

Staff of the commission, the counties and the providers see personal data of many people,
so their accounts must use a second factor (TOTP, allauth.mfa) and their sessions end after
a period of inactivity. Every login goes through allauth (rate limits, MFA); the Wagtail and
Django admin login forms are redirected to it.
"""

import time
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Files a staff member whose session has not passed the second factor may still fetch.
_EXEMPT_PREFIXES = ("/static/", "/media/", "/favicon.ico")
# allauth pages open to such a session, by whether the account has a TOTP device yet. Nothing
# else under /accounts/: changing the email, the password or removing the TOTP with a password
# alone would let a stolen password replace the second factor.
_OPEN_WITH_TOTP = ("mfa_reauthenticate", "account_logout")
_OPEN_WITHOUT_TOTP = ("mfa_activate_totp", "account_reauthenticate", "account_logout")


def requires_second_factor(user):
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or user.is_commission or user.is_county_official or user.is_provider_staff
    )


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_passed_second_factor(request, user):
    """True when THIS session gave a TOTP or recovery code: allauth records each step of a
    login (and of a re-authentication) in the session; owning a device proves nothing."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and requires_second_factor(user):
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        now = int(time.time())
        last = request.session.get("staff_last_seen")
        if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, "由于长时间未操作，您已自动退出，请重新登录。")
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
        # Writing the session on every request is wasteful; a minute's precision is enough.
        if last is None or now - last > 60:
            request.session["staff_last_seen"] = now
        if not settings.MFA_REQUIRED_FOR_STAFF or request.path.startswith(_EXEMPT_PREFIXES):
            return None
        if session_passed_second_factor(request, user):
            return None
        if has_totp(user):
            if request.path in [reverse(name) for name in _OPEN_WITH_TOTP]:
                return None
            messages.warning(request, "请输入动态口令完成两步验证后继续。")
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        if request.path in [reverse(name) for name in _OPEN_WITHOUT_TOTP]:
            return None
        messages.warning(request, "管理人员账号必须启用两步验证（TOTP 动态口令），请先完成设置。")
        return redirect(reverse("mfa_activate_totp"))


class PrivatePagesNoStoreMiddleware:
    """Pages served to a logged-in user can hold personal data (names, 身份证号, phones):
    no browser or proxy may keep a copy. Public pages keep their own caching headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
