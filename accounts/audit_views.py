"""审计日志: django-auditlog's LogEntry shown in the Wagtail admin, to the commission only.

Read-only: the entries are kept with the data (auditlog writes them in the same transaction as
the change); nobody edits or deletes them from the admin. Filterable by model (content type),
actor, action and date; searchable by the object's description.
"""

import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.models import User


class AuditPolicy(BasePermissionPolicy):
    """Only the commission views the audit trail; nobody adds, changes or deletes entries."""

    def user_has_permission(self, user, action):
        return bool(user.is_authenticated and user.is_commission and action in ("view", "inspect"))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return LogEntry.objects.all()
        return LogEntry.objects.none()


audit_policy = AuditPolicy(LogEntry)


def _audited_types(request):
    # Only the models that have entries: a short list instead of every content type.
    ids = LogEntry.objects.values_list("content_type_id", flat=True).distinct()
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def _actors(request):
    return User.objects.filter(pk__in=LogEntry.objects.exclude(actor=None).values("actor_id")).order_by("full_name")


def _changed_fields(entry):
    return "、".join((entry.changes_dict or {}).keys())


class AuditFilterSet(WagtailFilterSet):
    content_type = django_filters.ModelChoiceFilter(label="数据类型", queryset=_audited_types)
    actor = django_filters.ModelChoiceFilter(label="操作人", queryset=_actors)
    action = django_filters.ChoiceFilter(label="操作", choices=LogEntry.Action.choices)
    timestamp = django_filters.DateFromToRangeFilter(label="日期", widget=DateRangePickerWidget)

    class Meta:
        model = LogEntry
        fields = ["content_type", "actor", "action", "timestamp"]


class AuditIndexView(IndexView):
    # Views take the policy from their class, not from the viewset. Add/edit/delete/history keep
    # Wagtail's model policy: no role holds auditlog's add/change/delete permissions.
    permission_policy = audit_policy


class AuditInspectView(InspectView):
    permission_policy = audit_policy


class AuditViewSet(ModelViewSet):
    model = LogEntry
    name = "audit_logentry"
    url_prefix = "audit"
    menu_label = "审计日志"
    icon = "history"
    add_to_admin_menu = True
    menu_order = 950
    permission_policy = audit_policy
    index_view_class = AuditIndexView
    inspect_view_class = AuditInspectView
    filterset_class = AuditFilterSet
    search_fields = ["object_repr"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-timestamp"]
    inspect_view_enabled = True
    # Wagtail builds add/edit views for every ModelViewSet; the policy refuses them to everyone.
    form_fields = ["object_repr"]
    copy_view_enabled = False
    list_display = [
        Column("timestamp", label="时间", sort_key="timestamp"),
        Column("actor", label="操作人", accessor="actor"),
        Column("action", label="操作", accessor="get_action_display", sort_key="action"),
        Column("content_type", label="数据类型", accessor="content_type"),
        Column("object_repr", label="对象", sort_key="object_repr"),
        # Field names only: values (phone numbers, names) stay on the entry's own page, so the
        # list does not become a page of everyone's personal data.
        Column("changed_fields", label="变更字段", accessor=_changed_fields),
    ]
    inspect_view_fields = ["timestamp", "actor", "action", "content_type", "object_pk", "object_repr", "changes", "remote_addr"]

    def get_queryset(self, request):
        return LogEntry.objects.select_related("actor", "content_type")

    def register_permissions(self):
        # The policy does not use Django permissions: nothing for the group editor.
        pass

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class AuditMenuItem(MenuItem):
            def is_shown(self, request):
                return audit_policy.user_has_permission(request.user, "view")

        return AuditMenuItem
