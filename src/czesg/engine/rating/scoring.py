"""The scoring core: percentiles, aggregation, deductions and grades, vectorised over enterprises.

:func:`rate` scores every enterprise of a :class:`~czesg.engine.rating.inputs.RatingInput` at
once with NumPy (one pass per indicator column, never one per enterprise); the arrays are
indicator-major inside (one row per indicator, one column per enterprise):

1. indicator scores 0–100: ``industry_percentile`` ranks a value among the reporters of its
   materiality group (all enterprises of the year when the group has fewer than ``min_peers``
   reporters; the level used is recorded), ``absolute`` applies fixed steps (booleans 100/0,
   choices by ``choice_scores``); missing data scores 0;
2. an indicator marked not applicable (where the methodology allows it) loses its weight, and the
   other indicators of its topic are re-weighted; a topic with nothing applicable loses its weight
   within its pillar, and a pillar within the total, likewise; under a tier-aware methodology
   an indicator that the enterprise's tier does not ask for is dropped in the same way (and its
   value, if any, is neither scored nor counted among the peers);
3. the total is the sum of ``effective weight × indicator score`` (pillar weights from the
   enterprise's materiality group); capped deductions from government records are subtracted
   (never below 0) and the grade is read from non-overlapping bands, no better than the best
   grade of the enterprise's tier.

Results are deterministic and independent of row order: percentiles use exact counts of worse
and tied peers, and every per-enterprise sum runs in a fixed indicator order.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from czesg.engine.rating.bands import band_index
from czesg.engine.rating.deductions import apply_deductions
from czesg.engine.rating.inputs import EnterpriseRows, RatingInput
from czesg.engine.rating.methodology import (
    Methodology,
    RatedIndicator,
    load_methodology,
    parse_methodology,
)
from czesg.engine.rating.tiers import grade_caps, tier_masks
from czesg.engine.rating.vocabulary import (
    DEFAULT_TIER,
    MISSING,
    NOT_APPLICABLE,
    OUT_OF_TIER,
    PEER_ALL,
    PEER_GROUP,
    REPORTED,
)


def percentile_score(less: np.ndarray, tied: np.ndarray, size: np.ndarray, sole: float
                     ) -> np.ndarray:
    """100 × (worse + ½ × tied) ÷ (size − 1), or ``sole`` for a sole reporter (shared by every
    path so that a re-scored candidate equals a full re-run bit for bit)."""
    less = np.asarray(less, dtype=np.float64)
    tied = np.asarray(tied, dtype=np.float64)
    denominator = np.asarray(size, dtype=np.float64) - 1.0
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, 100.0 * (less + 0.5 * tied) / safe, sole)


def _runs(change: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a sorted sequence with ``change`` marking run starts: each element's run start and
    run length."""
    starts = np.flatnonzero(change)
    run = np.cumsum(change) - 1
    lengths = np.diff(np.append(starts, change.size))
    return starts[run], lengths[run]


