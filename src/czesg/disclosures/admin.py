from django.contrib import admin

from czesg.disclosures.models import Datapoint, Disclosure


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
    list_display = ("disclosure", "indicator_code", "status", "value_number", "unit", "method", "assurance")
    list_filter = ("method", "assurance", "status")
    search_fields = ("indicator_code", "disclosure__enterprise__name")
