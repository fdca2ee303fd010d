"""Portfolio temperature after the CDP-WWF temperature rating method (version 1).

Pure and vectorised (Polars). The parameters (default score, regression model, mappings, time
frames) are data: ``data/finance/temperature-<version>.toml``.

* :func:`target_scores` scores each target: the linear annual reduction rate (ambition over the
  years from base to end year) through the regression of its SR15 variable and time frame;
* :func:`company_scores` gives every company a score per time frame (short, mid, long) and scope
  (S1S2, S3, S1S2S3): its best valid target's score, else the default score, and S1S2S3 weighted
  by the company's emissions;
* :func:`aggregate` combines the company scores of a portfolio by one of the method's options
  (WATS, TETS, MOTS, EOTS, ECOTS, AOTS, ROTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

DEFAULT_VERSION = "cdp-wwf-1"
SCOPES = ("S1S2", "S3", "S1S2S3")
TARGET_SCOPES = ("S1S2", "S3")
TARGET_TYPES = ("absolute", "intensity")
AGGREGATIONS = ("WATS", "TETS", "MOTS", "EOTS", "ECOTS", "AOTS", "ROTS")
# The company value that divides the investment into owned emissions, per aggregation.
VALUE_COLUMNS = {"MOTS": "market_cap", "EOTS": "enterprise_value", "ECOTS": "ev_plus_cash",
                 "AOTS": "total_assets", "ROTS": "revenue"}
TARGET_COLUMNS = {"company": pl.Utf8, "scope": pl.Utf8, "time_frame": pl.Utf8,
                  "target_type": pl.Utf8, "metric": pl.Utf8, "sector": pl.Utf8,
                  "reduction": pl.Float64, "base_year": pl.Int64, "end_year": pl.Int64,
                  "validated": pl.Boolean}


@dataclass(frozen=True)
class TimeFrame:
    """A time frame: its key, the most years to the target's end, and the slope it reads."""

    key: str
    max_years: int
    slope: str
    name_zh: str
    name_en: str

    def name(self, language: str) -> str:
        """The time frame's name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh


@dataclass(frozen=True)
class IndicatorRule:
    """How a platform target on one indicator becomes a method target."""

    code: str
    scope: str
    target_type: str
    metric: str | None
    provenance: Provenance


@dataclass(frozen=True)
class TemperatureMethod:
    """The parameters of one version of the temperature rating method."""

    version: str
    title_zh: str
    title_en: str
    method: Provenance
    default_score: float
    floor: float
    scope3_share: float
    time_frames: tuple[TimeFrame, ...]
    intensity: dict[str, str]  # metric → SR15 variable
    absolute_default: str
    absolute: dict[str, tuple[str, str]]  # GB/T 4754 prefix → (S1S2 variable, S3 variable)
    regression: dict[tuple[str, str], tuple[float, float]]  # (variable, slope) → (param, icpt)
    indicators: dict[str, IndicatorRule]
    provenance: dict[str, Provenance]

    def title(self, language: str) -> str:
        """The method's name in the language (Chinese unless English is asked for)."""
        return self.title_en if language.startswith("en") else self.title_zh

    def time_frame_of(self, end_year: int, reporting_year: int) -> str | None:
        """The time frame of a target ending in ``end_year`` seen from the reporting year (None
        when it ends before the reporting year or beyond the longest time frame)."""
        years = end_year - reporting_year
        if years < 0:
            return None
        for frame in self.time_frames:
            if years <= frame.max_years:
                return frame.key
        return None


