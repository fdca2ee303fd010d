"""Django app configuration of the portal's pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from czesg.disclosures.signals import disclosures_published
from czesg.enterprises.signals import enterprises_changed
from czesg.records.signals import records_changed

# A records or bulk disclosure import may touch tens of thousands of enterprises: beyond this
# many, their profiles
# are rebuilt by the worker once the import has committed (rebuilding 15,000 profiles inside the
# import would take longer than the import itself); a few are rebuilt at once, in its transaction.
INLINE_PROFILE_REFRESH = 500


def _refresh_profiles(sender, *, enterprise_ids, **kwargs) -> None:
    # Imported here: the profiles import models, which exist only once the registry is ready.
    from czesg.portal.profiles import refresh_profiles

    refresh_profiles(enterprise_ids)


def _refresh_profiles_of_records(sender, *, enterprise_ids, import_size: int = 0,
                                 **kwargs) -> None:
    """Rebuild at once, or in the worker after commit when the import (``import_size``
    enterprises, sent by a bulk import in batches) or this batch is large."""
    from django.db import transaction

    ids = sorted(enterprise_ids)
    if max(len(ids), import_size) <= INLINE_PROFILE_REFRESH:
        _refresh_profiles(sender, enterprise_ids=ids)
        return
    from czesg.portal.tasks import refresh_public_profiles

    transaction.on_commit(lambda: refresh_public_profiles.enqueue(ids))


class PortalConfig(AppConfig):
    """The portal app: the public pages, search, comparison, open data and public profiles."""

    name = "czesg.portal"
    verbose_name = _("Pages")

    def ready(self) -> None:
        """Keep the public profiles current: they show registry facts and published data."""
        enterprises_changed.connect(_refresh_profiles, dispatch_uid="portal-profiles-registry")
        disclosures_published.connect(_refresh_profiles_of_records,
                                      dispatch_uid="portal-profiles-published")
        records_changed.connect(_refresh_profiles_of_records,
                                dispatch_uid="portal-profiles-records")
