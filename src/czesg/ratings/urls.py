"""Routes of the rating pages."""

from django.urls import path

from czesg.ratings import feedback, views

app_name = "ratings"

urlpatterns = [
    path("ratings/", views.overview, name="overview"),
    path("ratings/methodology/", views.methodology, name="methodology"),
    path("ratings/start/", views.start, name="start"),
    path("ratings/runs/<int:pk>/", views.run_status, name="run"),
    path("ratings/feedback/<int:pk>/", feedback.disclosure_feedback, name="feedback"),
    path("enterprises/<str:uscc>/rating/", views.enterprise_rating, name="enterprise"),
    path("enterprises/<str:uscc>/self-diagnosis/", views.self_diagnosis, name="self_diagnosis"),
]