@lru_cache(maxsize=2)
def load_temperature_method(version: str = DEFAULT_VERSION) -> TemperatureMethod:
    """Read and check ``data/finance/temperature-<version>.toml`` (cached)."""
    name = f"finance/temperature-{version}.toml"
    root = parse_toml(read_data_file(Path(DATA_DIR) / name, name), name,
                      confidences=[c.value for c in Confidence])
    if root.text("version") != version:
        root.fail("version", f"expected {version}")
    scores = root.child("scores")
    frames, seen = [], FirstSeen()
    for row in root.array("time_frame"):
        seen.claim(row, "key", row.key())
        frames.append(TimeFrame(row.key(), row.integer("max_years", low=0), row.text("slope"),
                                row.text("name_zh"), row.text("name_en")))
    if [f.max_years for f in frames] != sorted({f.max_years for f in frames}):
        root.fail("time_frame", "time frames must be listed shortest first")
    mapping = root.child("mapping")
    intensity = {row.text("metric"): row.text("variable") for row in mapping.array("intensity")}
    absolute: dict[str, tuple[str, str]] = {}
    for row in mapping.array("absolute"):
        pair = (row.text("s1s2"), row.text("s3"))
        row.text("isic")  # the tool's key, kept for the reader; sectors are GB/T 4754 codes
        for prefix in row.texts("gbt4754"):
            absolute[prefix] = pair
    regression_table = root.child("regression")
    regression: dict[tuple[str, str], tuple[float, float]] = {}
    for row in regression_table.array("row"):
        key = (row.text("variable"), row.text("slope"))
        if key in regression:
            row.fail("slope", "one row per variable and slope")
        regression[key] = (row.number("param"), row.number("intercept"))
    variables = {mapping.text("absolute_default"), *intensity.values(),
                 *(v for pair in absolute.values() for v in pair)}
    for variable in variables:
        for frame in frames:
            if (variable, frame.slope) not in regression:
                regression_table.fail("row", f"no parameters for {variable} {frame.slope}")
    indicators: dict[str, IndicatorRule] = {}
    for row in root.array("indicator"):
        code = row.text("code")
        seen.claim(row, "code", code)
        target_type = row.choice("target_type", TARGET_TYPES)
        metric = row.text("metric") if target_type == "intensity" else None
        if metric is not None and metric not in intensity:
            row.fail("metric", f"{metric!r} has no intensity mapping")
        indicators[code] = IndicatorRule(code, row.choice("scope", TARGET_SCOPES), target_type,
                                         metric, row.provenance())
    return TemperatureMethod(
        version=version, title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        method=root.provenance("method_"),
        default_score=scores.number("default_score", low=0, high=10),
        floor=scores.number("floor", low=0, high=10),
        scope3_share=scores.number("scope3_share", low=0, high=1), time_frames=tuple(frames),
        intensity=intensity, absolute_default=mapping.text("absolute_default"),
        absolute=absolute, regression=regression, indicators=indicators,
        provenance={"scores": scores.provenance(), "mapping": mapping.provenance(),
                    "regression": regression_table.provenance()})


def _variable(method: TemperatureMethod, target_type: str | None, metric: str | None,
              sector: str | None, scope: str) -> str | None:
    """The SR15 variable a target reads (None for an intensity metric without a mapping)."""
    if target_type == "intensity":
        return method.intensity.get(metric or "")
    for length in (3, 2, 1):
        pair = method.absolute.get((sector or "")[:length])
        if pair is not None:
            return pair[0] if scope == "S1S2" else pair[1]
    return method.absolute_default


def target_scores(targets: pl.DataFrame, method: TemperatureMethod) -> pl.DataFrame:
    """Each target's annual reduction rate, regression and temperature score (null where the
    target cannot be scored: no ambition, end year not after base year, unknown mapping)."""
    frame = targets.select([pl.col(c).cast(t) if c in targets.columns else pl.lit(None, t).alias(c)
                            for c, t in TARGET_COLUMNS.items()])
    slopes = {f.key: f.slope for f in method.time_frames}
    combos = frame.select("target_type", "metric", "sector", "scope", "time_frame").unique()
    rows = []
    for target_type, metric, sector, scope, time_frame in combos.iter_rows():
        variable = _variable(method, target_type, metric, sector, scope)
        found = method.regression.get((variable or "", slopes.get(time_frame or "", "")))
        rows.append((target_type, metric, sector, scope, time_frame, variable,
                     found[0] if found else None, found[1] if found else None))
    lookup = pl.DataFrame(rows, orient="row", schema={
        "target_type": pl.Utf8, "metric": pl.Utf8, "sector": pl.Utf8, "scope": pl.Utf8,
        "time_frame": pl.Utf8, "variable": pl.Utf8, "param": pl.Float64,
        "intercept": pl.Float64})
    frame = frame.join(lookup, on=["target_type", "metric", "sector", "scope", "time_frame"],
                       how="left", nulls_equal=True)
    years = pl.col("end_year") - pl.col("base_year")
    lar = pl.when((years > 0) & pl.col("reduction").is_not_null()).then(
        pl.col("reduction") / years.cast(pl.Float64)).otherwise(None)
    score = pl.max_horizontal(pl.col("param") * pl.col("lar") * 100 + pl.col("intercept"),
                              pl.lit(method.floor))
    return frame.with_columns(lar.alias("lar")).with_columns(
        pl.when(pl.col("lar").is_not_null() & pl.col("param").is_not_null())
        .then(score).otherwise(None).alias("score"))


