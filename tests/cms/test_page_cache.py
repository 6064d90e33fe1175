"""Cached article pages for anonymous visitors (cms.page_cache): the same page as a fresh
render, security headers on every answer, a publish (edit, unpublish, delete, an expert's
card) shows right away, and nothing a logged-in user, a preview, a query string,
a message or a password-protected page produces ever reaches another visitor."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from cms import page_cache
from cms.models import ArticlePage

from tests.factories_cms import ExpertFactory, article, article_index, clear_cache  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

SECURITY_HEADERS = [
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.CMS_PAGE_CACHE_SECONDS = 600


def test_anonymous_visitors_get_the_rendered_page_again_from_the_cache(client, django_assert_max_num_queries):
    page = article("宝宝的作息", text="规律的作息让宝宝睡得更好。")
    article("夜醒怎么办", text="夜醒是常见的。")  # a related article (same topic)
    first = client.get(page.url)
    assert first[page_cache.HEADER] == "miss"
    # Another anonymous visitor, without any cookie: one cheap query (the publish stamp), no
    # page routing or rendering.
    with django_assert_max_num_queries(1):
        second = Client().get(page.url)
    assert second.status_code == 200
    assert second[page_cache.HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    text = second.content.decode()
    assert "规律的作息让宝宝睡得更好。" in text and "夜醒怎么办" in text


def test_cached_answers_carry_the_same_security_headers_and_no_csrf_token(client):
    page = article()
    miss = client.get(page.url)
    hit = Client().get(page.url)
    assert hit[page_cache.HEADER] == "hit"
    for name in SECURITY_HEADERS:
        assert hit.has_header(name), name
        assert hit[name] == miss[name], name
    assert "csrfmiddlewaretoken" not in hit.content.decode()
    assert "csrftoken" not in hit.cookies


def test_article_index_is_cached_but_not_its_filters_or_other_pages(client):
    index = article_index()
    article("辅食添加", bands=("6-12m",), topics=("feeding",))
    assert client.get(index.url)[page_cache.HEADER] == "miss"
    assert client.get(index.url)[page_cache.HEADER] == "hit"
    for query in ("?age=6-12m", "?topic=feeding", "?page=1"):
        response = client.get(index.url + query)
        assert response.status_code == 200
        assert not response.has_header(page_cache.HEADER), query
    # The home page shows upcoming classes and the city's figures: never cached.
    home = client.get("/")
    assert home.status_code == 200 and not home.has_header(page_cache.HEADER)
    # A query string on an article is not served from the cache either, nor stored.
    page = article("戒夜奶")
    response = client.get(page.url + "?from=wechat")
    assert response.status_code == 200 and not response.has_header(page_cache.HEADER)
    assert client.get(page.url)[page_cache.HEADER] == "miss"


def test_editor_publishing_an_edit_in_the_admin_shows_the_new_text_at_once(client, as_user, personas):
    page = article("宝宝的作息", text="旧的正文：九点睡觉。")
    other = article("夜醒怎么办")  # shows page in its related articles
    client.get(page.url)
    client.get(other.url)
    assert Client().get(page.url)[page_cache.HEADER] == "hit"

    editor = as_user(personas["editor"])
    edit_url = f"/admin/pages/{page.pk}/edit/"
    data = querydict_from_html(editor.get(edit_url).content.decode(), form_id="page-edit-form")
    data["title"] = "宝宝的作息（修订）"
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text("<p>新的正文：八点半睡觉。</p>"))])}))
    data["action-publish"] = "action-publish"
    response = editor.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.title == "宝宝的作息（修订）"

    text = Client().get(page.url).content.decode()
    assert "新的正文：八点半睡觉。" in text and "旧的正文" not in text
    # Other pages show it too: the related articles of another article.
    assert "宝宝的作息（修订）" in Client().get(other.url).content.decode()


def test_unpublish_and_delete_in_the_admin_are_seen_at_once(client, as_user, personas):
    gone = article("将下线的文章")
    stays = article("留下的文章")
    for page in (gone, stays):
        client.get(page.url)
    editor = as_user(personas["editor"])

    assert editor.post(f"/admin/pages/{gone.pk}/unpublish/").status_code == 302
    assert Client().get(gone.url).status_code == 404
    assert "将下线的文章" not in Client().get(stays.url).content.decode()

    old_url = stays.url
    client.get(old_url)
    stays.refresh_from_db()
    assert editor.post(f"/admin/pages/{stays.pk}/delete/").status_code == 302
    assert not ArticlePage.objects.filter(pk=stays.pk).exists()
    assert Client().get(old_url).status_code == 404


def test_changing_the_reviewer_card_is_seen_at_once(client):
    expert = ExpertFactory(name="李医生", title="主任医师")
    page = article(reviewer=expert)
    assert "李医生" in client.get(page.url).content.decode()
    expert.title = "副主任医师"
    expert.save()
    response = Client().get(page.url)
    assert response[page_cache.HEADER] == "miss"
    assert "副主任医师" in response.content.decode()


def test_a_publish_in_a_process_that_does_not_share_the_cache_is_seen(client, monkeypatch):
    """Another server process (or the scheduled-publishing command) publishes: its signals bump
    a token this process never sees; the database stamp still changes."""
    page = article("宝宝的作息", text="旧的正文。")
    client.get(page.url)
    assert Client().get(page.url)[page_cache.HEADER] == "hit"
    monkeypatch.setattr(page_cache, "bump", lambda **kwargs: None)
    draft = page.get_latest_revision_as_object()
    draft.body = ArticlePage._meta.get_field("body").to_python('[{"type": "paragraph", "value": "<p>新的正文。</p>"}]')
    draft.save_revision().publish()
    text = Client().get(page.url).content.decode()
    assert "新的正文。" in text and "旧的正文。" not in text


def test_logged_in_pages_are_never_stored_nor_served_from_the_cache(client, as_user, personas):
    page = article()
    trainee = as_user(personas["trainee_a"])
    own = trainee.get(page.url)
    assert own.status_code == 200
    assert not own.has_header(page_cache.HEADER)
    assert "退出" in own.content.decode()  # the logout form with the user's CSRF token
    # The anonymous visitor after it gets a fresh render without the user's header.
    anonymous = client.get(page.url)
    assert anonymous[page_cache.HEADER] == "miss"
    assert "退出" not in anonymous.content.decode() and "csrfmiddlewaretoken" not in anonymous.content.decode()
    # And with the anonymous page cached, the logged-in user still gets their own.
    assert Client().get(page.url)[page_cache.HEADER] == "hit"
    again = trainee.get(page.url)
    assert not again.has_header(page_cache.HEADER)
    assert "退出" in again.content.decode() and "Cache-Control" in again and "no-store" in again["Cache-Control"]


def test_a_waiting_message_is_shown_not_replaced_by_the_cached_page(personas):
    page = article()
    Client().get(page.url)  # cached
    visitor = Client()
    visitor.force_login(personas["trainee_a"])
    visitor.post("/accounts/logout/")  # now anonymous, with a "signed out" message waiting
    response = visitor.get(page.url)
    assert not response.has_header(page_cache.HEADER)
    assert 'class="messages"' in response.content.decode()
    # Once shown, the visitor gets the cached page.
    assert visitor.get(page.url)[page_cache.HEADER] == "hit"


def test_previews_of_drafts_never_reach_visitors(client, as_user, personas):
    page = article("宝宝的作息", text="已发布的正文。")
    draft = page.get_latest_revision_as_object()
    draft.body = ArticlePage._meta.get_field("body").to_python('[{"type": "paragraph", "value": "<p>草稿正文。</p>"}]')
    draft.save_revision()
    preview = draft.make_preview_request()  # as Wagtail's admin preview does
    assert "草稿正文。" in preview.content.decode()
    response = client.get(page.url)
    assert response[page_cache.HEADER] == "miss"
    assert "已发布的正文。" in response.content.decode() and "草稿正文。" not in response.content.decode()
    assert "草稿正文。" not in Client().get(page.url).content.decode()


def test_password_protected_pages_are_not_cached(client):
    page = article("会员专享", text="只给有密码的人看。")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="qj2026")
    form = client.get(page.url)
    assert "只给有密码的人看。" not in form.content.decode()
    restriction = PageViewRestriction.objects.get(page=page)
    client.post(f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
                {"password": "qj2026", "return_url": page.url})
    inside = client.get(page.url)
    assert "只给有密码的人看。" in inside.content.decode()
    assert not inside.has_header(page_cache.HEADER)
    assert "只给有密码的人看。" not in Client().get(page.url).content.decode()


def test_page_cache_can_be_switched_off(client, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    page = article()
    for _ in range(2):
        response = client.get(page.url)
        assert response.status_code == 200 and not response.has_header(page_cache.HEADER)
