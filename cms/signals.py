"""Keep the Chinese search index (cms.search) in step with what is published.

Connected per model in CmsConfig.ready(), so saves of unrelated models cost nothing.
"""

from django.db.models.signals import post_save
from wagtail.signals import page_published, page_unpublished

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


def connect():
    for model in indexed_models():
        label = model._meta.label_lower
        page_published.connect(_published, sender=model, dispatch_uid=f"cms.search.published.{label}")
        page_unpublished.connect(_unpublished, sender=model, dispatch_uid=f"cms.search.unpublished.{label}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"cms.search.saved.{label}")
