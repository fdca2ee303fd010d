"""Explanation of a rating: weighted contributions, deductions, position among peers, and the
changes that would raise the score most, found by re-scoring (never guessed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from czesg.engine.rating.deductions import deduction_points
from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.methodology import Methodology, RatedIndicator, load_methodology
from czesg.engine.rating.scoring import (
    RatingResult,
    aggregate,
    float_or_none,
    indicator_scores,
    oriented,
    percentile_score,
    prepare,
)
from czesg.engine.rating.vocabulary import DEFAULT_TIER, PEER_LEVELS, STATUS_NAMES


@dataclass(frozen=True)
class Contribution:
    """One indicator's part in an enterprise's score: its weight, score and weighted points."""

    code: str
    pillar: str
    topic: str
    name_zh: str
    name_en: str
    status: str
    value: float | None
    score: float | None
    weight: float
    points: float
    normalisation: str
    peer_level: str
    peer_rank: int | None
    peer_size: int | None


@dataclass(frozen=True)
class DeductionLine:
    """Points subtracted for one kind of controversy (after its own cap)."""

    key: str
    name_zh: str
    name_en: str
    points: float


@dataclass(frozen=True)
class Improvement:
    """A change that raises the score, with the points it gains, found by re-scoring."""

    code: str
    name_zh: str
    name_en: str
    action: str
    target: str
    current_value: float | None
    target_value: float
    points: float
    new_score: float
    new_grade: str


@dataclass(frozen=True)
class Explanation:
    """Why an enterprise has its score: contributions, deductions, peers and what would help.

    ``sum(c.points for c in contributions) - sum(d.points for d in deductions) + adjustment``
    equals ``score``; ``adjustment`` gives back deductions beyond the overall cap or the total.
    """

    enterprise: str
    methodology_version: str
    inputs_hash: str
    group: str
    score: float
    grade: str
    total: float
    contributions: tuple[Contribution, ...]
    deductions: tuple[DeductionLine, ...]
    adjustment: float
    percentile: float
    rank: int
    peer_size: int
    improvements: tuple[Improvement, ...]
    tier: str = DEFAULT_TIER
    grade_capped: bool = False


class Rescorer:
    """Re-scores one enterprise with one indicator changed, exactly as a full re-run would."""

    def __init__(self, inputs: RatingInput, methodology: Methodology, *, neutral: bool = False
                 ) -> None:
        self.methodology = methodology
        self.prepared = prepare(inputs, methodology)
        self.parts = indicator_scores(self.prepared, methodology, neutral=neutral)
        self.neutral = neutral
        _, self.raw_deduction = deduction_points(methodology.deductions,
                                                 methodology.deduction_cap, inputs)

    def final(self, e: int, scores: np.ndarray, dropped: np.ndarray) -> tuple[float, float]:
        """(total, score) of enterprise ``e`` with the given indicator scores and drops."""
        totals = aggregate(scores[:, None], dropped[:, None], self.prepared.group[e:e + 1],
                            self.methodology)
        total = totals["total"]
        deduction = self.raw_deduction[e:e + 1]
        return float(total[0]), float((total - np.minimum(deduction, total))[0])

    def peers(self, e: int, j: int) -> tuple[np.ndarray, int]:
        """The values of ``e``'s peers for indicator ``j`` (excluding ``e``) if ``e`` reports, and
        the peer-set size counting ``e``."""
        others = self.prepared.reported[j].copy()
        others[e] = False
        same = others & (self.prepared.group == self.prepared.group[e])
        in_group = int(np.count_nonzero(same)) + 1
        if in_group >= self.methodology.min_peers:
            return self.prepared.values[j][same], in_group
        return self.prepared.values[j][others], int(np.count_nonzero(others)) + 1

    def indicator_score(self, e: int, j: int, value: float) -> float:
        """The score ``e`` would get for indicator ``j`` if it reported ``value``."""
        indicator = self.methodology.indicators[j]
        if indicator.normalisation == "absolute":
            return float(indicator.absolute_scores(np.array([value]))[0])
        if self.neutral:
            return float(self.methodology.neutral_score)
        peers, size = self.peers(e, j)
        x = oriented(indicator, peers)
        target = value if indicator.higher_is_better else -value
        less = np.array([np.count_nonzero(x < target)])
        tied = np.array([np.count_nonzero(x == target)])
        return float(percentile_score(less, tied, np.array([size]),
                                      self.methodology.sole_reporter_score)[0])

    def with_value(self, e: int, j: int, value: float) -> tuple[float, float]:
        """(total, score) of ``e`` after reporting ``value`` for indicator ``j``."""
        scores = self.parts["scores"][:, e].copy()
        dropped = self.prepared.dropped[:, e].copy()
        scores[j] = self.indicator_score(e, j, value)
        dropped[j] = False
        return self.final(e, scores, dropped)

    def key(self, indicator: RatedIndicator, values: np.ndarray) -> np.ndarray:
        """How good values are (larger is better): the choice score, else the oriented value."""
        if indicator.data_type == "choice":
            return indicator.absolute_scores(values)
        return oriented(indicator, values)

    def targets(self, e: int, j: int) -> list[tuple[str, float]]:
        """Peer median and top-quartile values (observed peer values) for indicator ``j``."""
        indicator = self.methodology.indicators[j]
        peers, _ = self.peers(e, j)
        if peers.size == 0:
            return []
        order = np.argsort(self.key(indicator, peers), kind="stable")
        out = []
        for name, q in (("peer_median", 0.5), ("peer_top_quartile", 0.75)):
            position = max(int(math.ceil(q * peers.size)) - 1, 0)
            out.append((name, float(peers[order[position]])))
        return out

    def candidates(self, e: int, base: float, *, best_step: bool = False
                   ) -> list[tuple[int, str, str, float, float, float, float]]:
        """Every improving change for ``e``: (column, action, target, from, to, gain, new score)."""
        out = []
        for j, indicator in enumerate(self.methodology.indicators):
            if self.prepared.dropped[j, e]:
                continue
            reported = bool(self.prepared.reported[j, e])
            current = float(self.prepared.values[j, e]) if reported else math.nan
            targets = [] if self.neutral else self.targets(e, j)
            if best_step and indicator.normalisation == "absolute":
                targets.append(("best_step", indicator.best_value()))
            if self.neutral and indicator.normalisation == "industry_percentile" and not reported:
                targets.append(("report", math.nan))
            for target, value in targets:
                if reported:
                    now = self.key(indicator, np.array([current]))[0]
                    then = self.key(indicator, np.array([value]))[0]
                    if not then > now:
                        continue
                _, score = self.with_value(e, j, value)
                gain = score - base
                if gain > 0:
                    out.append((j, "improve" if reported else "report", target, current, value,
                                gain, score))
        return out


def best_per_indicator(candidates: list[tuple[int, str, str, float, float, float, float]]
                       ) -> list[tuple[int, str, str, float, float, float, float]]:
    """The best candidate of each indicator, best first (ties: the smaller change, then column)."""
    best: dict[int, tuple[int, str, str, float, float, float, float]] = {}
    for item in candidates:
        held = best.get(item[0])
        if held is None or item[5] > held[5]:
            best[item[0]] = item
    return sorted(best.values(), key=lambda item: (-item[5], item[0]))


def improvement_of(methodology: Methodology,
                   item: tuple[int, str, str, float, float, float, float],
                   tier: str = DEFAULT_TIER) -> Improvement:
    """The improvement that a re-scored candidate change describes (graded for ``tier``)."""
    j, action, target, current, value, gain, score = item
    indicator = methodology.indicators[j]
    return Improvement(
        code=indicator.code, name_zh=indicator.name_zh, name_en=indicator.name_en,
        action=action, target=target, current_value=None if math.isnan(current) else current,
        target_value=value, points=gain, new_score=score, new_grade=methodology.grade_of(score, tier),
    )


def explain(result: RatingResult, inputs: RatingInput, methodology: Methodology | None,
            enterprise: str) -> Explanation:
    """Explain one enterprise's rating: weighted contributions, deductions, peer position and
    the three changes (re-scored, not guessed) that would raise its score most."""
    methodology = methodology or load_methodology()
    if result.methodology_version != methodology.version or result.inputs_hash != inputs.hash():
        raise ValueError("the result was not computed from these inputs and this methodology")
    e = result.index(enterprise)
    rescorer = Rescorer(inputs, methodology)
    contributions = []
    for j, indicator in enumerate(methodology.indicators):
        status = int(result.status[e, j])
        score = float_or_none(result.indicator_scores[e, j])
        level = int(result.peer_level[e, j])
        value = float_or_none(rescorer.prepared.values[j, e])
        contributions.append(Contribution(
            code=indicator.code, pillar=indicator.pillar, topic=indicator.topic,
            name_zh=indicator.name_zh, name_en=indicator.name_en, status=STATUS_NAMES[status],
            value=value, score=score, weight=float(result.weights[e, j]),
            points=float(result.weights[e, j] * (score or 0.0)),
            normalisation=indicator.normalisation, peer_level=PEER_LEVELS[level],
            peer_rank=int(result.peer_rank[e, j]) if level else None,
            peer_size=int(result.peer_size[e, j]) if level else None,
        ))
    deductions = tuple(
        DeductionLine(key=rule.key, name_zh=rule.name_zh, name_en=rule.name_en,
                      points=float(result.deduction_points[e, r]))
        for r, rule in enumerate(methodology.deductions)
    )
    adjustment = math.fsum(d.points for d in deductions) - float(result.deductions[e])

    groups = np.asarray(result.groups, dtype=object)
    peers = result.score[groups == result.groups[e]]
    mine = result.score[e]
    less = np.count_nonzero(peers < mine)
    tied = np.count_nonzero(peers == mine) - 1
    percentile = float(percentile_score(np.array([less]), np.array([tied]),
                                        np.array([peers.size]),
                                        methodology.sole_reporter_score)[0])
    rank = int(np.count_nonzero(peers > mine)) + 1

    base = rescorer.final(e, rescorer.parts["scores"][:, e], rescorer.prepared.dropped[:, e])[1]
    ranked = best_per_indicator(rescorer.candidates(e, base))[:3]
    return Explanation(
        enterprise=enterprise, methodology_version=result.methodology_version,
        inputs_hash=result.inputs_hash, group=result.groups[e], score=float(result.score[e]),
        grade=result.grades[result.grade_index[e]], total=float(result.total[e]),
        contributions=tuple(contributions), deductions=deductions, adjustment=adjustment,
        percentile=percentile, rank=rank, peer_size=int(peers.size),
        improvements=tuple(improvement_of(methodology, item, result.tiers[e])
                           for item in ranked),
        tier=result.tiers[e], grade_capped=bool(result.grade_capped[e]),
    )
