"""The site root: what the service is, latest articles, upcoming classes, entry points."""

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField("简介", blank=True)
    parents_heading = models.CharField("家长栏目标题", max_length=40, default="科学育儿")
    parents_intro = models.TextField(
        "家长栏目说明", blank=True,
        default="按宝宝月龄和主题阅读经专家审核的科学育儿知识，报名家长课堂，参加育儿知识问卷。",
    )
    trainee_intro = models.TextField(
        "从业人员栏目说明", blank=True,
        default="托育机构从业人员可在这里查找培训课程、报名培训、查看学时和下载证书。",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("parents_heading"), FieldPanel("parents_intro")], heading="家长栏目"),
        FieldPanel("trainee_intro"),
    ]
    # No subpage_types: other apps (courses) hang their index pages under the home page.
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        from .articles import ArticleIndexPage, ArticlePage
        from .classes import ParentClassIndexPage, ParentClassPage
        from .survey import SurveyPage
        from .taxonomy import AgeBand

        context = super().get_context(request, *args, **kwargs)
        context.update(
            latest_articles=ArticlePage.objects.for_listing()[:6],
            upcoming_classes=ParentClassPage.objects.live().public().upcoming(timezone.now())
            .select_related("county")[:3],
            article_index=ArticleIndexPage.objects.live().public().first(),
            class_index=ParentClassIndexPage.objects.live().public().first(),
            survey=SurveyPage.objects.live().public().first(),
            age_bands=AgeBand.objects.all(),
        )
        return context
