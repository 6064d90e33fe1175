# Course pages are served by Wagtail's page tree; enrolment from a course page posts to
# training:enrol. This module stays for the links that are not pages.
from django.urls import path  # noqa: F401

app_name = "courses"
urlpatterns = []
