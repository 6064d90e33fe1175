"""The site's URLs with the baseline prepended: /bench-hello/ answers "hello" through the same
middleware stack, gunicorn workers and settings as every real page of the run."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello), *site_urlpatterns]
