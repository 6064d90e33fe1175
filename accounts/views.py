from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as totp_views
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


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's TOTP activation; the code just typed proves the device in this session, so
    the staff gate (accounts.security) does not ask for a second code straight away."""

    def form_valid(self, form):
        response = super().form_valid(form)
        authenticator = Authenticator.objects.get(user=self.request.user, type=Authenticator.Type.TOTP)
        record_authentication(self.request, self.request.user, "mfa", id=authenticator.pk, type=authenticator.type)
        return response


def too_many_requests(request, exception=None):
    return render(request, "account/too_many_requests.html", status=429)
