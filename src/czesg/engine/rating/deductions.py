"""Deductions for controversies in government records: the rules, their parsing and the points.

Environmental penalties (per count, capped, plus steps by the total amount), work-safety
accidents (per fatal and per serious accident), and points by the tax credit grade or the
environmental credit colour; each rule has its own cap and all of them together an overall cap.
The rating and the green score share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.rating.vocabulary import DEDUCTION_KEYS, ENV_CREDIT_COLOURS, TAX_CREDIT_GRADES


@dataclass(frozen=True)
class DeductionRule(Bilingual):
    """Points deducted for one kind of controversy in government records, with its cap."""

    key: str
    name_zh: str
    name_en: str
    cap: float
    source: str
    confidence: str
    points_per_count: float = 0.0
    count_cap: float = 0.0
    amount_steps: tuple[tuple[float, float], ...] = ()
    points_per_fatal: float = 0.0
    points_per_serious: float = 0.0
    points: tuple[tuple[str, float], ...] = ()
    scale_source: str = ""
    scale_confidence: str = ""


def _parse_deduction(node: TomlTable, key: str, *, in_green: bool) -> DeductionRule:
    """One checked deduction rule (the green score knows environmental penalties only)."""
    known = ("env_penalties",) if in_green else DEDUCTION_KEYS
    if key not in known:
        node.fail("", f"unknown deduction {key!r}; expected one of " + ", ".join(known))
    common = ("name_zh", "name_en", "cap", "source", "confidence")
    source, confidence = node.provenance()
    base: dict[str, Any] = dict(
        key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
        cap=node.number("cap", low=0, high=100), source=source, confidence=confidence,
    )
    if key == "env_penalties":
        node.allow(*common, "points_per_count", "count_cap", "amount_steps")
        base.update(
            points_per_count=node.number("points_per_count", low=0, high=100),
            count_cap=node.number("count_cap", low=0, high=100),
            amount_steps=node.pairs("amount_steps", low=0, high=100),
        )
        if any(b < a for (_, a), (_, b) in zip(base["amount_steps"], base["amount_steps"][1:],
                                               strict=False)):
            node.fail("amount_steps", "the points must not fall as the amount rises")
    elif key == "safety_accidents":
        node.allow(*common, "points_per_fatal", "points_per_serious")
        base.update(
            points_per_fatal=node.number("points_per_fatal", low=0, high=100),
            points_per_serious=node.number("points_per_serious", low=0, high=100),
        )
    else:
        scale = TAX_CREDIT_GRADES if key == "tax_credit" else ENV_CREDIT_COLOURS
        node.allow(*common, "points", "scale_source", "scale_confidence")
        scale_source, scale_confidence = node.provenance("scale_")
        base.update(points=node.mapping("points", scale, high=100), scale_source=scale_source,
                    scale_confidence=scale_confidence)
    return DeductionRule(**base)


def parse_deductions(root: TomlTable, *, in_green: bool) -> tuple[float, str, str,
                                                             tuple[DeductionRule, ...]]:
    """The ``[deductions]`` table: the overall cap, its source and confidence, and the rules."""
    node = root.child("deductions")
    cap = node.number("cap", low=0, high=100)
    source, confidence = node.provenance()
    rules = []
    for key, value in node.data.items():
        if key in ("cap", "source", "confidence"):
            continue
        if not isinstance(value, dict):
            node.fail(key, "unknown key")
        rules.append(_parse_deduction(node.child(key), key, in_green=in_green))
    return cap, source, confidence, tuple(rules)


def points_on_scale(points: Sequence[tuple[str, float]], positions: np.ndarray) -> np.ndarray:
    """The points of each position on a scale (a grade or colour), 0 where there is none (-1)."""
    table = np.array([p for _, p in points] + [0.0])
    return table[np.where(positions < 0, len(points), positions)]


def _step_points(steps: Sequence[tuple[float, float]], amounts: np.ndarray) -> np.ndarray:
    """Points of the last step whose threshold the amount reaches (0 below the first)."""
    if not steps:
        return np.zeros(amounts.shape)
    thresholds = np.array([a for a, _ in steps])
    points = np.array([0.0] + [p for _, p in steps])
    return points[np.searchsorted(thresholds, amounts, side="right")]


def deduction_points(rules: Sequence[DeductionRule], cap: float, records: Any
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Points of each deduction rule (capped per rule) and their capped sum, per enterprise."""
    n = records.env_penalty_count.shape[0]
    points = np.zeros((len(rules), n))
    for r, rule in enumerate(rules):
        if rule.key == "env_penalties":
            value = (np.minimum(records.env_penalty_count * rule.points_per_count, rule.count_cap)
                     + _step_points(rule.amount_steps, records.env_penalty_amount))
        elif rule.key == "safety_accidents":
            value = (records.fatal_accidents * rule.points_per_fatal
                     + records.serious_accidents * rule.points_per_serious)
        else:
            column = records.tax_credit if rule.key == "tax_credit" else records.env_credit
            value = points_on_scale(rule.points, column)
        points[r] = np.minimum(value, rule.cap)
    total = np.zeros(n)
    for r in range(len(rules)):
        total += points[r]
    return points, np.minimum(total, cap)


def apply_deductions(rules: Sequence[DeductionRule], cap: float, records: Any,
                     total: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points per rule, what is actually subtracted, score): the capped deductions, never
    more than the total, so that ``score = total − subtracted`` is never below 0."""
    points, deduction = deduction_points(rules, cap, records)
    applied = np.minimum(deduction, total)
    return points, applied, total - applied
