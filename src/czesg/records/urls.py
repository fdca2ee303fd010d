"""Routes of the government records pages."""

from django.urls import path

from czesg.records import views

app_name = "records"

urlpatterns = [
    path("ratings/records/", views.records, name="import"),
]