def best_targets(scored: pl.DataFrame) -> pl.DataFrame:
    """One scored target per company, time frame and scope: the latest end year, then the later
    base year, then absolute before intensity (methodology section 2.2)."""
    return (scored.filter(pl.col("score").is_not_null())
            .sort(["end_year", "base_year", "target_type"], descending=[True, True, False])
            .unique(subset=["company", "time_frame", "scope"], keep="first",
                    maintain_order=True))


def company_scores(targets: pl.DataFrame, companies: pl.DataFrame,
                   method: TemperatureMethod) -> pl.DataFrame:
    """Every company's score per time frame and scope, with ``default_share`` (1 where the score
    is the default, a share where S1S2S3 mixes a default and a target score) and ``target``
    (whether a target gave the score).

    ``targets`` has the columns of ``TARGET_COLUMNS`` with a time frame each; ``companies`` has
    ``company``, ``ghg_s1s2`` and ``ghg_s3`` (tCO2e, null where unknown).
    """
    best = best_targets(target_scores(targets, method)).select(
        "company", "time_frame", "scope", "score")
    grid = (companies.select(pl.col("company").cast(pl.Utf8)).unique(maintain_order=True)
            .join(pl.DataFrame({"time_frame": [f.key for f in method.time_frames]}), how="cross")
            .join(pl.DataFrame({"scope": list(TARGET_SCOPES)}), how="cross"))
    scored = grid.join(best, on=["company", "time_frame", "scope"], how="left").with_columns(
        pl.when(pl.col("score").is_null()).then(1.0).otherwise(0.0).alias("default_share"),
        pl.col("score").fill_null(method.default_score))
    wide = (scored.filter(pl.col("scope") == "S1S2").select(
        "company", "time_frame", pl.col("score").alias("s12"),
        pl.col("default_share").alias("d12"))
        .join(scored.filter(pl.col("scope") == "S3").select(
            "company", "time_frame", pl.col("score").alias("s3"),
            pl.col("default_share").alias("d3")),
            on=["company", "time_frame"])
        .join(companies.select(pl.col("company").cast(pl.Utf8), "ghg_s1s2", "ghg_s3")
              .unique(subset=["company"], keep="first"), on="company", how="left"))
    total = pl.col("ghg_s1s2") + pl.col("ghg_s3")
    share = pl.when(total > 0).then(pl.col("ghg_s3") / total).otherwise(None)
    weighted = share.is_not_null() & (share >= method.scope3_share)
    combined = wide.select(
        "company", "time_frame", pl.lit("S1S2S3").alias("scope"),
        pl.when(share.is_null()).then(pl.lit(method.default_score))
        .when(weighted).then((pl.col("s12") * pl.col("ghg_s1s2") + pl.col("s3") * pl.col("ghg_s3"))
                             / total)
        .otherwise(pl.col("s12")).alias("score"),
        pl.when(share.is_null()).then(pl.lit(1.0))
        .when(weighted).then((pl.col("d12") * pl.col("ghg_s1s2") + pl.col("d3") * pl.col("ghg_s3"))
                             / total)
        .otherwise(pl.col("d12")).alias("default_share"))
    result = pl.concat([scored.select(combined.columns), combined])
    rounded = np.round(result["score"].to_numpy(), 2)
    return result.with_columns(pl.Series("score", rounded),
                               (pl.col("default_share") < 1.0).alias("target"))


