"""Django app configuration of the supply chain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplychainConfig(AppConfig):
    """The supply-chain app: products, product carbon footprints and the PACT v3 API."""

    name = "czesg.supplychain"
    label = "supplychain"
    verbose_name = _("Supply chain")
    default_auto_field = "django.db.models.BigAutoField"
