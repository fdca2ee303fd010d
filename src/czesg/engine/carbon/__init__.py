"""Carbon accounting with China's official factors: versioned factor sets and a vectorised engine.

Factors are data (``czesg/data/factors/<version>/``): ``factorset.toml`` names the version and
``factors.csv`` holds one row per factor with its source, locator and confidence. The activity
codes users upload, and the factors each one uses, are in ``czesg/data/factors/activities.toml``.
Both are checked on loading; a malformed file is refused with a
:class:`~czesg.engine.kernel.errors.DataFileError` naming the file, row and field.

:func:`calculate` takes rows ``uscc, year, activity, quantity, unit`` (optional ``facility``,
``region``, ``measured_factor``, ``row``) and returns a :class:`CarbonResult`:

* Scope 1 combustion = quantity x NCV x carbon content x oxidation rate x 44/12, from the fuel's
  parameters; process emissions and Scope 3 entered directly in tCO2e; gases released (refrigerants,
  SF6, ...) x the GWP-100 of the set the caller chooses (no silent default: rows that need a GWP
  are refused until ``gwp_set`` is given; :data:`DEFAULT_GWP_SET` is the suggested choice).
* Scope 2 location-based: the province's average grid factor for the reporting year, else its
  latest earlier year, else the regional grid's, else the national average (same rule), the level
  used and any fallback recorded in the trace.
* Scope 2 market-based: green certificates and green-power contracts at zero, the rest of the
  purchased electricity of the enterprise-year and region at the residual factor (excluding
  market-traded non-fossil power) along the same chain; where no residual factor is published for
  the year the location-based average is used and marked. Own renewable generation never reduces
  purchased electricity.
* Energy in tce: each carrier x its standard-coal coefficient, electricity at the
  calorific-equivalent value (当量值). A carrier without a sourced coefficient is counted as not
  converted (``energy_unconverted_rows``), never guessed.

Every figure is in the trace (factor id, value, year, level, fallback, factor-set version, GWP
set); :func:`reproduce` recomputes the totals bit for bit from the trace alone (a list of
entries, e.g. read back from JSON, or a frame), and
:func:`recalculate` computes the same inputs with another factor set beside the first result.
Bad input raises :class:`CarbonInputError` listing every problem with its row (the header is row
1) and column; nothing is computed from a guess.

The package's modules, one job each: :mod:`.factors` (factor sets), :mod:`.activities`
(activity codes), :mod:`.problems` (input problems), :mod:`.inputs` (normalised rows and their
hash), :mod:`.scope2` (the grid factor chain and the market-based residual), :mod:`.ledger` (the
vectorised ledger and its sums), :mod:`.calculation` (checks and calculation), :mod:`.results`
(result, trace and rows), :mod:`.reproduce`, :mod:`.intensities` and :mod:`.batch` (the
totals alone for batch jobs, :func:`batch_totals`: equal bit for bit to ``calculate``'s, every
row step vectorised, the factors resolved once per distinct key). The benchmark is in
:mod:`czesg.bench.carbon_engine`.

Pure NumPy and Polars; no Django.
"""

from __future__ import annotations

from czesg.engine.carbon.activities import (
    ACTIVITIES_NAME,
    KINDS,
    SCOPES,
    Activity,
    ActivityTable,
    check_activities,
    factor_scale,
    list_activities,
    load_activities,
    parse_activities,
)
from czesg.engine.carbon.batch import (
    batch_totals,
)
from czesg.engine.carbon.calculation import (
    calculate,
    check_gwp_set,
    recalculate,
)
from czesg.engine.carbon.factors import (
    C_TO_CO2,
    CATEGORIES,
    DEFAULT_GWP_SET,
    FACTOR_COLUMNS,
    FACTORS_DIR_ENV,
    FACTORS_NAME,
    FACTORS_ROOT,
    FACTORSET_NAME,
    GWP_SETS,
    NATIONAL_REGION,
    SCOPE2_CATEGORIES,
    Factor,
    FactorSet,
    available_factor_sets,
    factors_root,
    load_factor_set,
    parse_factor_set,
    version_key,
)
from czesg.engine.carbon.ledger import (
    TOTAL_COLUMNS,
)
from czesg.engine.carbon.problems import (
    MSG_COLUMN,
    MSG_YEAR,
    CarbonInputError,
    input_problem,
    problem_data,
)
from czesg.engine.carbon.reproduce import (
    reproduce,
)
from czesg.engine.carbon.results import (
    CarbonResult,
)
from czesg.engine.carbon.scope2 import (
    DEFAULT_GRID_REGIONS,
    KNOWN_PROVINCES,
    GridFactor,
    default_location,
    residual_electricity,
    resolve_grid_factor,
)

__all__ = [
    "ACTIVITIES_NAME",
    "Activity",
    "ActivityTable",
    "CATEGORIES",
    "C_TO_CO2",
    "CarbonInputError",
    "input_problem",
    "problem_data",
    "CarbonResult",
    "DEFAULT_GRID_REGIONS",
    "DEFAULT_GWP_SET",
    "FACTORSET_NAME",
    "FACTORS_NAME",
    "FACTORS_DIR_ENV",
    "FACTORS_ROOT",
    "FACTOR_COLUMNS",
    "Factor",
    "FactorSet",
    "GWP_SETS",
    "GridFactor",
    "KINDS",
    "KNOWN_PROVINCES",
    "MSG_COLUMN",
    "MSG_YEAR",
    "NATIONAL_REGION",
    "SCOPE2_CATEGORIES",
    "SCOPES",
    "TOTAL_COLUMNS",
    "available_factor_sets",
    "batch_totals",
    "factors_root",
    "calculate",
    "check_gwp_set",
    "check_activities",
    "default_location",
    "factor_scale",
    "list_activities",
    "load_activities",
    "load_factor_set",
    "parse_activities",
    "parse_factor_set",
    "recalculate",
    "reproduce",
    "residual_electricity",
    "resolve_grid_factor",
    "version_key",
]
