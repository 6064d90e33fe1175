"""The parents' site pages: the page tree rules, the home page, browsing articles by age band
and topic, related articles, experts directory, and 404s in the site's design."""

import datetime

import pytest
from django.test import override_settings
from wagtail.models import Page

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    HomePage,
    ParentClassIndexPage,
    ParentClassPage,
    Specialty,
    SurveyPage,
)
from registry.models import County

from tests.factories_cms import (  # noqa: F401
    ExpertFactory,
    article,
    article_index,
    class_index,
    clear_cache,
    home,
    parent_class,
    survey_page,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


# --- Page tree rules -----------------------------------------------------------------------


def test_article_pages_live_only_under_the_article_index():
    assert ArticlePage.can_create_at(article_index())
    assert not ArticlePage.can_create_at(home())
    assert not ArticlePage.can_create_at(class_index())
    assert ArticlePage.allowed_subpage_models() == []


def test_indexes_and_survey_hang_under_the_home_page_only():
    root = Page.get_first_root_node()
    for model in (ArticleIndexPage, ParentClassIndexPage, SurveyPage):
        assert model.allowed_parent_page_models() == [HomePage]
        assert not model.can_create_at(root)
    assert ArticleIndexPage.allowed_subpage_models() == [ArticlePage]
    assert ParentClassIndexPage.allowed_subpage_models() == [ParentClassPage]


def test_only_one_article_index_and_one_home():
    article_index()
    assert not ArticleIndexPage.can_create_at(home())  # max_count = 1
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_class_pages_live_only_under_the_class_index():
    assert ParentClassPage.can_create_at(class_index())
    assert not ParentClassPage.can_create_at(article_index())
    assert not ParentClassPage.can_create_at(home())


# --- Home page -------------------------------------------------------------------------------


def test_home_shows_latest_articles_classes_entry_points_and_verify_box(client):
    article("宝宝什么时候添加辅食", topics=("feeding",), bands=("6-12m",))
    parent_class("睡眠家长课")
    survey_page()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "宝宝什么时候添加辅食" in html
    assert "睡眠家长课" in html
    assert 'href="/courses/"' in html and 'href="/me/"' in html
    assert 'action="/verify/"' in html and 'name="number"' in html
    assert 'property="og:title"' in html


def test_home_survives_a_failing_headline(client, monkeypatch):
    from monitoring import metrics

    def broken(as_of):
        raise RuntimeError("metric cannot be computed")

    monkeypatch.setattr(metrics, "headline", broken)
    response = client.get("/")
    assert response.status_code == 200 and 'class="headline"' not in response.content.decode()


def test_home_shows_the_monitoring_headline(client, monkeypatch):
    from monitoring import metrics

    monkeypatch.setattr(
        metrics, "headline", lambda as_of: {"label": "持证上岗率", "text": "65.1%（目标 70%）"}
    )
    html = client.get("/").content.decode()
    assert "持证上岗率" in html and "65.1%" in html


# --- Articles: browsing --------------------------------------------------------------------


@pytest.fixture
def library():
    return {
        "feeding_6_12": article("添加辅食的时间", bands=("6-12m",), topics=("feeding",),
                                publish_date=datetime.date(2025, 5, 1)),
        "sleep_0_6": article("新生儿的睡眠", bands=("0-6m",), topics=("sleep",),
                             publish_date=datetime.date(2025, 4, 1)),
        "motor_1_2": article("学走路", bands=("1-2y",), topics=("motor",), publish_date=datetime.date(2025, 3, 1)),
        "feeding_1_2": article("幼儿膳食", bands=("1-2y", "2-3y"), topics=("feeding",),
                               publish_date=datetime.date(2025, 2, 1)),
        "draft": article("未发布的草稿", bands=("6-12m",), topics=("feeding",), live=False),
    }


def titles(response):
    return [a.title for a in response.context["page_obj"]]


def test_index_lists_live_articles_newest_first(client, library):
    response = client.get(article_index().url)
    assert response.status_code == 200
    assert titles(response) == ["添加辅食的时间", "新生儿的睡眠", "学走路", "幼儿膳食"]


def test_browse_by_age_band(client, library):
    response = client.get(article_index().url, {"age": "1-2y"})
    assert titles(response) == ["学走路", "幼儿膳食"]
    assert "1–2 岁" in response.content.decode()


def test_browse_by_topic_and_by_both(client, library):
    assert titles(client.get(article_index().url, {"topic": "feeding"})) == ["添加辅食的时间", "幼儿膳食"]
    assert titles(client.get(article_index().url, {"topic": "feeding", "age": "2-3y"})) == ["幼儿膳食"]


def test_unknown_topic_or_age_band_is_a_404_in_the_site_design(client, library):
    for params in ({"topic": "astrology"}, {"age": "5-6y"}, {"age": "1-2y", "topic": "nope"}):
        response = client.get(article_index().url, params)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html and "site-header" in html


def test_unknown_page_is_a_404_in_the_site_design(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_pagination_keeps_the_filter(client):
    for n in range(12):
        article(f"睡眠小知识{n:02d}", topics=("sleep",), publish_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    article("喂养文章", topics=("feeding",))
    first = client.get(article_index().url, {"topic": "sleep"})
    assert len(first.context["page_obj"]) == 10
    assert "topic=sleep&amp;page=2" in first.content.decode()
    second = client.get(article_index().url, {"topic": "sleep", "page": 2})
    assert titles(second) == ["睡眠小知识01", "睡眠小知识00"]
    # A page number out of range shows the last page rather than an error.
    assert client.get(article_index().url, {"topic": "sleep", "page": 99}).status_code == 200
    assert client.get(article_index().url, {"page": "abc"}).status_code == 200


def test_article_page_shows_reviewer_tags_related_and_share_card(client, library):
    reviewer = ExpertFactory(name="李秀英", title="主任医师", institution="曲靖市妇幼保健院")
    page = article("辅食过敏怎么办", bands=("6-12m",), topics=("feeding", "prevention"), reviewer=reviewer,
                   summary="第一次吃鸡蛋出了疹子？这样处理。")
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "李秀英" in html and "曲靖市妇幼保健院" in html
    assert '<meta property="og:title" content="辅食过敏怎么办">' in html
    assert '<meta property="og:description" content="第一次吃鸡蛋出了疹子？这样处理。">' in html
    assert 'property="og:image"' in html
    related = [a.title for a in response.context["related"]]
    # Same topic (feeding) first; drafts never appear.
    assert related[:2] == ["添加辅食的时间", "幼儿膳食"]
    assert "未发布的草稿" not in related
    assert page.title not in related


def test_article_listing_does_not_query_per_article(client, django_assert_max_num_queries, library):
    for n in range(8):
        article(f"更多文章{n}", bands=("0-6m", "6-12m"), topics=("sleep", "family"))
    with django_assert_max_num_queries(25):
        assert client.get(article_index().url).status_code == 200


def test_user_text_is_escaped(client):
    page = article("<script>alert(1)</script>标题", summary="<b>摘要</b>")
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- Experts ---------------------------------------------------------------------------------


def test_expert_directory_filters_by_county_and_specialty(client):
    qilin, xuanwei = County.objects.get(name="麒麟区"), County.objects.get(name="宣威市")
    ExpertFactory(name="张医生", county=qilin, specialty=Specialty.NUTRITION)
    ExpertFactory(name="王医生", county=xuanwei, specialty=Specialty.NUTRITION)
    ExpertFactory(name="赵医生", county=None, specialty=Specialty.TCM)
    ExpertFactory(name="隐藏专家", county=qilin, specialty=Specialty.NUTRITION, is_active=False)

    def names(**params):
        response = client.get("/site/experts/", params)
        assert response.status_code == 200
        return sorted(e.name for e in response.context["page_obj"])

    assert names() == sorted(["张医生", "王医生", "赵医生"])
    assert names(county=qilin.pk) == ["张医生"]
    assert names(county="city") == ["赵医生"]
    assert names(specialty="nutrition") == sorted(["张医生", "王医生"])
    assert names(county=xuanwei.pk, specialty="tcm") == []
    assert client.get("/site/experts/", {"specialty": "astrology"}).status_code == 404
    assert client.get("/site/experts/", {"county": "999999"}).status_code == 404
    assert client.get("/site/experts/", {"county": "x"}).status_code == 404


def test_article_body_renders_every_block_type_with_alt_text(client, tmp_path, settings):
    import io
    import json

    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 500), (200, 120, 80)).save(buffer, format="PNG")
    photo = Image.objects.create(title="米粉", description="妈妈用小勺喂宝宝米粉",
                                 file=ImageFile(buffer, name="rice.png"))
    handbook = Document.objects.create(title="辅食手册", file=ContentFile(b"%PDF-1.4 demo", name="handbook.pdf"))
    page = article("全部内容块", text="正文")
    page.cover_image = photo
    page.body = json.dumps([
        {"type": "heading", "value": {"text": "小标题甲", "level": "h2"}},
        {"type": "paragraph", "value": "<p>段落<b>加粗</b></p>"},
        {"type": "image", "value": {"image": {"image": photo.pk, "decorative": False, "alt_text": "宝宝第一次吃辅食"},
                                    "caption": "图片说明乙"}},
        {"type": "tip", "value": {"kind": "doctor", "title": "", "text": "<p>高热不退请就医</p>"}},
        {"type": "video", "value": {"title": "视频丙", "file": None, "link": "https://example.org/v", "caption": ""}},
        {"type": "download", "value": {"title": "辅食手册下载", "document": handbook.pk, "description": "PDF"}},
    ])
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>小标题甲</h2>" in html and "<b>加粗</b>" in html
    assert 'alt="宝宝第一次吃辅食"' in html and "图片说明乙" in html and "srcset=" in html
    assert "何时就医" in html and "高热不退请就医" in html
    assert 'href="https://example.org/v"' in html and "视频丙" in html
    assert "辅食手册下载" in html and handbook.url in html
    assert 'property="og:image" content="http://testserver/' in html
    assert 'alt="妈妈用小勺喂宝宝米粉"' in html  # the cover's description is its alt text


def test_video_block_needs_a_file_or_a_link():
    from django.core.exceptions import ValidationError

    from cms.blocks import QuestionBlock, VideoBlock

    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "无来源", "file": None, "link": "", "caption": ""}))
    question = QuestionBlock()
    with pytest.raises(ValidationError):
        question.clean(question.to_python({"question": "题", "options": ["甲", "乙"], "correct_option": 3,
                                           "explanation": "解析"}))


def test_home_and_class_list_do_not_query_per_item(client, django_assert_max_num_queries):
    for n in range(8):
        article(f"文章{n}", bands=("0-6m", "1-2y"), topics=("sleep", "family"))
        parent_class(f"课堂{n}")
    survey_page()
    client.get("/")  # warm up: the site root, headline cache
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(class_index().url).status_code == 200


def test_browse_by_tag_and_unknown_tag_is_404(client):
    tagged = article("母乳储存", topics=("feeding",))
    tagged.tags.add("母乳")
    tagged.save_revision().publish()
    article("奶瓶清洁", topics=("feeding",))
    response = client.get(article_index().url, {"tag": "母乳"})
    assert titles(response) == ["母乳储存"]
    assert "#母乳" in client.get(tagged.url).content.decode()
    missing = client.get(article_index().url, {"tag": "no-such-tag"})
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
