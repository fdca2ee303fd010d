"""Routes of the government records pages."""

from django.urls import path

from czesg.records import views

app_name = "records"

urlpatterns = [
    path("ratings/records/", views.records, name="import"),
    path("records/sources/", views.sources, name="sources"),
    path("records/sources/<slug:code>/", views.source, name="source"),
    path("records/sources/<slug:code>/accounts/", views.link_accounts, name="link_accounts"),
    path("records/imports/<int:pk>/", views.record_import, name="import_detail"),
    path("records/uploads/<int:pk>/", views.upload_status, name="upload"),
]
