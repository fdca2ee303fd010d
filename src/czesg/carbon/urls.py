"""Routes of the carbon calculator pages."""

from django.urls import path

from czesg.carbon import views

app_name = "carbon"

urlpatterns = [
    path("enterprises/<str:uscc>/carbon/", views.calculator, name="calculator"),
    path("enterprises/<str:uscc>/carbon/<int:pk>/", views.calculation_detail, name="calculation"),
    path("enterprises/<str:uscc>/carbon/<int:pk>/apply/", views.apply, name="apply"),
    path("enterprises/<str:uscc>/carbon/<int:pk>/recalculate/", views.recalculate,
         name="recalculate"),
]
