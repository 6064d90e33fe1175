"""Targets in the Wagtail admin (managed by the commission), and a 监测 menu linking the
front-office dashboard and snapshots."""

from django.urls import reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from . import access
from .models import Target


class TargetViewSet(ModelViewSet):
    model = Target
    icon = "crosshairs"
    add_to_admin_menu = False
    copy_view_enabled = True
    inspect_view_enabled = True
    list_filter = ["metric", "county"]
    form_fields = ["metric", "county", "year", "period_start", "period_end", "value", "note"]
    list_display = [
        Column("metric", label="指标", accessor="get_metric_display", sort_key="metric"),
        Column("county", label="范围", accessor="scope_label"),
        Column("period", label="期间", accessor="period_label"),
        Column("value", label="目标值", accessor="value_display", sort_key="value"),
        "note",
    ]


target_viewset = TargetViewSet("monitoring_target")


@hooks.register("register_admin_viewset")
def register_target_viewset():
    return target_viewset


class RoleMenuItem(MenuItem):
    def __init__(self, label, url, test, **kwargs):
        self.test = test
        super().__init__(label, url, **kwargs)

    def is_shown(self, request):
        return self.test(request.user)


monitoring_menu = Menu(
    items=[
        RoleMenuItem("监测看板", reverse_lazy("monitoring:dashboard"),
                     access.can_view_dashboard, icon_name="view", order=100),
        RoleMenuItem("目标管理", reverse_lazy("monitoring_target:index"),
                     lambda u: u.has_perm("monitoring.view_target"), icon_name="crosshairs", order=200),
        RoleMenuItem("数据快照", reverse_lazy("monitoring:snapshots"), access.can_freeze,
                     icon_name="lock", order=300),
    ]
)


@hooks.register("register_admin_menu_item")
def register_monitoring_menu():
    return SubmenuMenuItem("监测", monitoring_menu, icon_name="table", name="monitoring", order=500)
