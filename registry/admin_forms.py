"""Forms of the registry back office (Wagtail admin), limited to what the user may choose.

Each form takes `for_user` (Wagtail passes it to WagtailAdminModelForm subclasses): a county
official is offered only their county and its institutions, provider staff only the contact
details of their own provider.
"""

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from core.validators import validate_id_number, validate_phone

from .models import County, Employment, Institution, Person, StaffRole, TrainingProvider


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
