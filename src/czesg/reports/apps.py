"""Django app configuration of the reports: the Excel and PDF rendering every page's download uses."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The reports app: workbook and PDF writers and the print base template (no models)."""

    name = "czesg.reports"
    label = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"
