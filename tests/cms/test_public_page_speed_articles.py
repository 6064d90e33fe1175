"""The article page stays cheap to render when it is not in the page cache (the first visit
after a publish): related articles are ranked in one statement with the same order as
before (most shared topics, then age bands, then newest), drafts, the page itself and
password-protected pages left out; routing loads the article in one query."""

import datetime

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from cms import page_cache

from tests.factories_cms import article, clear_cache  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def day(n):
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=n)


@pytest.fixture
def shelf():
    page = article("宝宝辅食与睡眠", bands=("6-12m",), topics=("feeding", "sleep"), publish_date=day(0))
    others = {
        "two_topics_old": article("辅食和睡眠都讲", bands=("0-6m",), topics=("feeding", "sleep"), publish_date=day(1)),
        "topic_and_band": article("辅食 6-12 月", bands=("6-12m",), topics=("feeding",), publish_date=day(9)),
        "topic_newer": article("睡眠 1-2 岁", bands=("1-2y",), topics=("sleep",), publish_date=day(8)),
        "topic_older": article("辅食 1-2 岁", bands=("1-2y",), topics=("feeding",), publish_date=day(2)),
        "band_only": article("大运动 6-12 月", bands=("6-12m",), topics=("motor",), publish_date=day(10)),
        "nothing_shared": article("大运动 1-2 岁", bands=("1-2y",), topics=("motor",), publish_date=day(11)),
        "draft": article("未发布", bands=("6-12m",), topics=("feeding", "sleep"), publish_date=day(12), live=False),
        "protected": article("会员文章", bands=("6-12m",), topics=("feeding", "sleep"), publish_date=day(13)),
    }
    PageViewRestriction.objects.create(page=others["protected"], restriction_type=PageViewRestriction.PASSWORD,
                                       password="x")
    return page, others


def test_related_articles_keep_their_order_and_leave_out_drafts_self_and_protected(shelf):
    page, others = shelf
    assert [a.title for a in page.related_articles(limit=10)] == [
        "辅食和睡眠都讲",  # two shared topics
        "辅食 6-12 月",  # one topic and the age band
        "睡眠 1-2 岁",  # one topic, newer
        "辅食 1-2 岁",  # one topic, older
        "大运动 6-12 月",  # the age band only
    ]
    assert [a.title for a in page.related_articles()] == ["辅食和睡眠都讲", "辅食 6-12 月", "睡眠 1-2 岁", "辅食 1-2 岁"]
    lonely = article("孤单的文章", bands=(), topics=())
    assert lonely.related_articles() == []


def test_the_page_shows_the_related_cards(client, shelf):
    page, _ = shelf
    html = client.get(page.url).content.decode()
    related = html.split('id="related-heading"')[1]
    assert related.index("辅食和睡眠都讲") < related.index("辅食 6-12 月") < related.index("辅食 1-2 岁")
    for hidden in ("大运动 1-2 岁", "未发布", "会员文章"):
        assert hidden not in related


def test_a_first_visit_is_a_bounded_number_of_queries(settings, shelf, django_assert_max_num_queries):
    settings.CMS_PAGE_CACHE_SECONDS = 600
    page, _ = shelf
    url = page.url
    # Site, publish stamp, routing (4), view restrictions (2 + 3 as one page has one), the
    # page's topics, age bands and tags, related ranking (2) and cards (3).
    with django_assert_max_num_queries(19):
        first = Client().get(url)
    assert first[page_cache.HEADER] == "miss"
    with django_assert_max_num_queries(1):
        assert Client().get(url)[page_cache.HEADER] == "hit"
