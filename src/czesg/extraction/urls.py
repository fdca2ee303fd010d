"""Routes of the extraction pages."""

from django.urls import path

from czesg.extraction import views

app_name = "extraction"

urlpatterns = [
    path("extraction/", views.reports, name="reports"),
    path("extraction/runs/<int:pk>/", views.run, name="run"),
    path("extraction/candidates/<int:pk>/crop.png", views.crop, name="crop"),
    path("extraction/candidates/<int:pk>/accept/", views.accept, name="accept"),
    path("extraction/candidates/<int:pk>/correct/", views.correct, name="correct"),
    path("extraction/candidates/<int:pk>/reject/", views.reject, name="reject"),
]
