"""Django app configuration of finance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """The finance app: green loan products, financing requests and banks' green finance."""

    name = "czesg.finance"
    label = "finance"
    verbose_name = _("Green finance")
    default_auto_field = "django.db.models.BigAutoField"
