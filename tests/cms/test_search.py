"""Chinese search: words are found inside running text, title matches rank first.

Runs unchanged on SQLite and PostgreSQL (the index is a table of jieba words matched by
equality), e.g. `DATABASE_URL=postgres://root@127.0.0.1:5432/test TEST_DATABASE_NAME=test_cms`.
"""

import pytest
from django.core.management import call_command

from cms.models import SearchTerm
from cms.search import query_terms, search_pages, tokenize

from tests.factories_cms import article, parent_class

pytestmark = pytest.mark.django_db


def found(query):
    return [p.title for p in search_pages(query)]


def test_jieba_splits_running_chinese_text():
    words = tokenize("添加辅食的时间")
    assert "辅食" in words and "添加" in words and "时间" in words
    assert query_terms("宝宝什么时候添加辅食？") == ["宝宝", "添加", "辅食"]


def test_searching_for_fushi_finds_an_article_that_only_mentions_it_in_the_body():
    target = article("六个月宝宝的饮食安排", text="满六个月是添加辅食的时间，先从强化铁的米粉开始。")
    article("宝宝夜醒怎么办", text="白天规律小睡，晚上固定入睡程序。", topics=("sleep",))
    assert found("辅食") == [target.title]


def test_title_matches_rank_before_body_matches():
    body_only = article("宝宝六个月了", text="这时可以开始添加辅食，辅食要由稀到稠、由细到粗，辅食不加盐。")
    in_title = article("辅食添加的顺序", text="先米粉，再菜泥、果泥，然后肉泥。")
    assert found("辅食") == [in_title.title, body_only.title]


def test_more_query_words_matched_rank_higher_and_stopwords_are_ignored():
    both = article("夜醒与睡眠习惯", text="规律作息有助于减少夜醒。")
    one = article("午睡的安排", text="一岁以后午睡时间逐渐合并。", topics=("sleep",))
    article("手足口病的预防", text="勤洗手，玩具常消毒。", topics=("prevention",))
    assert found("宝宝夜醒怎么办") == [both.title]
    results = found("夜醒 午睡")
    assert set(results) == {both.title, one.title}
    assert found("的 了") == []


def test_full_width_and_latin_text_is_normalised():
    page = article("维生素D怎么补", text="纯母乳喂养的宝宝出生后数日开始每天补充维生素D 400 国际单位。")
    assert found("维生素Ｄ") == [page.title]
    assert found("维生素d") == [page.title]


def test_unpublished_and_deleted_pages_are_not_found():
    page = article("辅食泥糊的做法", text="蒸熟后压成泥。")
    draft = article("辅食草稿", text="尚未发布", live=False)
    assert found("辅食") == [page.title]
    page.unpublish()
    assert found("辅食") == []
    assert not SearchTerm.objects.filter(page_id=page.pk).exists()
    draft.save_revision().publish()
    assert found("辅食") == ["辅食草稿"]
    draft.delete()
    assert found("辅食") == []


def test_republished_revision_replaces_the_indexed_text():
    page = article("湿疹的护理", text="皮肤保湿是关键。", summary="居家护理要点")
    assert found("湿疹") == ["湿疹的护理"]
    page.title = "黄疸的观察"
    page.save_revision().publish()
    assert found("黄疸") == ["黄疸的观察"]
    assert found("湿疹") == []


def test_parent_classes_are_searchable_too():
    parent_class("辅食添加家长课")
    assert found("家长课") == ["辅食添加家长课"]


def test_search_page(client):
    article("添加辅食的时间", text="满 6 月龄开始添加辅食。")
    response = client.get("/site/search/", {"q": "辅食"})
    assert response.status_code == 200
    assert "添加辅食的时间" in response.content.decode()
    assert client.get("/site/search/", {"q": ""}).status_code == 200
    assert client.get("/site/search/", {"q": "x" * 500}).status_code == 200
    assert "没有找到" in client.get("/site/search/", {"q": "火箭发射"}).content.decode()


def test_rebuild_command_reindexes_everything():
    article("辅食的质地", text="从泥糊状到碎末状。")
    SearchTerm.objects.all().delete()
    assert found("辅食") == []
    call_command("rebuild_cms_search", stdout=open("/dev/null", "w"))
    assert found("辅食") == ["辅食的质地"]


def test_rare_words_in_the_title_count_more_than_common_ones():
    for n in range(4):
        article(f"宝宝成长日记{n}", text="宝宝今天很开心。")
    solids = article("第一口辅食吃什么", text="强化铁米粉。")
    results = found("宝宝几个月加辅食")
    assert results[0] == solids.title
    assert len(results) == 5
