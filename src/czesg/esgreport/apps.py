"""Django app configuration of esgreport."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsgReportConfig(AppConfig):
    """The esgreport app: an enterprise's ESG report as PDF, content indexes and inline XBRL."""

    name = "czesg.esgreport"
    label = "esgreport"
    verbose_name = _("ESG reports")
    default_auto_field = "django.db.models.BigAutoField"
