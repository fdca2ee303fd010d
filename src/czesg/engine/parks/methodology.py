"""The park evaluation methodology as data: zone statistics, dimensions, sub-indicators and bands.

Pure Python; no Django.
"""


from __future__ import annotations

from dataclasses import dataclass

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.kernel.provenance import Confidence

METHODOLOGY_DIR = DATA_DIR / "methodology"
DEFAULT_VERSION = "2025.1"
KIND = "park-evaluation"

DIMENSIONS: tuple[str, ...] = (
    "industrial_structure", "innovation_capacity", "environmental_performance",
    "social_contribution", "governance",
)
VALUE_FROM: tuple[str, ...] = ("zone_statistic", "aggregate")
AGGREGATIONS: tuple[str, ...] = ("sum_ratio", "share_of_enterprises", "mean", "sum")
SCORINGS: tuple[str, ...] = ("threshold", "relative")
DIRECTIONS: tuple[str, ...] = ("higher_better", "lower_better")
POPULATIONS: tuple[str, ...] = ("all", "listed", "disclosed")
FLAG_FIELDS: tuple[str, ...] = ("disclosed", "listed")
COMPARISONS: tuple[str, ...] = (">=", ">", "<=", "<", "==")
CONFIDENCES: tuple[Confidence, ...] = (
    Confidence.METHODOLOGY_CHOICE, Confidence.CONFIRMED_PRIMARY, Confidence.CONFIRMED_SECONDARY,
    Confidence.CONFIRMED_SECONDARY_CODE, Confidence.ANALYST_MAPPING, Confidence.ANALYST_JUDGEMENT,
)
VALUE_SOURCES: tuple[str, ...] = ("statistic", "aggregate", "missing")


# --------------------------------------------------------------------------------------------
# The methodology model


@dataclass(frozen=True)
class ZoneStatistic:
    """A figure that park administrators enter for their zone and year."""

    key: str
    name_zh: str
    name_en: str
    unit: str
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Band:
    """A benchmark that applies to zones whose band statistic lies in ``[min, max)``."""

    key: str
    min: float
    max: float | None
    benchmark: float
    source: str
    confidence: str
    notes: str = ""

    def contains(self, value: float) -> bool:
        """Tell whether a band statistic falls in this band."""
        return value >= self.min and (self.max is None or value < self.max)


@dataclass(frozen=True)
class Predicate:
    """A test on one enterprise row: a flag, a grade threshold or a comparison of a value."""

    field: str
    op: str
    value: float | str | None = None


@dataclass(frozen=True)
class Aggregation:
    """How the platform computes a zone value from its enterprises' rows."""

    kind: str
    numerator: str = ""
    denominator: str = ""
    column: str = ""
    population: str = "all"
    predicate: Predicate | None = None
    scale: float = 1.0

    @property
    def codes(self) -> tuple[str, ...]:
        """The catalogue codes (and row fields) this aggregation reads."""
        codes = [c for c in (self.numerator, self.denominator, self.column) if c]
        if self.predicate is not None:
            codes.append(self.predicate.field)
        return tuple(codes)


@dataclass(frozen=True)
class SubIndicator:
    """A sub-indicator of a dimension: where its value comes from and how it is scored."""

    key: str
    dimension: str
    name_zh: str
    name_en: str
    unit: str
    weight: float
    weight_source: str
    weight_confidence: str
    value_from: str
    statistic: str
    ratio: tuple[str, str] | None
    scale: float
    aggregation: Aggregation | None
    statistic_override: str
    direction: str
    scoring: str
    benchmark: float | None
    benchmark_source: str
    benchmark_confidence: str
    floor: float | None
    floor_source: str
    floor_confidence: str
    band_by: str
    bands: tuple[Band, ...]
    notes: str = ""

    def strictest_band(self) -> Band:
        """Return the band with the most demanding benchmark (used when the band is unknown)."""
        if self.direction == "lower_better":
            return min(self.bands, key=lambda band: band.benchmark)
        return max(self.bands, key=lambda band: band.benchmark)


@dataclass(frozen=True)
class Dimension:
    """One of the five dimensions of plan task 3, with its weight and sub-indicators."""

    key: str
    name_zh: str
    name_en: str
    weight: float
    source: str
    confidence: str
    indicators: tuple[SubIndicator, ...]


@dataclass(frozen=True)
class ParkMethodology:
    """A versioned park evaluation methodology: statistics, dimensions and sub-indicators."""

    version: str
    title_zh: str
    title_en: str
    catalogue_version: str
    description_zh: str
    description_en: str
    structure_source: str
    structure_confidence: str
    min_enterprises: int
    aggregates_source: str
    aggregates_confidence: str
    sole_score: float
    relative_source: str
    relative_confidence: str
    statistics: tuple[ZoneStatistic, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def indicators(self) -> tuple[SubIndicator, ...]:
        """Every sub-indicator, dimension by dimension, in file order."""
        return tuple(i for d in self.dimensions for i in d.indicators)

    @property
    def aggregated(self) -> tuple[SubIndicator, ...]:
        """The sub-indicators whose value the platform aggregates from enterprise data."""
        return tuple(i for i in self.indicators if i.aggregation is not None)

    def indicator(self, key: str) -> SubIndicator:
        """Return the sub-indicator with this key (KeyError if unknown)."""
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(f"unknown park sub-indicator: {key!r}")

    def dimension(self, key: str) -> Dimension:
        """Return the dimension with this key (KeyError if unknown)."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise KeyError(f"unknown park dimension: {key!r}")

    def statistic(self, key: str) -> ZoneStatistic:
        """Return the zone statistic with this key (KeyError if unknown)."""
        for statistic in self.statistics:
            if statistic.key == key:
                return statistic
        raise KeyError(f"unknown zone statistic: {key!r}")
