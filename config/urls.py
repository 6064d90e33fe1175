from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as accounts_views
from core.health import healthz
from core.views import favicon
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

def page_not_found_view(request):
    raise Http404


handler429 = "accounts.views.too_many_requests"

urlpatterns = [
    # One login for everyone, with allauth's rate limits and the second factor: the admin
    # login forms only redirect there.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    path("django-admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    # Wagtail's front-end login (private pages) is a plain Django LoginView: same redirect.
    path("_util/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    # Wagtail's deliberate 500 page: nothing to gain from a URL that always fails.
    path("admin/failwhale/", page_not_found_view, name="wagtailadmin_error_test"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/2fa/totp/activate/", accounts_views.ActivateTOTPView.as_view(), name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("registry/", include("registry.urls")),
    path("courses/", include("courses.urls")),
    path("training/", include("training.urls")),
    path("certificates/", include("certification.urls")),
    # Public certificate verification (the QR codes on certificates point here).
    path("verify/", include("certification.verify_urls")),
    path("healthz", healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page names.
    path("favicon.ico", favicon, name="favicon"),
    path("dashboard/", include("monitoring.urls")),
    path("imports/", include("imports.urls")),
    path("site/", include("cms.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches everything else.
urlpatterns += [path("", include(wagtail_urls))]
