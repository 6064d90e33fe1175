"""The registry in the Wagtail admin: institutions, providers, practitioners, employments.

Which rows each role sees and may change comes from the models' `visible_to(user)` and
`editable_by(user)` (see core.admin); which actions, from the role groups
(registry/roles.py, accounts/roles.py).
"""

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core import admin as av
from core.validators import validate_id_number

from . import admin_forms
from .filters import EmploymentFilterSet, InstitutionFilterSet, PersonFilterSet, TrainingProviderFilterSet
from .models import Employment, Institution, Person, TrainingProvider

# Registered before any viewset asks for a policy, or Wagtail would create its unscoped
# fallback policy first.
for _model in (Institution, TrainingProvider, Person, Employment):
    register_permission_policy(_model, av.ScopedPermissionPolicy(_model))


class DeleteView(av.ScopedDeleteView):
    def form_valid(self, form):
        if self.usage and self.usage.is_protected:
            return self._refuse()
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError):
            # The reference index may not know every reference (e.g. rows from imports);
            # the database does, so its refusal becomes a message instead of a 500.
            return self._refuse()

    def _refuse(self):
        messages.error(self.request, f"“{self.object}”仍被其他记录（如任职记录）引用，不能删除。")
        return redirect(self.request.path)


class RegistryViewSet(ModelViewSet):
    """Shared set-up: scoped views, inspect on, copy off, Django ORM search."""

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


class InstitutionViewSet(RegistryViewSet):
    model = Institution
    url_prefix = "registry/institutions"
    icon = "home"
    menu_order = 100
    form_class = admin_forms.InstitutionForm
    filterset_class = InstitutionFilterSet
    search_fields = ["name", "uscc", "address"]
    list_select_related = ("county",)
    list_display = [
        "name",
        Column("county", label="区县", accessor="county.name", sort_key="county__sort_order"),
        Column("type", label="机构类型", accessor="get_type_display", sort_key="type"),
        BooleanColumn("is_puhui", label="普惠", sort_key="is_puhui"),
        Column("registration_status", label="备案状态", accessor="get_registration_status_display",
               sort_key="registration_status"),
        DateColumn("registration_date", label="备案日期", sort_key="registration_date"),
        Column("capacity", label="托位数", sort_key="capacity"),
    ]
    list_export = ["name", "uscc", "county", "get_type_display", "is_puhui", "get_registration_status_display",
                   "registration_date", "capacity", "get_demo_level_display", "address"]
    export_headings = {"county": "区县", "get_type_display": "机构类型", "is_puhui": "是否普惠",
                       "get_registration_status_display": "备案状态", "get_demo_level_display": "示范等级"}
    export_filename = "托育机构"
    inspect_view_fields = ["name", "uscc", "county", "type", "is_puhui", "registration_status",
                           "registration_date", "capacity", "demo_level", "address", "created_at", "updated_at"]


class TrainingProviderViewSet(RegistryViewSet):
    model = TrainingProvider
    url_prefix = "registry/providers"
    icon = "group"
    menu_order = 200
    form_class = admin_forms.TrainingProviderForm
    filterset_class = TrainingProviderFilterSet
    search_fields = ["name", "uscc", "contact_name"]
    list_select_related = ("county",)
    list_display = [
        "name",
        Column("kind", label="类型", accessor="get_kind_display", sort_key="kind"),
        Column("county", label="所在区县", accessor="county", sort_key="county__sort_order"),
        Column("contact_name", label="联系人"),
        BooleanColumn("approved", label="经市卫健委认定", sort_key="approved"),
        BooleanColumn("imported", label="由导入创建", sort_key="imported"),
    ]
    inspect_view_fields = ["name", "kind", "county", "uscc", "contact_name", "contact_phone", "approved",
                           "imported", "created_at"]


class PersonIndexView(av.ScopedIndexView):
    def search_queryset(self, queryset):
        # A full 身份证号 is looked up exactly through its keyed hash; anything else is a
        # name search. The clear number is never compared in the database.
        if self.is_searching:
            try:
                number = validate_id_number(self.search_query)
            except ValidationError:
                number = None
            if number:
                return queryset.by_id_number(number)
        return super().search_queryset(queryset)


class PersonRevealMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The full number is shown only on an explicit, audit-logged POST (registry:reveal_id).
        context["can_reveal_id"] = self.request.user.is_commission
        return context


class PersonEditView(PersonRevealMixin, av.ScopedEditView):
    pass


class PersonInspectView(PersonRevealMixin, av.ScopedInspectView):
    def get_phone_display_value(self):
        return self.object.masked_phone or "—"

    def get_user_display_value(self):
        # Whether the record is claimed matters here, not the account's contact details.
        return "已关联" if self.object.user_id else "未关联"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employments"] = (
            Employment.objects.visible_to(self.request.user)
            .filter(person=self.object)
            .select_related("institution__county")
        )
        return context


class PersonViewSet(RegistryViewSet):
    model = Person
    url_prefix = "registry/persons"
    icon = "user"
    menu_order = 300
    index_view_class = PersonIndexView
    edit_view_class = PersonEditView
    inspect_view_class = PersonInspectView
    form_class = admin_forms.PersonForm
    filterset_class = PersonFilterSet
    search_fields = ["name"]
    edit_template_name = "registry/admin/person_edit.html"
    inspect_template_name = "registry/admin/person_inspect.html"
    list_display = [
        "name",
        Column("id_number_masked", label="身份证号"),
        Column("gender", label="性别", accessor="get_gender_display", sort_key="gender"),
        DateColumn("birth_date", label="出生日期", sort_key="birth_date"),
        Column("masked_phone", label="手机号"),
    ]
    # Masked values only: an export leaves the system and must not carry the clear 身份证号.
    list_export = ["name", "id_number_masked", "get_gender_display", "birth_date", "masked_phone"]
    export_headings = {"id_number_masked": "身份证号", "get_gender_display": "性别", "masked_phone": "手机号"}
    export_filename = "从业人员"
    inspect_view_fields = ["name", "id_number_masked", "gender", "birth_date", "phone", "user", "created_at",
                           "updated_at"]


class EmploymentIndexView(av.ScopedIndexView):
    def search_queryset(self, queryset):
        if self.is_searching:
            try:
                number = validate_id_number(self.search_query)
            except ValidationError:
                number = None
            if number:
                return queryset.filter(person__in=Person.objects.by_id_number(number))
        return super().search_queryset(queryset)


class EmploymentViewSet(RegistryViewSet):
    model = Employment
    url_prefix = "registry/employments"
    icon = "list-ul"
    menu_order = 400
    index_view_class = EmploymentIndexView
    form_class = admin_forms.EmploymentForm
    filterset_class = EmploymentFilterSet
    search_fields = ["person__name", "institution__name"]
    list_select_related = ("person", "institution__county")
    list_display = [
        Column("person", label="人员", accessor="person"),
        Column("institution", label="托育机构", accessor="institution.name", sort_key="institution__name"),
        Column("county", label="区县", accessor="institution.county.name"),
        Column("role", label="岗位", accessor="get_role_display", sort_key="role"),
        DateColumn("start_date", label="入职日期", sort_key="start_date"),
        DateColumn("end_date", label="离职日期", sort_key="end_date"),
    ]
    list_export = ["person.name", "person.id_number_masked", "institution.name", "institution.county.name",
                   "get_role_display", "start_date", "end_date"]
    export_headings = {"person.name": "姓名", "person.id_number_masked": "身份证号", "institution.name": "托育机构",
                       "institution.county.name": "区县", "get_role_display": "岗位"}
    export_filename = "任职"
    inspect_view_fields = ["person", "institution", "role", "start_date", "end_date", "created_at", "updated_at"]


class RegistryViewSetGroup(ModelViewSetGroup):
    menu_label = "机构与人员"
    menu_icon = "folder-open-inverse"
    menu_order = 250
    # URL namespaces: registry_institution:index, registry_person:edit, ...
    items = (InstitutionViewSet("registry_institution"), TrainingProviderViewSet("registry_trainingprovider"),
             PersonViewSet("registry_person"), EmploymentViewSet("registry_employment"))


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryViewSetGroup()
