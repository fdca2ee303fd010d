from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from czesg.disclosures.models import Datapoint, Disclosure
from czesg.engine.kernel.numbers import format_number
from czesg.web.display import unit_label


class ReadOnlyAdmin(admin.ModelAdmin):
    """Disclosures change only through actions, which check permission and write the audit log."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "year", "version", "state", "tier", "published_at")
    list_filter = ("state", "tier", "year")
    search_fields = ("enterprise__name", "enterprise__uscc")


@admin.register(Datapoint)
class DatapointAdmin(ReadOnlyAdmin):
    list_display = ("disclosure", "indicator_code", "status", "value", "unit_shown", "method", "assurance")
    list_filter = ("method", "assurance", "status")
    search_fields = ("indicator_code", "disclosure__enterprise__name")

    @admin.display(description=_("value"), ordering="value_number")
    def value(self, point: Datapoint) -> str:
        """The number as a person reads it (significant digits, thousands separators)."""
        return "" if point.value_number is None else format_number(point.value_number)

    @admin.display(description=_("unit"), ordering="unit")
    def unit_shown(self, point: Datapoint) -> str:
        """The unit by its label in the active language."""
        return unit_label(point.unit)
