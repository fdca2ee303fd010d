"""The city dashboard's figures: the six plan targets against today and the breakdowns by
district, park and lead industry, computed by :mod:`czesg.engine.plan.targets` from the reads of
:mod:`czesg.dashboards.queries` (definitions and caching are documented there) and the
registries' yearly figures (:func:`czesg.registries.queries.registry_history`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.utils import timezone

from czesg.dashboards.queries import (
    bulk_rows,
    cached,
    cached_by_runs,
    city_frame,
    latest_runs,
    name_of,
    parse_threshold,
    published_years,
    rated_series,
    rating_frame,
)
from czesg.disclosures.models import EnterpriseYear
from czesg.engine.plan import load_city_profile
from czesg.engine.plan import targets as engine
from czesg.records.models import Record, SourceKind
from czesg.registries.queries import registry_history

BREAKDOWNS: tuple[str, ...] = ("district", "park", "industry")
PLATFORM_TARGETS = ("listed_disclosure_rate", "a_rated_enterprises")



@dataclass
class CityFigures:
    """Everything the city dashboard shows for a reporting year."""

    year: int
    threshold: str
    years: list[int]
    targets: list[engine.TargetProgress]
    breakdowns: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    today: date = field(default_factory=timezone.localdate)


# Record sources whose figure shows that a company published its sustainability report.
REPORT_SOURCE_KINDS = (SourceKind.PUBLISHED_REPORT, SourceKind.EXCHANGE_FILING)


def _reported_listed(up_to: int) -> dict[int, set[int]]:
    """Per year to ``up_to``: the listed companies that published a disclosure on the platform
    or a report that the records hold (a published report or an exchange filing)."""
    by_year: dict[int, set[int]] = {}
    for year, enterprise_id in EnterpriseYear.objects.filter(
            enterprise__listed=True, year__lte=up_to).order_by().values_list(
            "year", "enterprise_id"):
        by_year.setdefault(int(year), set()).add(enterprise_id)
    for year, enterprise_id in Record.objects.filter(
            enterprise__listed=True, year__lte=up_to, current=True,
            source__kind__in=REPORT_SOURCE_KINDS).order_by().values_list(
            "year", "enterprise_id").distinct():
        by_year.setdefault(int(year), set()).add(enterprise_id)
    return by_year


def _listed_history(reported: dict[int, set[int]], listed_total: int
                    ) -> tuple[int, list[tuple[int, float | None]]]:
    """The listed companies' disclosure rate of each year (today's list)."""
    if not listed_total:
        return 0, []
    return listed_total, [(year, 100.0 * len(ids) / listed_total)
                          for year, ids in sorted(reported.items())]


def city_figures(year: int | None = None, threshold: str = "A") -> CityFigures:
    """Fetch the year's enterprise data, ratings and registries and compute the dashboard."""
    profile = load_city_profile()
    years = published_years()
    year = year or (years[0] if years else timezone.localdate().year - 1)
    threshold = parse_threshold(threshold)
    runs = latest_runs()
    ratings = rating_frame(year, runs)
    frame = city_frame(year, ratings)

    listed = frame.filter(pl.col("listed"))
    reported = _reported_listed(year)
    this_year = list(reported.get(year, set()))
    listed = listed.with_columns(
        (pl.col("disclosed") | pl.col("uscc").is_in(this_year)).alias("reported"))
    rate = engine.listed_disclosure_rate(
        listed["uscc"].to_list(), listed.filter(pl.col("reported"))["uscc"].to_list())
    listed_total, listed_history = _listed_history(reported, listed.height)
    rated_history = cached_by_runs(f"rated-series:{threshold}", year, runs,
                                    lambda: rated_series(ratings, threshold))
    history: dict[str, list[tuple[int, float | None]]] = {
        "listed_disclosure_rate": [p for p in listed_history if p[0] != year] + [(year, rate)],
        "a_rated_enterprises": list(rated_history),
    }
    history.update(registry_history())
    progress = engine.target_progress(profile.targets, {}, history)

    breakdowns = {by: engine.breakdown(frame, by) for by in BREAKDOWNS}
    counts = {
        "enterprises": frame.height,
        "listed": listed_total,
        "disclosed": int(frame["disclosed"].sum()) if frame.height else 0,
        "listed_disclosed": int(listed["reported"].sum()) if listed.height else 0,
        "rated": int(frame["grade"].is_not_null().sum()) if frame.height else 0,
    }
    return CityFigures(year=year, threshold=threshold, years=years, targets=progress,
                       breakdowns=breakdowns, counts=counts)


def cached_city_figures(year: int | None = None, threshold: str = "A") -> CityFigures:
    """:func:`city_figures`, computed once per data version (see the module docstring)."""
    threshold = parse_threshold(threshold)
    def compute() -> CityFigures:
        with bulk_rows():
            return city_figures(year, threshold)

    return cached("city", (year, threshold), compute)


def breakdown_table(figures: CityFigures, by: str, lang: str) -> dict[str, Any]:
    """One breakdown reshaped for a chart and a table: groups and one list per metric."""
    profile = load_city_profile()
    groups: list[Any] = []
    metrics: dict[str, dict[Any, Any]] = defaultdict(dict)
    reporters: dict[str, dict[Any, int]] = defaultdict(dict)
    grades: dict[str, dict[Any, int]] = defaultdict(dict)
    for row in figures.breakdowns[by]:
        group = row["group"]
        if group not in groups:
            groups.append(group)
        if row["metric"] == "grade_distribution":
            grades[row["category"]][group] = row["value"]
        else:
            metrics[row["metric"]][group] = row["value"]
            reporters[row["metric"]][group] = row["n"]
    return {
        "by": by,
        "keys": ["" if g is None else str(g) for g in groups],
        "labels": [name_of(profile, by, g, lang) for g in groups],
        "metrics": {m: [metrics[m].get(g) for g in groups] for m in engine.METRICS
                    if m != "grade_distribution"},
        "reporters": {m: [reporters[m].get(g) for g in groups] for m in engine.METRICS
                      if m != "grade_distribution"},
        "grades": {g: [grades[g].get(group, 0) for group in groups]
                   for g in (*engine.GRADE_SCALE, engine.UNRATED)},
    }


__all__ = ["BREAKDOWNS", "CityFigures", "breakdown_table", "cached_city_figures", "city_figures"]
