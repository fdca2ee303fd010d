"""Routes of the registries (under ``dashboards/``): the list, one registry, one entry."""

from django.urls import path

from czesg.registries import views

app_name = "registries"

urlpatterns = [
    path("registries/", views.registries, name="registries"),
    path("registries/<str:key>/", views.registry, name="registry"),
    path("registries/<str:key>/<int:pk>/", views.registry_entry, name="registry_entry"),
]
