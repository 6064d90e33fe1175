"""Admin screens of the parents' site: editors keep the content and the expert pool, the
commission reads survey responses; nobody else gets in."""

import pytest

from tests.factories_cms import ExpertFactory, SurveyResponseFactory, article, article_index, class_index, survey_page

pytestmark = pytest.mark.django_db


def denied(response):
    # Wagtail answers a missing admin permission by redirecting to the dashboard with a message.
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


@pytest.mark.parametrize("persona, status", [("editor", 200), ("commission", 200), ("trainee_a", 302)])
def test_expert_snippets_list(as_user, personas, persona, status):
    ExpertFactory(name="李秀英")
    response = as_user(personas[persona]).get("/admin/snippets/cms/expert/")
    assert response.status_code == status
    if status == 200:
        assert "李秀英" in response.content.decode()


def test_editor_can_open_the_add_forms_of_every_page_type(as_user, personas):
    client = as_user(personas["editor"])
    index, classes = article_index(), class_index()
    for url in (
        f"/admin/pages/add/cms/articlepage/{index.pk}/",
        f"/admin/pages/add/cms/parentclasspage/{classes.pk}/",
        f"/admin/pages/add/cms/surveypage/{index.get_parent().pk}/",
    ):
        assert client.get(url).status_code == 200, url
    page = article("编辑测试")
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    assert client.get("/admin/snippets/cms/expert/add/").status_code == 200


def test_editor_cannot_put_an_article_under_the_home_page(as_user, personas):
    home = article_index().get_parent()
    response = as_user(personas["editor"]).get(f"/admin/pages/add/cms/articlepage/{home.pk}/")
    assert denied(response)


@pytest.mark.parametrize("persona, allowed", [("commission", True), ("editor", False), ("provider_a", False)])
def test_survey_responses_are_read_by_the_commission(as_user, personas, persona, allowed):
    survey = survey_page()
    SurveyResponseFactory(survey=survey)
    response = as_user(personas[persona]).get("/admin/survey_responses/")
    assert response.status_code == 200 if allowed else denied(response)


def test_commission_cannot_add_or_edit_survey_responses(as_user, personas):
    response_row = SurveyResponseFactory()
    client = as_user(personas["commission"])
    assert denied(client.get("/admin/survey_responses/new/"))
    assert denied(client.get(f"/admin/survey_responses/edit/{response_row.pk}/"))


def test_class_menu_in_admin_links_the_signup_list_for_its_organiser(as_user, personas):
    from tests.factories import UserFactory
    from tests.factories_cms import parent_class

    event = parent_class(county_name="麒麟区", organiser_user=personas["editor"])
    other_editor = UserFactory(role="editor")
    url = f"/admin/pages/{event.get_parent().pk}/"
    link = f"/site/classes/{event.pk}/signups/"
    assert link in as_user(personas["editor"]).get(url).content.decode()
    response = as_user(other_editor).get(url)
    assert response.status_code == 200 and link not in response.content.decode()
