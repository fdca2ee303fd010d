"""The vectorised calculation: check the rows, resolve the factors and build the ledger."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.activities import Activity, check_activities, factor_scale, load_activities
from czesg.engine.carbon.factors import (
    C_TO_CO2,
    DEFAULT_GWP_SET,
    GWP_SETS,
    Factor,
    FactorSet,
    load_factor_set,
)
from czesg.engine.carbon.inputs import ActivityRows, EncodedText, inputs_hash, normalise_inputs
from czesg.engine.carbon.intensities import intensities_frame
from czesg.engine.carbon.ledger import (
    B_ENERGY,
    B_MEMO,
    B_S1,
    B_S2L,
    B_S2M,
    B_S3,
    K_COAL,
    K_ELEC,
    K_GREEN,
    K_HEAT,
    K_OWN,
    KIND_CODES,
    M_DIRECT,
    M_FACTOR,
    M_FUEL,
    M_GWP,
    M_MEASURED,
    M_RESIDUAL,
    M_UNCONVERTED,
    M_ZERO,
    FactorRef,
    Ledger,
    dense_groups,
    effective_factors,
    group_totals,
    totals_frame,
)
from czesg.engine.carbon.problems import (
    COAL_CHOICES,
    MSG_ACTIVITY,
    MSG_COAL,
    MSG_GREEN,
    MSG_GWP_MISSING,
    MSG_GWP_NEEDED,
    MSG_GWP_SET,
    MSG_MEASURED_KIND,
    MSG_MEASURED_VALUE,
    MSG_NO_GRID,
    MSG_NO_UNIT,
    MSG_QUANTITY_INF,
    MSG_QUANTITY_MISSING,
    MSG_QUANTITY_NAN,
    MSG_QUANTITY_NEGATIVE,
    MSG_REGION,
    MSG_UNIT,
    MSG_USCC,
    MSG_YEAR,
    CarbonInputError,
    input_problem,
)
from czesg.engine.carbon.results import CarbonResult
from czesg.engine.carbon.scope2 import (
    DEFAULT_GRID_REGIONS,
    KNOWN_PROVINCES,
    default_location,
    residual_electricity,
    resolve_grid_factor,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError
from czesg.engine.kernel.problems import Problem


def calculate(
    inputs: Any,
    *,
    factor_set: str | FactorSet | None = None,
    gwp_set: str | None = None,
    province: str | None = None,
    grid_region: str | None = None,
    grid_regions: Mapping[str, str] | None = None,
    denominators: Any = None,
) -> CarbonResult:
    """Compute Scope 1, 2 (location and market), 3 and energy per enterprise-year, with a trace.

    ``inputs`` is a Polars frame, a mapping of columns or a sequence of row mappings with
    ``uscc, year, activity, quantity, unit`` and optionally ``facility, region,
    measured_factor, row``. ``province`` fills rows without a region and ``grid_region`` is its
    regional grid (defaults: the city profile's); ``grid_regions`` maps further provinces to
    their grids. ``gwp_set`` (SAR, AR4, AR5, AR6) is required when a row releases a gas.
    ``denominators`` (``uscc, year`` with ``revenue`` in 万元 and/or ``output, output_unit``)
    adds intensities. Raises :class:`CarbonInputError` listing every problem.
    """
    fs = factor_set if isinstance(factor_set, FactorSet) else load_factor_set(factor_set)
    activities = load_activities()
    check_activities(fs, activities)
    default_province, default_grid = default_location()
    province = (province or default_province).strip()
    regions = dict(DEFAULT_GRID_REGIONS)
    regions.update(grid_regions or {})
    own_grid = grid_region or regions.get(province) or (
        default_grid if province == default_province else None
    )
    if own_grid:
        regions[province] = own_grid.strip()
    gwp = check_gwp_set(gwp_set)

    spelling = {p.lower(): p for p in KNOWN_PROVINCES}
    spelling.update({p.lower(): p for p in fs.regions("grid_provincial")})
    spelling.update({p.lower(): p for p in regions})
    spelling[province.lower()] = province
    table = normalise_inputs(inputs, province, spelling)
    plan = _Plan(fs, activities, table, regions, province, gwp, frozenset(spelling.values()))
    plan.check()
    if plan.problems:
        raise CarbonInputError(plan.problems)
    ledger = plan.ledger()
    totals = totals_frame(ledger.group_uscc, ledger.group_year, ledger.sums)
    intensities = intensities_frame(totals, denominators) if denominators is not None else None
    options = MappingProxyType({
        "gwp_set": gwp, "province": province, "grid_regions": MappingProxyType(dict(regions)),
        "denominators": denominators,
    })
    return CarbonResult(
        factor_set=fs.version, activities_version=activities.version, gwp_set=gwp,
        inputs_hash=inputs_hash(table), options=options, totals=totals,
        intensities=intensities, _ledger=ledger,
    )


def recalculate(
    inputs: Any, factor_set_version: str | FactorSet, **options: Any
) -> CarbonResult:
    """Compute the same inputs with another factor set, as a new result beside the first.

    ``inputs`` is a :class:`CarbonResult` (its inputs and options are reused, ``options``
    override them) or raw inputs as for :func:`calculate`. The first result is never changed.
    """
    if isinstance(inputs, CarbonResult):
        merged = dict(inputs.options)
        merged["grid_regions"] = dict(merged["grid_regions"])
        merged.update(options)
        return calculate(inputs.inputs, factor_set=factor_set_version, **merged)
    return calculate(inputs, factor_set=factor_set_version, **options)


def check_gwp_set(gwp_set: str | None) -> str | None:
    """The GWP set named (upper case), ``None`` when none is given; refuses an unknown one."""
    if gwp_set is None:
        return None
    normal = str(gwp_set).strip().upper()
    if normal not in GWP_SETS:
        raise CarbonInputError([input_problem(
            row=None, column="gwp_set", message=MSG_GWP_SET,
            params={"value": gwp_set, "choices": ", ".join(GWP_SETS)}, table="parameters",
        )])
    return normal


class _Plan:
    """Checks a normalised table against the activities and factors, then builds the ledger."""

    def __init__(self, fs: FactorSet, activities: Mapping[str, Activity], table: ActivityRows,
                 regions: Mapping[str, str], province: str, gwp_set: str | None,
                 known_regions: frozenset[str]) -> None:
        self.fs = fs
        self.activities = tuple(activities.values())
        self.table = table
        self.regions = regions
        self.province = province
        self.gwp_set = gwp_set
        self.known_regions = known_regions
        self.problems: list[Problem] = []
        self.refs: list[FactorRef] = []
        self._ref_index: dict[FactorRef, int] = {}
        self.n = table.n
        index = {a.code: i for i, a in enumerate(self.activities)}
        self.act = np.array(
            [index.get(v, -1) for v in table.activity.values], dtype=np.int64
        )[table.activity.codes]
        kind_of = np.array([KIND_CODES.index(a.kind) for a in self.activities] + [-1])
        self.kind = kind_of[self.act]
        self.bad = np.zeros(self.n, dtype=bool)
        self.year0 = int(table.year[~table.year_bad].min()) if np.any(~table.year_bad) else 0
        self.span = int(table.year.max()) - self.year0 + 1 if np.any(~table.year_bad) else 1

    # -- references ------------------------------------------------------------------------
    def ref(self, ref: FactorRef) -> int:
        index = self._ref_index.get(ref)
        if index is None:
            index = self._ref_index[ref] = len(self.refs)
            self.refs.append(ref)
        return index

    def factor_ref(self, factor: Factor, method: int, scale: float, *, level: str,
                   fallback_reason: str = "", note: str = "") -> int:
        fuel = method == M_FUEL
        ncv = carbon_content = oxidation_rate = math.nan
        if fuel:
            # A fuel_combustion factor carries all three parameters (checked when it is loaded).
            assert factor.ncv is not None and factor.carbon_content_tC_per_GJ is not None
            assert factor.oxidation_rate is not None
            ncv, carbon_content = factor.ncv, factor.carbon_content_tC_per_GJ
            oxidation_rate = factor.oxidation_rate
        return self.ref(FactorRef(
            method=method, factor_id=factor.factor_id, factor_value=factor.value,
            factor_unit=factor.unit, factor_year=factor.data_year,
            factor_category=factor.category, level=level,
            fallback=bool(fallback_reason), fallback_reason=fallback_reason,
            confidence=factor.confidence,
            ncv=ncv, ncv_unit=factor.ncv_unit if fuel else "",
            carbon_content=carbon_content, oxidation_rate=oxidation_rate,
            c_to_co2=C_TO_CO2 if fuel else math.nan, scale=scale, note=note,
        ))

    # -- checks ----------------------------------------------------------------------------
    def report(self, mask: np.ndarray, column: str, message: str, **params: Any) -> None:
        """Record a problem for every row in ``mask``; per-row parameters are read only there."""
        indices = np.flatnonzero(mask)
        if not len(indices):
            return
        self.bad[indices] = True
        resolved: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, EncodedText):
                resolved[key] = [value.values[c] for c in value.codes[indices].tolist()]
            elif isinstance(value, pl.Series):
                resolved[key] = value.gather(indices).cast(pl.String).fill_null("").to_list()
            elif isinstance(value, np.ndarray):
                resolved[key] = value[indices].tolist()
            else:
                resolved[key] = [value] * len(indices)
        for position, i in enumerate(indices.tolist()):
            self.problems.append(input_problem(
                row=int(self.table.rows[i]), column=column, message=message,
                params={key: values[position] for key, values in resolved.items()},
            ))

    def raw(self, column: str) -> pl.Series | str:
        frame = self.table.frame
        return frame.get_column(column) if column in frame.columns else ""

    def check(self) -> None:
        t = self.table
        self.report(np.array([not v for v in t.uscc.values])[t.uscc.codes], "uscc", MSG_USCC)
        self.report(t.year_bad, "year", MSG_YEAR, value=self.raw("year"))
        self.report(self.act < 0, "activity", MSG_ACTIVITY, value=t.activity)
        known = self.act >= 0

        # One unit conversion per (activity, unit) pair present.
        n_units = len(t.unit.values)
        pair, present = dense_groups((self.act + 1, len(self.activities) + 1),
                                      (t.unit.codes, n_units))
        table = np.full(len(present), np.nan)
        for slot, key in enumerate(present.tolist()):
            act, unit = divmod(key, n_units)
            if act == 0 or not t.unit.values[unit]:
                continue
            try:
                table[slot] = units.conversion_factor(
                    t.unit.values[unit], self.activities[act - 1].unit
                )
            except UnitError:
                pass
        self.conversion = table[pair] if self.n else np.zeros(0)
        expected = np.array([a.unit for a in self.activities] + [""], dtype=object)[self.act]
        no_unit = known & np.array([not v for v in t.unit.values])[t.unit.codes]
        self.report(no_unit, "unit", MSG_NO_UNIT, activity=t.activity, expected=expected)
        self.report(known & ~no_unit & np.isnan(self.conversion), "unit", MSG_UNIT,
                    unit=t.unit, activity=t.activity, expected=expected)

        q = t.quantity
        self.report(t.quantity_missing, "quantity", MSG_QUANTITY_MISSING)
        self.report(t.quantity_unreadable, "quantity", MSG_QUANTITY_NAN,
                    value=self.raw("quantity"))
        readable = ~t.quantity_missing & ~t.quantity_unreadable
        finite = np.isfinite(q)
        self.report(readable & ~finite, "quantity", MSG_QUANTITY_INF, value=self.raw("quantity"))
        self.report(readable & finite & (q < 0), "quantity", MSG_QUANTITY_NEGATIVE,
                    value=self.raw("quantity"))

        unknown = np.array([v not in self.known_regions for v in t.region.values])
        self.report(unknown[t.region.codes], "region", MSG_REGION, value=t.region,
                    example=self.province)

        heat = self.kind == K_HEAT
        given = ~np.isnan(t.measured) | t.measured_unreadable
        self.report(known & ~heat & given, "measured_factor", MSG_MEASURED_KIND,
                    activity=t.activity)
        self.report(heat & given & (t.measured_unreadable | ~np.isfinite(t.measured)
                                    | (t.measured < 0)),
                    "measured_factor", MSG_MEASURED_VALUE, value=self.raw("measured_factor"))
        self.report(self.kind == K_COAL, "activity", MSG_COAL, choices=COAL_CHOICES)

        # Gases: the GWP of the chosen set.
        present_acts = np.flatnonzero(np.bincount(self.act + 1, minlength=len(self.activities)
                                                  + 1)[1:])
        self.gas_ref = np.full(len(self.activities), -1, dtype=np.int64)
        for index in present_acts.tolist():
            a = self.activities[index]
            if a.kind != "gas":
                continue
            rows = self.act == index
            if self.gwp_set is None:
                self.report(rows, "activity", MSG_GWP_NEEDED, activity=a.code,
                            choices=", ".join(GWP_SETS), suggested=DEFAULT_GWP_SET)
                continue
            factor = self.fs.gwp(a.gas, self.gwp_set)
            if factor is None:
                self.report(rows, "activity", MSG_GWP_MISSING, gwp_set=self.gwp_set, gas=a.gas)
                continue
            self.gas_ref[index] = self.factor_ref(
                factor, M_GWP, factor_scale(factor, a.unit, "tCO2e"), level="global",
            )
        self.check_grid()
        self.check_green()

    def check_grid(self) -> None:
        """Resolve the grid factors of every (region, year) with electricity; refuse the gaps."""
        t = self.table
        self.elec_activity = next(
            (i for i, a in enumerate(self.activities) if a.kind == "electricity"), -1
        )
        n_regions = len(t.region.values)
        self.location_table = np.full((n_regions, self.span), -1, dtype=np.int64)
        self.market_table = np.full((n_regions, self.span), -1, dtype=np.int64)
        elec = (self.kind == K_ELEC) & ~t.year_bad
        if not np.any(elec):
            return
        activity = self.activities[self.elec_activity]
        key, present = dense_groups((t.region.codes[elec], n_regions),
                                     (t.year[elec] - self.year0, self.span))
        missing = np.zeros(len(present), dtype=bool)
        for slot, combined in enumerate(present.tolist()):
            region_code, offset = divmod(combined, self.span)
            region, year = t.region.values[region_code], self.year0 + offset
            location = self.chain(activity.factor_chain, activity, region, year)
            if location is None:
                missing[slot] = True
                continue
            self.location_table[region_code, offset] = location
            market = self.chain(activity.market_factor_chain, activity, region, year,
                                method=M_RESIDUAL)
            if market is None:
                market = self.ref(FactorRef(**{
                    **self.refs[location].__dict__, "method": M_RESIDUAL, "fallback": True,
                    "fallback_reason": "no_residual_published",
                    "note": "no residual factor is published for the year at any level; the "
                    "location-based average is used (GHG Protocol Scope 2 hierarchy)",
                }))
            self.market_table[region_code, offset] = market
        refused = np.zeros(self.n, dtype=bool)
        refused[np.flatnonzero(elec)[missing[key]]] = True
        self.report(refused, "year", MSG_NO_GRID, region=t.region, year=t.year,
                    factor_set=self.fs.version)

    def chain(self, steps: tuple[str, ...], activity: Activity, region: str, year: int,
              method: int = M_FACTOR) -> int | None:
        """The ref of the first factor found along ``steps`` for ``region`` and ``year``."""
        found = resolve_grid_factor(self.fs, steps, region, year, self.regions)
        if found is None:
            return None
        factor = found.factor
        scale = factor_scale(factor, activity.unit, "tCO2e")
        return self.factor_ref(factor, method, scale, level=found.level,
                               fallback_reason=found.fallback_reason)

    def groups(self) -> np.ndarray:
        """Enterprise-year group ids in (uscc, year) order, computed once."""
        if not hasattr(self, "gid"):
            n_uscc = len(self.table.uscc.values)
            self.gid, present = dense_groups((self.table.uscc.codes, n_uscc),
                                              (self.table.year - self.year0, self.span))
            self.n_groups = len(present)
            uscc_code, offsets = np.divmod(present, self.span)
            self.group_uscc = [self.table.uscc.values[c] for c in uscc_code.tolist()]
            self.group_year = offsets + self.year0
        return self.gid

    def electricity_groups(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Enterprise-year-region group ids of ``rows`` (electricity and green instruments)."""
        return dense_groups((self.groups()[rows], self.n_groups),
                             (self.table.region.codes[rows], len(self.table.region.values)))

    def check_green(self) -> None:
        """Refuse an enterprise-year-region whose green instruments exceed its electricity."""
        ok = ~self.bad
        green = ok & (self.kind == K_GREEN)
        if not np.any(green):
            return
        relevant = np.flatnonzero(ok & ((self.kind == K_ELEC) | green))
        rg, present = self.electricity_groups(relevant)
        converted = self.table.quantity[relevant] * self.conversion[relevant]
        is_elec = self.kind[relevant] == K_ELEC
        electricity, covered, _ = residual_electricity((rg[is_elec], converted[is_elec]),
                                            (rg[~is_elec], converted[~is_elec]), len(present))
        over = covered > electricity * (1 + 1e-9) + 1e-9
        n_regions = len(self.table.region.values)
        for slot in np.flatnonzero(over).tolist():
            group, region_code = divmod(int(present[slot]), n_regions)
            members = self.table.rows[relevant[(rg == slot) & ~is_elec]]
            self.problems.append(input_problem(
                row=int(members[0]), column="quantity", message=MSG_GREEN, params={
                    "green": f"{covered[slot]:g}", "electricity": f"{electricity[slot]:g}",
                    "uscc": self.group_uscc[group], "year": int(self.group_year[group]),
                    "region": self.table.region.values[region_code],
                    "rows": ", ".join(str(r) for r in members.tolist()),
                },
            ))

    # -- ledger ----------------------------------------------------------------------------
    def activity_refs(self) -> dict[str, np.ndarray]:
        """Per activity, the ref each basis applies (-1 where the basis does not apply)."""
        fs, acts = self.fs, self.activities
        tables = {name: np.full(len(acts), -1, dtype=np.int64)
                  for name in ("s1", "s3", "energy", "heat")}
        self.direct = self.ref(FactorRef(method=M_DIRECT, factor_value=1.0, level="direct",
                                    note="entered directly in tCO2e"))
        self.zero_green = self.ref(FactorRef(
            method=M_ZERO, factor_value=0.0, level="contractual_instrument",
            note="green certificate or green-power contract: zero in market-based Scope 2; "
            "deducted from the same enterprise-year's purchased electricity in the region"))
        self.zero_own = self.ref(FactorRef(
            method=M_ZERO, factor_value=0.0, level="own_generation",
            note="own renewable generation: zero emissions; never nets off purchased electricity"))
        unconverted = self.ref(FactorRef(
            method=M_UNCONVERTED, factor_value=0.0, level="no_coefficient",
            note="no sourced standard-coal coefficient in the factor set; energy not converted"))
        self.measured = self.ref(FactorRef(method=M_MEASURED, factor_unit="tCO2/GJ",
                                      level="measured",
                                      note="measured factor given by the enterprise"))
        for index, a in enumerate(acts):
            if a.kind == "combustion":
                factor = fs.get(a.factor_id)
                tables["s1"][index] = self.factor_ref(
                    factor, M_FUEL,
                    units.conversion_factor(a.unit, factor.ncv_unit.split("/")[1].strip()),
                    level="national",
                )
            elif a.kind == "gas":
                tables["s1"][index] = self.gas_ref[index]
            elif a.kind == "direct":
                tables["s1" if a.scope == "1" else "s3"][index] = self.direct
            elif a.kind == "heat":
                factor = fs.get(a.factor_id)
                tables["heat"][index] = self.factor_ref(
                    factor, M_FACTOR, factor_scale(factor, a.unit, "tCO2e"), level="default",
                )
            if a.kind in ("combustion", "electricity", "heat", "own_generation"):
                if a.tce_factor_id:
                    factor = fs.get(a.tce_factor_id)
                    tables["energy"][index] = self.factor_ref(
                        factor, M_FACTOR, factor_scale(factor, a.unit, "tce"), level="national",
                    )
                else:
                    tables["energy"][index] = unconverted
        self.unconverted = unconverted
        return tables

    def ledger(self) -> Ledger:
        t, act, kind = self.table, self.act, self.kind
        gid = self.groups()
        tables = self.activity_refs()
        converted_rows = t.quantity * self.conversion
        offset = t.year - self.year0
        region = t.region.codes
        elec, green, heat = kind == K_ELEC, kind == K_GREEN, kind == K_HEAT
        heat_ref = np.where(np.isnan(t.measured), tables["heat"][act], self.measured)
        s1, s3, energy = tables["s1"][act], tables["s3"][act], tables["energy"][act]

        positions: list[np.ndarray] = []
        bases: list[np.ndarray] = []
        refs: list[np.ndarray] = []

        def block(mask: np.ndarray, basis: int, ref: np.ndarray | int) -> None:
            pos = np.flatnonzero(mask)
            positions.append(pos)
            bases.append(np.full(len(pos), basis, dtype=np.int64))
            refs.append(ref[pos] if isinstance(ref, np.ndarray) else np.full(len(pos), ref))

        block(s1 >= 0, B_S1, s1)
        block(elec | heat, B_S2L, np.where(elec, self.location_table[region, offset], heat_ref))
        block(green | heat, B_S2M, np.where(green, self.zero_green, heat_ref))

        # Market-based residual electricity: one entry per enterprise-year-region with
        # purchased electricity, after the rows' own market-based entries.
        relevant = np.flatnonzero(elec | green)
        rg, present = self.electricity_groups(relevant)
        is_elec = kind[relevant] == K_ELEC
        electricity, covered, residual = residual_electricity(
            (rg[is_elec], converted_rows[relevant][is_elec]),
            (rg[~is_elec], converted_rows[relevant][~is_elec]), len(present))
        with_elec = np.flatnonzero(np.bincount(rg[is_elec], minlength=len(present)) > 0)
        r_gid, r_region = np.divmod(present[with_elec], max(len(t.region.values), 1))
        first = np.zeros(len(present), dtype=np.int64)
        first[rg[::-1]] = relevant[::-1]
        r_offset = t.year[first[with_elec]] - self.year0
        start = sum(len(p) for p in positions)
        residual_slice = slice(start, start + len(with_elec))
        positions.append(np.full(len(with_elec), -1, dtype=np.int64))
        bases.append(np.full(len(with_elec), B_S2M, dtype=np.int64))
        refs.append(self.market_table[r_region, r_offset])

        block(s3 >= 0, B_S3, s3)
        block(energy >= 0, B_ENERGY, energy)
        block(kind == K_OWN, B_MEMO, self.zero_own)

        pos = np.concatenate(positions)
        basis = np.concatenate(bases)
        ref = np.concatenate(refs).astype(np.int64)
        at = np.maximum(pos, 0)
        entry_gid = gid[at] if self.n else np.zeros(len(pos), dtype=np.int64)
        entry_gid[residual_slice] = r_gid
        converted = converted_rows[at] if self.n else np.zeros(len(pos))
        converted[residual_slice] = residual[with_elec]

        refs_ = self.refs
        per_ref = {
            name: np.array([getattr(r, name) for r in refs_], dtype=np.float64)
            for name in ("factor_value", "scale", "ncv", "carbon_content", "oxidation_rate",
                         "c_to_co2")
        }
        methods = np.array([r.method for r in refs_], dtype=np.int64)
        effective = effective_factors(methods, per_ref["factor_value"], per_ref["scale"],
                               per_ref["ncv"], per_ref["carbon_content"],
                               per_ref["oxidation_rate"], per_ref["c_to_co2"])[ref]
        measured = np.flatnonzero(ref == self.measured)
        if len(measured):
            effective[measured] = effective_factors(
                np.full(len(measured), M_MEASURED), t.measured[pos[measured]],
                np.full(len(measured), 1.0), *([np.full(len(measured), np.nan)] * 4),
            )
        result = converted * effective

        elec_rows = relevant[is_elec]
        green_rows = relevant[~is_elec]
        own_rows = np.flatnonzero(kind == K_OWN)
        sums = group_totals(
            self.n_groups, entry_gid, basis, result,
            (gid[elec_rows], converted_rows[elec_rows]),
            (gid[green_rows], converted_rows[green_rows]),
            (gid[own_rows], converted_rows[own_rows]),
            gid[np.flatnonzero(energy == self.unconverted)],
        )
        return Ledger(
            table=t, activities=self.activities, refs=tuple(refs_), act=act, kind=kind,
            conversion=self.conversion, gid=gid, group_uscc=self.group_uscc,
            group_year=self.group_year, elec_activity=self.elec_activity, pos=pos,
            basis=basis, ref=ref, entry_gid=entry_gid, converted=converted,
            effective=effective, result=result, residual=residual_slice,
            residual_region=r_region, residual_electricity=electricity[with_elec],
            residual_green=covered[with_elec], sums=sums,
        )


