"""Small helpers shared by the cms pages and views."""

from urllib.parse import urlencode

from django.core.paginator import Paginator


def paginate(request, queryset, per_page):
    """The requested page of `queryset`; a bad or too-large page number falls back gracefully."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def client_ip(request):
    # REMOTE_ADDR, not X-Forwarded-For: the header is set by the client and would let anyone
    # dodge the rate limit. Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn
    # --forwarded-allow-ips with a trusted front end).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def filter_query(**params):
    """The active filters as a query string for pagination links (empty values dropped)."""
    return urlencode({k: v for k, v in params.items() if v})
