from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
@login_required
def portal(request):
    """Each role's landing page after login."""
    user = request.user
    person = getattr(user, "person", None) if user.is_trainee else None
    employments = []
    if person is not None:
        employments = person.employments.select_related("institution__county").order_by("-start_date")
    return render(
        request,
        "accounts/portal.html",
        {"person": person, "employments": employments},
    )
