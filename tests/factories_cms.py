"""Factories and fixtures for the parents' site (cms).

Pages are built with small functions (Wagtail pages live in a tree, so they are created by
`parent.add_child`), plain models with factory_boy. Test modules import the fixtures they use.
"""

import datetime
import itertools
import json

import factory
import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.models import (
    AgeBand,
    ArticleIndexPage,
    ArticlePage,
    ClassSignup,
    Expert,
    HomePage,
    ParentClassIndexPage,
    ParentClassPage,
    Specialty,
    SurveyPage,
    SurveyResponse,
    Topic,
)
from registry.models import County

_slug = itertools.count(1)


def band(slug):
    return AgeBand.objects.get(slug=slug)


def topic(slug):
    return Topic.objects.get(slug=slug)


def body(*paragraphs):
    """StreamField raw data: one paragraph block per string."""
    return json.dumps([{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs])


def home():
    return HomePage.objects.get()


def article_index(title="科学育儿"):
    existing = ArticleIndexPage.objects.first()
    return existing or home().add_child(instance=ArticleIndexPage(title=title, slug="articles"))


def article(title="宝宝的作息", *, text="规律的作息让宝宝睡得更好。", summary="", bands=("0-6m",),
            topics=("sleep",), publish_date=None, reviewer=None, index=None, live=True):
    index = index or article_index()
    page = ArticlePage(
        title=title,
        slug=f"article-{next(_slug)}",
        summary=summary or f"{title}的要点。",
        body=body(text),
        publish_date=publish_date or datetime.date(2025, 3, 1),
        reviewer=reviewer,
        live=live,
    )
    page.age_bands = [band(s) for s in bands]
    page.topics = [topic(s) for s in topics]
    index.add_child(instance=page)
    return page


def class_index():
    existing = ParentClassIndexPage.objects.first()
    return existing or home().add_child(instance=ParentClassIndexPage(title="家长课堂", slug="classes"))


def parent_class(title="辅食添加家长课", *, county_name="麒麟区", capacity=30, start=None, organiser_user=None,
                 signup_open=True):
    start = start or timezone.now() + datetime.timedelta(days=7)
    page = ParentClassPage(
        title=title,
        slug=f"class-{next(_slug)}",
        start_at=start,
        end_at=start + datetime.timedelta(hours=2),
        place="麒麟区妇幼保健院三楼会议室",
        county=County.objects.get(name=county_name),
        organiser="麒麟区妇幼保健院",
        organiser_user=organiser_user,
        capacity=capacity,
        signup_open=signup_open,
        summary="讲解 6 个月前后如何开始添加辅食。",
    )
    class_index().add_child(instance=page)
    return page


QUESTIONS = [
    ("纯母乳喂养的宝宝一般从几个月开始添加辅食？", ["3 个月", "满 6 个月", "1 岁"], 2, "满 6 月龄起添加辅食。"),
    ("宝宝睡觉时应采用哪种睡姿？", ["仰卧", "俯卧", "随意"], 1, "仰卧睡可降低婴儿猝死综合征风险。"),
    ("1 岁以内的辅食需要加盐吗？", ["需要", "不需要"], 2, "1 岁以内辅食不加盐、糖和调味品。"),
    ("宝宝发热 38.5℃ 以上且精神差，应该怎么做？", ["捂汗", "及时就医或遵医嘱用退热药", "酒精擦身"], 2,
     "不要捂汗或酒精擦身。"),
    ("2 岁以下幼儿每天看屏幕的时间建议是？", ["尽量不看", "每天 2 小时", "不限制"], 1, "2 岁以下尽量避免屏幕时间。"),
]


def survey_page(pass_mark=80, questions=QUESTIONS):
    blocks = [
        {"type": "question", "value": {"question": q, "options": opts, "correct_option": c, "explanation": e}}
        for q, opts, c, e in questions
    ]
    page = SurveyPage(title="科学育儿知识问卷", slug=f"survey-{next(_slug)}", pass_mark=pass_mark,
                      questions=json.dumps(blocks))
    home().add_child(instance=page)
    return page


def survey_post(county, age_band_slug="6-12m", answers=None, n_questions=len(QUESTIONS)):
    """POST data for the survey; `answers` maps question number to option number."""
    data = {"county": str(county.pk), "age_band": str(band(age_band_slug).pk)}
    correct = [q[2] for q in QUESTIONS]
    answers = answers if answers is not None else {i: correct[i - 1] for i in range(1, n_questions + 1)}
    data.update({f"q{n}": str(v) for n, v in answers.items()})
    return data


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n}")
    title = "主任医师"
    specialty = Specialty.CHILD_HEALTH
    institution = factory.Sequence(lambda n: f"曲靖市第{n}人民医院")
    county = None


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassSignup

    name = factory.Sequence(lambda n: f"家长{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    age_band = factory.LazyFunction(lambda: band("6-12m"))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    county = factory.LazyFunction(lambda: County.objects.get(name="麒麟区"))
    age_band = factory.LazyFunction(lambda: band("1-2y"))
    score = 100
    correct_count = 5
    question_count = 5
    passed = True
    submitted_at = factory.LazyFunction(timezone.now)


@pytest.fixture
def clear_cache():
    """The IP rate limit lives in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()