def percentile_column(
    x: np.ndarray, reported: np.ndarray, group: np.ndarray, n_groups: int, min_peers: int,
    sole: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile scores of one indicator (``x`` oriented so that larger is better).

    Returns score, peer level, peer size and rank (1 = best) for every enterprise; zeros where
    the enterprise did not report.
    """
    n = x.size
    score = np.zeros(n)
    level = np.zeros(n, np.int8)
    size = np.zeros(n, np.int32)
    rank = np.zeros(n, np.int32)
    where = np.flatnonzero(reported)
    m = where.size
    if m == 0:
        return score, level, size, rank
    xs, gs = x[where], group[where]
    order = np.argsort(xs, kind="stable")
    sorted_x = xs[order]
    change = np.empty(m, bool)
    change[0] = True
    np.not_equal(sorted_x[1:], sorted_x[:-1], out=change[1:])
    start, length = _runs(change)
    less_all = np.empty(m, np.int64)
    tied_all = np.empty(m, np.int64)
    less_all[order] = start
    tied_all[order] = length - 1

    sorted_g = gs[order]
    order2 = np.argsort(sorted_g, kind="stable")
    both = order[order2]
    gx, gg = sorted_x[order2], sorted_g[order2]
    counts = np.bincount(gs, minlength=n_groups)
    first = np.cumsum(counts) - counts
    change[1:] = (gx[1:] != gx[:-1]) | (gg[1:] != gg[:-1])
    start, length = _runs(change)
    less_group = np.empty(m, np.int64)
    tied_group = np.empty(m, np.int64)
    less_group[both] = start - first[gg]
    tied_group[both] = length - 1

    in_group = counts[gs]
    use_group = in_group >= min_peers
    less = np.where(use_group, less_group, less_all)
    tied = np.where(use_group, tied_group, tied_all)
    peers = np.where(use_group, in_group, m)
    score[where] = percentile_score(less, tied, peers, sole)
    level[where] = np.where(use_group, PEER_GROUP, PEER_ALL)
    size[where] = peers
    rank[where] = peers - less - tied
    return score, level, size, rank


# A percentile ranking of column j: (j, x, reported, group, n_groups, min_peers, sole) to
# score, peer level, peer size and rank, as :func:`percentile_column` returns them.
ColumnPercentile = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class PreparedInputs:
    """Inputs aligned to the methodology's columns (indicator-major)."""

    values: np.ndarray      # k × n, NaN where not reported
    reported: np.ndarray    # k × n bool
    dropped: np.ndarray     # k × n bool: not applicable where allowed, or out of tier
    out_of_tier: np.ndarray  # k × n bool: not asked for by the enterprise's tier
    group: np.ndarray       # n, index into methodology.groups
    inputs: RatingInput


def prepare(inputs: RatingInput, methodology: Methodology) -> PreparedInputs:
    """The inputs aligned to the methodology's columns, indicator-major, with what is dropped."""
    codes = methodology.codes
    k, n = len(codes), len(inputs)
    position = {code: column for column, code in enumerate(inputs.codes)}
    targets = [j for j, code in enumerate(codes) if code in position]
    sources = [position[codes[j]] for j in targets]
    values = np.full((k, n), np.nan)
    status = np.zeros((k, n), np.int8)
    if targets:
        values[targets] = inputs.values[:, sources].T
        status[targets] = inputs.status[:, sources].T
    out_of_tier = ~tier_masks(methodology.tiers, codes, inputs.tiers)
    reported = (status == REPORTED) & np.isfinite(values) & ~out_of_tier
    values[~reported] = np.nan
    allowed = np.array([i.not_applicable_allowed for i in methodology.indicators], bool)
    dropped = ((status == NOT_APPLICABLE) & allowed[:, None]) | out_of_tier
    lookup = np.array([methodology.group_index(key) for key in inputs.group_keys], np.int64)
    group = lookup[inputs.group_index] if n else np.zeros(0, np.int64)
    return PreparedInputs(values=values, reported=reported, dropped=dropped,
                          out_of_tier=out_of_tier, group=group, inputs=inputs)


def oriented(indicator: RatedIndicator, values: np.ndarray) -> np.ndarray:
    """The values turned so that larger is better."""
    return values if indicator.higher_is_better else -values


def indicator_scores(prepared: PreparedInputs, methodology: Methodology, *,
                     neutral: bool = False, percentile: ColumnPercentile | None = None
                     ) -> dict[str, np.ndarray]:
    """Scores 0–100 of every indicator and enterprise, with the peer level, size and rank.

    ``percentile`` ranks column ``j`` instead of :func:`percentile_column` (same arguments after
    ``j``): a partition of the enterprises ranks against the whole population's distribution.
    """
    k, n = prepared.values.shape
    scores = np.zeros((k, n))
    level = np.zeros((k, n), np.int8)
    size = np.zeros((k, n), np.int32)
    rank = np.zeros((k, n), np.int32)
    n_groups = len(methodology.groups)
    for j, indicator in enumerate(methodology.indicators):
        reported = prepared.reported[j]
        if indicator.normalisation == "absolute":
            scores[j] = np.where(reported, indicator.absolute_scores(prepared.values[j]), 0.0)
        elif neutral:
            scores[j] = np.where(reported, methodology.neutral_score, 0.0)
        else:
            ranked = (percentile_column if percentile is None
                      else functools.partial(percentile, j))
            scores[j], level[j], size[j], rank[j] = ranked(
                oriented(indicator, prepared.values[j]), reported, prepared.group, n_groups,
                methodology.min_peers, methodology.sole_reporter_score,
            )
    return dict(scores=scores, level=level, size=size, rank=rank)


def _topic_spans(methodology: Methodology) -> list[tuple[int, int, int]]:
    """(first column, end column, pillar position) of every topic, in column order."""
    spans, column = [], 0
    for p, pillar in enumerate(methodology.pillars):
        for topic in pillar.topics:
            spans.append((column, column + len(topic.indicators), p))
            column += len(topic.indicators)
    return spans


def aggregate(scores: np.ndarray, dropped: np.ndarray, group: np.ndarray,
              methodology: Methodology) -> dict[str, np.ndarray]:
    """Topic, pillar and total scores with each indicator's effective weight in the total.

    Every sum runs over indicators in a fixed order, column by column, so that an enterprise's
    result never depends on the other rows.
    """
    k, n = scores.shape
    applicable = ~dropped
    weight = np.array([i.weight for i in methodology.indicators])
    raw = np.where(applicable, weight[:, None], 0.0)
    spans = _topic_spans(methodology)
    t = len(spans)
    topic_weight = np.zeros((t, n))
    topic_sum = np.zeros((t, n))
    for index, (first, end, _) in enumerate(spans):
        for j in range(first, end):
            topic_weight[index] += raw[j]
            topic_sum[index] += raw[j] * scores[j]
    present = topic_weight > 0
    safe_weight = np.where(present, topic_weight, 1.0)
    topic_scores = np.where(present, topic_sum / safe_weight, np.nan)

    n_pillars = len(methodology.pillars)
    topic_raw = np.zeros((t, n))
    pillar_weight = np.zeros((n_pillars, n))
    for index, (_, _, p) in enumerate(spans):
        topic_raw[index] = np.where(present[index], methodology.topics[index].weight, 0.0)
        pillar_weight[p] += topic_raw[index]
    pillar_present = pillar_weight > 0
    safe_pillar = np.where(pillar_present, pillar_weight, 1.0)
    topic_share = np.zeros((t, n))
    pillar_scores = np.zeros((n_pillars, n))
    for index, (_, _, p) in enumerate(spans):
        topic_share[index] = topic_raw[index] / safe_pillar[p]
        pillar_scores[p] += topic_share[index] * np.where(present[index], topic_scores[index], 0)
    pillar_scores = np.where(pillar_present, pillar_scores, np.nan)

    group_weights = np.array([[g.weight(p.key) for p in methodology.pillars]
                              for g in methodology.groups]).reshape(-1, n_pillars)
    default = group_weights[group].T if n else np.zeros((n_pillars, 0))
    pillar_raw = np.where(pillar_present, default, 0.0)
    total_weight = np.zeros(n)
    for p in range(n_pillars):
        total_weight += pillar_raw[p]
    safe_total = np.where(total_weight > 0, total_weight, 1.0)
    pillar_share = pillar_raw / safe_total

    effective = np.zeros((k, n))
    total = np.zeros(n)
    for index, (first, end, p) in enumerate(spans):
        outer = topic_share[index] * pillar_share[p]
        for j in range(first, end):
            effective[j] = raw[j] / safe_weight[index] * outer
            total += effective[j] * scores[j]
    return dict(effective=effective, topic_scores=topic_scores, pillar_scores=pillar_scores,
                pillar_weights=pillar_share, total=total)


@dataclass(frozen=True, eq=False)
class RatingResult(EnterpriseRows):
    """The rating of every enterprise of a :class:`RatingInput` (rows in the input's order).

    Matrices are enterprises × indicators (``codes``), topics (``topic_keys``, "E.climate"),
    pillars (``pillar_keys``) or deductions (``deduction_keys``). ``indicator_scores`` is NaN
    where an indicator was not applicable (its weight removed) and 0 where data is missing;
    ``weights`` is each indicator's effective weight in the total, so ``total`` is the sum of
    ``weights × indicator_scores``. ``peer_level`` says which peer set ranked a percentile
    indicator (:data:`PEER_LEVELS`: 1 the materiality group, 2 all enterprises after fallback,
    0 not ranked); ``peer_size`` and ``peer_rank`` (1 = best) place the enterprise in it.
    ``deductions`` is what was actually subtracted (never more than the total), and
    ``score = total − deductions``. ``tiers`` is each enterprise's disclosure tier and
    ``grade_capped`` whether its grade was held at its tier's best grade (status
    :data:`OUT_OF_TIER` marks an indicator its tier does not ask for).
    """

    methodology_version: str
    inputs_hash: str
    year: int
    enterprises: tuple[str, ...]
    groups: tuple[str, ...]
    codes: tuple[str, ...]
    topic_keys: tuple[str, ...]
    pillar_keys: tuple[str, ...]
    deduction_keys: tuple[str, ...]
    status: np.ndarray
    indicator_scores: np.ndarray
    weights: np.ndarray
    peer_level: np.ndarray
    peer_size: np.ndarray
    peer_rank: np.ndarray
    topic_scores: np.ndarray
    pillar_scores: np.ndarray
    pillar_weights: np.ndarray
    total: np.ndarray
    deduction_points: np.ndarray
    deductions: np.ndarray
    score: np.ndarray
    grade_index: np.ndarray
    grades: tuple[str, ...]
    tiers: tuple[str, ...] = ()
    grade_capped: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    @property
    def grade(self) -> np.ndarray:
        """The grade of every enterprise (an object array of "AAA" … "C")."""
        return np.asarray(self.grades, dtype=object)[self.grade_index]

    def row(self, enterprise: str) -> dict[str, Any]:
        """One enterprise's score, grade, total, deductions and pillar scores as plain data."""
        e = self.index(enterprise)
        return {
            "enterprise": enterprise, "group": self.groups[e],
            "score": float(self.score[e]), "grade": self.grades[self.grade_index[e]],
            "tier": self.tiers[e] if self.tiers else DEFAULT_TIER,
            "grade_capped": bool(self.grade_capped[e]) if self.grade_capped.size else False,
            "total": float(self.total[e]), "deductions": float(self.deductions[e]),
            "pillars": {p: float_or_none(self.pillar_scores[e, n])
                        for n, p in enumerate(self.pillar_keys)},
            "methodology_version": self.methodology_version, "inputs_hash": self.inputs_hash,
        }

    def fingerprint(self) -> str:
        """A sha256 over every output array, to compare two runs bit for bit."""
        digest = hashlib.sha256()
        digest.update(json.dumps([
            self.methodology_version, self.inputs_hash, self.year, list(self.enterprises),
            list(self.groups), list(self.codes), list(self.grades),
        ]).encode("utf-8"))
        for name in _RESULT_ARRAYS:
            digest.update(np.ascontiguousarray(getattr(self, name)).tobytes())
        if any(tier != DEFAULT_TIER for tier in self.tiers):
            digest.update(json.dumps(list(self.tiers)).encode("utf-8"))
            digest.update(np.ascontiguousarray(self.grade_capped).tobytes())
        return digest.hexdigest()


_RESULT_ARRAYS: tuple[str, ...] = (
    "status", "indicator_scores", "weights", "peer_level", "peer_size", "peer_rank",
    "topic_scores", "pillar_scores", "pillar_weights", "total", "deduction_points",
    "deductions", "score", "grade_index",
)


def float_or_none(value: float) -> float | None:
    """The value as a float, or None where it is NaN."""
    value = float(value)
    return None if math.isnan(value) else value


def finish(prepared: PreparedInputs, methodology: Methodology, parts: dict[str, np.ndarray],
           inputs_hash: str) -> RatingResult:
    """Aggregate indicator scores, subtract deductions, grade, and package the result."""
    inputs = prepared.inputs
    totals = aggregate(parts["scores"], prepared.dropped, prepared.group, methodology)
    total = totals["total"]
    points, applied, score = apply_deductions(methodology.deductions,
                                              methodology.deduction_cap, inputs, total)
    status = np.where(prepared.reported, REPORTED, np.where(
        prepared.out_of_tier, OUT_OF_TIER,
        np.where(prepared.dropped, NOT_APPLICABLE, MISSING))).astype(np.int8)
    shown = np.where(prepared.dropped, np.nan, parts["scores"])
    banded = band_index(methodology.bands, score)
    caps = grade_caps(methodology.tiers, methodology.bands, inputs.tiers)
    return RatingResult(
        methodology_version=methodology.version, inputs_hash=inputs_hash, year=inputs.year,
        enterprises=inputs.enterprises,
        groups=tuple(np.asarray(methodology.group_keys, dtype=object)[prepared.group].tolist()),
        codes=methodology.codes,
        topic_keys=tuple(f"{t.pillar}.{t.key}" for t in methodology.topics),
        pillar_keys=tuple(p.key for p in methodology.pillars),
        deduction_keys=tuple(d.key for d in methodology.deductions),
        status=status.T, indicator_scores=shown.T, weights=totals["effective"].T,
        peer_level=parts["level"].T, peer_size=parts["size"].T, peer_rank=parts["rank"].T,
        topic_scores=totals["topic_scores"].T, pillar_scores=totals["pillar_scores"].T,
        pillar_weights=totals["pillar_weights"].T, total=total, deduction_points=points.T,
        deductions=applied, score=score,
        grade_index=np.maximum(banded, caps),
        grades=tuple(b.key for b in methodology.bands), tiers=inputs.tiers,
        grade_capped=banded < caps,
    )


BASES: tuple[str, ...] = ("disclosed", "recorded", "missing")


def basis_shares(inputs: RatingInput, methodology: Methodology | None = None) -> np.ndarray:
    """n × 3: each enterprise's share of rated weight (its indicators' effective weights in the
    total) backed by disclosed values, by values filled from records, and missing (see
    :data:`BASES`); an indicator not applicable or outside the tier has no weight, so the three
    shares add up to 1 wherever anything is rated."""
    methodology = methodology or load_methodology()
    prepared = prepare(inputs, methodology)
    k, n = prepared.values.shape
    effective = aggregate(np.zeros((k, n)), prepared.dropped, prepared.group,
                          methodology)["effective"]
    position = {code: column for column, code in enumerate(inputs.codes)}
    recorded = np.zeros((k, n), bool)
    for j, code in enumerate(methodology.codes):
        if code in position:
            recorded[j] = inputs.recorded_mask[:, position[code]]
    recorded &= prepared.reported
    shares = np.zeros((n, 3))
    shares[:, 0] = np.where(prepared.reported & ~recorded, effective, 0.0).sum(axis=0)
    shares[:, 1] = np.where(recorded, effective, 0.0).sum(axis=0)
    shares[:, 2] = np.where(~prepared.reported & ~prepared.dropped, effective, 0.0).sum(axis=0)
    return shares


def rate(inputs: RatingInput, methodology: Methodology | None = None, *,
         percentile: ColumnPercentile | None = None, inputs_hash: str | None = None
         ) -> RatingResult:
    """Rate every enterprise of ``inputs`` at once (vectorised over enterprises).

    A partition of a population passes ``percentile`` (ranking against the population's peer
    distribution) and the population's ``inputs_hash``; see :mod:`.partitioned`.
    """
    methodology = methodology or load_methodology()
    prepared = prepare(inputs, methodology)
    parts = indicator_scores(prepared, methodology, percentile=percentile)
    return finish(prepared, methodology, parts, inputs_hash or inputs.hash())


def reproduce(inputs: RatingInput, methodology: Methodology | None = None, *,
              expected_hash: str | None = None) -> RatingResult:
    """Re-run a rating from its inputs and the methodology's own text; with ``expected_hash``
    refuse inputs that differ from those the stored rating used."""
    methodology = methodology or load_methodology()
    if expected_hash is not None and inputs.hash() != expected_hash:
        raise ValueError(f"the inputs hash {inputs.hash()} differs from the stored "
                         f"{expected_hash}: these are not the inputs that were rated")
    fresh = parse_methodology(methodology.text, name=methodology.name)
    return rate(inputs, fresh)

