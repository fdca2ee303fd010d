"""The carbon engine's batch path: totals per enterprise-year only, every row step vectorised.

:func:`batch_totals` returns exactly ``calculate(...).totals`` (same rows, same order, the same
float64 bits) for large inputs that need no trace, as a batch job or a Spark partition does.
It resolves the factors once per distinct key (activity, unit, region, year) by running the
engine itself on one prototype row per key, which gives the factor table of the run (unit
conversion and effective factor per basis, the market-based residual factor of each year);
the rows then gather their key's factors and are summed per enterprise-year with
:func:`numpy.bincount`, in row order as the ledger sums them. Nothing loops over rows in Python.

The fast path takes a Polars frame whose rows are already clean (text key columns, integer
years in range, finite non-negative numeric quantities, one region at most, no measured
factors). Any other input, and any refusal (an unknown activity or unit, a missing grid factor,
green electricity above the purchased electricity, ...), goes through :func:`calculate`, which
raises :class:`~czesg.engine.carbon.problems.CarbonInputError` naming the user's rows and
columns exactly as it always does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.calculation import calculate
from czesg.engine.carbon.factors import FactorSet
from czesg.engine.carbon.ledger import (
    B_ENERGY,
    B_S1,
    B_S2L,
    B_S2M,
    B_S3,
    K_ELEC,
    K_GREEN,
    K_OWN,
    M_UNCONVERTED,
    MAX_YEAR,
    MIN_YEAR,
    dense_groups,
    totals_frame,
)
from czesg.engine.carbon.problems import CarbonInputError
from czesg.engine.carbon.scope2 import residual_electricity

_TEXT_KEYS = ("uscc", "activity", "unit")
_ROW_BASES = (B_S1, B_S2L, B_S2M, B_S3, B_ENERGY)


@dataclass(frozen=True)
class _Rows:
    """The rows of a clean frame, encoded: text columns as codes, numbers as arrays."""

    n: int
    uscc: np.ndarray
    uscc_values: list[str]
    activity: np.ndarray
    activity_values: list[str]
    unit: np.ndarray
    unit_values: list[str]
    region: str | None
    year: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class _FactorTable:
    """Per key: the unit conversion, the effective factor of each basis (0.0 where it does not
    apply), the residual factor (electricity) and the kind."""

    conversion: np.ndarray
    effective: dict[int, np.ndarray]
    residual: np.ndarray
    kind: np.ndarray
    unconverted: np.ndarray


def batch_totals(
    inputs: Any,
    *,
    factor_set: str | FactorSet | None = None,
    gwp_set: str | None = None,
    province: str | None = None,
    grid_region: str | None = None,
    grid_regions: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The totals frame of :func:`calculate` for the same inputs and options, without a trace.

    Raises :class:`CarbonInputError` listing every problem, as :func:`calculate` does.
    """
    options: dict[str, Any] = {
        "factor_set": factor_set, "gwp_set": gwp_set, "province": province,
        "grid_region": grid_region, "grid_regions": grid_regions,
    }
    rows = _encode(inputs)
    if rows is None:
        return calculate(inputs, **options).totals
    totals = _fast_totals(rows, options)
    return calculate(inputs, **options).totals if totals is None else totals


