"""django-filter filtersets of the portals (lists are filtered here, never by hand in views)."""

import django_filters
from django.db.models import Q

from registry.models import County, TrainingCategory

from .models import CourseRun, Enrollment, EnrollmentStatus, RunStatus, TrainingRecord, TrainingResult


def _year_choices():
    return [(y, f"{y}年") for y in range(2024, 2028)]


class RunFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_q")
    status = django_filters.ChoiceFilter(label="状态", choices=RunStatus.choices, empty_label="全部状态")
    county = django_filters.ModelChoiceFilter(label="区县", queryset=County.objects.all(), empty_label="全部区县")
    year = django_filters.ChoiceFilter(
        label="开班年份", choices=_year_choices, field_name="start_date__year", empty_label="全部年份"
    )

    class Meta:
        model = CourseRun
        fields = ["q", "status", "county", "year"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(course__title__icontains=value) | Q(place__icontains=value))


class EnrollmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="报名状态", choices=EnrollmentStatus.choices, empty_label="全部")
    name = django_filters.CharFilter(label="姓名", field_name="person__name", lookup_expr="icontains")

    class Meta:
        model = Enrollment
        fields = ["status", "name"]


class RecordFilter(django_filters.FilterSet):
    result = django_filters.ChoiceFilter(label="考核结果", choices=TrainingResult.choices, empty_label="全部")
    category = django_filters.ChoiceFilter(label="培训类别", choices=TrainingCategory.choices, empty_label="全部类别")
    year = django_filters.ChoiceFilter(
        label="结业年份", choices=_year_choices, field_name="completion_date__year", empty_label="全部年份"
    )

    class Meta:
        model = TrainingRecord
        fields = ["result", "category", "year"]
