"""The signed-in user's workspace: an enterprise user's to-do for this reporting year, and the
work lists that banks, verifiers, park and government users land on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count
from django.utils import timezone

from czesg.disclosures.models import Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Provenance
from czesg.ratings.models import Rating

CALENDAR = "city/reporting-calendar.toml"


@dataclass(frozen=True)
class Deadline:
    """When a reporting year's disclosure is due, with where that date comes from."""

    day: dt.date
    source: str
    confidence: str

    @property
    def confirmed(self) -> bool:
        return not self.confidence.startswith("unconfirmed")


@lru_cache(maxsize=1)
def _calendar() -> tuple[int, int, int, Provenance]:
    table = parse_toml(read_data_file(DATA_DIR / CALENDAR, CALENDAR), CALENDAR).child("deadline")
    return (table.integer("years_after", low=0), table.integer("month", low=1),
            table.integer("day", low=1), table.provenance())


def deadline_of(year: int) -> Deadline:
    """The disclosure deadline of a reporting year, from the reporting calendar data file."""
    years_after, month, day, (source, confidence) = _calendar()
    return Deadline(dt.date(year + years_after, month, day), source, confidence)


def reporting_year(today: dt.date | None = None) -> int:
    """The year an enterprise reports on now: last calendar year."""
    return (today or timezone.localdate()).year - 1


def _next_step(disclosure: Disclosure | None) -> str:
    if disclosure is None:
        return "start"
    return {State.DRAFT: "fill", State.SUBMITTED: "publish"}.get(disclosure.state, "done")


def enterprise_todo(enterprises: list) -> list[dict[str, Any]]:
    """For each enterprise the user reports for: this year's disclosure and its state, the
    deadline, how complete it is, the latest grade and the next step (three queries)."""
    year = reporting_year()
    ids = [e.pk for e in enterprises]
    newest: dict[int, Disclosure] = {}
    for d in (Disclosure.objects.filter(enterprise_id__in=ids, year=year)
              .annotate(n_answered=Count("datapoints")).order_by("version")):
        newest[d.enterprise_id] = d
    grades: dict[int, Rating] = {}
    for rating in (Rating.objects.filter(enterprise_id__in=ids).select_related("run")
                   .order_by("year", "run__finished_at", "id")):
        grades[rating.enterprise_id] = rating
    catalogue = load_catalogue()
    sizes = {tier: len(catalogue.for_tier(tier)) for tier in ("basic", "standard")}
    deadline = deadline_of(year)
    today = timezone.localdate()
    rows = []
    for enterprise in enterprises:
        disclosure = newest.get(enterprise.pk)
        total = sizes.get(disclosure.tier, 0) if disclosure else 0
        answered = min(disclosure.n_answered, total) if disclosure else 0
        rows.append({
            "enterprise": enterprise, "disclosure": disclosure, "year": year,
            "deadline": deadline, "days_left": (deadline.day - today).days,
            "answered": answered, "total": total,
            "percent": round(100 * answered / total) if total else 0,
            "rating": grades.get(enterprise.pk), "next": _next_step(disclosure),
        })
    return rows
