"""Django app configuration of assurance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssuranceConfig(AppConfig):
    """The assurance app: engagements of independent assurance firms on enterprises' data."""

    name = "czesg.assurance"
    label = "assurance"
    verbose_name = _("Independent assurance")
    default_auto_field = "django.db.models.BigAutoField"
