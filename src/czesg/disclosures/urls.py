"""Routes of the disclosure workflow."""

from django.urls import path

from czesg.disclosures import views

app_name = "disclosures"

urlpatterns = [
    path("enterprises/<str:uscc>/disclose/", views.start, name="start"),
    path("disclosures/<int:pk>/edit/", views.edit, name="edit"),
    path("disclosures/<int:pk>/answer/<str:code>/", views.answer, name="answer"),
    path("disclosures/<int:pk>/copy-forward/", views.copy_forward, name="copy_forward"),
    path("disclosures/<int:pk>/review/", views.review, name="review"),
    path("disclosures/<int:pk>/template/", views.template_download, name="template"),
    path("disclosures/<int:pk>/upload/", views.upload, name="upload"),
    path("disclosures/<int:pk>/delete/", views.delete, name="delete"),
    path("disclosures/<int:pk>/<str:verb>/", views.transition, name="transition"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("applicants/", views.applicants, name="applicants"),
]
