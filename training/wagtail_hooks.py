"""Runs (班次) and sessions (课次) in the Wagtail admin, scoped to the user's provider.

Rows come from CourseRun/Session `visible_to(user)` (look) and `editable_by(user)` (change),
through the registry's scoped admin views; which actions, from the role groups (training/roles.py).
Enrolment decisions, attendance, scores and finishing are front-office flows (training.views).
"""

import django_filters
from django import forms
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core import admin as av
from courses.models import CoursePage
from registry.models import County, TrainingProvider

from . import services
from .models import CourseRun, RunStatus, Session, SessionKind

for _model in (CourseRun, Session):
    register_permission_policy(_model, av.ScopedPermissionPolicy(_model))


# --- Forms -----------------------------------------------------------------------------------


class CourseRunForm(WagtailAdminModelForm):
    class Meta:
        model = CourseRun
        fields = [
            "provider", "course", "title", "county", "place", "mode", "capacity", "start_date", "end_date",
            "enrol_opens", "enrol_closes", "needs_approval", "status",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["county"].queryset = County.objects.all()
        if for_user is not None and for_user.is_provider_staff and not for_user.is_commission:
            self.fields["provider"].queryset = TrainingProvider.objects.filter(pk=for_user.provider_id)
            self.fields["provider"].initial = for_user.provider_id
        # 已结业 is reached only through the finish action, which creates the training records.
        if self.instance.status == RunStatus.FINISHED:
            for field in self.fields.values():
                field.disabled = True
        else:
            self.fields["status"].choices = [c for c in RunStatus.choices if c[0] != RunStatus.FINISHED]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            taken = self.instance.seats_taken_now()
            if capacity < taken:
                raise forms.ValidationError(f"已有 {taken} 人占用名额，名额不能少于 {taken}。")
        return capacity

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == RunStatus.FINISHED:
            raise forms.ValidationError("已结业的班次不能修改；如需更正考勤或成绩，请在班次管理中操作。")
        return cleaned


class SessionForm(WagtailAdminModelForm):
    class Meta:
        model = Session
        fields = ["run", "date", "start_time", "end_time", "hours", "kind", "topic", "trainer"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        runs = CourseRun.objects.all() if for_user is None else CourseRun.objects.editable_by(for_user)
        self.fields["run"].queryset = runs.exclude(status__in=[RunStatus.FINISHED, RunStatus.CANCELLED]).select_related("course")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.run.status == RunStatus.FINISHED:
            raise forms.ValidationError("班次已结业，不能再修改课次。")
        return cleaned


# --- Filters -----------------------------------------------------------------------------------


class CourseRunFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RunStatus.choices)
    county = django_filters.ModelChoiceFilter(label="区县", queryset=County.objects.all())

    class Meta:
        model = CourseRun
        fields = ["status", "county"]


class SessionFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=SessionKind.choices)
    date = django_filters.DateFromToRangeFilter(label="日期")

    class Meta:
        model = Session
        fields = ["kind", "date"]


# --- Views ---------------------------------------------------------------------------------------


class CourseRunEditView(av.ScopedEditView):
    def save_instance(self):
        instance = super().save_instance()
        # More seats: the waiting list moves up at once, in order.
        services.change_capacity(instance.pk, instance.capacity)
        return instance


class DeleteView(av.ScopedDeleteView):
    protected_message = "“{}”已有报名或考勤记录，不能删除；不再开办的班次请把状态改为“已取消”。"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError):
            messages.error(self.request, self.protected_message.format(self.object))
            return redirect(self.request.path)


class TrainingViewSet(ModelViewSet):
    index_view_class = av.ScopedIndexView
    add_view_class = av.ScopedCreateView
    edit_view_class = av.ScopedEditView
    delete_view_class = DeleteView
    inspect_view_class = av.ScopedInspectView
    history_view_class = av.ScopedHistoryView
    usage_view_class = av.ScopedUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    add_to_admin_menu = False
    list_per_page = 50
    form_class = None
    list_select_related = ()

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=self.list_select_related, **kwargs)


def _portal_link(run):
    return format_html('<a href="{}">报名与考勤</a>', reverse("training:run_detail", args=[run.pk]))


class CourseRunViewSet(TrainingViewSet):
    model = CourseRun
    url_prefix = "training/runs"
    icon = "date"
    menu_label = "班次"
    menu_order = 100
    edit_view_class = CourseRunEditView
    form_class = CourseRunForm
    filterset_class = CourseRunFilterSet
    search_fields = ["title", "place", "course__title"]
    list_select_related = ("course", "provider", "county")
    list_display = [
        Column("display_title", label="班次"),
        Column("provider", label="培训机构", accessor="provider.name", sort_key="provider__name"),
        Column("county", label="区县", accessor="county.name", sort_key="county__sort_order"),
        DateColumn("start_date", label="开班", sort_key="start_date"),
        DateColumn("end_date", label="结业", sort_key="end_date"),
        Column("capacity", label="名额", sort_key="capacity"),
        Column("status", label="状态", accessor="get_status_display", sort_key="status"),
        Column("portal", label="", accessor=_portal_link),
    ]
    inspect_view_fields = [
        "course", "provider", "county", "title", "place", "mode", "capacity", "start_date", "end_date",
        "enrol_opens", "enrol_closes", "needs_approval", "status", "finished_at", "created_at",
    ]


class SessionViewSet(TrainingViewSet):
    model = Session
    url_prefix = "training/sessions"
    icon = "time"
    menu_label = "课次"
    menu_order = 200
    form_class = SessionForm
    filterset_class = SessionFilterSet
    search_fields = ["topic", "trainer", "run__title", "run__course__title"]
    list_select_related = ("run__course",)
    list_display = [
        Column("topic", label="主题"),
        Column("run", label="班次", accessor="run.display_title"),
        DateColumn("date", label="日期", sort_key="date"),
        Column("start_time", label="开始", sort_key="start_time"),
        Column("end_time", label="结束"),
        Column("hours", label="学时"),
        Column("kind", label="类型", accessor="get_kind_display", sort_key="kind"),
        Column("trainer", label="教师"),
    ]


class TrainingViewSetGroup(ModelViewSetGroup):
    menu_label = "培训班次"
    menu_icon = "date"
    menu_order = 300
    # URL namespaces: training_courserun:index, training_session:add, ...
    items = (CourseRunViewSet("training_courserun"), SessionViewSet("training_session"))


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


class PortalMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.is_provider_staff or user.is_county_official or user.is_commission


@hooks.register("register_admin_menu_item")
def register_training_portal_menu_item():
    return PortalMenuItem("报名、考勤与结业", reverse("training:run_list"), icon_name="tasks", order=310)