def _codes(series: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of a text column (numbered from 0) and the value of each code.

    A categorical or enum column (the dictionary encoding a batch job reads from Parquet or
    Arrow) keeps its encoding; plain text is encoded once here.
    """
    dtype = series.dtype
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        physical = series.to_physical().to_numpy().astype(np.int64)
        present = np.flatnonzero(np.bincount(physical))
        lookup = np.full(int(present[-1]) + 1, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        mapping = dtype.categories
        names = mapping if isinstance(mapping, pl.Series) else mapping.to_series()
        return lookup[physical], names.gather(present).to_list()
    categories = pl.Categories.random()
    encoded = series.cast(pl.Categorical(categories))
    # The values are read while the encoded column is alive: it holds the mapping.
    values = categories.to_series().to_list()
    return encoded.to_physical().to_numpy().astype(np.int64), values


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def _encode(inputs: Any) -> _Rows | None:
    """The encoded rows of a clean frame, or ``None`` where the full engine must look at them."""
    if not isinstance(inputs, pl.DataFrame):
        return None
    frame = inputs
    columns = set(frame.columns)
    if not {"uscc", "year", "activity", "quantity", "unit"} <= columns:
        return None
    if not all(_is_text(frame.schema[c]) for c in _TEXT_KEYS):
        return None
    if not frame.schema["year"].is_integer() or not frame.schema["quantity"].is_numeric():
        return None
    if "measured_factor" in columns and frame.get_column("measured_factor").null_count() < (
        frame.height
    ):
        return None
    region: str | None = None
    if "region" in columns:
        series = frame.get_column("region")
        if not _is_text(series.dtype):
            return None
        distinct = series.cast(pl.String).fill_null("").unique()
        if len(distinct) > 1:
            return None
        region = distinct[0] if len(distinct) else None
    n = frame.height
    if n == 0:
        return None
    key_columns = frame.select(*_TEXT_KEYS, "year", "quantity")
    if any(count for count in key_columns.null_count().row(0)):
        return None
    year = frame.get_column("year").cast(pl.Int64).to_numpy()
    if year.min() < MIN_YEAR or year.max() > MAX_YEAR:
        return None
    quantity = frame.get_column("quantity").cast(pl.Float64).to_numpy() + 0.0
    if not np.all(np.isfinite(quantity)) or np.any(quantity < 0):
        return None
    raw_uscc, raw_values = _codes(frame.get_column("uscc"))
    cleaned = [value.strip().upper() for value in raw_values]
    if not all(cleaned):
        return None
    uscc_values = sorted(set(cleaned))
    index = {value: i for i, value in enumerate(uscc_values)}
    uscc = np.array([index[value] for value in cleaned], dtype=np.int64)[raw_uscc]
    activity, activity_values = _codes(frame.get_column("activity"))
    unit, unit_values = _codes(frame.get_column("unit"))
    return _Rows(n=n, uscc=uscc, uscc_values=uscc_values, activity=activity,
                 activity_values=activity_values, unit=unit, unit_values=unit_values,
                 region=region, year=year, quantity=quantity)


def _factor_table(rows: _Rows, present: np.ndarray, year0: int, span: int,
                  options: Mapping[str, Any]) -> _FactorTable | None:
    """Run the engine on one prototype row per key (quantity 0) and read its factors back."""
    n_unit = len(rows.unit_values)
    act_unit, offset = np.divmod(present, span)
    act, unit = np.divmod(act_unit, n_unit)
    count = len(present)
    prototype: dict[str, Any] = {
        "uscc": [f"K{i:09d}" for i in range(count)],
        "year": (offset + year0).astype(np.int64),
        "activity": [rows.activity_values[a] for a in act.tolist()],
        "quantity": np.zeros(count),
        "unit": [rows.unit_values[u] for u in unit.tolist()],
    }
    if rows.region is not None:
        prototype["region"] = [rows.region] * count
    try:
        result = calculate(pl.DataFrame(prototype), **options)
    except CarbonInputError:
        return None
    ledger = result._ledger
    at_row = ledger.pos >= 0
    effective: dict[int, np.ndarray] = {}
    for basis in _ROW_BASES:
        chosen = at_row & (ledger.basis == basis)
        effective[basis] = np.zeros(count)
        effective[basis][ledger.pos[chosen]] = ledger.effective[chosen]
    residual = np.full(count, np.nan)
    # One prototype row per enterprise-year: the residual entry of group g is key g's.
    residual[ledger.entry_gid[ledger.residual]] = ledger.effective[ledger.residual]
    methods = np.array([ref.method for ref in ledger.refs], dtype=np.int64)
    energy = at_row & (ledger.basis == B_ENERGY)
    unconverted = np.zeros(count, dtype=bool)
    unconverted[ledger.pos[energy]] = methods[ledger.ref[energy]] == M_UNCONVERTED
    return _FactorTable(conversion=ledger.conversion, effective=effective,
                        residual=residual, kind=ledger.kind, unconverted=unconverted)


def _fast_totals(rows: _Rows, options: Mapping[str, Any]) -> pl.DataFrame | None:
    """The totals of clean rows, or ``None`` where the full engine must decide (a refusal)."""
    year0 = int(rows.year.min())
    span = int(rows.year.max()) - year0 + 1
    offset = rows.year - year0
    key, present = dense_groups((rows.activity, len(rows.activity_values)),
                                (rows.unit, len(rows.unit_values)), (offset, span))
    table = _factor_table(rows, present, year0, span, options)
    if table is None:
        return None
    gid, groups = dense_groups((rows.uscc, len(rows.uscc_values)), (offset, span))
    n_groups = len(groups)
    group_uscc_code, group_offset = np.divmod(groups, span)
    converted = rows.quantity * table.conversion[key]

    def basis_rows(basis: int) -> np.ndarray:
        # Where the basis does not apply the factor is 0.0, and adding +0.0 to a sum changes
        # no bit (quantities are finite and non-negative), so every row can take part.
        return converted * table.effective[basis][key]

    kind = table.kind[key]
    elec, green = kind == K_ELEC, kind == K_GREEN
    relevant = np.flatnonzero(elec | green)
    is_elec = elec[relevant]
    electricity, covered, residual = residual_electricity(
        (gid[relevant][is_elec], converted[relevant][is_elec]),
        (gid[relevant][~is_elec], converted[relevant][~is_elec]), n_groups)
    if np.any(covered > electricity * (1 + 1e-9) + 1e-9):
        return None
    with_elec = np.flatnonzero(np.bincount(gid[relevant][is_elec], minlength=n_groups) > 0)
    # The residual factor of a group's year: that of any electricity key of the same year.
    elec_keys = np.flatnonzero(table.kind == K_ELEC)
    residual_factor = np.full(span, np.nan)
    residual_factor[present[elec_keys] % span] = table.residual[elec_keys]
    residual_result = residual[with_elec] * residual_factor[group_offset[with_elec]]
    market = np.bincount(np.concatenate([gid, with_elec]),
                         np.concatenate([basis_rows(B_S2M), residual_result]),
                         minlength=n_groups).astype(np.float64)
    scope1 = np.bincount(gid, basis_rows(B_S1), minlength=n_groups).astype(np.float64)
    location = np.bincount(gid, basis_rows(B_S2L), minlength=n_groups).astype(np.float64)
    own = np.flatnonzero(kind == K_OWN)
    sums = {
        "scope1_tco2e": scope1,
        "scope2_location_tco2e": location,
        "scope2_market_tco2e": market,
        "scope3_tco2e": np.bincount(gid, basis_rows(B_S3), minlength=n_groups
                                    ).astype(np.float64),
        "total_tco2e": scope1 + location,
        "energy_tce": np.bincount(gid, basis_rows(B_ENERGY), minlength=n_groups
                                  ).astype(np.float64),
        "electricity_mwh": electricity,
        "green_electricity_mwh": covered,
        "own_renewable_mwh": np.bincount(gid[own], converted[own], minlength=n_groups
                                         ).astype(np.float64),
        "energy_unconverted_rows": np.bincount(gid[table.unconverted[key]], minlength=n_groups
                                               ).astype(np.int64),
    }
    group_uscc = [rows.uscc_values[c] for c in group_uscc_code.tolist()]
    return totals_frame(group_uscc, group_offset + year0, sums)
