"""Front-office views of the parents' site that are not Wagtail pages: search, the expert
directory, a class's sign-up list for its organiser, and the class calendar file."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.spreadsheets import safe_cell
from registry.models import County

from . import ics
from .models import ClassSignup, Expert, ParentClassPage, Specialty
from .search import search_pages
from .utils import filter_query, paginate

QUERY_MAX = 50


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    results = search_pages(query) if query else []
    return render(request, "cms/search.html", {
        "query": query, "page_obj": paginate(request, results, 10), "filter_query": filter_query(q=query),
    })


@require_GET
def experts(request):
    experts = Expert.objects.for_public_display()
    county_param, specialty = request.GET.get("county", ""), request.GET.get("specialty", "")
    county = None
    if county_param == "city":
        experts = experts.filter(county__isnull=True)
    elif county_param:
        county = County.objects.filter(pk=county_param).first() if county_param.isdigit() else None
        if county is None:
            raise Http404("没有这个区县")
        experts = experts.filter(county=county)
    if specialty:
        if specialty not in Specialty.values:
            raise Http404("没有这个专业方向")
        experts = experts.filter(specialty=specialty)
    return render(request, "cms/experts.html", {
        "page_obj": paginate(request, experts, 12),
        "counties": County.objects.all(),
        "specialties": Specialty.choices,
        "county_param": county_param,
        "specialty": specialty,
        "filter_query": filter_query(county=county_param, specialty=specialty),
    })


def _live_class(page_id):
    return get_object_or_404(ParentClassPage.objects.live().public(), pk=page_id)


@login_required
@require_GET
def class_signups(request, page_id):
    event = _live_class(page_id)
    # Outsiders get 404: whether a class has sign-ups is nobody else's business.
    if not ParentClassPage.objects.managed_by(request.user).filter(pk=event.pk).exists():
        raise Http404("没有找到该课堂的报名名单")
    signups = ClassSignup.objects.visible_to(request.user).filter(event=event).select_related("age_band")
    if request.GET.get("format") == "csv":
        return _signups_csv(event, signups)
    return render(request, "cms/class_signups.html", {"event": event, "signups": signups})


def _signups_csv(event, signups):
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signups-{event.pk}.csv"'
    response.write("\ufeff")  # BOM: Excel on Chinese Windows then reads UTF-8 correctly
    writer = csv.writer(response)
    writer.writerow(["序号", "家长姓名", "手机号", "孩子月龄", "报名时间"])
    for n, s in enumerate(signups, start=1):
        writer.writerow([n, safe_cell(s.name), s.phone, s.age_band.name, f"{s.created_at:%Y-%m-%d %H:%M}"])
    return response


@require_GET
def class_ics(request, page_id):
    event = _live_class(page_id)
    response = HttpResponse(ics.calendar_for(event, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parent-class-{event.pk}.ics"'
    return response
