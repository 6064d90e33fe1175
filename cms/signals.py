"""Keep the Chinese search index (cms.search) in step with what is published."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .search import index_page, indexed_models, unindex_page


def _is_indexed(instance):
    return isinstance(instance, tuple(indexed_models()))


@receiver(page_published, dispatch_uid="cms.search.published")
def _published(sender, instance, **kwargs):
    if _is_indexed(instance):
        index_page(instance)


@receiver(page_unpublished, dispatch_uid="cms.search.unpublished")
def _unpublished(sender, instance, **kwargs):
    if _is_indexed(instance):
        unindex_page(instance)


@receiver(post_save, dispatch_uid="cms.search.saved")
def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # Pages created live (add_child(instance=...live=True), seed data) are never "published"
    # through a revision. Partial saves (save_revision updating draft fields) are skipped:
    # the in-memory object then holds a draft, not what visitors see.
    if raw or update_fields is not None or not _is_indexed(instance):
        return
    if instance.live:
        index_page(instance)
