"""The cradle-to-gate footprint of a product (GB/T 24067-2024 / ISO 14067) with its trace."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from czesg.engine.carbon import CarbonInputError, FactorSet, calculate, load_factor_set
from czesg.engine.carbon.activities import load_activities
from czesg.engine.carbon.factors import NATIONAL_REGION
from czesg.engine.footprint.inputs import (
    DECLARED_UNITS,
    MAX_EXEMPTED_PERCENT,
    MSG_DECLARED_UNIT,
    MSG_EXEMPTED,
    MSG_KIND,
    MSG_NO_CFP,
    MSG_NO_DATA,
    MSG_OUTPUT,
    MSG_QUANTITY,
    MSG_SECONDARY,
    MSG_SECONDARY_KIND,
    MSG_SHARE,
    MSG_SOURCE,
    MSG_SUPPLIER,
    MSG_UNIT,
    FootprintInputError,
    FootprintInputs,
    FuelUse,
    MaterialUse,
    footprint_problem,
)
from czesg.engine.footprint.secondary import SecondaryFactor, load_secondary_factors
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError
from czesg.engine.kernel.problems import Problem

METHOD = "GB/T 24067-2024; ISO 14067:2018 (cradle-to-gate)"
STAGES: tuple[str, ...] = ("energy", "electricity", "transport", "materials")
_ENGINE_KINDS = {"combustion": "scope1_tco2e", "heat": "scope2_location_tco2e"}


@dataclass(frozen=True)
class FootprintResult:
    """A product footprint: totals per declared unit, the parts by stage and the full trace."""

    declared_unit: str
    output: float
    factor_set: str
    fossil_kg: float
    biogenic_kg: float
    uptake_kg: float
    primary_kg: float
    exempted_percent: float
    by_stage: dict[str, float]
    trace: tuple[dict[str, Any], ...]

    @property
    def pcf_excluding_biogenic(self) -> float:
        """kgCO2e per declared unit, biogenic CO2 uptake left out (fossil + biogenic emissions)."""
        return (self.fossil_kg + self.biogenic_kg) / self.output

    @property
    def pcf_including_biogenic(self) -> float:
        """kgCO2e per declared unit with the (negative) biogenic CO2 uptake counted."""
        return (self.fossil_kg + self.biogenic_kg + self.uptake_kg) / self.output

    @property
    def fossil_per_unit(self) -> float:
        """Fossil GHG emissions in kgCO2e per declared unit."""
        return self.fossil_kg / self.output

    @property
    def biogenic_per_unit(self) -> float:
        """Biogenic emissions (not uptake) in kgCO2e per declared unit."""
        return self.biogenic_kg / self.output

    @property
    def primary_data_share(self) -> float:
        """The share of the emissions computed from primary data, in per cent (0 when none)."""
        total = self.fossil_kg + self.biogenic_kg
        return min(100.0, 100.0 * self.primary_kg / total) if total > 0 else 0.0

    @property
    def unconfirmed_factors(self) -> list[str]:
        """The ids of factors used whose value is not confirmed (to be shown with the result)."""
        return sorted({e["factor_id"] for e in self.trace
                       if e["factor_id"] and not str(e["confidence"]).startswith("confirmed")
                       and e["confidence"] != "supplier"})

    def summary(self) -> dict[str, Any]:
        """The figures to store and show, as plain data."""
        return {
            "method": METHOD, "declared_unit": self.declared_unit, "output": self.output,
            "factor_set": self.factor_set,
            "pcf_excluding_biogenic": self.pcf_excluding_biogenic,
            "pcf_including_biogenic": self.pcf_including_biogenic,
            "fossil": self.fossil_per_unit, "biogenic": self.biogenic_per_unit,
            "primary_data_share": self.primary_data_share,
            "exempted_percent": self.exempted_percent,
            "by_stage_kg": dict(self.by_stage),
            "unconfirmed_factors": self.unconfirmed_factors,
        }


def compute_footprint(
    inputs: FootprintInputs, *, factor_set: str | FactorSet | None = None,
    secondary: dict[str, SecondaryFactor] | None = None,
) -> FootprintResult:
    """Compute a product's cradle-to-gate footprint; raises FootprintInputError listing problems.

    Fuels and purchased heat go through the carbon engine (its fuel and heat factors), purchased
    electricity uses the national electricity carbon-FOOTPRINT factor of the year (never a
    Scope 2 factor), transport is counted from the fuel it burned, and each material from its
    supplier's footprint or a secondary factor. Every figure lands in the trace.
    """
    fs = factor_set if isinstance(factor_set, FactorSet) else load_factor_set(factor_set)
    factors = load_secondary_factors() if secondary is None else secondary
    problems: list[Problem] = []
    _check_product(inputs, problems)
    trace: list[dict[str, Any]] = []
    trace += _fuels(inputs, fs, problems)
    trace += _materials(inputs, factors, problems)
    if problems:
        raise FootprintInputError(problems)
    by_stage = {stage: math.fsum(e["fossil_kgco2e"] + e["biogenic_kgco2e"] for e in trace
                                 if e["stage"] == stage) for stage in STAGES}
    return FootprintResult(
        declared_unit=inputs.declared_unit, output=float(inputs.output), factor_set=fs.version,
        fossil_kg=math.fsum(e["fossil_kgco2e"] for e in trace),
        biogenic_kg=math.fsum(e["biogenic_kgco2e"] for e in trace),
        uptake_kg=math.fsum(e["uptake_kgco2e"] for e in trace),
        primary_kg=math.fsum(e["primary_kgco2e"] for e in trace),
        exempted_percent=float(inputs.exempted_percent), by_stage=by_stage, trace=tuple(trace),
    )


def _number_ok(value: Any, *, low: float = 0.0, high: float = math.inf) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high)


def _check_product(inputs: FootprintInputs, problems: list[Problem]) -> None:
    def add(column: str, message: str, **params: Any) -> None:
        problems.append(footprint_problem(table="product", row=None, column=column,
                                          message=message, params=params))

    if inputs.declared_unit not in DECLARED_UNITS:
        add("declared_unit", MSG_DECLARED_UNIT, unit=inputs.declared_unit,
            choices=", ".join(DECLARED_UNITS))
    if not _number_ok(inputs.output) or inputs.output <= 0:
        add("output", MSG_OUTPUT)
    if not _number_ok(inputs.exempted_percent, high=MAX_EXEMPTED_PERCENT):
        add("exempted_percent", MSG_EXEMPTED, limit=MAX_EXEMPTED_PERCENT)
    if not inputs.fuels and not inputs.materials:
        add("-", MSG_NO_DATA)


def _entry(stage: str, row: int, name: str, quantity: float, unit: str, share: float,
           factor_id: str, factor_value: float, factor_unit: str, factor_year: int | None,
           confidence: str, source: str, fossil: float, biogenic: float = 0.0,
           uptake: float = 0.0, primary: bool = True, primary_share: float = 100.0,
           ) -> dict[str, Any]:
    return {
        "stage": stage, "row": row, "name": name, "quantity": quantity, "unit": unit,
        "share": share, "factor_id": factor_id, "factor_value": factor_value,
        "factor_unit": factor_unit, "factor_year": factor_year, "confidence": confidence,
        "source": source, "fossil_kgco2e": fossil, "biogenic_kgco2e": biogenic,
        "uptake_kgco2e": uptake,
        "primary_kgco2e": (fossil + biogenic) * primary_share / 100.0 if primary else 0.0,
    }


def _fuels(inputs: FootprintInputs, fs: FactorSet, problems: list[Problem]) -> list[dict[str, Any]]:
    activities = load_activities()
    engine_rows: list[tuple[FuelUse, str]] = []
    electricity: list[FuelUse] = []
    for use in inputs.fuels:
        def add(column: str, message: str, use: FuelUse = use, **params: Any) -> None:
            problems.append(footprint_problem(table="fuels", row=use.row, column=column,
                                              message=message, params=params))
        if not _number_ok(use.share, high=1.0):
            add("share", MSG_SHARE, value=use.share)
        if not _number_ok(use.quantity):
            add("quantity", MSG_QUANTITY, value=use.quantity)
            continue
        activity = activities.get(use.activity.strip().lower())
        if activity is not None and activity.kind == "electricity":
            electricity.append(use)
        elif activity is not None and activity.kind in _ENGINE_KINDS:
            engine_rows.append((use, activity.kind))
        else:
            add("activity", MSG_KIND, activity=use.activity)
    trace = _engine_fuels(inputs, fs, engine_rows, problems) if engine_rows else []
    if electricity:
        trace += _electricity(inputs, fs, electricity, problems)
    return trace


def _engine_fuels(inputs: FootprintInputs, fs: FactorSet, rows: list[tuple[FuelUse, str]],
                  problems: list[Problem]) -> list[dict[str, Any]]:
    """Fuels and heat through the carbon engine: its factor for each row, times the share."""
    given = [{"uscc": inputs.uscc, "year": inputs.year, "activity": use.activity,
              "quantity": use.quantity, "unit": use.unit, "row": use.row} for use, _ in rows]
    try:
        result = calculate(given, factor_set=fs)
    except CarbonInputError as exc:
        problems.extend(footprint_problem(table="fuels", row=p.row, column=p.column,
                                          message=p.message, params=p.params)
                        for p in exc.problems)
        return []
    trace = []
    for (use, kind), row in zip(rows, result.rows.iter_rows(named=True), strict=True):
        factor = fs.get(row["factor_id"])
        tonnes = row[_ENGINE_KINDS[kind]] or 0.0
        trace.append(_entry(
            "transport" if use.stage == "transport" else "energy", use.row, use.activity,
            use.quantity, use.unit, use.share, factor.factor_id, factor.value, factor.unit,
            factor.data_year, factor.confidence, factor.source,
            fossil=tonnes * 1000.0 * use.share,
        ))
    return trace


def _electricity(inputs: FootprintInputs, fs: FactorSet, uses: list[FuelUse],
                 problems: list[Problem]) -> list[dict[str, Any]]:
    """Purchased electricity at the national electricity carbon-footprint factor of the year."""
    factor = fs.latest("grid_carbon_footprint", NATIONAL_REGION, inputs.year)
    if factor is None:
        problems.append(footprint_problem(table="fuels", row=uses[0].row, column="activity",
                                          message=MSG_NO_CFP, params={"year": inputs.year}))
        return []
    trace = []
    for use in uses:
        try:
            kwh = use.quantity * units.conversion_factor(use.unit, factor.denominator)
        except UnitError as exc:
            problems.append(footprint_problem(table="fuels", row=use.row, column="unit",
                                              message=exc.message, params=exc.params))
            continue
        kg = kwh * factor.value * units.conversion_factor(factor.numerator, "kgCO2e")
        trace.append(_entry(
            "electricity", use.row, use.activity, use.quantity, use.unit, use.share,
            factor.factor_id, factor.value, factor.unit, factor.data_year, factor.confidence,
            factor.source, fossil=kg * use.share,
        ))
    return trace


def _materials(inputs: FootprintInputs, factors: dict[str, SecondaryFactor],
               problems: list[Problem]) -> list[dict[str, Any]]:
    trace = []
    for use in inputs.materials:
        def add(column: str, message: str, use: MaterialUse = use, **params: Any) -> None:
            problems.append(footprint_problem(table="materials", row=use.row, column=column,
                                              message=message, params=params))
        if not _number_ok(use.quantity):
            add("quantity", MSG_QUANTITY, value=use.quantity)
            continue
        if not _number_ok(use.share, high=1.0):
            add("share", MSG_SHARE, value=use.share)
            continue
        if (use.supplier is None) == (not use.secondary_factor_id):
            add("source", MSG_SOURCE, name=use.name)
            continue
        entry = (_supplier_material(use, add) if use.supplier is not None
                 else _secondary_material(use, factors, add))
        if entry is not None:
            trace.append(entry)
    return trace


def _convert(use: MaterialUse, declared: str, add: Any) -> float | None:
    """The material's quantity in the unit its footprint is declared per, or None (refused)."""
    try:
        return use.quantity * units.conversion_factor(use.unit, declared)
    except UnitError:
        add("unit", MSG_UNIT, name=use.name, unit=use.unit, declared=declared)
        return None


