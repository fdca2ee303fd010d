"""Routes of the supply-chain pages: products, footprints and PACT sharing."""

from django.urls import path

from czesg.supplychain import views

app_name = "supplychain"

urlpatterns = [
    path("enterprises/<str:uscc>/products/", views.products, name="products"),
    path("enterprises/<str:uscc>/products/<uuid:product>/", views.product, name="product"),
    path("enterprises/<str:uscc>/footprints/<uuid:pk>/", views.footprint, name="footprint"),
    path("enterprises/<str:uscc>/footprints/<uuid:pk>/publish/", views.publish, name="publish"),
    path("enterprises/<str:uscc>/pact/", views.sharing, name="sharing"),
    path("enterprises/<str:uscc>/pact/clients/<int:pk>/revoke/", views.revoke_client,
         name="revoke_client"),
    path("enterprises/<str:uscc>/pact/consents/<int:pk>/revoke/", views.revoke_consent,
         name="revoke_consent"),
]
