from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.scoping import get_for_user

from .forms import ClaimForm
from .models import Person
from .services import ClaimError, claim_person, reveal_id_number

CLAIM_ATTEMPTS_PER_HOUR = 10


@never_cache
@login_required
def claim(request):
    """A trainee links their account to their practitioner record (e.g. imported from a roster)."""
    if not request.user.is_trainee:
        raise PermissionDenied("只有学员账号可以认领从业人员记录。")
    if hasattr(request.user, "person"):
        messages.info(request, "您的账号已关联从业人员记录。")
        return redirect("accounts:portal")
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST":
        # Trying numbers one after another must not work as an oracle.
        key = f"claim-attempts:{request.user.pk}"
        attempts = cache.get_or_set(key, 0, 3600)
        if attempts >= CLAIM_ATTEMPTS_PER_HOUR:
            form.add_error(None, "尝试次数过多，请一小时后再试。")
            status = 429
        elif form.is_valid():
            cache.set(key, attempts + 1, 3600)
            try:
                claim_person(request.user, form.cleaned_data["name"], form.cleaned_data["id_number"])
            except ClaimError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, "认领成功，您的从业人员记录已关联到本账号。")
                return redirect("accounts:portal")
        else:
            status = 400
    return render(request, "registry/claim.html", {"form": form}, status=status)


@never_cache
@login_required
@require_POST
def reveal_id(request, pk):
    """Show one person's full 身份证号 to the commission, audit-logged."""
    person = get_for_user(Person.objects, request.user, pk)
    if not (request.user.is_commission or person.can_see_full_id(request.user)):
        raise PermissionDenied("无权查看完整身份证号。")
    number = reveal_id_number(person, request.user)
    return render(request, "registry/reveal_id.html", {"person": person, "id_number": number})
