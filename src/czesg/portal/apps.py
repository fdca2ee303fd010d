from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _refresh_profiles(sender, *, enterprise_ids, **kwargs) -> None:
    from czesg.portal.profiles import refresh_profiles

    refresh_profiles(enterprise_ids)


class PortalConfig(AppConfig):
    name = "czesg.portal"
    verbose_name = _("Pages")

    def ready(self) -> None:
        """Keep the public profiles current: they show registry facts and published data."""
        from czesg.disclosures.signals import disclosures_published
        from czesg.enterprises.signals import enterprises_changed

        enterprises_changed.connect(_refresh_profiles, dispatch_uid="portal-profiles-registry")
        disclosures_published.connect(_refresh_profiles, dispatch_uid="portal-profiles-published")
