"""Loading and checking a park methodology file (``czesg/data/methodology/park-<version>.toml``).

Every refusal is a :class:`~czesg.engine.kernel.errors.DataFileError` naming the file, the key path
(``row``), the field and the reason.
"""


from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.parks.methodology import (
    AGGREGATIONS,
    COMPARISONS,
    CONFIDENCES,
    DEFAULT_VERSION,
    DIMENSIONS,
    DIRECTIONS,
    FLAG_FIELDS,
    KIND,
    METHODOLOGY_DIR,
    POPULATIONS,
    SCORINGS,
    VALUE_FROM,
    Aggregation,
    Band,
    Dimension,
    ParkMethodology,
    Predicate,
    SubIndicator,
    ZoneStatistic,
)
from czesg.engine.plan.targets import GRADE_SCALE

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
    band_by = ""
    bands: tuple[Band, ...] = ()
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
