"""Keep the Chinese search index (cms.search) in step with what is published, and drop the
cached pages of anonymous visitors (cms.page_cache) when anything they show changes.

Connected per model in CmsConfig.ready(), so saves of unrelated models cost nothing.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import page_cache
from .search import index_page, indexed_models, unindex_page


def _published(sender, instance, **kwargs):
    index_page(instance)


def _unpublished(sender, instance, **kwargs):
    unindex_page(instance)


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # Pages created live (add_child(instance=...live=True), seed data) are never "published"
    # through a revision. Partial saves (save_revision updating draft fields) are skipped:
    # the in-memory object then holds a draft, not what visitors see.
    if raw or update_fields is not None:
        return
    if instance.live:
        index_page(instance)


def _pages_changed(**kwargs):
    # Now, and again once the change is committed: a page rendered by another request between
    # the two (from the old rows) was stored under the first token and is never served.
    page_cache.bump()
    transaction.on_commit(page_cache.bump)


def _page_cache_models():
    """Every model whose rows a cached page shows: pages (titles, menus, related articles,
    the list), the snippets and images on them, sites and view restrictions."""
    from taggit.models import Tag
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site, get_page_models

    from .models import ArticlePageTag, AgeBand, Expert, Topic

    return [Page, *get_page_models(), Expert, AgeBand, Topic, Tag, ArticlePageTag, get_image_model(), Site,
            PageViewRestriction]


def connect():
    for model in indexed_models():
        label = model._meta.label_lower
        page_published.connect(_published, sender=model, dispatch_uid=f"cms.search.published.{label}")
        page_unpublished.connect(_unpublished, sender=model, dispatch_uid=f"cms.search.unpublished.{label}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"cms.search.saved.{label}")

    # Publishing signals are sent with the specific page class; a move with any.
    page_published.connect(_pages_changed, dispatch_uid="cms.page_cache.published")
    page_unpublished.connect(_pages_changed, dispatch_uid="cms.page_cache.unpublished")
    post_page_move.connect(_pages_changed, dispatch_uid="cms.page_cache.moved")
    for model in _page_cache_models():
        label = model._meta.label_lower
        post_save.connect(_pages_changed, sender=model, dispatch_uid=f"cms.page_cache.saved.{label}")
        post_delete.connect(_pages_changed, sender=model, dispatch_uid=f"cms.page_cache.deleted.{label}")
