"""Extra protection for back-office accounts.

Staff of the commission, the counties and the providers see personal data of many people,
so their accounts must use a second factor (TOTP, allauth.mfa) and their sessions end after
a period of inactivity. Every login goes through allauth (rate limits, MFA); the Wagtail and
Django admin login forms are redirected to it.
"""

import time
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Pages a staff member without a second factor may still open: the allauth pages (where the
# TOTP is set up, and logout), static files.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/favicon.ico")


def requires_second_factor(user):
    return user.is_authenticated and (
        user.is_superuser or user.is_commission or user.is_county_official or user.is_provider_staff
    )


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
        if has_totp(user):
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
