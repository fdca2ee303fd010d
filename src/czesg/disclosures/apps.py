"""Django app configuration of the ESG disclosures."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    """The disclosures app: disclosure versions, their datapoints and the enterprise-year facts."""

    name = "czesg.disclosures"
    verbose_name = _("Disclosures")

    def ready(self) -> None:
        """Keep the enterprise-year fact table current with every publication."""
        from czesg.disclosures.facts import on_published
        from czesg.disclosures.signals import disclosures_published

        disclosures_published.connect(on_published, dispatch_uid="disclosures-facts")
