"""Read-only admin of the reports read for figures and their candidates (changes go through
the review pages' actions)."""

from django.contrib import admin

from czesg.disclosures.admin import ReadOnlyAdmin
from czesg.extraction.models import Candidate, ExtractionRun


@admin.register(ExtractionRun)
class ExtractionRunAdmin(ReadOnlyAdmin):
    """Reports read, with their hash and state."""

    list_display = ("original_name", "enterprise", "year", "destination", "state", "pages",
                    "uploaded_by", "uploaded_at")
    list_select_related = ("enterprise", "uploaded_by")
    list_filter = ("destination", "state", "year")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    """Candidates and the decisions taken on them."""

    list_display = ("indicator_code", "printed", "unit_printed", "value_number", "unit", "page",
                    "state", "decided_by", "decided_at")
    list_select_related = ("decided_by",)
    list_filter = ("state", "indicator_code")
