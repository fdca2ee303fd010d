"""Routes of the dashboards: city, zones, tasks, registries and their exports."""

from django.urls import path

from czesg.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("city/", views.city, name="city"),
    path("city/export.<str:fmt>", views.city_export, name="city_export"),
    path("zones/", views.zones, name="zones"),
    path("zones/export.<str:fmt>", views.zones_export, name="zones_export"),
    path("zones/<str:park_key>/", views.zone, name="zone"),
    path("zones/<str:park_key>/export.<str:fmt>", views.zone_export, name="zone_export"),
    path("zones/<str:park_key>/statistics/", views.zone_statistics, name="zone_statistics"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/export.<str:fmt>", views.tasks_export, name="tasks_export"),
    path("tasks/<int:number>/", views.task, name="task"),
    path("departments/", views.departments, name="departments"),
    path("registries/", views.registries, name="registries"),
    path("registries/<str:key>/", views.registry, name="registry"),
    path("registries/<str:key>/<int:pk>/", views.registry_entry, name="registry_entry"),
]