def _supplier_material(use: MaterialUse, add: Any) -> dict[str, Any] | None:
    pf = use.supplier
    assert pf is not None
    declared = DECLARED_UNITS.get(pf.declared_unit)
    values = (pf.declared_amount, pf.pcf_excluding_biogenic, pf.pcf_including_biogenic,
              pf.fossil, pf.primary_data_share)
    reason = ""
    if declared is None:
        reason = f"unknown declared unit {pf.declared_unit!r}"
    elif not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        reason = "a value is not a finite number"
    elif pf.declared_amount <= 0:
        reason = "the declared amount is not above zero"
    elif not 0 <= pf.fossil <= pf.pcf_excluding_biogenic * (1 + 1e-12):
        reason = "fossil emissions exceed the footprint excluding biogenic uptake"
    elif pf.pcf_including_biogenic > pf.pcf_excluding_biogenic:
        reason = "biogenic uptake cannot raise the footprint"
    elif not 0 <= pf.primary_data_share <= 100:
        reason = "the primary data share is not between 0 and 100"
    if reason or declared is None:
        add("supplier", MSG_SUPPLIER, name=use.name, reason=reason)
        return None
    amount = _convert(use, declared, add)
    if amount is None:
        return None
    scale = amount / pf.declared_amount * use.share
    per_unit = pf.pcf_excluding_biogenic / pf.declared_amount
    return _entry(
        "materials", use.row, use.name, use.quantity, use.unit, use.share, "", per_unit,
        f"kgCO2e/{declared}", None, "supplier", pf.reference,
        fossil=pf.fossil * scale, biogenic=(pf.pcf_excluding_biogenic - pf.fossil) * scale,
        uptake=(pf.pcf_including_biogenic - pf.pcf_excluding_biogenic) * scale,
        primary=True, primary_share=pf.primary_data_share,
    )


def _secondary_material(use: MaterialUse, factors: dict[str, SecondaryFactor],
                        add: Any) -> dict[str, Any] | None:
    factor = factors.get(use.secondary_factor_id)
    if factor is None:
        add("secondary_factor_id", MSG_SECONDARY, factor=use.secondary_factor_id)
        return None
    if factor.kind != "material":
        add("secondary_factor_id", MSG_SECONDARY_KIND, factor=factor.factor_id, kind="material")
        return None
    amount = _convert(use, factor.denominator, add)
    if amount is None:
        return None
    return _entry(
        "materials", use.row, use.name, use.quantity, use.unit, use.share, factor.factor_id,
        factor.value, factor.unit, None, factor.confidence, factor.source,
        fossil=amount * factor.value * use.share,
        biogenic=amount * factor.biogenic_value * use.share, primary=False,
    )
