"""Django app configuration of the zone (park / high-tech zone) evaluation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    """The parks app: the zone (park / high-tech zone) evaluation."""

    name = "czesg.parks"
    label = "parks"
    verbose_name = _("Zone evaluation")
    default_auto_field = "django.db.models.BigAutoField"
