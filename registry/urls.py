from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("claim/", views.claim, name="claim"),
    path("persons/<int:pk>/reveal-id/", views.reveal_id, name="reveal_id"),
]
