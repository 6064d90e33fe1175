from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/errors.xlsx", views.error_sheet, name="errors"),
    path("<int:pk>/original/", views.original, name="original"),
]
