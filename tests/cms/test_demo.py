"""The demo content of the parents' site: enough, spread over every age band and topic, and
seeding twice changes nothing."""

import io

import pytest

from cms import demo
from cms.demo_articles import ARTICLES, CLASSES, EXPERTS, SURVEY_QUESTIONS
from cms.models import AgeBand, ArticlePage, Expert, ParentClassPage, SurveyResponse, Topic
from cms.search import search_pages
from registry.models import County


def test_demo_articles_cover_every_age_band_and_topic():
    assert len(ARTICLES) >= 30
    assert len({a[0] for a in ARTICLES}) == len(ARTICLES)  # slugs unique
    bands = {b for a in ARTICLES for b in a[2]}
    topics = {t for a in ARTICLES for t in a[3]}
    assert bands == {"0-6m", "6-12m", "1-2y", "2-3y"}
    assert topics == {"feeding", "sleep", "motor", "language", "social", "prevention", "safety", "tcm", "family"}
    assert len(EXPERTS) == 10 and len(CLASSES) == 6 and len(SURVEY_QUESTIONS) == 10
    for _, options, correct, _ in SURVEY_QUESTIONS:
        assert 1 <= correct <= len(options)


@pytest.mark.django_db
def test_seed_is_complete_and_idempotent(tmp_path, settings):
    from registry.management.commands.seed_demo import SeedContext

    settings.MEDIA_ROOT = tmp_path
    ctx = SeedContext(io.StringIO(), None)
    ctx.log = lambda message: None
    demo.seed(ctx)
    counts = (ArticlePage.objects.count(), Expert.objects.count(), ParentClassPage.objects.count(),
              SurveyResponse.objects.count())
    demo.seed(ctx)
    assert (ArticlePage.objects.count(), Expert.objects.count(), ParentClassPage.objects.count(),
            SurveyResponse.objects.count()) == counts
    assert counts[:3] == (len(ARTICLES), 10, 6)
    # Every county answered the survey; every band and topic has live articles.
    assert set(SurveyResponse.objects.values_list("county", flat=True)) == set(County.objects.values_list("pk", flat=True))
    for band in AgeBand.objects.all():
        assert ArticlePage.objects.live().filter(age_bands=band).exists()
    for topic in Topic.objects.all():
        assert ArticlePage.objects.live().filter(topics=topic).exists()
    assert ArticlePage.objects.filter(tags__name="辅食").count() == 3
    # The demo search works on the seeded text.
    assert "添加辅食的时间" in search_pages("辅食")[0].title
