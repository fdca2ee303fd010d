"""Carbon-efficiency labels (碳效标识) in the four-colour style of Quzhou's carbon account.

Three dimensions per enterprise-year (position of its emission intensity among industry peers,
share of its district's emissions, its own year-on-year intensity trend) combine into a 0-100
score and a label (dark green / light green / yellow / red) by the versioned methodology of
``data/finance/carbon-label-<version>.toml``. Pure and vectorised (Polars); the same inputs give
the same labels, so a stored label reproduces from its methodology version.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

DEFAULT_VERSION = "2026.1"
LEVELS = ("industry_class", "industry_division", "all")
INPUT_COLUMNS = ("enterprise", "year", "industry", "district", "emissions", "revenue")


@dataclass(frozen=True)
class LabelBand:
    """One label: its key, names and the lowest score it takes (included)."""

    key: str
    name_zh: str
    name_en: str
    low: float
    provenance: Provenance

    def name(self, language: str) -> str:
        """The label's name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh


@dataclass(frozen=True)
class LabelMethodology:
    """The parameters of one version of the carbon-efficiency label."""

    version: str
    title_zh: str
    title_en: str
    model: Provenance
    levels: tuple[str, ...]
    min_peers: int
    sole_score: float
    weights: dict[str, float]
    share_low: float
    share_high: float
    trend_best: float
    trend_worst: float
    no_history_score: float
    labels: tuple[LabelBand, ...]
    provenance: dict[str, Provenance]

    def band(self, key: str) -> LabelBand:
        """The band of a label key."""
        return next(b for b in self.labels if b.key == key)


@lru_cache(maxsize=4)
def load_label_methodology(version: str = DEFAULT_VERSION) -> LabelMethodology:
    """Read and check ``data/finance/carbon-label-<version>.toml`` (cached)."""
    name = f"finance/carbon-label-{version}.toml"
    root = parse_toml(read_data_file(Path(DATA_DIR) / name, name), name,
                      confidences=[c.value for c in Confidence])
    if root.text("version") != version:
        root.fail("version", f"expected {version}")
    peers = root.child("peers")
    levels = peers.texts("levels")
    for level in levels:
        if level not in LEVELS:
            peers.fail("levels", f"{level!r} is not one of " + ", ".join(LEVELS))
    dims = {key: root.child("dimension").child(key) for key in ("position", "share", "trend")}
    weights = {key: table.number("weight", low=0, high=1) for key, table in dims.items()}
    root.child("dimension").check_sum("weight", list(weights.values()), "the dimensions")
    share, trend = dims["share"], dims["trend"]
    low, high = share.number("low", low=0, high=1), share.number("high", low=0, high=1)
    if low >= high:
        share.fail("high", "must be above low")
    best, worst = trend.number("best", low=-1, high=1), trend.number("worst", low=-1, high=1)
    if best >= worst:
        trend.fail("worst", "must be above best")
    seen = FirstSeen()
    bands = []
    for row in root.array("label"):
        key = row.key()
        seen.claim(row, "key", key)
        bands.append(LabelBand(key, row.text("name_zh"), row.text("name_en"),
                               row.number("min", low=0, high=100), row.provenance()))
    lows = [b.low for b in bands]
    if lows != sorted(lows, reverse=True) or lows[-1] != 0:
        root.fail("label", "bands must be listed best first and the last must start at 0")
    return LabelMethodology(
        version=version, title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        model=root.provenance("model_"), levels=levels,
        min_peers=peers.integer("min_peers", low=1),
        sole_score=peers.number("sole_score", low=0, high=100), weights=weights,
        share_low=low, share_high=high, trend_best=best, trend_worst=worst,
        no_history_score=trend.number("no_history_score", low=0, high=100),
        labels=tuple(bands),
        provenance={"peers": peers.provenance(),
                    **{key: table.provenance() for key, table in dims.items()}},
    )


def _linear(value: pl.Expr, full: float, zero: float) -> pl.Expr:
    """100 at or beyond ``full``, 0 at or beyond ``zero``, linear between."""
    return ((zero - value) / (zero - full) * 100).clip(0, 100)


