"""A carbon result: totals, per-row figures and the trace of every figure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.inputs import inputs_frame
from czesg.engine.carbon.ledger import (
    B_ENERGY,
    B_S1,
    B_S2L,
    B_S2M,
    B_S3,
    BASES,
    K_ELEC,
    KIND_CODES,
    M_MEASURED,
    M_UNCONVERTED,
    METHODS,
    Ledger,
)


@dataclass(frozen=True, eq=False)
class CarbonResult:
    """An immutable carbon calculation: totals per enterprise-year, per-row results and trace."""

    factor_set: str
    activities_version: str
    gwp_set: str | None
    inputs_hash: str
    options: Mapping[str, Any]
    totals: pl.DataFrame
    intensities: pl.DataFrame | None
    _ledger: Ledger = field(repr=False)

    @cached_property
    def inputs(self) -> pl.DataFrame:
        """The canonical input rows the result was computed from (for :func:`recalculate`)."""
        return inputs_frame(self._ledger.table)

    @cached_property
    def _trace_frame(self) -> pl.DataFrame:
        return trace_frame(self._ledger, self.factor_set, self.gwp_set)

    @property
    def trace(self) -> list[dict[str, Any]]:
        """Every figure of the calculation, one entry per row and basis (a fresh list each call)."""
        return self._trace_frame.to_dicts()

    @cached_property
    def rows(self) -> pl.DataFrame:
        """Per input row: emissions by scope, energy in tce and the factor ids used."""
        return rows_frame(self._ledger)

    def factors_used(self) -> list[dict[str, Any]]:
        """The factors applied, with year, level, fallback and confidence, for display."""
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for index in np.unique(self._ledger.ref).tolist():
            ref = self._ledger.refs[index]
            if not ref.factor_id:
                continue
            seen[(ref.factor_id, ref.level, ref.fallback_reason)] = {
                "factor_id": ref.factor_id, "factor_value": ref.factor_value,
                "factor_unit": ref.factor_unit, "factor_year": ref.factor_year,
                "factor_category": ref.factor_category, "level": ref.level,
                "fallback": ref.fallback, "fallback_reason": ref.fallback_reason,
                "confidence": ref.confidence,
            }
        return sorted(seen.values(), key=lambda d: (d["factor_id"], d["level"]))


def trace_frame(ledger: Ledger, factor_set: str, gwp_set: str | None) -> pl.DataFrame:
    """The trace: one entry per ledger entry with every figure it used."""
    t, refs = ledger.table, ledger.refs
    pos, m = ledger.pos, len(ledger.pos)
    on_row = pos >= 0
    off_row = np.flatnonzero(~on_row)
    at = np.maximum(pos, 0)
    res = ledger.residual
    gather = (lambda values: values[at]) if t.n else (lambda values: values[:0])
    region = gather(t.region.codes)
    region[res] = ledger.residual_region
    act = gather(ledger.act)
    act[res] = ledger.elec_activity
    kind = gather(ledger.kind)
    kind[res] = K_ELEC
    quantity = np.where(on_row, gather(t.quantity), np.nan)
    quantity[res] = ledger.residual_electricity
    green_quantity = np.full(m, np.nan)
    green_quantity[res] = ledger.residual_green
    value = np.array([r.factor_value for r in refs], dtype=np.float64)[ledger.ref]
    measured = np.array([r.method == M_MEASURED for r in refs] + [False])[ledger.ref]
    value[measured] = t.measured[pos[measured]]

    def per_ref(name: str, dtype: Any = None) -> pl.Series:
        values = [getattr(r, name) for r in refs]
        return pl.Series(name, values, dtype=dtype).gather(ledger.ref)

    def per_activity(values: Iterable[str]) -> pl.Series:
        return pl.Series(list(values), dtype=pl.String).gather(act)

    acts = ledger.activities
    return pl.DataFrame({
        "entry": np.arange(m, dtype=np.int64),
        "row": _blank(pl.Series(gather(t.rows), dtype=pl.Int64), off_row),
        "uscc": pl.Series(ledger.group_uscc, dtype=pl.String).gather(ledger.entry_gid),
        "year": pl.Series(ledger.group_year, dtype=pl.Int64).gather(ledger.entry_gid),
        "facility": _blank(pl.Series(t.facility.values, dtype=pl.String).gather(
            gather(t.facility.codes)), off_row),
        "region": pl.Series(t.region.values, dtype=pl.String).gather(region),
        "activity": per_activity(a.code for a in acts),
        "kind": pl.Series(KIND_CODES, dtype=pl.String).gather(kind),
        "scope": per_activity(a.scope for a in acts),
        "basis": pl.Series(BASES, dtype=pl.String).gather(ledger.basis),
        "method": pl.Series(METHODS, dtype=pl.String).gather(
            np.array([r.method for r in refs], dtype=np.int64)[ledger.ref]),
        "quantity": quantity,
        "unit": pl.Series(t.unit.values, dtype=pl.String).gather(gather(t.unit.codes)).scatter(
            off_row, acts[ledger.elec_activity].unit if len(off_row) else None),
        "conversion": np.where(on_row, gather(ledger.conversion), np.nan),
        "converted_quantity": ledger.converted,
        "canonical_unit": per_activity(a.unit for a in acts),
        "green_quantity": green_quantity,
        "factor_id": per_ref("factor_id", pl.String),
        "factor_value": value,
        "factor_unit": per_ref("factor_unit", pl.String),
        "factor_year": per_ref("factor_year", pl.Int64),
        "factor_category": per_ref("factor_category", pl.String),
        "level": per_ref("level", pl.String),
        "fallback": per_ref("fallback", pl.Boolean),
        "fallback_reason": per_ref("fallback_reason", pl.String),
        "confidence": per_ref("confidence", pl.String),
        "ncv": per_ref("ncv", pl.Float64),
        "ncv_unit": per_ref("ncv_unit", pl.String),
        "carbon_content_tC_per_GJ": per_ref("carbon_content", pl.Float64),
        "oxidation_rate": per_ref("oxidation_rate", pl.Float64),
        "c_to_co2": per_ref("c_to_co2", pl.Float64),
        "scale": per_ref("scale", pl.Float64),
        "effective_factor": ledger.effective,
        "result": ledger.result,
        "result_unit": pl.Series(["tCO2e", "tce"], dtype=pl.String).gather(
            (ledger.basis == B_ENERGY).astype(np.int64)),
        "factor_set": pl.Series([factor_set] * m, dtype=pl.String),
        "gwp_set": pl.Series([gwp_set] * m, dtype=pl.String),
        "note": per_ref("note", pl.String),
    }).with_columns(pl.col(pl.Float64).fill_nan(None))


def _blank(series: pl.Series, indices: np.ndarray) -> pl.Series:
    """``series`` with nulls at ``indices`` (entries that belong to no input row)."""
    return series.scatter(indices, None) if len(indices) else series


def rows_frame(ledger: Ledger) -> pl.DataFrame:
    """Per input row: emissions by scope, energy in tce and the factor ids used."""
    t = ledger.table
    n, pos, refs = t.n, ledger.pos, ledger.refs
    on_row = pos >= 0
    methods = np.array([r.method for r in refs], dtype=np.int64)[ledger.ref]
    columns: dict[str, Any] = {}
    for name, basis in (("scope1_tco2e", B_S1), ("scope2_location_tco2e", B_S2L),
                        ("scope2_market_tco2e", B_S2M), ("scope3_tco2e", B_S3),
                        ("energy_tce", B_ENERGY)):
        values = np.full(n, np.nan)
        mask = on_row & (ledger.basis == basis) & (methods != M_UNCONVERTED)
        values[pos[mask]] = ledger.result[mask]
        columns[name] = pl.Series(name, values).fill_nan(None)
    converted = np.full(n, np.nan)
    converted[pos[on_row]] = ledger.converted[on_row]
    ids = [r.factor_id for r in refs] + [""]
    for name, bases in (("factor_id", (B_S1, B_S2L, B_S2M, B_S3)),
                        ("tce_factor_id", (B_ENERGY,))):
        chosen = np.full(n, len(refs), dtype=np.int64)
        for basis in reversed(bases):
            mask = on_row & (ledger.basis == basis)
            chosen[pos[mask]] = ledger.ref[mask]
        columns[name] = pl.Series(name, ids, dtype=pl.String).gather(chosen)
    acts = ledger.activities
    given = inputs_frame(t)
    return pl.DataFrame({
        **{name: given.get_column(name)
           for name in ("row", "uscc", "year", "facility", "region", "activity")},
        "scope": pl.Series([a.scope for a in acts], dtype=pl.String).gather(ledger.act),
        "quantity": given.get_column("quantity"),
        "unit": given.get_column("unit"),
        "converted_quantity": pl.Series(converted).fill_nan(None),
        "canonical_unit": pl.Series([a.unit for a in acts], dtype=pl.String).gather(ledger.act),
        **columns,
    })


