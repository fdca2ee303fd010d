"""Rating a population in partitions: a peer distribution first, then each partition alone.

Everything in a rating is per enterprise except the percentile scores, which rank a value among
its peers (the materiality group, or everybody after the fallback), and the green score's
carbon-efficiency percentile. A distributed run therefore takes two passes over partitions of
the enterprises:

1. :func:`peer_values` lists, per partition, the reported values of every percentile column by
   peer group; :func:`merge_peer_values` concatenates and sorts them into a
   :class:`PeerDistribution`, which is small enough to broadcast (one float per reported value
   of a percentile indicator);
2. :func:`rate_partition` and :func:`green_partition` rate one partition with the engine's own
   :func:`~.scoring.rate` and :func:`~.green.green_score`, their percentiles read from the
   distribution (:func:`distribution_column`: the counts of worse and tied peers by binary
   search, the same integers :func:`~.scoring.percentile_column` counts in one sort), and the
   population's inputs hash.

The results are those of rating the whole population at once, bit for bit. :func:`stack`
concatenates partition results into one result in a given enterprise order. Peer positions by
final score (the stored rank in the group) need every score and are computed by the caller once
the partitions are back.

:func:`inputs_frame` and :func:`inputs_from_frame` carry a :class:`RatingInput` through a Polars
frame (and so Parquet), one row per enterprise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import polars as pl

from czesg.engine.rating.green import GreenMethodology, GreenScoreResult, carbon_values, green_score
from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.methodology import Methodology
from czesg.engine.rating.scoring import RatingResult, oriented, percentile_score, prepare, rate
from czesg.engine.rating.vocabulary import (
    CERTIFICATION_RECORDS,
    NUMERIC_RECORDS,
    PEER_ALL,
    PEER_GROUP,
)

_Ranked = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
GREEN_KEY = -1
"""The column key of the green score's carbon-efficiency percentile in a distribution."""


@dataclass(frozen=True)
class PeerValues:
    """One partition's reported values per (column, peer group): the first pass's output.

    Rating columns are keyed by their position in the methodology and groups by their position
    in ``methodology.groups``; the green score's carbon column is :data:`GREEN_KEY`, its groups
    by the inputs' materiality group key.
    """

    values: dict[tuple[int, Any], np.ndarray]


@dataclass(frozen=True)
class PeerDistribution:
    """Sorted reported values per (column, group) and per column over all groups."""

    by_group: dict[tuple[int, Any], np.ndarray]
    overall: dict[int, np.ndarray]

    def size(self) -> int:
        """How many values the distribution holds (what a broadcast carries, twice)."""
        return sum(len(v) for v in self.overall.values())


def peer_values(inputs: RatingInput, methodology: Methodology,
                green: GreenMethodology | None = None) -> PeerValues:
    """The first pass over one partition: the reported values of every percentile column."""
    found: dict[tuple[int, Any], np.ndarray] = {}
    prepared = prepare(inputs, methodology)
    for j, indicator in enumerate(methodology.indicators):
        if indicator.normalisation == "absolute":
            continue
        reported = prepared.reported[j]
        x = oriented(indicator, prepared.values[j])
        for g in np.unique(prepared.group[reported]).tolist():
            found[(j, g)] = x[reported & (prepared.group == g)]
    if green is not None:
        component = next((c for c in green.components if c.key == "carbon_efficiency"), None)
        if component is not None:
            x, reported = carbon_values(inputs, component)
            keys = np.asarray(inputs.group_keys, dtype=object)
            for g in np.unique(inputs.group_index[reported]).tolist():
                found[(GREEN_KEY, keys[g])] = x[reported & (inputs.group_index == g)]
    return PeerValues(found)