def label_year(frame: pl.DataFrame, year: int,
               methodology: LabelMethodology | None = None) -> pl.DataFrame:
    """Label every enterprise of ``year`` in ``frame`` (columns :data:`INPUT_COLUMNS`, the year
    and the previous one at least). An enterprise without emissions or with no positive revenue
    in the year is not labelled (absent from the result), though its emissions count in its
    district's total."""
    m = methodology or load_label_methodology()
    emitting = frame.select(INPUT_COLUMNS).filter(
        pl.col("emissions").is_not_null() & (pl.col("emissions") >= 0))
    # The district's total counts every enterprise reporting emissions, revenue or not.
    districts = (emitting.filter(pl.col("year") == year).group_by("district")
                 .agg(pl.col("emissions").sum().alias("district_total")))
    valid = (emitting.filter(pl.col("revenue").is_not_null() & (pl.col("revenue") > 0))
             .with_columns((pl.col("emissions") / pl.col("revenue")).alias("intensity")))
    previous = (valid.filter(pl.col("year") == year - 1)
                .select("enterprise", pl.col("intensity").alias("previous_intensity")))
    current = valid.filter(pl.col("year") == year).with_columns(
        pl.col("industry").alias("industry_class"),
        pl.col("industry").str.slice(0, 3).alias("industry_division"),
        pl.lit("*").alias("all"),
    )
    if current.is_empty():
        return _empty()
    current = current.with_columns(
        *[pl.len().over(level).alias(f"n_{level}") for level in m.levels],
        *[pl.col("intensity").rank("average").over(level).alias(f"r_{level}")
          for level in m.levels],
    )
    # The first level with enough peers, else the last level.
    chosen_level: pl.Expr = pl.lit(m.levels[-1])
    chosen_n: pl.Expr = pl.col(f"n_{m.levels[-1]}")
    chosen_r: pl.Expr = pl.col(f"r_{m.levels[-1]}")
    for level in reversed(m.levels[:-1]):
        enough = pl.col(f"n_{level}") >= m.min_peers
        chosen_level = pl.when(enough).then(pl.lit(level)).otherwise(chosen_level)
        chosen_n = pl.when(enough).then(pl.col(f"n_{level}")).otherwise(chosen_n)
        chosen_r = pl.when(enough).then(pl.col(f"r_{level}")).otherwise(chosen_r)
    current = current.join(districts, on="district", how="left")
    district_total = pl.col("district_total")
    current = current.with_columns(
        chosen_level.alias("peer_level"), chosen_n.cast(pl.Int64).alias("peer_count"),
        chosen_r.alias("peer_rank"),
        pl.when(district_total > 0).then(pl.col("emissions") / district_total)
        .otherwise(0.0).alias("share"),
    ).join(previous, on="enterprise", how="left")
    current = current.with_columns(
        pl.when(pl.col("peer_count") <= 1).then(pl.lit(m.sole_score, dtype=pl.Float64))
        .otherwise((pl.col("peer_count") - pl.col("peer_rank"))
                   / (pl.col("peer_count") - 1) * 100).alias("position_score"),
        _linear(pl.col("share"), m.share_low, m.share_high).alias("share_score"),
        pl.when(pl.col("previous_intensity") > 0)
        .then(pl.col("intensity") / pl.col("previous_intensity") - 1)
        .otherwise(None).alias("trend"),
    ).with_columns(
        pl.when(pl.col("trend").is_null()).then(pl.lit(m.no_history_score, dtype=pl.Float64))
        .otherwise(_linear(pl.col("trend"), m.trend_best, m.trend_worst)).alias("trend_score"),
    ).with_columns(
        (m.weights["position"] * pl.col("position_score")
         + m.weights["share"] * pl.col("share_score")
         + m.weights["trend"] * pl.col("trend_score")).alias("score"),
    )
    label: pl.Expr = pl.lit(m.labels[-1].key)
    for band in reversed(m.labels[:-1]):
        label = pl.when(pl.col("score") >= band.low).then(pl.lit(band.key)).otherwise(label)
    return current.with_columns(label.alias("label")).select(OUTPUT_COLUMNS).sort("enterprise")


OUTPUT_COLUMNS = ("enterprise", "year", "intensity", "peer_level", "peer_count", "peer_rank",
                  "position_score", "share", "share_score", "previous_intensity", "trend",
                  "trend_score", "score", "label")


def _empty() -> pl.DataFrame:
    schema = {"enterprise": pl.Int64, "year": pl.Int64, "intensity": pl.Float64,
              "peer_level": pl.Utf8, "peer_count": pl.Int64, "peer_rank": pl.Float64,
              "position_score": pl.Float64, "share": pl.Float64, "share_score": pl.Float64,
              "previous_intensity": pl.Float64, "trend": pl.Float64, "trend_score": pl.Float64,
              "score": pl.Float64, "label": pl.Utf8}
    return pl.DataFrame(schema=schema)
