"""Routes of the supply-chain pages: products, footprints, PACT sharing, buyers' requests and
supplier scorecards."""

from django.urls import path

from czesg.supplychain import request_pages, views

app_name = "supplychain"

urlpatterns = [
    path("enterprises/<str:uscc>/products/", views.products, name="products"),
    path("enterprises/<str:uscc>/products/<uuid:product>/", views.product, name="product"),
    path("enterprises/<str:uscc>/footprints/<uuid:pk>/", views.footprint, name="footprint"),
    path("enterprises/<str:uscc>/footprints/<uuid:pk>/publish/", views.publish, name="publish"),
    path("enterprises/<str:uscc>/pact/", views.sharing, name="sharing"),
    path("enterprises/<str:uscc>/pact/clients/<int:pk>/revoke/", views.revoke_client,
         name="revoke_client"),
    path("enterprises/<str:uscc>/pact/partners/<int:pk>/revoke/", views.revoke_partner,
         name="revoke_partner"),
    path("enterprises/<str:uscc>/pact/consents/<int:pk>/revoke/", views.revoke_consent,
         name="revoke_consent"),
    path("enterprises/<str:uscc>/supplier-requests/", request_pages.supplier_requests,
         name="supplier_requests"),
    path("enterprises/<str:uscc>/supplier-requests/<int:pk>/", request_pages.supplier_request,
         name="supplier_request"),
    path("enterprises/<str:uscc>/buyer-requests/", request_pages.buyer_requests,
         name="buyer_requests"),
    path("enterprises/<str:uscc>/buyer-requests/<int:pk>/", request_pages.buyer_request,
         name="buyer_request"),
    path("enterprises/<str:uscc>/suppliers/", request_pages.supplier_scorecards,
         name="scorecards"),
    path("enterprises/<str:uscc>/suppliers/export.xlsx", request_pages.scorecards_export,
         name="scorecards_export"),
    path("enterprises/<str:uscc>/suppliers/weighting/", request_pages.weighting,
         name="weighting"),
]
