"""The Content-Security-Policy header, with one policy per URL prefix where a prefix needs one.

django-csp sends settings.CONTENT_SECURITY_POLICY on every response. Some third-party views
cannot live with it (Wagtail's admin writes inline <script> elements: see the settings), so
CONTENT_SECURITY_POLICY_BY_PREFIX maps a URL prefix to the directives it replaces there. The
longest matching prefix wins; a view's own @csp_replace / @csp_update still applies on top.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def directives_for_path(path):
    """The directives CONTENT_SECURITY_POLICY_BY_PREFIX replaces for this path ({} for none)."""
    by_prefix = getattr(settings, "CONTENT_SECURITY_POLICY_BY_PREFIX", {})
    matching = [prefix for prefix in by_prefix if path.startswith(prefix)]
    return by_prefix[max(matching, key=len)] if matching else {}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        replace = directives_for_path(request.path_info)
        if replace:
            parts = PolicyParts(parts.config, parts.update, {**replace, **(parts.replace or {})}, parts.nonce)
        return parts
