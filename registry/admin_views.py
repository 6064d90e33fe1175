"""Scoped Wagtail admin views, permission policies and forms of the registry back office.

Wagtail's generic views look objects up with `Model._default_manager`, i.e. among *all* rows.
Here every look-up starts from the model's `visible_to(user)` queryset, so an object outside
the user's scope is a 404 whatever the URL, and one the user may see but not change is a 403
(a real 403: Wagtail's own handling would redirect to the dashboard with a message, which
looks like success to a script and hides what happened).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.permission_policies import ModelPermissionPolicy

from core.validators import validate_id_number, validate_phone

from .models import County, Employment, Institution, Person, StaffRole, TrainingProvider

# --- Permission policy ------------------------------------------------------------------------


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the role groups, narrowed to rows by the model's querysets.

    "view" is limited to `visible_to(user)`, every other action to `editable_by(user)`.
    """

    READ_ACTIONS = {"view"}

    def scoped_queryset(self, user, actions):
        manager = self.model._default_manager
        if set(actions) <= self.READ_ACTIONS:
            return manager.visible_to(user)
        return manager.editable_by(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return self.scoped_queryset(user, [action]).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        allowed = [a for a in actions if self.user_has_permission(user, a)]
        if not allowed:
            return self.model._default_manager.none()
        return self.scoped_queryset(user, allowed)


# --- Views ---------------------------------------------------------------------------------


def _forbidden(request, message="您的账号没有执行此操作的权限。"):
    return TemplateResponse(request, "registry/admin/403.html", {"message": message}, status=403)


class ForbiddenAs403Mixin:
    """Answer PermissionDenied with HTTP 403 instead of Wagtail's redirect to the dashboard."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc) or "您的账号没有执行此操作的权限。")


class ScopedObjectMixin(ForbiddenAs403Mixin):
    """Find the object among the rows the user may see (404 otherwise)."""

    #: The policy action the object must allow, beyond being visible ("view": none).
    object_action = "view"

    def visible_queryset(self):
        return self.model._default_manager.visible_to(self.request.user)

    def get_scoped_object(self, pk):
        obj = get_object_or_404(self.visible_queryset(), pk=pk)
        if self.object_action != "view" and not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.object_action, obj
        ):
            # Visible but read-only for this user (e.g. a county official and a provider).
            raise PermissionDenied("您只能查看该记录，无权修改或删除。")
        return obj


class IntegrityErrorAsFormErrorMixin:
    """A unique constraint hit by a concurrent save becomes a form error, not a 500."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError as exc:
            field, message = getattr(form, "integrity_error", lambda e: (None, "该记录与已有记录重复，未保存。"))(exc)
            form.add_error(field, message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        # Bad input is a 400 (house rule), also for scripts posting to the admin.
        if response.status_code == 200 and not getattr(self, "expects_json_response", False):
            response.status_code = 400
        return response


class ScopedIndexView(ForbiddenAs403Mixin, generic.IndexView):
    list_select_related = ()

    def get_base_queryset(self):
        queryset = self.model._default_manager.visible_to(self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


class ScopedCreateView(IntegrityErrorAsFormErrorMixin, ForbiddenAs403Mixin, generic.CreateView):
    pass


class ScopedEditView(IntegrityErrorAsFormErrorMixin, ScopedObjectMixin, generic.EditView):
    object_action = "change"

    def dispatch(self, request, *args, **kwargs):
        # Outsiders learn nothing, not even that they lack the permission: 404 comes first.
        if not self.visible_queryset().filter(pk=self.object_pk).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.get_scoped_object(self.object_pk)


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_action = "delete"

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.get_scoped_object(self.kwargs[self.pk_url_kwarg])

    def setup(self, request, *args, **kwargs):
        # DeleteView loads the object in setup(), before dispatch() checks the model
        # permission; a read-only user must still get a 403 there, not a traceback.
        try:
            super().setup(request, *args, **kwargs)
        except PermissionDenied as exc:
            self._setup_denied = exc

    def dispatch(self, request, *args, **kwargs):
        if getattr(self, "_setup_denied", None):
            return _forbidden(request, str(self._setup_denied))
        return super().dispatch(request, *args, **kwargs)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return self.get_scoped_object(self.pk)

    def get_edit_url(self):
        if self.edit_url_name and self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        ):
            return super().get_edit_url()

    def get_delete_url(self):
        if self.delete_url_name and self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", self.object
        ):
            return super().get_delete_url()


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.visible_queryset()


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.visible_queryset()


# --- Forms -----------------------------------------------------------------------------------


def _user_counties(user):
    if user is not None and user.is_county_official and not user.is_commission:
        return County.objects.filter(pk=user.county_id)
    return County.objects.all()


def _clean_phone(value):
    if not (value or "").strip():
        return ""
    try:
        return validate_phone(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


class InstitutionForm(WagtailAdminModelForm):
    class Meta:
        model = Institution
        fields = [
            "name", "uscc", "county", "type", "is_puhui", "registration_status", "registration_date",
            "capacity", "demo_level", "address",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        counties = _user_counties(for_user)
        self.fields["county"].queryset = counties
        if for_user is not None and for_user.is_county_official and not self.instance.pk:
            self.fields["county"].initial = for_user.county_id


class TrainingProviderForm(WagtailAdminModelForm):
    # Provider staff keep their contact details up to date; what the commission decided
    # (name, approval, county) is not theirs to change.
    COMMISSION_ONLY = ["name", "county", "approved", "imported", "kind"]

    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)

    class Meta:
        model = TrainingProvider
        fields = ["name", "kind", "county", "uscc", "contact_name", "contact_phone", "approved", "imported"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not for_user.is_commission:
            for name in self.COMMISSION_ONLY:
                self.fields[name].disabled = True

    def clean_contact_phone(self):
        return _clean_phone(self.cleaned_data.get("contact_phone"))


class PersonForm(WagtailAdminModelForm):
    """A person with their 身份证号 typed in clear; only the masked form is ever shown back.

    A county official sees persons through their employments in the county, so a person they
    create gets a first employment at one of their county's institutions in the same form.
    """

    id_number_input = forms.CharField(
        label="身份证号", max_length=30, required=False, error_messages={"required": "请填写身份证号。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="18 位；最后一位可以是 X。",
    )
    employment_institution = forms.ModelChoiceField(
        label="任职机构", queryset=Institution.objects.none(), required=False
    )
    employment_role = forms.ChoiceField(
        label="岗位", choices=[("", "---------"), *StaffRole.choices], required=False
    )
    employment_start_date = forms.DateField(label="入职日期", required=False, widget=AdminDateInput)

    # Wider than the model field: "+86 138-1234-5678" is accepted and normalised to 11 digits.
    phone = forms.CharField(label="手机号", max_length=30, required=False)

    class Meta:
        model = Person
        fields = ["name", "phone"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.for_user = for_user
        creating = not self.instance.pk
        if creating:
            self.fields["id_number_input"].required = True
        else:
            self.fields["id_number_input"].help_text = (
                f"当前：{self.instance.id_number_masked}。留空表示不修改；如需更正，请填写完整的 18 位身份证号。"
            )
        if creating and for_user is not None:
            self.fields["employment_institution"].queryset = (
                Institution.objects.editable_by(for_user).select_related("county")
            )
            needs_employment = not for_user.is_commission
            for name in ("employment_institution", "employment_role", "employment_start_date"):
                self.fields[name].required = needs_employment
            if not needs_employment:
                self.fields["employment_institution"].help_text = "可选：同时登记一条任职记录。"
        else:
            for name in ("employment_institution", "employment_role", "employment_start_date"):
                del self.fields[name]

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise ValidationError("请填写姓名。")
        return name

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))

    def clean_id_number_input(self):
        value = self.cleaned_data.get("id_number_input", "")
        if not value.strip():
            return ""
        try:
            number = validate_id_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        duplicates = Person.objects.by_id_number(number)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise ValidationError("该身份证号已登记。")
        return number

    def clean(self):
        cleaned = super().clean()
        institution = cleaned.get("employment_institution")
        role = cleaned.get("employment_role")
        start = cleaned.get("employment_start_date")
        if "employment_institution" in self.fields and any([institution, role, start]):
            for name, value in (("employment_institution", institution), ("employment_role", role),
                                ("employment_start_date", start)):
                if not value and name not in self.errors:
                    self.add_error(name, "登记任职时，任职机构、岗位和入职日期都必须填写。")
        return cleaned

    def _post_clean(self):
        # The model's fields derived from the number (hash, gender, birth date) must be set
        # before the model's own validation runs.
        number = self.cleaned_data.get("id_number_input")
        if number:
            self.instance.id_number = number
        super()._post_clean()

    def integrity_error(self, exc):
        if "id_number_hash" in str(exc):
            return "id_number_input", "该身份证号已登记。"
        return None, "该记录与已有记录重复，未保存。"

    def save(self, commit=True):
        person = super().save(commit=commit)
        institution = self.cleaned_data.get("employment_institution")
        if commit and institution:
            Employment.objects.create(
                person=person, institution=institution,
                role=self.cleaned_data["employment_role"],
                start_date=self.cleaned_data["employment_start_date"],
            )
        return person


class EmploymentForm(WagtailAdminModelForm):
    # Someone moving in from another county is not yet visible to the county official, so
    # they can also be found by their full 身份证号 (knowing it is the proof of the relation).
    person_id_number = forms.CharField(
        label="或按身份证号选择人员", max_length=30, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="人员不在上面的列表中时（如从其他区县调入），填写其完整的 18 位身份证号。新人员请先在“从业人员”中登记。",
    )

    class Meta:
        model = Employment
        fields = ["person", "person_id_number", "institution", "role", "start_date", "end_date"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["person"].required = False
        if for_user is not None:
            # Only institutions the user may change, and persons they may see: a county
            # official cannot attach anyone to another county's institution.
            self.fields["institution"].queryset = Institution.objects.editable_by(for_user).select_related("county")
            self.fields["person"].queryset = Person.objects.visible_to(for_user)

    def clean_person_id_number(self):
        value = self.cleaned_data.get("person_id_number", "")
        if not value.strip():
            return None
        try:
            number = validate_id_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        person = Person.objects.by_id_number(number).first()
        if person is None:
            raise ValidationError("未找到该身份证号对应的从业人员，请先在“从业人员”中登记。")
        return person

    def clean(self):
        cleaned = super().clean()
        by_number = cleaned.get("person_id_number")
        if by_number is not None:
            cleaned["person"] = by_number
            self.instance.person = by_number
        elif not cleaned.get("person") and "person_id_number" not in self.errors:
            self.add_error("person", "请选择人员，或填写其身份证号。")
        return cleaned

    def integrity_error(self, exc):
        return None, "该人员在该机构的同一岗位、同一入职日期的任职已登记。"
