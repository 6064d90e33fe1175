"""Small site-wide views."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page names: send them to the static file
    (resolved per request, so that the manifest storage of production is ready by then)."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
