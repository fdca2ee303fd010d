"""Scoring zones: sub-indicator points, weighted dimension and total scores, and the rank.
"""


from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from czesg.engine.parks.loading import load_park_methodology
from czesg.engine.parks.methodology import ParkMethodology, SubIndicator

# --------------------------------------------------------------------------------------------
# Evaluating zones


@dataclass(frozen=True)
class IndicatorResult:
    """One sub-indicator of one zone: the value, where it came from, the benchmark and points."""

    key: str
    dimension: str
    name_zh: str
    name_en: str
    unit: str
    value: float | None
    source: str
    missing: bool
    scoring: str
    direction: str
    benchmark: float | None
    floor: float | None
    band: str | None
    band_assumed: bool
    benchmark_source: str
    benchmark_confidence: str
    points: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class DimensionResult:
    """One dimension of one zone: its 0-100 score and the sub-indicators behind it."""

    key: str
    name_zh: str
    name_en: str
    weight: float
    score: float
    contribution: float
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True)
class ParkEvaluation:
    """A zone's evaluation: total and dimension scores (0-100), rank and every sub-indicator."""

    park_key: str
    methodology_version: str
    total: float
    rank: int
    dimensions: tuple[DimensionResult, ...]
    missing: tuple[str, ...]
    completeness: float

    def dimension(self, key: str) -> DimensionResult:
        """Return the result of one dimension (KeyError if unknown)."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise KeyError(f"unknown park dimension: {key!r}")

    def indicator(self, key: str) -> IndicatorResult:
        """Return the result of one sub-indicator (KeyError if unknown)."""
        for dimension in self.dimensions:
            for indicator in dimension.indicators:
                if indicator.key == key:
                    return indicator
        raise KeyError(f"unknown park sub-indicator: {key!r}")


def _clean(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {value!r} is not a number")
    value = float(value)
    return value if math.isfinite(value) else None


def _check_statistics(zone_statistics: Mapping[str, Mapping[str, Any]],
                      methodology: ParkMethodology) -> dict[str, dict[str, float | None]]:
    declared = {s.key: s for s in methodology.statistics}
    cleaned: dict[str, dict[str, float | None]] = {}
    for park, values in zone_statistics.items():
        cleaned[park] = {}
        for key, raw in values.items():
            if key not in declared:
                raise ValueError(f"park {park}: {key!r} is not a zone statistic of methodology "
                                 f"{methodology.version}")
            value = _clean(raw, f"park {park}, statistic {key}")
            statistic = declared[key]
            if value is not None and (
                (statistic.min is not None and value < statistic.min)
                or (statistic.max is not None and value > statistic.max)
            ):
                raise ValueError(f"park {park}, statistic {key}: {value:g} is outside "
                                 f"[{statistic.min}, {statistic.max}]")
            cleaned[park][key] = value
    return cleaned


def _value(indicator: SubIndicator, statistics: Mapping[str, float | None],
           aggregates: Mapping[str, float | None]) -> tuple[float | None, str]:
    if indicator.value_from == "zone_statistic":
        if indicator.ratio is None:
            value = statistics.get(indicator.statistic)
        else:
            numerator = statistics.get(indicator.ratio[0])
            denominator = statistics.get(indicator.ratio[1])
            value = (indicator.scale * numerator / denominator
                     if numerator is not None and denominator else None)
        return value, ("missing" if value is None else "statistic")
    if indicator.statistic_override:
        value = statistics.get(indicator.statistic_override)
        if value is not None:
            return value, "statistic"
    value = aggregates.get(indicator.key)
    return value, ("missing" if value is None else "aggregate")


def threshold_points(value: float, floor: float, benchmark: float, direction: str) -> float:
    """Return 0-100 points linear from ``floor`` (0) to ``benchmark`` (100), clipped."""
    if direction == "higher_better":
        if value >= benchmark:
            return 100.0
        fraction = (value - floor) / (benchmark - floor)
    else:
        if value <= benchmark:
            return 100.0
        fraction = (floor - value) / (floor - benchmark)
    return 100.0 * min(1.0, max(0.0, fraction))


def relative_points(values: Mapping[str, float], direction: str, sole_score: float
                    ) -> dict[str, float]:
    """Return 0-100 percentile points of each zone among the zones with a value.

    Values within a relative 1e-12 of each other count as tied, so that the float noise of a
    Σ/Σ ratio does not break a tie.
    """
    if len(values) == 1:
        return {park: sole_score for park in values}
    points = {}
    others = len(values) - 1
    for park, value in values.items():
        worse = tied = 0
        for other, other_value in values.items():
            if other == park:
                continue
            if math.isclose(other_value, value, rel_tol=1e-12, abs_tol=0.0):
                tied += 1
            elif (other_value < value) if direction == "higher_better" else (other_value > value):
                worse += 1
        points[park] = 100.0 * (worse + 0.5 * tied) / others
    return points


def _clip(score: float) -> float:
    return min(100.0, max(0.0, score))


def evaluate_parks(
    zone_statistics: Mapping[str, Mapping[str, float | None]],
    aggregates: Mapping[str, Mapping[str, float | None]],
    methodology: ParkMethodology | None = None,
    *,
    parks: Iterable[str] | None = None,
) -> list[ParkEvaluation]:
    """Score every zone on the methodology's dimensions and return the results ranked best first.

    ``zone_statistics`` maps park key → statistic key → value (None = not entered);
    ``aggregates`` is the output of :func:`aggregate_enterprises`. The zones evaluated together
    (the population of ``relative`` scoring) are ``parks`` or else every park in either input.
    Ties in the total share a rank (1, 1, 3).
    """
    methodology = methodology or load_park_methodology()
    statistics = _check_statistics(zone_statistics, methodology)
    aggregated_keys = {i.key for i in methodology.aggregated}
    for park, aggregated in aggregates.items():
        for key in aggregated:
            if key not in aggregated_keys:
                raise ValueError(f"park {park}: {key!r} is not an aggregated sub-indicator of "
                                 f"methodology {methodology.version}")
    keys = sorted(set(parks) if parks is not None else set(statistics) | set(aggregates))

    values: dict[str, dict[str, tuple[float | None, str]]] = {}
    for park in keys:
        park_statistics = statistics.get(park, {})
        park_aggregates = {k: _clean(v, f"park {park}, aggregate {k}")
                           for k, v in aggregates.get(park, {}).items()}
        values[park] = {
            i.key: _value(i, park_statistics, park_aggregates) for i in methodology.indicators
        }

    points: dict[str, dict[str, float]] = {park: {} for park in keys}
    details: dict[str, dict[str, tuple[float | None, float | None, str | None, bool, str, str]]] = {
        park: {} for park in keys
    }
    for indicator in methodology.indicators:
        if indicator.scoring == "relative":
            present = {park: value for park in keys
                       if (value := values[park][indicator.key][0]) is not None}
            ranked = relative_points(present, indicator.direction, methodology.sole_score)
            for park in keys:
                points[park][indicator.key] = ranked.get(park, 0.0)
                details[park][indicator.key] = (None, None, None, False, "", "")
            continue
        for park in keys:
            value = values[park][indicator.key][0]
            band_key, assumed = None, False
            benchmark: float | None
            if indicator.bands:
                band_value = statistics.get(park, {}).get(indicator.band_by)
                if band_value is None:
                    band, assumed = indicator.strictest_band(), True
                else:
                    band = next(b for b in indicator.bands if b.contains(band_value))
                benchmark, band_key = band.benchmark, band.key
                source, confidence = band.source, band.confidence
            else:
                benchmark = indicator.benchmark
                source, confidence = indicator.benchmark_source, indicator.benchmark_confidence
            assert benchmark is not None and indicator.floor is not None
            points[park][indicator.key] = (
                0.0 if value is None
                else threshold_points(value, indicator.floor, benchmark, indicator.direction)
            )
            details[park][indicator.key] = (benchmark, indicator.floor, band_key, assumed,
                                            source, confidence)

    evaluations = []
    for park in keys:
        dimension_results = []
        missing = []
        present_weights = []
        for dimension in methodology.dimensions:
            results = []
            for indicator in dimension.indicators:
                value, source = values[park][indicator.key]
                used_benchmark, used_floor, used_band, assumed, b_source, b_confidence = details[
                    park][indicator.key]
                earned = points[park][indicator.key]
                if value is None:
                    missing.append(indicator.key)
                else:
                    present_weights.append(dimension.weight * indicator.weight)
                results.append(IndicatorResult(
                    key=indicator.key, dimension=dimension.key, name_zh=indicator.name_zh,
                    name_en=indicator.name_en, unit=indicator.unit, value=value, source=source,
                    missing=value is None, scoring=indicator.scoring,
                    direction=indicator.direction, benchmark=used_benchmark, floor=used_floor,
                    band=used_band,
                    band_assumed=assumed, benchmark_source=b_source,
                    benchmark_confidence=b_confidence, points=earned,
                    weight=indicator.weight, contribution=indicator.weight * earned,
                ))
            score = _clip(math.fsum(r.contribution for r in results))
            dimension_results.append(DimensionResult(
                key=dimension.key, name_zh=dimension.name_zh, name_en=dimension.name_en,
                weight=dimension.weight, score=score, contribution=dimension.weight * score,
                indicators=tuple(results),
            ))
        total = _clip(math.fsum(d.contribution for d in dimension_results))
        evaluations.append(ParkEvaluation(
            park_key=park, methodology_version=methodology.version, total=total, rank=0,
            dimensions=tuple(dimension_results), missing=tuple(missing),
            completeness=min(1.0, math.fsum(present_weights)),
        ))

    rounded = {e.park_key: round(e.total, 9) for e in evaluations}
    ordered = []
    for evaluation in evaluations:
        rank = 1 + sum(1 for other in rounded.values() if other > rounded[evaluation.park_key])
        ordered.append(ParkEvaluation(
            park_key=evaluation.park_key, methodology_version=evaluation.methodology_version,
            total=evaluation.total, rank=rank, dimensions=evaluation.dimensions,
            missing=evaluation.missing, completeness=evaluation.completeness,
        ))
    ordered.sort(key=lambda e: (e.rank, e.park_key))
    return ordered
