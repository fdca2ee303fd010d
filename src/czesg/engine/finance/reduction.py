"""The expected annual carbon reduction of a financed project, computed by the carbon engine.

The project is described by two sets of annual activity rows in the carbon calculator's terms
(``activity, quantity, unit``): the *baseline* (what the enterprise would emit without the
project: e.g. purchased electricity that self-generated PV replaces, or the natural gas of a
boiler a heat pump replaces) and the *project* case (e.g. nothing, or the heat pump's
electricity). Each is calculated with the factor set of the year (Scope 1 plus location-based
Scope 2); the expected reduction is baseline minus project, with every factor used cited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from czesg.engine.carbon.calculation import calculate
from czesg.engine.kernel.identifiers import make_uscc

# The calculator keys its rows by enterprise; a project is computed under this placeholder code.
PROJECT_USCC = make_uscc("9", "1", "320400", "PR0JECT00")
METHOD = ("baseline − project, each = Scope 1 + location-based Scope 2 of the annual activity "
          "data, by the czesg carbon engine with the factor set named")


@dataclass(frozen=True)
class Reduction:
    """A project's expected annual reduction and how it was computed."""

    year: int
    factor_set: str
    baseline_tco2e: float
    project_tco2e: float
    reduction_tco2e: float
    factors: tuple[dict[str, Any], ...]
    method: str = METHOD


def _emissions(rows: Sequence[Mapping[str, Any]], year: int,
               factor_set: str | None) -> tuple[float, str, list[dict[str, Any]]]:
    if not rows:
        return 0.0, "", []
    numbered = [{**dict(row), "uscc": PROJECT_USCC, "year": year, "row": n}
                for n, row in enumerate(rows, 1)]
    result = calculate(numbered, factor_set=factor_set)
    totals = result.totals.row(0, named=True)
    emitted = float(totals["scope1_tco2e"]) + float(totals["scope2_location_tco2e"])
    return emitted, result.factor_set, result.factors_used()


def expected_reduction(baseline: Sequence[Mapping[str, Any]],
                       project: Sequence[Mapping[str, Any]], *, year: int,
                       factor_set: str | None = None) -> Reduction:
    """Baseline minus project emissions of one year, with the factors cited (both sets of
    rows are checked by the carbon engine, whose refusals name the row)."""
    base, base_set, base_factors = _emissions(baseline, year, factor_set)
    case, case_set, case_factors = _emissions(project, year, factor_set)
    cited: dict[str, dict[str, Any]] = {}
    for factor in base_factors + case_factors:
        if factor.get("factor_category") in ("grid_residual", "standard_coal_coefficient"):
            continue  # market-based Scope 2 and energy in tce do not enter the reduction
        cited.setdefault(str(factor["factor_id"]), {
            k: factor.get(k) for k in ("factor_id", "factor_value", "factor_unit",
                                       "factor_year", "level", "fallback_reason", "confidence")})
    return Reduction(year=year, factor_set=base_set or case_set, baseline_tco2e=base,
                     project_tco2e=case, reduction_tco2e=base - case,
                     factors=tuple(cited[k] for k in sorted(cited)))
