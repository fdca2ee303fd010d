"""Routes of the city dashboard: the entry page, the city targets and their export."""

from django.urls import path

from czesg.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("city/", views.city, name="city"),
    path("city/export.<str:fmt>", views.city_export, name="city_export"),
]
