"""Routes of the task tracker (under ``dashboards/``): tasks, one task, departments, export."""

from django.urls import path

from czesg.plan import views

app_name = "plan"

urlpatterns = [
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/export.<str:fmt>", views.tasks_export, name="tasks_export"),
    path("tasks/<int:number>/", views.task, name="task"),
    path("departments/", views.departments, name="departments"),
]
