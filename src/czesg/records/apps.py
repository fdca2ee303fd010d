"""Django app configuration of the government records."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The records app: government records about enterprises and their CSV import."""

    name = "czesg.records"
    label = "records"
    verbose_name = _("Government records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Offer held records on new drafts and reconcile disclosed values with them."""
        from czesg.records import prefill  # noqa: F401  (connects its receivers)
