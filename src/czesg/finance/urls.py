"""Routes of green finance: products, an enterprise's financing page and requests."""

from django.urls import path

from czesg.finance import bank_views, views

app_name = "finance"

urlpatterns = [
    path("finance/products/", views.products, name="products"),
    path("finance/requests/", views.requests_list, name="requests"),
    path("finance/loan-book/", views.loan_book, name="loan_book"),
    path("finance/temperature/", bank_views.portfolio_temperature, name="temperature"),
    path("finance/disclosure.pdf", bank_views.disclosure_pdf, name="disclosure_pdf"),
    path("finance/disclosure.xlsx", bank_views.disclosure_xlsx, name="disclosure_xlsx"),
    path("finance/supervision/", views.supervision_page, name="supervision"),
    path("finance/requests/<int:pk>/", views.request_page, name="request"),
    path("finance/requests/<int:pk>/act/", views.act, name="act"),
    path("enterprises/<str:uscc>/financing/", views.financing, name="financing"),
    path("enterprises/<str:uscc>/targets/", views.targets, name="targets"),
]
