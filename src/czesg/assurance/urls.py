"""Routes of assurance: the work list, the register, invitations, engagements and statements."""

from django.urls import path

from czesg.assurance import views

app_name = "assurance"

urlpatterns = [
    path("assurance/", views.work, name="work"),
    path("assurance/firms/", views.register, name="register"),
    path("assurance/invite/<int:disclosure_pk>/", views.invite, name="invite"),
    path("assurance/<int:pk>/", views.engagement, name="engagement"),
    path("assurance/<int:pk>/act/", views.act, name="act"),
    path("assurance/<int:pk>/statement-<str:lang>.pdf", views.statement, name="statement"),
]
