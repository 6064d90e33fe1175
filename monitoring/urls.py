from django.urls import path, re_path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/<str:key>/", views.records, name="records"),
    path("chart/<str:key>.svg", views.chart, name="chart"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_request, name="report_request"),
    path("reports/<int:pk>/download/", views.report_file, name="report_file"),
    path("snapshots/", views.snapshots, name="snapshots"),
    re_path(r"^snapshots/(?P<pk>[0-9]+)/(?P<fmt>xlsx|pdf)/$", views.snapshot_file, name="snapshot_file"),
    re_path(r"^snapshots/(?P<pk>[0-9]+)/(?P<fmt>xlsx|pdf)/retry/$", views.snapshot_retry, name="snapshot_retry"),
]
