"""Routes of the zone evaluation (under ``dashboards/``): ranking, reports, statistics, exports."""

from django.urls import path

from czesg.parks import views

app_name = "parks"

urlpatterns = [
    path("zones/", views.zones, name="zones"),
    path("zones/export.<str:fmt>", views.zones_export, name="zones_export"),
    path("zones/<str:park_key>/", views.zone, name="zone"),
    path("zones/<str:park_key>/export.<str:fmt>", views.zone_export, name="zone_export"),
    path("zones/<str:park_key>/statistics/", views.zone_statistics, name="zone_statistics"),
]
