"""The public verification page at /verify/: `path("verify/", include("certification.verify_urls"))`."""

from django.urls import path

from . import verification

app_name = "verify"
urlpatterns = [
    path("", verification.verify_page, name="page"),
    path("api/", verification.verify_json, name="json"),
]
