"""Routes for consent and API tokens."""

from django.urls import path

from czesg.access import views

app_name = "access"

urlpatterns = [
    path("enterprises/<str:uscc>/consents/", views.consents, name="consents"),
    path("consents/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
