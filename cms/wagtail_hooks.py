"""Admin screens of the parents' site: the expert pool and the two vocabularies, as snippets;
survey responses as a read-only list for the commission."""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import AgeBand, Expert, SurveyResponse, Topic


class ExpertViewSet(SnippetViewSet):
    model = Expert
    icon = "user"
    menu_label = "育儿专家库"
    list_display = ["name", "title", "specialty", "institution", "county", "is_active"]
    list_filter = ["specialty", "county", "is_active"]
    search_fields = ["name", "institution"]
    ordering = ["sort_order", "id"]
    copy_view_enabled = False


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "主题"
    list_display = ["name", "slug", "sort_order"]
    copy_view_enabled = False


class AgeBandViewSet(SnippetViewSet):
    model = AgeBand
    icon = "date"
    menu_label = "月龄段"
    list_display = ["name", "slug", "sort_order"]
    copy_view_enabled = False


class ParentingGroup(SnippetViewSetGroup):
    items = (ExpertViewSet, TopicViewSet, AgeBandViewSet)
    menu_icon = "group"
    menu_label = "科学育儿"
    menu_name = "parenting"


class SurveyResponseViewSet(ModelViewSet):
    """Read-only in practice: the roles hold only the view permission (cms/roles.py)."""

    model = SurveyResponse
    icon = "list-ul"
    menu_label = "问卷答卷"
    name = "survey_responses"
    add_to_admin_menu = True
    list_display = ["submitted_at", "county", "age_band", "score", "passed"]
    list_filter = ["county", "passed", "age_band"]
    form_fields = ["county", "age_band", "score", "passed"]
    inspect_view_enabled = True
    copy_view_enabled = False


register_snippet(ParentingGroup)

from wagtail import hooks  # noqa: E402


@hooks.register("register_admin_viewset")
def register_survey_responses():
    return SurveyResponseViewSet()


@hooks.register("register_page_listing_more_buttons")
def class_signups_button(page, user, next_url=None):
    """"报名名单" in a parent class's menu, for those who may see the list (the same rule as
    the list itself: ParentClassPage.objects.managed_by)."""
    from django.urls import reverse
    from wagtail.admin.widgets import Button

    from .models import ParentClassPage

    if page.specific_class is ParentClassPage and page.live:
        if ParentClassPage.objects.managed_by(user).filter(pk=page.pk).exists():
            yield Button("报名名单", url=reverse("cms:class_signups", args=[page.pk]), icon_name="list-ul", priority=90)
