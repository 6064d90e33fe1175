from django.urls import path

from . import views

app_name = "cms"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("experts/", views.experts, name="experts"),
    path("classes/<int:page_id>/signups/", views.class_signups, name="class_signups"),
    path("classes/<int:page_id>/calendar.ics", views.class_ics, name="class_ics"),
]
