"""The two fixed vocabularies parents browse by: the child's age band and the topic.

They are rows (not choices) because articles link to several of each, pages filter on them
by slug in the URL, and editors may reword a label without a code change. The plan's set is
loaded by a data migration.
"""

from django.db import models


class TaxonomyQuerySet(models.QuerySet):
    def by_slug(self, slug):
        """The term for a URL slug, or None (the view answers 404)."""
        if not slug:
            return None
        return self.filter(slug=slug).first()


class AgeBand(models.Model):
    name = models.CharField("名称", max_length=20, unique=True)
    slug = models.SlugField("网址标识", max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        verbose_name = "月龄段"
        verbose_name_plural = "月龄段"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Topic(models.Model):
    name = models.CharField("名称", max_length=20, unique=True)
    slug = models.SlugField("网址标识", max_length=30, unique=True)
    description = models.CharField("说明", max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name
