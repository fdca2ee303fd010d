"""The registries' reads: the yearly figures the registry targets of the city dashboard show.

Standards and service agencies are cumulative counts of entries dated up to the end of each
year (no data while the registry is empty); key projects and professionals are per-year figures
(no data for a year without entries). They run up to the current year, while the
platform-measured targets describe the selected reporting year.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone

from czesg.engine.plan import targets as engine
from czesg.registries.models import KeyProject, ProfessionalIntake, ServiceAgency, Standard

CUMULATIVE_REGISTRIES = {"standards": Standard, "service_agencies": ServiceAgency}


def _cumulative(model, up_to: int) -> list[tuple[int, float]]:
    per_year = dict(model.objects.order_by().values_list("date__year").annotate(n=Count("id")))
    if not per_year:
        return []
    first = min(min(per_year), engine.BASELINE_YEAR)
    running, series = 0, []
    for year in range(first, up_to + 1):
        running += per_year.get(year, 0)
        series.append((year, float(running)))
    return series


def registry_history(today: date | None = None) -> dict[str, list[tuple[int, float]]]:
    """The registry targets' yearly figures up to the current year (see the module docstring)."""
    up_to = (today or timezone.localdate()).year
    history = {key: _cumulative(model, up_to) for key, model in CUMULATIVE_REGISTRIES.items()}
    history["key_projects"] = [
        (int(y), float(n)) for y, n in KeyProject.objects.filter(year__lte=up_to).order_by()
        .values_list("year").annotate(n=Count("id")).order_by("year")]
    history["talent"] = [
        (int(y), float(n)) for y, n in ProfessionalIntake.objects.filter(year__lte=up_to)
        .order_by().values_list("year").annotate(n=Sum("count")).order_by("year")]
    return history
