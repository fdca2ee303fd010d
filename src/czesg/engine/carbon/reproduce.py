"""Reproduction: the enterprise-year totals recomputed bit for bit from a trace alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.inputs import encode_text
from czesg.engine.carbon.ledger import (
    B_MEMO,
    B_S2L,
    BASES,
    K_ELEC,
    K_GREEN,
    K_OWN,
    KIND_CODES,
    M_RESIDUAL,
    M_UNCONVERTED,
    METHODS,
    dense_groups,
    effective_factors,
    group_totals,
    totals_frame,
)
from czesg.engine.carbon.problems import MSG_COLUMN, CarbonInputError, input_problem
from czesg.engine.carbon.scope2 import residual_electricity

_TRACE_NEEDED: dict[str, Any] = {
    "entry": pl.Int64, "uscc": pl.String, "year": pl.Int64, "region": pl.String,
    "kind": pl.String, "basis": pl.String, "method": pl.String, "quantity": pl.Float64,
    "conversion": pl.Float64, "factor_value": pl.Float64, "scale": pl.Float64,
    "ncv": pl.Float64, "carbon_content_tC_per_GJ": pl.Float64, "oxidation_rate": pl.Float64,
    "c_to_co2": pl.Float64,
}


def reproduce(trace: Sequence[Mapping[str, Any]] | pl.DataFrame) -> pl.DataFrame:
    """Recompute the enterprise-year totals from a trace alone (list or frame), bit for bit."""
    if isinstance(trace, pl.DataFrame):
        columns = trace.columns
    else:
        columns = list(trace[0]) if len(trace) else list(_TRACE_NEEDED)
    missing = [key for key in _TRACE_NEEDED if key not in columns]
    if missing:
        raise CarbonInputError([
            input_problem(row=None, column=key, message=MSG_COLUMN, params={"column": key},
                          table="trace") for key in missing
        ])
    if isinstance(trace, pl.DataFrame):
        frame = trace.select([pl.col(k).cast(t) for k, t in _TRACE_NEEDED.items()])
    else:
        frame = pl.DataFrame(
            {key: pl.Series(key, [entry[key] for entry in trace], dtype=dtype, strict=False)
             for key, dtype in _TRACE_NEEDED.items()}
        )
    frame = frame.sort("entry")
    m = frame.height
    uscc = encode_text(frame, "uscc", str)
    region = encode_text(frame, "region", str)
    years = frame.get_column("year").to_numpy() if m else np.zeros(0, dtype=np.int64)
    year0 = int(years.min()) if m else 0
    span = int(years.max()) - year0 + 1 if m else 1
    gid, present = dense_groups((uscc.codes, len(uscc.values)), (years - year0, span))
    group_uscc, offsets = np.divmod(present, span)

    def codes(column: str, names: tuple[str, ...]) -> np.ndarray:
        return frame.get_column(column).replace_strict(
            list(names), list(range(len(names))), return_dtype=pl.Int64
        ).to_numpy()

    def floats(column: str) -> np.ndarray:
        return frame.get_column(column).fill_null(np.nan).to_numpy().astype(np.float64)

    kind, basis, method = codes("kind", KIND_CODES), codes("basis", BASES), codes(
        "method", METHODS)
    effective = effective_factors(method, floats("factor_value"), floats("scale"), floats("ncv"),
                           floats("carbon_content_tC_per_GJ"), floats("oxidation_rate"),
                           floats("c_to_co2"))
    converted = floats("quantity") * floats("conversion")
    grouped = np.flatnonzero((kind == K_ELEC) | (kind == K_GREEN))
    rg, rpresent = dense_groups((gid[grouped], len(present)),
                                 (region.codes[grouped], len(region.values)))
    rgroup = np.full(m, -1, dtype=np.int64)
    rgroup[grouped] = rg
    is_elec = np.flatnonzero((kind == K_ELEC) & (basis == B_S2L))
    is_green = np.flatnonzero(kind == K_GREEN)
    _, _, residual = residual_electricity((rgroup[is_elec], converted[is_elec]),
                               (rgroup[is_green], converted[is_green]), len(rpresent))
    is_residual = np.flatnonzero(method == M_RESIDUAL)
    converted[is_residual] = residual[rgroup[is_residual]]
    result = converted * effective
    own = np.flatnonzero((kind == K_OWN) & (basis == B_MEMO))
    sums = group_totals(
        len(present), gid, basis, result, (gid[is_elec], converted[is_elec]),
        (gid[is_green], converted[is_green]), (gid[own], converted[own]),
        gid[method == M_UNCONVERTED],
    )
    return totals_frame([uscc.values[c] for c in group_uscc.tolist()], offsets + year0, sums)


