"""Django app configuration of the registries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    """The registries app: the registries government users keep for the plan targets and good-practice cases."""

    name = "czesg.registries"
    label = "registries"
    verbose_name = _("Registries")
    default_auto_field = "django.db.models.BigAutoField"
