"""Financed emissions of a loan book after PCAF Part A, with a data-quality score per exposure.

Plain Polars frames in and out (vectorised for books of 100,000 exposures):

* ``exposures``: ``exposure, borrower, outstanding`` (CNY) and optionally ``evic`` and
  ``equity_debt`` (CNY, from the bank's book) and ``listed`` (bool);
* ``borrowers``: ``borrower, sector`` (GB/T 4754 code), ``emissions`` (Scope 1+2, tCO2e),
  ``scope3`` (tCO2e), ``basis`` (``assured``, ``reported`` or ``record``), ``revenue`` and
  ``assets`` (CNY).

:func:`financed_emissions` attributes each exposure's borrower emissions (outstanding over EVIC
for a listed borrower, over equity + debt otherwise, total assets standing in for the latter),
scores its data quality 1-5 and estimates from sector averages where the borrower reported
nothing; :func:`portfolio` sums the book, its intensity per million CNY lent, the weighted data
quality and the coverage. An exposure the method cannot cover keeps a row with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

DEFAULT_VERSION = "2026.1"
BASES = ("assured", "reported", "record", "sector_revenue", "sector_assets")
# Why an exposure has no financed emissions.
NO_DENOMINATOR = "no_denominator"
NO_EMISSIONS = "no_emissions"


@dataclass(frozen=True)
class PcafMethod:
    """The parameters of one version of the financed-emissions method."""

    version: str
    standard: Provenance
    cap: float
    sector_levels: tuple[str, ...]
    min_peers: int
    scores: dict[str, int]  # basis → data-quality score
    names: dict[int, tuple[str, str]]  # score → (zh, en)
    provenance: dict[str, Provenance]


@lru_cache(maxsize=2)
def load_pcaf_method(version: str = DEFAULT_VERSION) -> PcafMethod:
    """Read and check ``data/finance/pcaf-<version>.toml`` (cached)."""
    name = f"finance/pcaf-{version}.toml"
    root = parse_toml(read_data_file(Path(DATA_DIR) / name, name), name,
                      confidences=[c.value for c in Confidence])
    attribution, sectors = root.child("attribution"), root.child("sectors")
    levels = sectors.texts("levels")
    for level in levels:
        if level not in ("division", "section"):
            sectors.fail("levels", f"{level!r} is not division or section")
    scores: dict[str, int] = {}
    names: dict[int, tuple[str, str]] = {}
    provenance = {"attribution": attribution.provenance(), "sectors": sectors.provenance()}
    for row in root.array("score"):
        score, basis = row.integer("score", low=1), row.choice("basis", BASES)
        if score > 5 or basis in scores:
            row.fail("score", "scores run from 1 to 5, one per basis")
        scores[basis] = score
        names[score] = (row.text("name_zh"), row.text("name_en"))
        provenance[f"score_{score}"] = row.provenance()
    if set(scores) != set(BASES):
        root.fail("score", "every basis needs a score: " + ", ".join(BASES))
    return PcafMethod(
        version=root.text("version"),
        standard=Provenance(root.text("standard"), root.text("standard_confidence")),
        cap=attribution.number("cap", low=0, high=1), sector_levels=levels,
        min_peers=sectors.integer("min_peers", low=1), scores=scores, names=names,
        provenance=provenance)


def _sector_key(level: str) -> pl.Expr:
    return pl.col("sector").str.slice(0, 3 if level == "division" else 1)


def sector_averages(borrowers: pl.DataFrame, method: PcafMethod) -> dict[str, pl.DataFrame]:
    """Per sector level: Σ reported emissions / Σ revenue and / Σ assets over enterprises with
    reported or recorded emissions, where at least ``min_peers`` of them report."""
    reporting = borrowers.filter(pl.col("emissions").is_not_null()
                                 & pl.col("basis").is_in(["assured", "reported", "record"]))
    found = {}
    for level in method.sector_levels:
        found[level] = (reporting.with_columns(_sector_key(level).alias("key")).group_by("key")
                        .agg(pl.len().alias("peers"),
                             pl.col("emissions").filter(pl.col("revenue") > 0).sum()
                             .alias("e_rev"),
                             pl.col("revenue").filter(pl.col("revenue") > 0).sum().alias("rev"),
                             pl.col("emissions").filter(pl.col("assets") > 0).sum()
                             .alias("e_ast"),
                             pl.col("assets").filter(pl.col("assets") > 0).sum().alias("ast"))
                        .filter(pl.col("peers") >= method.min_peers)
                        .select("key", "peers",
                                pl.when(pl.col("rev") > 0).then(pl.col("e_rev") / pl.col("rev"))
                                .alias("per_revenue"),
                                pl.when(pl.col("ast") > 0).then(pl.col("e_ast") / pl.col("ast"))
                                .alias("per_assets")))
    return found


def financed_emissions(exposures: pl.DataFrame, borrowers: pl.DataFrame,
                       method: PcafMethod | None = None) -> pl.DataFrame:
    """One row per exposure: attribution factor, emissions used and their basis, data-quality
    score, financed Scope 1+2 (and Scope 3 where reported), or the reason it has none."""
    m = method or load_pcaf_method()
    book = exposures
    for column, dtype in (("evic", pl.Float64), ("equity_debt", pl.Float64),
                          ("listed", pl.Boolean)):
        if column not in book.columns:
            book = book.with_columns(pl.lit(None, dtype=dtype).alias(column))
    frame = book.join(borrowers, on="borrower", how="left")
    # The sector average of the first level with enough peers (revenue- and asset-based).
    rev_avg: pl.Expr = pl.lit(None, dtype=pl.Float64)
    ast_avg: pl.Expr = pl.lit(None, dtype=pl.Float64)
    level_used: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    averages = sector_averages(borrowers, m)
    for level in reversed(m.sector_levels):
        table = averages[level].rename({"key": f"k_{level}", "peers": f"p_{level}",
                                        "per_revenue": f"rv_{level}",
                                        "per_assets": f"as_{level}"})
        frame = frame.with_columns(_sector_key(level).alias(f"k_{level}")).join(
            table, on=f"k_{level}", how="left")
        found = pl.col(f"p_{level}").is_not_null()
        rev_avg = pl.when(found).then(pl.col(f"rv_{level}")).otherwise(rev_avg)
        ast_avg = pl.when(found).then(pl.col(f"as_{level}")).otherwise(ast_avg)
        level_used = pl.when(found).then(pl.lit(level)).otherwise(level_used)
    denominator = (pl.when(pl.col("listed").fill_null(False) & (pl.col("evic") > 0))
                   .then(pl.col("evic"))
                   .when(pl.col("equity_debt") > 0).then(pl.col("equity_debt"))
                   .when(pl.col("assets") > 0).then(pl.col("assets")))
    frame = frame.with_columns(
        denominator.alias("denominator"), rev_avg.alias("sector_per_revenue"),
        ast_avg.alias("sector_per_assets"), level_used.alias("sector_level"))
    frame = frame.with_columns(
        (pl.col("outstanding") / pl.col("denominator")).clip(upper_bound=m.cap)
        .alias("attribution"))
    own = pl.col("emissions").is_not_null() & pl.col("basis").is_in(["assured", "reported",
                                                                       "record"])
    by_revenue = (pl.col("revenue") > 0) & pl.col("sector_per_revenue").is_not_null()
    by_assets = pl.col("sector_per_assets").is_not_null()
    basis = (pl.when(own).then(pl.col("basis"))
             .when(by_revenue).then(pl.lit("sector_revenue"))
             .when(by_assets).then(pl.lit("sector_assets")))
    frame = frame.with_columns(basis.alias("used_basis"))
    emissions = (pl.when(own).then(pl.col("emissions"))
                 .when(by_revenue).then(pl.col("revenue") * pl.col("sector_per_revenue")))
    financed = (pl.when(pl.col("used_basis") == "sector_assets")
                # asset-based: the outstanding amount × the sector's emissions per CNY of assets
                .then(pl.col("outstanding") * pl.col("sector_per_assets"))
                .otherwise(pl.col("attribution") * emissions))
    score = pl.col("used_basis").replace_strict(m.scores, default=None, return_dtype=pl.Int64)
    frame = frame.with_columns(
        financed.alias("financed_tco2e"),
        pl.when(own & pl.col("scope3").is_not_null())
        .then(pl.col("attribution") * pl.col("scope3")).alias("financed_scope3_tco2e"),
        score.alias("quality"),
    ).with_columns(
        pl.when(pl.col("financed_tco2e").is_not_null()).then(pl.lit(None, dtype=pl.Utf8))
        .when(pl.col("used_basis").is_null()).then(pl.lit(NO_EMISSIONS))
        .otherwise(pl.lit(NO_DENOMINATOR)).alias("missing"),
    ).with_columns(
        pl.when(pl.col("missing").is_null()).then(pl.col("quality")).alias("quality"),
    )
    return frame.select("exposure", "borrower", "outstanding", "denominator", "attribution",
                        "used_basis", "sector_level", "quality", "financed_tco2e",
                        "financed_scope3_tco2e", "missing")


@dataclass(frozen=True)
class Portfolio:
    """A book's totals: financed emissions, intensity, weighted data quality and coverage."""

    exposures: int
    covered: int
    outstanding: float
    covered_outstanding: float
    financed_tco2e: float
    financed_scope3_tco2e: float
    intensity_per_million: float | None  # tCO2e per million CNY lent (covered exposures)
    weighted_quality: float | None
    coverage: float | None  # share of the outstanding amount covered


def portfolio(result: pl.DataFrame) -> Portfolio:
    """Sum a book from :func:`financed_emissions`."""
    covered = result.filter(pl.col("missing").is_null())
    total = float(result["outstanding"].sum() or 0.0)
    lent = float(covered["outstanding"].sum() or 0.0)
    financed = float(covered["financed_tco2e"].sum() or 0.0)
    quality = (float((covered["quality"] * covered["outstanding"]).sum()) / lent) if lent else None
    return Portfolio(
        exposures=result.height, covered=covered.height, outstanding=total,
        covered_outstanding=lent, financed_tco2e=financed,
        financed_scope3_tco2e=float(covered["financed_scope3_tco2e"].fill_null(0).sum() or 0.0),
        intensity_per_million=financed / (lent / 1e6) if lent else None,
        weighted_quality=quality, coverage=lent / total if total else None)
