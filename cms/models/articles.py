"""科学育儿 articles: an index browsable by age band and topic, and the article pages."""

from django import forms
from django.db import connection, models
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.search import index

from ..blocks import BodyBlock
from ..page_cache import CachedPageMixin
from ..utils import filter_query, paginate
from .taxonomy import AgeBand, Topic


class ArticleIndexPage(CachedPageMixin, Page):
    """The list of articles. Without a query string (no filter, first page) its answer to
    anonymous visitors is cached until the next publish (cms.page_cache)."""

    intro = RichTextField("简介", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    max_count = 1
    per_page = 10

    class Meta:
        verbose_name = "科学育儿栏目"

    def route(self, request, path_components):
        # Articles are the only children: load the one asked for as an ArticlePage, with its
        # reviewer and cover, in one query (Wagtail's default takes two, then one for each).
        if len(path_components) == 1:
            article = (
                ArticlePage.objects.child_of(self)
                .filter(slug=path_components[0])
                .select_related("reviewer", "cover_image")
                .first()
            )
            if article is not None:
                article._cached_parent_obj = self  # treebeard's cache: the breadcrumb's get_parent()
                return article.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.child_of(self).for_listing()
        # Unknown slugs are a 404 in the site's design (the issue: "unknown tag or topic").
        age_slug, topic_slug = request.GET.get("age", ""), request.GET.get("topic", "")
        tag_slug = request.GET.get("tag", "")
        age_band = AgeBand.objects.by_slug(age_slug)
        topic = Topic.objects.by_slug(topic_slug)
        tag = Tag.objects.filter(slug=tag_slug).first() if tag_slug else None
        if (age_slug and age_band is None) or (topic_slug and topic is None) or (tag_slug and tag is None):
            raise Http404("没有这个月龄段、主题或标签")
        if age_band:
            articles = articles.filter(age_bands=age_band)
        if topic:
            articles = articles.filter(topics=topic)
        if tag:
            articles = articles.filter(tagged_items__tag=tag)
        context.update(
            page_obj=paginate(request, articles, self.per_page),
            age_bands=AgeBand.objects.all(),
            topics=Topic.objects.all(),
            age_band=age_band,
            topic=topic,
            tag=tag,
            filter_query=filter_query(age=age_slug, topic=topic_slug, tag=tag_slug),
        )
        return context


class ArticlePageQuerySet(PageQuerySet):
    def cards(self):
        """With what an article card shows fetched in bulk (no body)."""
        return (
            self.defer_streamfields()
            .select_related("cover_image", "reviewer")
            .prefetch_related("age_bands", "topics", "cover_image__renditions")
        )

    def for_listing(self):
        """Live, public articles, newest first, ready for cards."""
        return self.live().public().cards().order_by("-publish_date", "-pk")


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


def _today():
    return timezone.localdate()


class ArticlePageTag(TaggedItemBase):
    """Free keywords editors add to articles (e.g. 母乳, 过敏), browsable with ?tag=."""

    content_object = ParentalKey("cms.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(CachedPageMixin, Page):
    """An article; its answer to anonymous visitors is cached until the next publish
    (cms.page_cache): related articles, taxonomy and reviewer are rendered into it."""

    summary = models.TextField("摘要", max_length=200, help_text="列表和分享卡片上显示，200 字以内")
    cover_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="封面图", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text="分享到微信时作为卡片图片；请在图片库里填写图片描述（替代文字）",
    )
    body = StreamField(BodyBlock(), verbose_name="正文")
    age_bands = ParentalManyToManyField(AgeBand, verbose_name="适用月龄", related_name="articles")
    topics = ParentalManyToManyField(Topic, verbose_name="主题", related_name="articles")
    reviewer = models.ForeignKey(
        "cms.Expert", verbose_name="审核专家", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reviewed_articles",
    )
    publish_date = models.DateField("发布日期", default=_today)
    tags = ClusterTaggableManager("标签", through=ArticlePageTag, blank=True)

    objects = ArticlePageManager()

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("age_bands", widget=forms.CheckboxSelectMultiple),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading="分类",
        ),
        MultiFieldPanel([FieldPanel("reviewer"), FieldPanel("publish_date")], heading="审核与发布"),
    ]
    # Wagtail's own index serves the admin's page search; the public site searches through
    # cms.search (jieba terms), which splits Chinese words.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("publish_date"),
    ]
    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "科学育儿文章"
        indexes = [
            # The article list and the home page sort by publish date.
            models.Index(fields=["publish_date"], name="cms_article_publish_date_idx"),
        ]

    def related_articles(self, limit=4):
        """Other live, public articles sharing a topic or an age band: most shared topics
        first, then most shared age bands, then the newest.

        Ranked in one SQL statement over the two small link tables (see _rank_related),
        then only the winners are loaded with what a card shows. (Grouping whole pages with
        their StreamField bodies cost more than the rest of the page put together.)
        """
        ids = _rank_related(
            self.pk, [t.pk for t in self.topics.all()], [b.pk for b in self.age_bands.all()], limit
        )
        cards = ArticlePage.objects.cards().in_bulk(ids)
        return [cards[pk] for pk in ids if pk in cards]

    def search_text(self):
        """The text the Chinese search indexes, by field weight (see cms.search)."""
        body_field = self._meta.get_field("body")
        return {
            "title": self.title,
            "summary": " ".join([self.summary, *(t.name for t in self.topics.all()), *(t.name for t in self.tags.all())]),
            "body": " ".join(str(s) for s in body_field.get_searchable_content(self.body)),
        }

    def get_context(self, request, *args, **kwargs):
        # Fetched once for the related articles and the chips of the template.
        prefetch_related_objects([self], "topics", "age_bands", "tags")
        context = super().get_context(request, *args, **kwargs)
        context["related"] = self.related_articles()
        return context


def _rank_related(exclude_pk, topic_ids, band_ids, limit):
    """Ids of the `limit` best related live, public articles (see related_articles).

    Counts the shared topics and age bands on the link tables (each row is one shared
    term, thanks to their unique constraints), keeps live pages outside any view
    restriction (as PageQuerySet.public()), and sorts in the database.
    """
    if not topic_ids and not band_ids:
        return []
    quote = connection.ops.quote_name
    parts, params = [], []
    for name, ids, shared in (("topics", topic_ids, "1 AS t, 0 AS b"), ("age_bands", band_ids, "0 AS t, 1 AS b")):
        if ids:
            field = ArticlePage._meta.get_field(name)
            parts.append(
                f"SELECT {quote(field.m2m_column_name())} AS aid, {shared} FROM {quote(field.m2m_db_table())} "
                f"WHERE {quote(field.m2m_reverse_name())} IN ({', '.join(['%s'] * len(ids))})"
            )
            params.extend(ids)
    page_table, article_table = quote(Page._meta.db_table), quote(ArticlePage._meta.db_table)
    restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
    not_restricted = "".join(f" AND p.{quote('path')} NOT LIKE %s" for _ in restricted)
    sql = (
        f"SELECT s.aid FROM ({' UNION ALL '.join(parts)}) s "
        f"JOIN {article_table} a ON a.{quote('page_ptr_id')} = s.aid "
        f"JOIN {page_table} p ON p.{quote('id')} = s.aid "
        f"WHERE p.{quote('live')} = %s AND s.aid <> %s{not_restricted} "
        f"GROUP BY s.aid, a.{quote('publish_date')} "
        f"ORDER BY SUM(s.t) DESC, SUM(s.b) DESC, a.{quote('publish_date')} DESC, s.aid DESC LIMIT %s"
    )
    params += [True, exclude_pk, *(f"{path}%" for path in restricted), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
