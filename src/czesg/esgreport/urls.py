"""Routes of the report downloads."""

from django.urls import path

from czesg.esgreport import views

app_name = "esgreport"

urlpatterns = [
    path("disclosures/<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("disclosures/<int:pk>/content-index.csv", views.content_index, name="index_csv"),
    path("disclosures/<int:pk>/report.xhtml", views.ixbrl, name="ixbrl"),
    path("disclosures/<int:pk>/report.json", views.xbrl_json, name="xbrl_json"),
    path("xbrl/czesg-taxonomy.zip", views.taxonomy_package, name="taxonomy"),
    path("disclosures/<int:pk>/import/xbrl/", views.import_report, name="import"),
    path("records/import/xbrl/", views.import_records, name="import_records"),
]