def per_company(holdings: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
    """The holdings summed per company (its exposures' investment; its figures taken once), and
    the expression of a row's emissions in its scope."""
    firsts = [pl.col(c).first() for c in holdings.columns if c not in ("company", "investment")]
    grouped = holdings.with_columns(pl.col("company").cast(pl.Utf8)).group_by(
        "company", maintain_order=True).agg(pl.col("investment").sum(), *firsts)
    if "enterprise_value" in grouped.columns and "cash" in grouped.columns:
        grouped = grouped.with_columns(
            (pl.col("enterprise_value") + pl.col("cash")).alias("ev_plus_cash"))
    s12 = pl.col("scope").is_in(["S1S2", "S1S2S3"])
    s3 = pl.col("scope").is_in(["S3", "S1S2S3"])
    return grouped, (pl.when(s12).then(pl.col("ghg_s1s2")).otherwise(0.0)
                     + pl.when(s3).then(pl.col("ghg_s3")).otherwise(0.0))


def _weighted(data: pl.DataFrame, aggregation: str) -> pl.DataFrame:
    """The scores joined with the holdings, aggregated per time frame and scope."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    if aggregation == "WATS":
        weight = pl.col("investment")
    elif aggregation == "TETS":
        weight = pl.col("emissions")
    else:
        value = pl.col(VALUE_COLUMNS[aggregation])
        weight = pl.when(value > 0).then(pl.col("investment") / value * pl.col("emissions"))
    usable = pl.col("weight").is_not_null() & pl.col("weight").is_not_nan()
    total = pl.col("weight").filter(usable).sum()
    return (data.with_columns(weight.alias("weight"))
            .group_by(["time_frame", "scope"], maintain_order=True).agg(
                ((pl.col("weight") * pl.col("score")).filter(usable).sum() / total)
                .alias("score"),
                ((pl.col("weight") * pl.col("default_share")).filter(usable).sum() / total)
                .alias("default_share"),
                usable.sum().alias("companies"), (~usable).sum().alias("left_out"))
            .with_columns(pl.when(pl.col("score").is_finite()).then(pl.col("score"))
                          .alias("score"),
                          pl.when(pl.col("default_share").is_finite())
                          .then(pl.col("default_share")).alias("default_share"))
            .sort(["time_frame", "scope"]))


def _joined(scores: pl.DataFrame, holdings: pl.DataFrame) -> pl.DataFrame:
    """The company scores of the companies held, with their holdings and emissions in scope."""
    grouped, emissions = per_company(holdings)
    for column in ("ghg_s1s2", "ghg_s3"):
        if column not in grouped.columns:
            grouped = grouped.with_columns(pl.lit(None, pl.Float64).alias(column))
    return scores.join(grouped, on="company", how="inner").with_columns(
        emissions.alias("emissions"))


def aggregate(scores: pl.DataFrame, holdings: pl.DataFrame, aggregation: str) -> pl.DataFrame:
    """The portfolio's score per time frame and scope by one aggregation option, with the share
    of the score that rests on default scores, the companies counted and those left out for
    want of the figures the option needs.

    ``holdings`` has ``company`` and ``investment`` (one row per exposure; a company's exposures
    are summed) and, as the option needs them, ``ghg_s1s2``, ``ghg_s3``, ``market_cap``,
    ``enterprise_value``, ``cash``, ``total_assets`` and ``revenue``.
    """
    return _weighted(_joined(scores, holdings), aggregation)


def portfolio_temperature(targets: pl.DataFrame, companies: pl.DataFrame,
                          holdings: pl.DataFrame, method: TemperatureMethod,
                          aggregations: tuple[str, ...] = AGGREGATIONS
                          ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Company scores and the portfolio aggregated by each of ``aggregations``."""
    scores = company_scores(targets, companies, method)
    data = _joined(scores, holdings)
    return scores, {name: _weighted(data, name) for name in aggregations}
