"""The zone evaluation's reads: the entered statistics and the zones' enterprise aggregates,
scored by :mod:`czesg.engine.parks` (the enterprise frames and the caching are those of
:mod:`czesg.dashboards.queries`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from czesg.dashboards.queries import bulk_rows, cached, enterprise_frame
from czesg.engine.catalogue import load_catalogue
from czesg.engine.parks import (
    ParkEvaluation,
    ParkMethodology,
    aggregate_enterprises,
    evaluate_parks,
    load_park_methodology,
)
from czesg.engine.plan import load_city_profile
from czesg.parks.models import ZoneStatistic


@dataclass
class ZoneFigures:
    """The evaluation of every zone of the city profile for a year."""

    year: int
    methodology: ParkMethodology
    evaluations: list[ParkEvaluation]
    statistics: dict[str, dict[str, float | None]]
    enterprises: dict[str, dict[str, int]]

    def of(self, park_key: str) -> ParkEvaluation:
        """The evaluation of one zone (KeyError if it is not a zone of the profile)."""
        for evaluation in self.evaluations:
            if evaluation.park_key == park_key:
                return evaluation
        raise KeyError(park_key)


def zone_statistics(year: int, methodology: ParkMethodology,
                    parks: Iterable[str] | None = None) -> dict[str, dict[str, float | None]]:
    """The statistics entered for a year: park key → statistic key → value (declared keys only)."""
    declared = {s.key for s in methodology.statistics}
    query = ZoneStatistic.objects.filter(year=year, key__in=declared)
    if parks is not None:
        query = query.filter(park_key__in=list(parks))
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    for park, key, value in query.order_by().values_list("park_key", "key", "value"):
        values[park][key] = value
    return dict(values)


def zone_figures(year: int, methodology: ParkMethodology | None = None) -> ZoneFigures:
    """Aggregate the zones' enterprise data, add the entered statistics and score every zone."""
    methodology = methodology or load_park_methodology()
    catalogue = load_catalogue()
    parks = [park.key for park in load_city_profile().parks]
    codes = sorted({code for indicator in methodology.aggregated
                    for code in indicator.aggregation.codes  # type: ignore[union-attr]
                    if code in catalogue.codes})
    frame = enterprise_frame(year, codes, parks_only=True).filter(
        pl.col("park_key").is_in(parks))
    aggregates = aggregate_enterprises(frame, methodology)
    statistics = zone_statistics(year, methodology, parks)
    evaluations = evaluate_parks(statistics, aggregates, methodology, parks=parks)
    counts = {park: {"enterprises": 0, "disclosed": 0, "listed": 0} for park in parks}
    if frame.height:
        for row in frame.group_by("park_key").agg(
            pl.len().alias("enterprises"), pl.col("disclosed").sum().alias("disclosed"),
            pl.col("listed").sum().alias("listed"),
        ).iter_rows(named=True):
            counts[row["park_key"]] = {k: int(row[k]) for k in ("enterprises", "disclosed",
                                                                 "listed")}
    return ZoneFigures(year=year, methodology=methodology, evaluations=evaluations,
                       statistics=statistics, enterprises=counts)


def cached_zone_figures(year: int) -> ZoneFigures:
    """:func:`zone_figures`, computed once per data version (see the module docstring)."""
    def compute() -> ZoneFigures:
        with bulk_rows():
            return zone_figures(year)

    return cached("zones", (year,), compute)
