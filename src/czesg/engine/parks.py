"""Park and high-tech zone ESG evaluation: a versioned methodology as data and pure scoring.

Plan 常政办发〔2025〕23号 task 3 asks for a quantifiable ESG evaluation of high-tech zones (the
Changzhou and Wujin national high-tech zones first) on five dimensions: industrial structure,
innovation capacity, environmental performance, social contribution and governance. The
methodology lives in ``czesg/data/methodology/park-<version>.toml`` (the file's header explains
every rule); this module loads it, refusing a malformed file with a
:class:`~czesg.engine.errors.DataFileError` that names the file, the key path (``row``), the field
and the reason, and scores zones in three pure steps:

1. :func:`aggregate_enterprises` turns the zone's enterprise-year rows (a Polars frame) into
   zone-level values: ratios are Σ numerator ÷ Σ denominator over the enterprises reporting both
   (never a mean of ratios), shares count enterprises meeting a predicate, means and sums run over
   reporters; a mean, sum or ratio of fewer than ``min_enterprises`` enterprises is missing;
2. :func:`evaluate_parks` takes those aggregates and the statistics park administrators entered,
   scores every sub-indicator 0-100 (``threshold``: linear from a floor to a documented benchmark;
   ``relative``: percentile rank among the zones evaluated together), flags and zeroes missing
   values, and sums weighted scores into dimension and total scores (0-100) with a rank;
3. the results carry each value, where it came from (``statistic``, ``aggregate`` or
   ``missing``), the benchmark applied and its provenance, the points, and the methodology
   version.

Results are deterministic: zones and indicators run in a fixed order, weighted sums use
``math.fsum``, and enterprise rows are sorted before they are aggregated. Pure Python and
Polars; no Django.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.errors import DataFileError
from czesg.engine.targets import GRADE_SCALE, grades_at_or_above
from czesg.engine.tomltable import TomlTable

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "data" / "methodology"
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
CONFIDENCES: tuple[str, ...] = (
    "methodology-choice", "confirmed-primary", "confirmed-secondary",
    "confirmed-secondary-code", "analyst-mapping", "analyst-judgement",
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


# --------------------------------------------------------------------------------------------
# Loading and checking


def _code(node: TomlTable, field_name: str, catalogue: Catalogue, *, types: Sequence[str]) -> str:
    code = node.text(field_name)
    if code not in catalogue:
        node.fail(field_name, f"{code!r} is not an indicator of catalogue {catalogue.version}")
    data_type = catalogue.get(code).data_type
    if data_type not in types:
        node.fail(field_name, f"{code} is a {data_type} indicator; expected "
                  + " or ".join(types))
    return code


def _statistic_key(node: TomlTable, field_name: str, value: Any, statistics: Mapping[str, Any]
                   ) -> str:
    if not isinstance(value, str) or value not in statistics:
        node.fail(field_name, f"{value!r} is not a declared [[statistic]]")
    return value


def _parse_predicate(node: TomlTable, catalogue: Catalogue) -> Predicate:
    node.allow("field", "op", "value")
    field_name = node.text("field")
    if field_name in FLAG_FIELDS:
        node.allow("field", "op")
        return Predicate(field_name, node.choice("op", ("is_true", "is_false")))
    if field_name == "grade":
        op = node.choice("op", ("at_or_above", "=="))
        grade = node.raw("value")
        if grade not in GRADE_SCALE:
            node.fail("value", f"{grade!r} is not a grade of {', '.join(GRADE_SCALE)}")
        return Predicate(field_name, op, grade)
    code = _code(node, "field", catalogue, types=("boolean", "number", "percentage"))
    if catalogue.get(code).data_type == "boolean":
        node.allow("field", "op")
        return Predicate(code, node.choice("op", ("is_true", "is_false")))
    return Predicate(code, node.choice("op", COMPARISONS), node.number("value"))


def _parse_aggregation(node: TomlTable, catalogue: Catalogue) -> Aggregation:
    kind = node.choice("aggregation", AGGREGATIONS)
    numeric = ("number", "percentage")
    if kind == "sum_ratio":
        numerator = _code(node, "numerator", catalogue, types=numeric)
        denominator = _code(node, "denominator", catalogue, types=numeric)
        if numerator == denominator:
            node.fail("denominator", "the numerator and denominator are the same indicator")
        return Aggregation(kind, numerator=numerator, denominator=denominator,
                           scale=node.number("scale", positive=True))
    if kind in ("mean", "sum"):
        return Aggregation(kind, column=_code(node, "column", catalogue, types=numeric))
    population = node.choice("population", POPULATIONS)
    predicate = _parse_predicate(node.child("predicate"), catalogue)
    return Aggregation(kind, population=population, predicate=predicate, scale=100.0)


_INDICATOR_COMMON = (
    "key", "name_zh", "name_en", "unit", "value_from", "direction", "scoring", "weight",
    "weight_source", "weight_confidence", "notes",
)
_BY_SOURCE = {
    ("zone_statistic", False): ("statistic",),
    ("zone_statistic", True): ("ratio", "scale"),
    ("aggregate", "sum_ratio"): ("aggregation", "numerator", "denominator", "scale",
                                 "statistic_override"),
    ("aggregate", "mean"): ("aggregation", "column", "statistic_override"),
    ("aggregate", "sum"): ("aggregation", "column", "statistic_override"),
    ("aggregate", "share_of_enterprises"): ("aggregation", "population", "predicate",
                                            "statistic_override"),
}
_THRESHOLD_KEYS = ("floor", "floor_source", "floor_confidence")
_SINGLE_BENCHMARK = ("benchmark", "benchmark_source", "benchmark_confidence")
_BANDED = ("band_by", "band")


def _parse_bands(node: TomlTable, direction: str, floor: float) -> tuple[Band, ...]:
    bands: list[Band] = []
    seen: set[str] = set()
    for band_node in node.array("band"):
        band_node.allow("key", "min", "max", "benchmark", "source", "confidence", "notes")
        key = band_node.key()
        band_node.path = f"{node.path}.band.{key}"
        if key in seen:
            band_node.fail("key", f"{key!r} appears twice")
        seen.add(key)
        low = band_node.number("min", low=0)
        high = band_node.optional_number("max")
        if high is not None and high <= low:
            band_node.fail("max", f"max {high:g} is not above min {low:g}")
        benchmark = band_node.number("benchmark")
        _check_order(band_node, "benchmark", direction, floor, benchmark)
        source, confidence = band_node.provenance()
        bands.append(Band(key=key, min=low, max=high, benchmark=benchmark, source=source,
                          confidence=confidence, notes=band_node.text("notes", default="")))
    if bands[0].min != 0:
        node.fail("band", f"the first band starts at {bands[0].min:g}, not 0")
    for lower, upper in zip(bands, bands[1:], strict=False):
        if lower.max is None or lower.max != upper.min:
            node.fail("band", f"band {lower.key} must end where band {upper.key} starts "
                      f"({upper.min:g}); list the bands in ascending order without gaps")
    if bands[-1].max is not None:
        node.fail("band", f"the last band {bands[-1].key} must be open (no max)")
    return tuple(bands)


def _check_order(node: TomlTable, field_name: str, direction: str, floor: float,
                 benchmark: float) -> None:
    if direction == "higher_better" and not floor < benchmark:
        node.fail(field_name, f"thresholds out of order: for higher_better the floor "
                  f"({floor:g}) must be below the benchmark ({benchmark:g})")
    if direction == "lower_better" and not floor > benchmark:
        node.fail(field_name, f"thresholds out of order: for lower_better the floor "
                  f"({floor:g}) must be above the benchmark ({benchmark:g})")


def _parse_indicator(node: TomlTable, dimension: str, catalogue: Catalogue,
                     statistics: Mapping[str, ZoneStatistic]) -> SubIndicator:
    key = node.key()
    node.path = f"dimension.{dimension}.indicator.{key}"
    value_from = node.choice("value_from", VALUE_FROM)
    scoring = node.choice("scoring", SCORINGS)
    direction = node.choice("direction", DIRECTIONS)
    if value_from == "zone_statistic":
        variant: Any = node.has("ratio")
    else:
        variant = node.choice("aggregation", AGGREGATIONS)
    allowed = list(_INDICATOR_COMMON) + list(_BY_SOURCE[(value_from, variant)])
    if scoring == "threshold":
        allowed += _THRESHOLD_KEYS
        allowed += _BANDED if node.has("band_by") or node.has("band") else _SINGLE_BENCHMARK
    node.allow(*allowed)

    statistic, ratio, scale, aggregation, override = "", None, 1.0, None, ""
    if value_from == "zone_statistic" and variant:
        pair = node.raw("ratio")
        if not isinstance(pair, list) or len(pair) != 2:
            node.fail("ratio", "expected [numerator statistic, denominator statistic]")
        ratio = (_statistic_key(node, "ratio", pair[0], statistics),
                 _statistic_key(node, "ratio", pair[1], statistics))
        if ratio[0] == ratio[1]:
            node.fail("ratio", "the numerator and denominator are the same statistic")
        scale = node.number("scale", positive=True)
    elif value_from == "zone_statistic":
        statistic = _statistic_key(node, "statistic", node.raw("statistic"), statistics)
    else:
        aggregation = _parse_aggregation(node, catalogue)
        scale = aggregation.scale
        if node.has("statistic_override"):
            override = _statistic_key(node, "statistic_override",
                                      node.raw("statistic_override"), statistics)

    unit = node.text("unit")
    benchmark, benchmark_source, benchmark_confidence = None, "", ""
    floor, floor_source, floor_confidence = None, "", ""
    band_by, bands = "", ()
    if scoring == "threshold":
        floor = node.number("floor")
        floor_source, floor_confidence = node.provenance("floor_")
        if node.has("band_by") or node.has("band"):
            band_by = _statistic_key(node, "band_by", node.raw("band_by"), statistics)
            bands = _parse_bands(node, direction, floor)
        else:
            benchmark = node.number("benchmark")
            _check_order(node, "benchmark", direction, floor, benchmark)
            benchmark_source, benchmark_confidence = node.provenance("benchmark_")
        if unit == "%":
            for name, value in [("floor", floor), ("benchmark", benchmark),
                                *[("band", band.benchmark) for band in bands]]:
                if value is not None and not 0 <= value <= 100:
                    node.fail(name, f"{value:g} is not a percentage from 0 to 100")
    weight_source, weight_confidence = node.provenance("weight_")
    return SubIndicator(
        key=key, dimension=dimension, name_zh=node.text("name_zh"),
        name_en=node.text("name_en"), unit=unit,
        weight=node.number("weight", low=0, high=1, positive=True),
        weight_source=weight_source, weight_confidence=weight_confidence,
        value_from=value_from, statistic=statistic, ratio=ratio, scale=scale,
        aggregation=aggregation, statistic_override=override, direction=direction,
        scoring=scoring, benchmark=benchmark, benchmark_source=benchmark_source,
        benchmark_confidence=benchmark_confidence, floor=floor, floor_source=floor_source,
        floor_confidence=floor_confidence, band_by=band_by, bands=bands,
        notes=node.text("notes", default=""),
    )


def parse_park_methodology(
    text: str, *, name: str, catalogue: Catalogue | None = None
) -> ParkMethodology:
    """Parse and check a park methodology file's text, refusing the first malformed entry."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(file=name, row="(file)", field="-",
                            reason=f"is not valid TOML ({exc})") from exc
    catalogue = catalogue or load_catalogue()
    root = TomlTable(document, name, confidences=CONFIDENCES)
    root.allow(
        "version", "kind", "title_zh", "title_en", "catalogue_version", "description_zh",
        "description_en", "structure_source", "structure_confidence", "aggregates", "relative",
        "statistic", "dimension",
    )
    version = root.text("version")
    if root.raw("kind") != KIND:
        root.fail("kind", f"expected {KIND!r}")
    catalogue_version = root.text("catalogue_version")
    if catalogue_version != catalogue.version:
        root.fail("catalogue_version", f"the methodology is written for catalogue "
                  f"{catalogue_version}, but the catalogue is {catalogue.version}")
    structure_source, structure_confidence = root.provenance("structure_")

    aggregates = root.child("aggregates")
    aggregates.allow("min_enterprises", "source", "confidence")
    min_enterprises = aggregates.integer("min_enterprises", low=1)
    aggregates_source, aggregates_confidence = aggregates.provenance()
    relative = root.child("relative")
    relative.allow("sole_score", "source", "confidence")
    sole_score = relative.number("sole_score", low=0, high=100)
    relative_source, relative_confidence = relative.provenance()

    statistics: dict[str, ZoneStatistic] = {}
    for node in root.array("statistic"):
        node.allow("key", "name_zh", "name_en", "unit", "min", "max")
        key = node.key()
        node.path = f"statistic.{key}"
        if key in statistics:
            node.fail("key", f"{key!r} is declared twice")
        low, high = node.optional_number("min"), node.optional_number("max")
        if low is not None and high is not None and high <= low:
            node.fail("max", f"max {high:g} is not above min {low:g}")
        statistics[key] = ZoneStatistic(
            key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
            unit=node.text("unit"), min=low, max=high,
        )

    dimensions: list[Dimension] = []
    indicator_keys: set[str] = set()
    for node in root.array("dimension"):
        node.allow("key", "name_zh", "name_en", "weight", "source", "confidence", "indicator")
        key = node.key()
        node.path = f"dimension.{key}"
        if key not in DIMENSIONS:
            node.fail("key", f"{key!r} is not one of the plan's dimensions "
                      + ", ".join(DIMENSIONS))
        if any(d.key == key for d in dimensions):
            node.fail("key", f"{key!r} appears twice")
        weight = node.number("weight", low=0, high=1, positive=True)
        source, confidence = node.provenance()
        indicators = []
        for item in node.array("indicator"):
            indicator = _parse_indicator(item, key, catalogue, statistics)
            if indicator.key in indicator_keys:
                item.fail("key", f"{indicator.key!r} is used twice")
            indicator_keys.add(indicator.key)
            indicators.append(indicator)
        node.check_sum("indicator.weight", [i.weight for i in indicators],
                       f"the sub-indicators of {key}")
        dimensions.append(Dimension(
            key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
            weight=weight, source=source, confidence=confidence, indicators=tuple(indicators),
        ))
    missing = [key for key in DIMENSIONS if key not in {d.key for d in dimensions}]
    if missing:
        root.fail("dimension", "the plan's dimension " + ", ".join(missing) + " is missing")
    root.check_sum("dimension.weight", [d.weight for d in dimensions], "the dimensions")

    return ParkMethodology(
        version=version, title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        catalogue_version=catalogue_version,
        description_zh=root.text("description_zh"), description_en=root.text("description_en"),
        structure_source=structure_source, structure_confidence=structure_confidence,
        min_enterprises=min_enterprises, aggregates_source=aggregates_source,
        aggregates_confidence=aggregates_confidence, sole_score=sole_score,
        relative_source=relative_source, relative_confidence=relative_confidence,
        statistics=tuple(statistics.values()), dimensions=tuple(dimensions),
    )


