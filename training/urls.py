from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    # Trainee portal
    path("me/", views.my_training, name="my_training"),
    path("me/records.xlsx", views.my_records_export, name="my_records_export"),
    path("me/enrollments/<int:pk>/", views.my_enrollment, name="my_enrollment"),
    path("me/enrollments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("runs/<int:run_pk>/enrol/", views.enrol, name="enrol"),
    # Provider portal (county officials and the commission read the same pages)
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path(
        "runs/<int:pk>/enrollments/<int:enrollment_pk>/approve/",
        views.decide_enrollment, {"action": "approve"}, name="approve_enrollment",
    ),
    path(
        "runs/<int:pk>/enrollments/<int:enrollment_pk>/reject/",
        views.decide_enrollment, {"action": "reject"}, name="reject_enrollment",
    ),
    path("runs/<int:pk>/sessions/<int:session_pk>/attendance/", views.attendance_sheet, name="attendance_sheet"),
    path("runs/<int:pk>/sessions/<int:session_pk>/qr/", views.checkin_display, name="checkin_display"),
    path("checkin/<int:session_pk>/<str:code>/", views.checkin_view, name="checkin"),
    path("runs/<int:pk>/scores/", views.scores, name="scores"),
    path("runs/<int:pk>/finish/", views.finish, name="finish"),
    path("runs/<int:pk>/roster.xlsx", views.roster_export, name="roster_export"),
]
