"""The vectorised ledger: an entry per row and basis, its factor, and sums per enterprise-year."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.activities import KINDS, Activity
from czesg.engine.carbon.inputs import ActivityRows

TOTAL_COLUMNS: tuple[str, ...] = (
    "uscc", "year", "scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e",
    "scope3_tco2e", "total_tco2e", "energy_tce", "electricity_mwh", "green_electricity_mwh",
    "own_renewable_mwh", "energy_unconverted_rows",
)

# Codes of the ledger (one entry per row and basis, plus one per enterprise-year-region for the
# market-based residual electricity).
BASES: tuple[str, ...] = (
    "scope1", "scope2_location", "scope2_market", "scope3", "energy", "memo",
)
B_S1, B_S2L, B_S2M, B_S3, B_ENERGY, B_MEMO = range(6)
METHODS: tuple[str, ...] = (
    "fuel_parameters", "factor", "gwp", "direct", "zero", "unconverted", "residual", "measured",
)
M_FUEL, M_FACTOR, M_GWP, M_DIRECT, M_ZERO, M_UNCONVERTED, M_RESIDUAL, M_MEASURED = range(8)
KIND_CODES: tuple[str, ...] = tuple(KINDS)
K_COMBUSTION, K_COAL, K_GAS, K_DIRECT, K_ELEC, K_GREEN, K_HEAT, K_OWN = range(8)

MIN_YEAR, MAX_YEAR = 1990, 2100

@dataclass(frozen=True)
class FactorRef:
    """What an entry of the ledger applies: a factor with its level and fallback, or a rule."""

    method: int
    factor_id: str = ""
    factor_value: float = math.nan
    factor_unit: str = ""
    factor_year: int | None = None
    factor_category: str = ""
    level: str = ""
    fallback: bool = False
    fallback_reason: str = ""
    confidence: str = ""
    ncv: float = math.nan
    ncv_unit: str = ""
    carbon_content: float = math.nan
    oxidation_rate: float = math.nan
    c_to_co2: float = math.nan
    scale: float = 1.0
    note: str = ""


@dataclass(frozen=True, eq=False)
class Ledger:
    """The vectorised ledger behind a result: entries, the refs they apply, the encoded rows.

    Entries are ordered by basis (scope 1, scope 2 location, scope 2 market rows then the
    residual electricity of each enterprise-year-region, scope 3, energy, memo) and by row
    within a basis; :func:`reproduce` sums in the same order, which makes it bit-exact.
    """

    table: ActivityRows
    activities: tuple[Activity, ...]
    refs: tuple[FactorRef, ...]
    act: np.ndarray
    kind: np.ndarray
    conversion: np.ndarray
    gid: np.ndarray
    group_uscc: list[str]
    group_year: np.ndarray
    elec_activity: int
    pos: np.ndarray
    basis: np.ndarray
    ref: np.ndarray
    entry_gid: np.ndarray
    converted: np.ndarray
    effective: np.ndarray
    result: np.ndarray
    residual: slice
    residual_region: np.ndarray
    residual_electricity: np.ndarray
    residual_green: np.ndarray
    sums: dict[str, np.ndarray]


def dense_groups(*keys: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """Group ids of the combined integer keys (each with its size), in lexicographic order."""
    combined = np.zeros(len(keys[0][0]), dtype=np.int64)
    space = 1
    for values, size in keys:
        combined = combined * size + values
        space *= size
    if space <= 4 * len(combined) + 1024:
        present = np.bincount(combined, minlength=space) > 0
        index = np.cumsum(present) - 1
        return index[combined], np.flatnonzero(present)
    unique, inverse = np.unique(combined, return_inverse=True)
    return inverse.astype(np.int64).ravel(), unique


def effective_factors(method: np.ndarray, value: np.ndarray, scale: np.ndarray, ncv: np.ndarray,
               carbon: np.ndarray, oxidation: np.ndarray, c_to_co2: np.ndarray) -> np.ndarray:
    """The result per converted unit, elementwise: fuel parameters, or factor value x scale."""
    fuel = (((ncv * carbon) * oxidation) * c_to_co2) * scale
    effective = np.where(method == M_FUEL, fuel, value * scale)
    return np.where((method == M_ZERO) | (method == M_UNCONVERTED), 0.0, effective)


def group_totals(n_groups: int, gid: np.ndarray, basis: np.ndarray, result: np.ndarray,
                  electricity: tuple[np.ndarray, np.ndarray],
                  green: tuple[np.ndarray, np.ndarray], own: tuple[np.ndarray, np.ndarray],
                  unconverted: np.ndarray) -> dict[str, np.ndarray]:
    """Sums per enterprise-year, adding entries in ledger order (shared with reproduce)."""
    width = len(BASES)
    by_basis = np.bincount(gid * width + basis, result, minlength=n_groups * width).astype(
        np.float64).reshape(n_groups, width)
    scope1 = np.ascontiguousarray(by_basis[:, B_S1])
    location = np.ascontiguousarray(by_basis[:, B_S2L])
    return {
        "scope1_tco2e": scope1,
        "scope2_location_tco2e": location,
        "scope2_market_tco2e": np.ascontiguousarray(by_basis[:, B_S2M]),
        "scope3_tco2e": np.ascontiguousarray(by_basis[:, B_S3]),
        "total_tco2e": scope1 + location,
        "energy_tce": np.ascontiguousarray(by_basis[:, B_ENERGY]),
        "electricity_mwh": np.bincount(electricity[0], electricity[1], minlength=n_groups
                                       ).astype(np.float64),
        "green_electricity_mwh": np.bincount(green[0], green[1], minlength=n_groups
                                             ).astype(np.float64),
        "own_renewable_mwh": np.bincount(own[0], own[1], minlength=n_groups).astype(np.float64),
        "energy_unconverted_rows": np.bincount(unconverted, minlength=n_groups).astype(np.int64),
    }


def totals_frame(uscc: Sequence[str], year: np.ndarray, sums: Mapping[str, np.ndarray]
                  ) -> pl.DataFrame:
    """The totals frame (:data:`TOTAL_COLUMNS`) from the sums per enterprise-year."""
    columns: dict[str, Any] = {
        "uscc": pl.Series("uscc", list(uscc), dtype=pl.String),
        "year": pl.Series("year", np.asarray(year, dtype=np.int64), dtype=pl.Int64),
    }
    for name in TOTAL_COLUMNS[2:]:
        dtype = pl.Int64 if name == "energy_unconverted_rows" else pl.Float64
        columns[name] = pl.Series(name, sums[name], dtype=dtype)
    return pl.DataFrame(columns)


