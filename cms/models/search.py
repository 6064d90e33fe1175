"""The Chinese search index: one row per (page, word) with the fields the word occurs in.

Wagtail's database backend splits text on spaces, which Chinese does not have, so a search
for 辅食 would never find 添加辅食的时间. cms.search cuts text into words with jieba and stores
them here; a query is cut the same way and matched by exact, indexed equality on `term`,
which behaves the same on SQLite and PostgreSQL.
"""

from django.db import models


class SearchTerm(models.Model):
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=40)
    in_title = models.BooleanField(default=False)
    # Occurrences weighted by field: title 5, summary 2, body 1.
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "搜索词"
        constraints = [models.UniqueConstraint(fields=["term", "page"], name="cms_searchterm_unique")]
        # The unique constraint's index (term, page) serves the lookup `term IN (...)`.

    def __str__(self):
        return self.term
