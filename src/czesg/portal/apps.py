"""Django app configuration of the portal's pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from czesg.disclosures.signals import disclosures_published
from czesg.enterprises.signals import enterprises_changed
from czesg.records.signals import records_changed


def _refresh_profiles(sender, *, enterprise_ids, **kwargs) -> None:
    # Imported here: the profiles import models, which exist only once the registry is ready.
    from czesg.portal.profiles import refresh_profiles

    refresh_profiles(enterprise_ids)


class PortalConfig(AppConfig):
    """The portal app: the public pages, search, comparison, open data and public profiles."""

    name = "czesg.portal"
    verbose_name = _("Pages")

    def ready(self) -> None:
        """Keep the public profiles current: they show registry facts and published data."""
        enterprises_changed.connect(_refresh_profiles, dispatch_uid="portal-profiles-registry")
        disclosures_published.connect(_refresh_profiles, dispatch_uid="portal-profiles-published")
        records_changed.connect(_refresh_profiles, dispatch_uid="portal-profiles-records")
