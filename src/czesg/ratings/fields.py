"""The stored fields of each enterprise's rating and green score that need no other enterprise.

Imports no Django: a batch job's executors build these columns next to the engine (see
:mod:`czesg.ratings.spark`), and :mod:`czesg.ratings.results` builds the same columns in
process; the peer positions by final score, which need every score, are added by the caller.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from czesg.engine import rating as engine

_string = json.encoder.encode_basestring  # JSON string literal (non-ASCII kept as is)

RATING_FIELDS = (
    "score", "grade", "tier", "grade_capped", "total", "deductions", "deduction_points_json",
    "pillar_e", "pillar_s", "pillar_g", "peer_group", "peer_level",
)
GREEN_FIELDS = (
    "score", "label", "label_capped", "total", "deductions", "components_json",
    "green_category", "green_category_basis",
)


def rating_fields(result: engine.RatingResult) -> dict[str, list[Any]]:
    """Per enterprise (in the result's order), the rating's :data:`RATING_FIELDS`."""
    n = len(result.enterprises)
    levels = result.peer_level
    in_group = (levels == engine.PEER_GROUP).any(axis=1)
    in_all = (levels == engine.PEER_ALL).any(axis=1)
    level = np.where(in_group & in_all, "mixed", np.where(in_group, "group",
                                                          np.where(in_all, "all", "")))
    pillars = {key: np.where(np.isnan(result.pillar_scores[:, p]), None,
                             result.pillar_scores[:, p]).tolist()
               for p, key in enumerate(result.pillar_keys)}
    template = "{" + ",".join(f"{_string(k)}:%r" for k in result.deduction_keys) + "}"
    deduction_json = [template % tuple(row) for row in result.deduction_points.tolist()]
    return {
        "score": result.score.tolist(), "grade": result.grade.tolist(),
        "tier": list(result.tiers), "grade_capped": result.grade_capped.tolist(),
        "total": result.total.tolist(), "deductions": result.deductions.tolist(),
        "deduction_points_json": deduction_json,
        "pillar_e": pillars.get("E", [None] * n), "pillar_s": pillars.get("S", [None] * n),
        "pillar_g": pillars.get("G", [None] * n), "peer_group": list(result.groups),
        "peer_level": level.tolist(),
    }


def green_fields(green: engine.GreenScoreResult) -> dict[str, list[Any]]:
    """Per enterprise (in the result's order), the green score's :data:`GREEN_FIELDS`."""
    n = len(green)
    order = sorted(range(len(green.component_keys)), key=lambda c: green.component_keys[c])
    template = "{" + ",".join(
        f'{_string(green.component_keys[c])}:{{"points":%s,"score":%s,"weight":%s}}'
        for c in order) + "}"
    parts = np.stack([np.stack([green.contributions[:, c], green.component_scores[:, c],
                                green.component_weights[:, c]], axis=1) for c in order], axis=1)
    flat = ["null" if x != x else repr(x) for x in parts.reshape(-1).tolist()]
    width = 3 * len(order)
    components = [template % tuple(flat[i:i + width]) for i in range(0, n * width, width)]
    return {
        "score": green.score.tolist(), "label": green.label.tolist(),
        "label_capped": green.label_capped.tolist(), "total": green.total.tolist(),
        "deductions": green.deductions.tolist(), "components_json": components,
        "green_category": list(green.green_category),
        "green_category_basis": list(green.green_category_basis),
    }