@lru_cache(maxsize=8)
def load_park_methodology(version: str | None = None) -> ParkMethodology:
    """Load and check the park methodology of ``version`` (the current one by default)."""
    version = version or DEFAULT_VERSION
    name = f"park-{version}.toml"
    try:
        text = (METHODOLOGY_DIR / name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(file=name, row="(file)", field="-",
                            reason="no such methodology file") from exc
    methodology = parse_park_methodology(text, name=name)
    if methodology.version != version:
        raise DataFileError(file=name, row="(top level)", field="version",
                            reason=f"the file says version {methodology.version}, not {version}")
    return methodology


# --------------------------------------------------------------------------------------------
# Aggregating enterprise data


def _numeric(frame: pl.DataFrame, code: str) -> pl.Expr:
    if code not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    return pl.col(code).cast(pl.Float64).fill_nan(None)


def _require(frame: pl.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise ValueError(f"the enterprise frame has no column {column!r}")


def _flag(frame: pl.DataFrame, column: str) -> pl.Expr:
    _require(frame, column)
    return pl.col(column).cast(pl.Boolean).fill_null(False)


def _predicate(frame: pl.DataFrame, predicate: Predicate) -> pl.Expr:
    field_name, op = predicate.field, predicate.op
    if field_name == "grade":
        _require(frame, "grade")
        if op == "at_or_above":
            allowed = grades_at_or_above(str(predicate.value))
            return pl.col("grade").is_in(allowed).fill_null(False)
        return (pl.col("grade") == predicate.value).fill_null(False)
    if field_name in FLAG_FIELDS:
        expr = _flag(frame, field_name)
        return expr if op == "is_true" else ~expr
    value = _numeric(frame, field_name)
    if op == "is_true":
        return (value != 0).fill_null(False)
    if op == "is_false":
        return (value == 0).fill_null(False)
    number = float(predicate.value)  # type: ignore[arg-type]
    compare = {
        ">=": value >= number, ">": value > number, "<=": value <= number,
        "<": value < number, "==": value == number,
    }[op]
    return compare.fill_null(False)


def _population(frame: pl.DataFrame, population: str) -> pl.Expr:
    if population == "all":
        return pl.col("park_key").is_not_null()
    return _flag(frame, population)


def _aggregate_expr(frame: pl.DataFrame, aggregation: Aggregation) -> tuple[pl.Expr, pl.Expr,
                                                                              pl.Expr]:
    """Three expressions per zone: the count of contributors, the numerator and the denominator."""
    if aggregation.kind == "sum_ratio":
        numerator = _numeric(frame, aggregation.numerator)
        denominator = _numeric(frame, aggregation.denominator)
        both = numerator.is_not_null() & denominator.is_not_null()
        return (both.sum(), pl.when(both).then(numerator).otherwise(None).sum(),
                pl.when(both).then(denominator).otherwise(None).sum())
    if aggregation.kind in ("mean", "sum"):
        column = _numeric(frame, aggregation.column)
        return column.is_not_null().sum(), column.sum(), column.is_not_null().sum()
    assert aggregation.predicate is not None
    member = _population(frame, aggregation.population)
    hit = member & _predicate(frame, aggregation.predicate)
    return member.sum(), hit.sum(), member.sum()


def _check_frame(frame: pl.DataFrame) -> pl.DataFrame:
    for column in ("park_key", "uscc"):
        _require(frame, column)
    if "year" in frame.columns and frame["year"].drop_nulls().n_unique() > 1:
        raise ValueError("the enterprise frame holds more than one year; aggregate one year")
    rows = frame.filter(pl.col("park_key").is_not_null())
    duplicated = rows.filter(pl.struct("park_key", "uscc").is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise ValueError(f"enterprise {first['uscc']} appears twice in park {first['park_key']}")
    if "grade" in rows.columns:
        unknown = sorted(
            str(g) for g in rows["grade"].drop_nulls().unique().to_list() if g not in GRADE_SCALE
        )
        if unknown:
            raise ValueError(f"unknown grade {unknown[0]!r}; expected one of "
                             + ", ".join(GRADE_SCALE))
    return rows.sort("park_key", "uscc")


def aggregate_enterprises(
    frame: pl.DataFrame, methodology: ParkMethodology | None = None
) -> dict[str, dict[str, float | None]]:
    """Return each park's aggregated sub-indicator values computed from enterprise-year rows.

    ``frame`` has one row per enterprise of one year: ``park_key``, ``uscc``, numeric (or boolean)
    columns named by catalogue code, ``disclosed`` and ``listed`` (bool) and ``grade`` (AAA..C or
    null). An indicator column that is absent counts as unreported. Every aggregated sub-indicator
    of the methodology gets a value or None (no reporter, a zero denominator, or a mean, sum or
    ratio of fewer than ``min_enterprises`` enterprises).
    """
    methodology = methodology or load_park_methodology()
    rows = _check_frame(frame)
    parks = sorted(str(p) for p in rows["park_key"].unique().to_list())
    result: dict[str, dict[str, float | None]] = {park: {} for park in parks}
    indicators = methodology.aggregated
    if not parks or not indicators:
        return result
    expressions = []
    for number, indicator in enumerate(indicators):
        assert indicator.aggregation is not None
        count, numerator, denominator = _aggregate_expr(rows, indicator.aggregation)
        expressions += [count.alias(f"c{number}"), numerator.alias(f"n{number}"),
                        denominator.alias(f"d{number}")]
    grouped = rows.group_by("park_key", maintain_order=True).agg(expressions)
    for record in grouped.iter_rows(named=True):
        park = str(record["park_key"])
        for number, indicator in enumerate(indicators):
            aggregation = indicator.aggregation
            assert aggregation is not None
            count = int(record[f"c{number}"] or 0)
            numerator, denominator = record[f"n{number}"], record[f"d{number}"]
            value: float | None = None
            if aggregation.kind == "share_of_enterprises":
                if count >= 1:
                    value = 100.0 * float(numerator) / float(count)
            elif count >= methodology.min_enterprises:
                if aggregation.kind == "sum":
                    value = float(numerator)
                elif aggregation.kind == "mean":
                    value = float(numerator) / float(count)
                elif denominator:
                    value = aggregation.scale * float(numerator) / float(denominator)
            result[park][indicator.key] = value
    return result


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
    for park, values in aggregates.items():
        for key in values:
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
            present = {park: values[park][indicator.key][0] for park in keys
                       if values[park][indicator.key][0] is not None}
            ranked = relative_points(present, indicator.direction,  # type: ignore[arg-type]
                                     methodology.sole_score)
            for park in keys:
                points[park][indicator.key] = ranked.get(park, 0.0)
                details[park][indicator.key] = (None, None, None, False, "", "")
            continue
        for park in keys:
            value = values[park][indicator.key][0]
            band_key, assumed = None, False
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
                benchmark, floor, band, assumed, b_source, b_confidence = details[park][
                    indicator.key]
                earned = points[park][indicator.key]
                if value is None:
                    missing.append(indicator.key)
                else:
                    present_weights.append(dimension.weight * indicator.weight)
                results.append(IndicatorResult(
                    key=indicator.key, dimension=dimension.key, name_zh=indicator.name_zh,
                    name_en=indicator.name_en, unit=indicator.unit, value=value, source=source,
                    missing=value is None, scoring=indicator.scoring,
                    direction=indicator.direction, benchmark=benchmark, floor=floor, band=band,
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
    ranked = []
    for evaluation in evaluations:
        rank = 1 + sum(1 for other in rounded.values() if other > rounded[evaluation.park_key])
        ranked.append(ParkEvaluation(
            park_key=evaluation.park_key, methodology_version=evaluation.methodology_version,
            total=evaluation.total, rank=rank, dimensions=evaluation.dimensions,
            missing=evaluation.missing, completeness=evaluation.completeness,
        ))
    ranked.sort(key=lambda e: (e.rank, e.park_key))
    return ranked
