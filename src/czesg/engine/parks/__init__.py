"""Park and high-tech zone ESG evaluation: a versioned methodology as data and pure scoring.

Plan 常政办发〔2025〕23号 task 3 asks for a quantifiable ESG evaluation of high-tech zones (the
Changzhou and Wujin national high-tech zones first) on five dimensions: industrial structure,
innovation capacity, environmental performance, social contribution and governance. The
methodology lives in ``czesg/data/methodology/park-<version>.toml`` (the file's header explains
every rule); this module loads it, refusing a malformed file with a
:class:`~czesg.engine.kernel.errors.DataFileError` that names the file, the key path (``row``), the field
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

Modules: :mod:`.methodology` (the model), :mod:`.loading` (reading the file),
:mod:`.aggregation` (step 1) and :mod:`.evaluation` (steps 2 and 3).
"""

from __future__ import annotations

from czesg.engine.parks.aggregation import (
    aggregate_enterprises,
)
from czesg.engine.parks.evaluation import (
    DimensionResult,
    IndicatorResult,
    ParkEvaluation,
    evaluate_parks,
    relative_points,
    threshold_points,
)
from czesg.engine.parks.loading import (
    load_park_methodology,
    parse_park_methodology,
)
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
    VALUE_SOURCES,
    Aggregation,
    Band,
    Dimension,
    ParkMethodology,
    Predicate,
    SubIndicator,
    ZoneStatistic,
)

__all__ = [
    "AGGREGATIONS",
    "Aggregation",
    "Band",
    "COMPARISONS",
    "CONFIDENCES",
    "DEFAULT_VERSION",
    "DIMENSIONS",
    "DIRECTIONS",
    "Dimension",
    "DimensionResult",
    "FLAG_FIELDS",
    "IndicatorResult",
    "KIND",
    "METHODOLOGY_DIR",
    "POPULATIONS",
    "ParkEvaluation",
    "ParkMethodology",
    "Predicate",
    "SCORINGS",
    "SubIndicator",
    "VALUE_FROM",
    "VALUE_SOURCES",
    "ZoneStatistic",
    "aggregate_enterprises",
    "evaluate_parks",
    "load_park_methodology",
    "parse_park_methodology",
    "relative_points",
    "threshold_points",
]
