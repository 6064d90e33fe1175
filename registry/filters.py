"""Filters of the registry's back-office listings (Wagtail admin, django-filter).

The listings are already limited to what the user may see (`visible_to(user)`); these filters
only narrow that further, so a county official's choice of county is cosmetic, not security.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect

from .models import (
    County,
    Employment,
    Institution,
    InstitutionType,
    Person,
    ProviderKind,
    RegistrationStatus,
    StaffRole,
    TrainingProvider,
)


def _counties_for(request):
    """A county official only ever sees their own county, so only offer that one."""
    user = getattr(request, "user", None)
    counties = County.objects.all()
    if user is not None and user.is_authenticated and user.is_county_official:
        counties = counties.filter(pk=user.county_id)
    return counties


def _institutions_for(request):
    user = getattr(request, "user", None)
    if user is None:
        return Institution.objects.none()
    return Institution.objects.visible_to(user).select_related("county")


class InstitutionFilterSet(WagtailFilterSet):
    county = django_filters.ModelChoiceFilter(label="区县", queryset=_counties_for)
    type = django_filters.ChoiceFilter(
        label="机构类型", choices=InstitutionType.choices, widget=forms.RadioSelect, empty_label="全部"
    )
    is_puhui = django_filters.BooleanFilter(label="是否普惠", widget=BooleanRadioSelect)
    registration_status = django_filters.ChoiceFilter(
        label="备案状态", choices=RegistrationStatus.choices, widget=forms.RadioSelect, empty_label="全部"
    )

    class Meta:
        model = Institution
        fields = ["county", "type", "is_puhui", "registration_status"]


class TrainingProviderFilterSet(WagtailFilterSet):
    county = django_filters.ModelChoiceFilter(label="所在区县", queryset=_counties_for)
    kind = django_filters.ChoiceFilter(
        label="类型", choices=ProviderKind.choices, widget=forms.RadioSelect, empty_label="全部"
    )
    approved = django_filters.BooleanFilter(label="经市卫健委认定", widget=BooleanRadioSelect)
    imported = django_filters.BooleanFilter(label="由导入创建", widget=BooleanRadioSelect)

    class Meta:
        model = TrainingProvider
        fields = ["county", "kind", "approved", "imported"]


class EmploymentStatus:
    CURRENT = "current"
    ENDED = "ended"
    CHOICES = [(CURRENT, "在职"), (ENDED, "已离职")]


def _current_q():
    today = datetime.date.today()
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def _ended_q():
    return Q(end_date__lt=datetime.date.today())


class PersonFilterSet(WagtailFilterSet):
    """Persons by where and as what they work; one EXISTS per filter, never a join that repeats rows."""

    county = django_filters.ModelChoiceFilter(label="任职区县", queryset=_counties_for, method="filter_employment")
    institution = django_filters.ModelChoiceFilter(
        label="任职机构", queryset=_institutions_for, method="filter_employment"
    )
    role = django_filters.ChoiceFilter(
        label="岗位", choices=StaffRole.choices, method="filter_employment", widget=forms.RadioSelect,
        empty_label="全部",
    )
    status = django_filters.ChoiceFilter(
        label="任职状态", choices=EmploymentStatus.CHOICES, method="filter_employment",
        widget=forms.RadioSelect, empty_label="全部",
    )
    has_account = django_filters.BooleanFilter(
        label="已关联平台账号", field_name="user", lookup_expr="isnull", exclude=True, widget=BooleanRadioSelect
    )

    class Meta:
        model = Person
        fields = []

    def filter_employment(self, queryset, name, value):
        # All employment conditions must hold for the *same* employment (a caregiver in
        # 麒麟区 now, not a caregiver somewhere once and in 麒麟区 later), so they are
        # combined in one subquery at the end instead of one per filter.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        condition = Q()
        if data.get("county"):
            condition &= Q(institution__county=data["county"])
        if data.get("institution"):
            condition &= Q(institution=data["institution"])
        if data.get("role"):
            condition &= Q(role=data["role"])
        status = data.get("status")
        if status == EmploymentStatus.CURRENT:
            condition &= _current_q()
        elif status == EmploymentStatus.ENDED:
            condition &= _ended_q()
        if condition:
            queryset = queryset.filter(Exists(Employment.objects.filter(condition, person=OuterRef("pk"))))
        return queryset


class EmploymentFilterSet(WagtailFilterSet):
    county = django_filters.ModelChoiceFilter(
        label="区县", queryset=_counties_for, field_name="institution__county"
    )
    institution = django_filters.ModelChoiceFilter(label="托育机构", queryset=_institutions_for)
    role = django_filters.ChoiceFilter(
        label="岗位", choices=StaffRole.choices, widget=forms.RadioSelect, empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        label="任职状态", choices=EmploymentStatus.CHOICES, method="filter_status",
        widget=forms.RadioSelect, empty_label="全部",
    )

    class Meta:
        model = Employment
        fields = ["county", "institution", "role"]

    def filter_status(self, queryset, name, value):
        if value == EmploymentStatus.CURRENT:
            return queryset.filter(_current_q())
        if value == EmploymentStatus.ENDED:
            return queryset.filter(_ended_q())
        return queryset
