"""Routes of green finance: products, an enterprise's financing page and requests."""

from django.urls import path

from czesg.finance import views

app_name = "finance"

urlpatterns = [
    path("finance/products/", views.products, name="products"),
    path("finance/requests/", views.requests_list, name="requests"),
    path("finance/loan-book/", views.loan_book, name="loan_book"),
    path("finance/supervision/", views.supervision_page, name="supervision"),
    path("finance/requests/<int:pk>/", views.request_page, name="request"),
    path("finance/requests/<int:pk>/act/", views.act, name="act"),
    path("enterprises/<str:uscc>/financing/", views.financing, name="financing"),
    path("enterprises/<str:uscc>/targets/", views.targets, name="targets"),
]
