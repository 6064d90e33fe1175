from django.urls import path, re_path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/<str:key>/", views.records, name="records"),
    path("chart/<str:key>.svg", views.chart, name="chart"),
    re_path(r"^report\.(?P<fmt>xlsx|pdf)$", views.report, name="report"),
    path("snapshots/", views.snapshots, name="snapshots"),
    re_path(r"^snapshots/(?P<pk>[0-9]+)/(?P<fmt>xlsx|pdf)/$", views.snapshot_file, name="snapshot_file"),
]
