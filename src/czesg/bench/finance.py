"""Green finance benchmark: PCAF financed emissions with data quality over a synthetic book."""

from __future__ import annotations

import time

import numpy as np
import polars as pl

from czesg.engine.finance.labels import label_year
from czesg.engine.finance.pcaf import financed_emissions, load_pcaf_method, portfolio


def synthetic_book(n_exposures: int, n_borrowers: int, seed: int = 5
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A loan book and its borrowers: a mix of assured, reported, recorded and missing emissions."""
    rng = np.random.default_rng(seed)
    sectors = np.array(["C3841", "C3825", "C2614", "C3311", "D4411", "F4810", "G5120"])
    basis = np.array(["assured", "reported", "record", None, None], dtype=object)
    drawn = basis[rng.integers(0, len(basis), n_borrowers)]
    has = np.array([b is not None for b in drawn])
    borrowers = pl.DataFrame({
        "borrower": np.arange(n_borrowers, dtype=np.int64),
        "sector": sectors[rng.integers(0, len(sectors), n_borrowers)],
        "emissions": np.where(has, rng.random(n_borrowers) * 5000, np.nan),
        "scope3": np.where(rng.random(n_borrowers) < 0.2, rng.random(n_borrowers) * 900, np.nan),
        "basis": pl.Series(list(drawn), dtype=pl.Utf8),
        "revenue": np.where(rng.random(n_borrowers) < 0.8, rng.random(n_borrowers) * 1e9, np.nan),
        "assets": np.where(rng.random(n_borrowers) < 0.7, rng.random(n_borrowers) * 2e9, np.nan),
    }).with_columns(pl.col(["emissions", "scope3", "revenue", "assets"]).fill_nan(None))
    exposures = pl.DataFrame({
        "exposure": [f"E{i}" for i in range(n_exposures)],
        "borrower": rng.integers(0, n_borrowers, n_exposures),
        "outstanding": rng.random(n_exposures) * 5e7,
        "listed": rng.random(n_exposures) < 0.1,
        "evic": rng.random(n_exposures) * 5e9,
        "equity_debt": np.where(rng.random(n_exposures) < 0.3, rng.random(n_exposures) * 1e9,
                                np.nan),
    }).with_columns(pl.col("equity_debt").fill_nan(None))
    return exposures, borrowers


def benchmark(n_exposures: int = 100_000, n_borrowers: int = 30_000) -> dict:
    """Seconds for financed emissions, data quality and portfolio totals of a book (best of 3),
    and for the carbon-efficiency labels of the borrowers as enterprises."""
    exposures, borrowers = synthetic_book(n_exposures, n_borrowers)
    method = load_pcaf_method()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = financed_emissions(exposures, borrowers, method)
        book = portfolio(result)
        best = min(best, time.perf_counter() - started)
    years = pl.concat([borrowers.select(
        pl.col("borrower").alias("enterprise"), pl.lit(year).alias("year"),
        pl.col("sector").alias("industry"), (pl.col("borrower") % 7).cast(pl.Utf8)
        .alias("district"), (pl.col("emissions") * (1 + 0.01 * (2025 - year))).alias("emissions"),
        pl.col("revenue")) for year in (2024, 2025)])
    started = time.perf_counter()
    labels = label_year(years, 2025)
    label_s = time.perf_counter() - started
    return {"pcaf_100k_exposures_s": round(best, 4), "pcaf_exposures": result.height,
            "pcaf_covered": book.covered, "carbon_labels_s": round(label_s, 4),
            "carbon_labels": labels.height}
