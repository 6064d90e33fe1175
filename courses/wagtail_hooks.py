"""Course pages that have runs cannot be deleted: the runs (and the training records made from
them) refer to the course. Editors unpublish such a course instead."""

from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages

from .models import CoursePage


@hooks.register("before_delete_page")
def keep_courses_with_runs(request, page):
    specific = page.specific
    has_runs = isinstance(specific, CoursePage) and specific.runs.exists()
    if not has_runs and not isinstance(specific, CoursePage):
        # Deleting an index with courses below it would delete those courses too.
        has_runs = CoursePage.objects.descendant_of(page).filter(runs__isnull=False).exists()
    if has_runs:
        messages.error(request, f"“{page.title}”（或其下的课程）已有班次，不能删除；如不再开课，请取消发布。")
        return redirect("wagtailadmin_explore", page.get_parent().id)
    return None
