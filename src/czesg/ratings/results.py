"""The results of a rating run as database rows: each enterprise's rating and green score (peer
positions, deduction and component JSON built in bulk), written with one bulk insert per table."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np

from czesg.engine import rating as engine
from czesg.ratings.models import GreenScore, Rating, RatingRun
from czesg.storage.bulk import insert_rows

_string = json.encoder.encode_basestring  # JSON string literal (non-ASCII kept as is)


RATING_COLUMNS = (
    "run_id", "enterprise_id", "year", "score", "grade", "tier", "grade_capped", "total",
    "deductions", "deduction_points_json", "pillar_e", "pillar_s", "pillar_g", "peer_group", "peer_level",
    "peer_rank", "peer_size", "inputs_hash", "methodology_version", "input_row",
)
GREEN_COLUMNS = (
    "run_id", "enterprise_id", "year", "score", "label", "label_capped", "total", "deductions",
    "components_json", "green_category", "green_category_basis", "methodology_version",
    "inputs_hash",
)


def group_positions(scores: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each enterprise's rank in its group by score (1 = best, ties share) and the group size."""
    rank = np.zeros(scores.size, np.int64)
    size = np.zeros(scores.size, np.int64)
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        ordered = np.sort(scores[members])
        rank[members] = members.size - np.searchsorted(ordered, scores[members], "right") + 1
        size[members] = members.size
    return rank, size


def rating_rows(run: RatingRun, inputs: engine.RatingInput, result: engine.RatingResult,
                enterprise_ids: np.ndarray, rows_json: list[str]) -> list[tuple]:
    """The run's rating rows (in :data:`RATING_COLUMNS` order), one per enterprise."""
    n = len(inputs)
    rank, size = group_positions(result.score, inputs.group_index)
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
    grade = result.grade.tolist()
    return list(zip(
        [run.pk] * n, enterprise_ids.tolist(), [run.year] * n, result.score.tolist(), grade,
        list(result.tiers), result.grade_capped.tolist(), result.total.tolist(), result.deductions.tolist(), deduction_json,
        pillars.get("E", [None] * n), pillars.get("S", [None] * n), pillars.get("G", [None] * n),
        list(result.groups), level.tolist(), rank.tolist(), size.tolist(),
        [result.inputs_hash] * n, [result.methodology_version] * n, rows_json, strict=True,
    ))


def green_rows(run: RatingRun, green: engine.GreenScoreResult, enterprise_ids: np.ndarray
               ) -> list[tuple]:
    """The run's green-score rows (in :data:`GREEN_COLUMNS` order), one per enterprise."""
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
    return list(zip(
        [run.pk] * n, enterprise_ids.tolist(), [run.year] * n, green.score.tolist(),
        green.label.tolist(), green.label_capped.tolist(), green.total.tolist(),
        green.deductions.tolist(), components, list(green.green_category),
        list(green.green_category_basis), [green.methodology_version] * n,
        [green.inputs_hash] * n, strict=True,
    ))


def counts(keys: Sequence[str], chosen: Sequence[str]) -> dict[str, int]:
    """How many times each key (grade or label) was chosen, zero for those never chosen."""
    found = dict(zip(*np.unique(np.asarray(chosen, dtype=object), return_counts=True),
                     strict=True)) if len(chosen) else {}
    return {key: int(found.get(key, 0)) for key in keys}


def write_results(ratings: list[tuple], greens: list[tuple],
                  progress: Callable[[int], None] | None = None) -> None:
    """Insert a run's rating and green-score rows (the caller's transaction); ``progress`` is
    told how many rows each chunk wrote."""
    insert_rows(Rating._meta.db_table, RATING_COLUMNS, ratings, progress=progress)
    insert_rows(GreenScore._meta.db_table, GREEN_COLUMNS, greens, progress=progress)
