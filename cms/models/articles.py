"""科学育儿 articles: an index browsable by age band and topic, and the article pages."""

from django import forms
from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from ..blocks import BodyBlock
from ..utils import filter_query, paginate
from .taxonomy import AgeBand, Topic


class ArticleIndexPage(Page):
    intro = RichTextField("简介", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    max_count = 1
    per_page = 10

    class Meta:
        verbose_name = "科学育儿栏目"

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
    def for_listing(self):
        """Live, public articles, newest first, with what a card shows fetched in bulk."""
        return (
            self.live()
            .public()
            .select_related("cover_image", "reviewer")
            .prefetch_related("age_bands", "topics", "cover_image__renditions")
            .order_by("-publish_date", "-pk")
        )


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


def _today():
    return timezone.localdate()


class ArticlePageTag(TaggedItemBase):
    """Free keywords editors add to articles (e.g. 母乳, 过敏), browsable with ?tag=."""

    content_object = ParentalKey("cms.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(Page):
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
        """Other live articles sharing a topic or an age band, most shared topics first."""
        topic_ids = [t.pk for t in self.topics.all()]
        band_ids = [b.pk for b in self.age_bands.all()]
        candidates = ArticlePage.objects.filter(Q(topics__in=topic_ids) | Q(age_bands__in=band_ids)).values("pk")
        return (
            ArticlePage.objects.for_listing()
            .filter(pk__in=candidates)
            .exclude(pk=self.pk)
            .annotate(
                shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
                shared_bands=Count("age_bands", filter=Q(age_bands__in=band_ids), distinct=True),
            )
            .order_by("-shared_topics", "-shared_bands", "-publish_date", "-pk")[:limit]
        )

    def search_text(self):
        """The text the Chinese search indexes, by field weight (see cms.search)."""
        body_field = self._meta.get_field("body")
        return {
            "title": self.title,
            "summary": " ".join([self.summary, *(t.name for t in self.topics.all()), *(t.name for t in self.tags.all())]),
            "body": " ".join(str(s) for s in body_field.get_searchable_content(self.body)),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related"] = self.related_articles()
        return context
