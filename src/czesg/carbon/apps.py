"""Django app configuration of the carbon calculator."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarbonConfig(AppConfig):
    """The carbon calculator app: stored calculations, their pages, API and command."""

    name = "czesg.carbon"
    label = "carbon"
    verbose_name = _("Carbon accounting")
    default_auto_field = "django.db.models.BigAutoField"
