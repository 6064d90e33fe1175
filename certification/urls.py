from django.urls import path

from . import verification, views

app_name = "certification"
urlpatterns = [
    # Trainee portal
    path("", views.my_certificates, name="mine"),
    path("submit/", views.submit_external, name="submit"),
    # One certificate (scoped by Certificate.objects.visible_to)
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("<int:pk>/qr.svg", views.qr_svg, name="qr"),
    path("<int:pk>/scan/", views.download_scan, name="scan"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/supersede/", views.supersede, name="supersede"),
    # Back office
    path("manage/", views.manage, name="manage"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("provider/", views.provider_certificates, name="provider"),
    path("runs/<int:run_id>/", views.run_certificates, name="run"),
    path("runs/<int:run_id>/issue/", views.issue_run, name="issue_run"),
    path("enrollments/<int:enrollment_id>/issue/", views.issue_enrollment, name="issue_enrollment"),
    path("runs/<int:run_id>/certificates.zip", views.run_zip, name="run_zip"),
    # Public verification; config/urls.py should also mount certification.verify_urls at /verify/.
    path("verify/", verification.verify_page, name="verify"),
    path("verify/api/", verification.verify_json, name="verify_json"),
]
