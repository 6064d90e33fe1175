"""Rendered public pages for anonymous visitors, served before Wagtail routes the request.

An article page costs a dozen queries to route and render (the page tree, the StreamField,
image renditions, related articles), while its HTML is the same for every anonymous visitor
until an editor publishes something. So:

- Pages that opt in (CachedPageMixin: articles and the article index) mark their response as
  cacheable; PageCacheMiddleware stores its body, status and content type. Nothing else: the
  security headers (CSP, X-Frame-Options, …), cookies and Vary are added by the other
  middleware on every response, served from the cache or not.
- Only anonymous GET requests without a query string, with no message waiting for the
  visitor, are looked up or stored; a response that used the CSRF token, set a cookie or
  asked not to be cached is not stored; a page with view restrictions is never stored.
  Logged-in users and previews always get a freshly rendered page.
- Each entry carries the site-wide generation it was rendered under, read BEFORE rendering,
  and is served only while the generation is unchanged. The generation is
    * a token in the cache, replaced when a page is published, unpublished, moved, saved or
      deleted, or a snippet, image or site a page shows is saved (cms.signals) — immediately
      and again when the transaction commits, and
    * a stamp read from the database in one cheap query: the highest id of Wagtail's page and
      model log entries, revisions and pages. Publishing, unpublishing, moving and deleting
      through Wagtail (admin, scheduled publishing, another server process) always writes one
      of these rows, so a publish invalidates every process at once even if the token cache
      is not shared.
  A page shows other pages (related articles, the list, breadcrumbs), so any change
  invalidates every page; publishing is rare next to reading.

The entries live in the "pages" cache when settings define one (a file cache shared by the
gunicorn workers when there is no Redis), otherwise the default cache. CMS_PAGE_CACHE_SECONDS
(default 600, 0 disables) bounds their age for edits that neither signals nor the stamp see
(a queryset.update() of page fields in another process). Answers carry X-Page-Cache: hit
(served from the cache) or miss (rendered and stored).
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse

TOKEN_KEY = "cms:page-cache:token"
HEADER = "X-Page-Cache"


def _cache():
    return caches["pages" if "pages" in settings.CACHES else "default"]


def timeout():
    return getattr(settings, "CMS_PAGE_CACHE_SECONDS", 600)


def bump(**kwargs):
    """Invalidate every cached page (signal receiver; see cms.signals)."""
    _cache().set(TOKEN_KEY, uuid.uuid4().hex, None)


def _stamp():
    """Highest ids of the Wagtail tables every publish, unpublish, move or delete writes to."""
    from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision

    quote = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})"
        for m in (PageLogEntry, ModelLogEntry, Revision, Page)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return ".".join(str(v) for v in cursor.fetchone())


def _key(request):
    where = "|".join([request.scheme, request.get_host(), request.path, getattr(request, "LANGUAGE_CODE", "")])
    return "cms:page:" + hashlib.sha256(where.encode()).hexdigest()


def _has_messages(request):
    storage = getattr(request, "_messages", None)
    # len() looks at the stored messages without marking them as shown.
    return storage is not None and len(storage) > 0


def eligible(request):
    """May this request be answered from, or stored in, the cache?"""
    if request.method != "GET" or request.META.get("QUERY_STRING") or timeout() <= 0:
        return False
    if getattr(request, "is_preview", False) or getattr(request, "is_dummy", False):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    return not _has_messages(request)


class PageCacheMiddleware:
    """Last in MIDDLEWARE: every other middleware handles cached answers like fresh ones."""

    def __init__(self, get_response):
        from wagtail import views as wagtail_views

        self.get_response = get_response
        self.page_view = wagtail_views.serve

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Only Wagtail's page view: other URLs (and the anonymous hello of the bench) pay
        # nothing but this comparison.
        if view_func is not self.page_view or not eligible(request):
            return None
        cache = _cache()
        key = _key(request)
        found = cache.get_many([TOKEN_KEY, key])
        token = found.get(TOKEN_KEY)
        if token is None:
            cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
            token = cache.get(TOKEN_KEY)
        generation = f"{token}:{_stamp()}"
        entry = found.get(key)
        if entry is not None and entry["generation"] == generation:
            response = HttpResponse(entry["content"], status=entry["status"], content_type=entry["content_type"])
            response[HEADER] = "hit"
            return response
        request._cms_page_cache = (key, generation)
        return None

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_cms_page_cache", None)
        if pending is not None and self._storable(request, response):
            key, generation = pending
            entry = {
                "generation": generation,
                "status": response.status_code,
                "content_type": response["Content-Type"],
                "content": response.content,
            }
            _cache().set(key, entry, timeout())
            response[HEADER] = "miss"
        return response

    @staticmethod
    def _storable(request, response):
        if not getattr(response, "_cms_page_cacheable", False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
            return False
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
            return False
        return not request.user.is_authenticated


class CachedPageMixin:
    """For page types whose HTML depends only on published content and the URL (no query
    string, no date, no visitor): their anonymous answers may be cached."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if getattr(request, "_cms_page_cache", None) is not None and not self._has_view_restrictions():
            response._cms_page_cacheable = True
        return response

    def _has_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        # Most sites restrict nothing: one cheap query instead of the page's ancestors.
        return PageViewRestriction.objects.exists() and self.get_view_restrictions().exists()