def merge_peer_values(parts: Iterable[PeerValues]) -> PeerDistribution:
    """The population's distribution from the partitions' values (in any order)."""
    pieces: dict[tuple[int, Any], list[np.ndarray]] = {}
    for part in parts:
        for key, values in part.values.items():
            pieces.setdefault(key, []).append(values)
    by_group = {key: np.sort(np.concatenate(arrays)) for key, arrays in pieces.items()}
    columns: dict[int, list[np.ndarray]] = {}
    for (column, _), values in by_group.items():
        columns.setdefault(column, []).append(values)
    overall = {column: np.sort(np.concatenate(arrays)) for column, arrays in columns.items()}
    return PeerDistribution(by_group=by_group, overall=overall)


def distribution_column(
    peers: PeerDistribution, column: int, group_key: Sequence[Any], x: np.ndarray,
    reported: np.ndarray, group: np.ndarray, min_peers: int, sole: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile score, peer level, size and rank of one column against the distribution
    (what :func:`~.scoring.percentile_column` returns over the whole population)."""
    n = x.size
    score = np.zeros(n)
    level = np.zeros(n, np.int8)
    size = np.zeros(n, np.int32)
    rank = np.zeros(n, np.int32)
    where = np.flatnonzero(reported)
    if where.size == 0:
        return score, level, size, rank
    xs, gs = x[where], group[where]
    everyone = peers.overall[column]
    less_all = np.searchsorted(everyone, xs, "left").astype(np.int64)
    tied_all = np.searchsorted(everyone, xs, "right").astype(np.int64) - less_all - 1
    less_group = np.empty(where.size, np.int64)
    tied_group = np.empty(where.size, np.int64)
    in_group = np.empty(where.size, np.int64)
    for g in np.unique(gs).tolist():
        chosen = gs == g
        members = peers.by_group[(column, group_key[g])]
        less_group[chosen] = np.searchsorted(members, xs[chosen], "left")
        tied_group[chosen] = np.searchsorted(members, xs[chosen], "right") - less_group[chosen] - 1
        in_group[chosen] = members.size
    use_group = in_group >= min_peers
    less = np.where(use_group, less_group, less_all)
    tied = np.where(use_group, tied_group, tied_all)
    counted = np.where(use_group, in_group, everyone.size)
    score[where] = percentile_score(less, tied, counted, sole)
    level[where] = np.where(use_group, PEER_GROUP, PEER_ALL)
    size[where] = counted
    rank[where] = counted - less - tied
    return score, level, size, rank


def rate_partition(inputs: RatingInput, methodology: Methodology, peers: PeerDistribution,
                   inputs_hash: str) -> RatingResult:
    """The rating of one partition, ranked against the population's distribution."""
    groups = tuple(range(len(methodology.groups)))

    def percentile(j: int, x: np.ndarray, reported: np.ndarray, group: np.ndarray,
                   n_groups: int, min_peers: int, sole: float) -> _Ranked:
        return distribution_column(peers, j, groups, x, reported, group, min_peers, sole)

    return rate(inputs, methodology, percentile=percentile, inputs_hash=inputs_hash)


def green_partition(inputs: RatingInput, green: GreenMethodology, peers: PeerDistribution,
                    inputs_hash: str) -> GreenScoreResult:
    """The green scores of one partition, ranked against the population's distribution."""

    def percentile(x: np.ndarray, reported: np.ndarray, group: np.ndarray, n_groups: int,
                   min_peers: int, sole: float) -> _Ranked:
        return distribution_column(peers, GREEN_KEY, inputs.group_keys, x, reported, group,
                                   min_peers, sole)

    return green_score(inputs, green, percentile=percentile, inputs_hash=inputs_hash)


# Per-enterprise fields of each result (rows of arrays and tuples); the others are shared.
_ROWS = {
    RatingResult: ("enterprises", "groups", "status", "indicator_scores", "weights",
                   "peer_level", "peer_size", "peer_rank", "topic_scores", "pillar_scores",
                   "pillar_weights", "total", "deduction_points", "deductions", "score",
                   "grade_index", "tiers", "grade_capped"),
    GreenScoreResult: ("enterprises", "component_scores", "component_weights", "contributions",
                       "total", "deduction_points", "deductions", "score", "label_index",
                       "label_capped", "green_category", "green_category_basis",
                       "carbon_peer_level", "carbon_peer_size"),
}
Result = TypeVar("Result", RatingResult, GreenScoreResult)


def stack(parts: Sequence[Result], enterprises: Sequence[str]) -> Result:
    """The partitions' results as one result, its rows in the order of ``enterprises``."""
    first = parts[0]
    position = {e: i for i, e in enumerate(e for part in parts for e in part.enterprises)}
    order = np.array([position[e] for e in enterprises], dtype=np.int64)
    changes: dict[str, Any] = {}
    for name in _ROWS[type(first)]:
        pieces = [getattr(part, name) for part in parts]
        if isinstance(pieces[0], tuple):
            joined = [item for piece in pieces for item in piece]
            changes[name] = tuple(joined[i] for i in order.tolist())
        else:
            changes[name] = np.concatenate(pieces)[order]
    fields = {f.name: getattr(first, f.name) for f in dataclasses.fields(first) if f.init}
    fields.update(changes)
    return type(first)(**fields)


# --- inputs through a frame (Parquet) ------------------------------------------------------

_RECORD_ARRAYS = (*NUMERIC_RECORDS, "tax_credit", "env_credit")


def inputs_frame(inputs: RatingInput) -> pl.DataFrame:
    """One row per enterprise: its keys, values, statuses, record flags and records."""
    n, k = len(inputs), len(inputs.codes)
    columns: dict[str, Any] = {
        "enterprise": pl.Series(list(inputs.enterprises), dtype=pl.String),
        "group": pl.Series(list(inputs.groups), dtype=pl.String),
        "industry": pl.Series(list(inputs.industry_codes), dtype=pl.String),
        "green_category": pl.Series(list(inputs.green_category), dtype=pl.String),
        "tier": pl.Series(list(inputs.tiers), dtype=pl.String),
        "values": pl.Series(inputs.values.reshape(n, k), dtype=pl.Array(pl.Float64, k)),
        "status": pl.Series(inputs.status.reshape(n, k), dtype=pl.Array(pl.Int8, k)),
        "recorded": pl.Series(inputs.recorded_mask.reshape(n, k), dtype=pl.Array(pl.Boolean, k)),
    }
    certifications = np.asarray(inputs.certifications)
    columns["certifications"] = pl.Series(
        certifications, dtype=pl.Array(pl.Boolean, certifications.shape[1]))
    for name in _RECORD_ARRAYS:
        columns[name] = pl.Series(np.asarray(getattr(inputs, name)))
    return pl.DataFrame(columns)


def inputs_from_frame(frame: pl.DataFrame, *, year: int, codes: Sequence[str],
                      group_keys: Sequence[str]) -> RatingInput:
    """The :class:`RatingInput` of a frame's rows (as :func:`inputs_frame` wrote them), with the
    population's indicator codes and group keys."""
    n, k = frame.height, len(codes)
    position = {key: g for g, key in enumerate(group_keys)}

    def matrix(name: str, dtype: Any, width: int) -> np.ndarray:
        if n == 0:
            return np.zeros((0, width), dtype=dtype)
        return frame.get_column(name).to_numpy().astype(dtype).reshape(n, width)

    certifications = matrix("certifications", bool, len(CERTIFICATION_RECORDS))
    return RatingInput(
        enterprises=tuple(frame.get_column("enterprise").to_list()), year=int(year),
        group_keys=tuple(group_keys),
        group_index=np.array([position[g] for g in frame.get_column("group").to_list()],
                             dtype=np.int64),
        codes=tuple(codes), values=matrix("values", np.float64, k),
        status=matrix("status", np.int8, k), recorded=matrix("recorded", bool, k),
        certifications=certifications,
        industry_codes=tuple(frame.get_column("industry").to_list()),
        green_category=tuple(frame.get_column("green_category").to_list()),
        tiers=tuple(frame.get_column("tier").to_list()),
        **{name: frame.get_column(name).to_numpy() for name in _RECORD_ARRAYS},
    )
