"""Read-only admin of stored carbon calculations: they change only through the actions."""

from django.contrib import admin

from czesg.carbon.models import CarbonCalculation
from czesg.disclosures.admin import ReadOnlyAdmin


@admin.register(CarbonCalculation)
class CarbonCalculationAdmin(ReadOnlyAdmin):
    """Calculations listed with their versions and where they were sent, never edited here."""

    list_display = ("id", "enterprise", "year", "factor_set", "gwp_set", "created_by",
                    "created_at", "applied_to", "supersedes")
    list_filter = ("factor_set", "gwp_set", "year")
    search_fields = ("enterprise__name", "enterprise__uscc", "inputs_hash")
    list_select_related = ("enterprise", "created_by", "applied_to", "supersedes")
