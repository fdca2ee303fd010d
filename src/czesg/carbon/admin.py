"""Read-only admin of stored carbon calculations and batch runs: they change only through the
actions."""

from django.contrib import admin

from czesg.carbon.models import CarbonBatchRun, CarbonCalculation
from czesg.disclosures.admin import ReadOnlyAdmin


@admin.register(CarbonCalculation)
class CarbonCalculationAdmin(ReadOnlyAdmin):
    """Calculations listed with their versions and where they were sent, never edited here."""

    list_display = ("id", "enterprise", "year", "factor_set", "gwp_set", "created_by",
                    "created_at", "applied_to", "supersedes")
    list_filter = ("factor_set", "gwp_set", "year")
    search_fields = ("enterprise__name", "enterprise__uscc", "inputs_hash")
    list_select_related = ("enterprise", "created_by", "applied_to", "supersedes")


@admin.register(CarbonBatchRun)
class CarbonBatchRunAdmin(ReadOnlyAdmin):
    """Batch runs (``czesg batch carbon``) with their versions, engine and counts, never edited."""

    list_display = ("id", "year", "engine", "status", "factor_set", "gwp_set", "enterprises",
                    "rows", "started_by", "started_at", "finished_at")
    list_filter = ("year", "engine", "status", "factor_set")
    search_fields = ("inputs_hash",)
    list_select_related = ("started_by",)
