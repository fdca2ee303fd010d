"""Django app configuration of the extraction of figures from report PDFs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtractionConfig(AppConfig):
    """The extraction app: report uploads, the candidates read from them and their review."""

    name = "czesg.extraction"
    label = "extraction"
    verbose_name = _("Figures extracted from reports")
    default_auto_field = "django.db.models.BigAutoField"
