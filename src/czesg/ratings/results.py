"""The results of a rating run as database rows: each enterprise's rating and green score (peer
positions, deduction and component JSON built in bulk), written with one bulk insert per table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from czesg.engine import rating as engine
from czesg.ratings.fields import GREEN_FIELDS, RATING_FIELDS, green_fields, rating_fields
from czesg.ratings.models import GreenScore, Rating, RatingRun
from czesg.storage.bulk import insert_rows

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
    return rows_of_ratings(run, rating_fields(result), inputs, enterprise_ids, rows_json,
                           result.inputs_hash, result.methodology_version)


def rows_of_ratings(run: RatingRun, fields: dict[str, list], inputs: engine.RatingInput,
                    enterprise_ids: np.ndarray, rows_json: list[str], inputs_hash: str,
                    methodology_version: str) -> list[tuple]:
    """The rating rows from the fields of every enterprise (:func:`~czesg.ratings.fields.
    rating_fields`, in the inputs' order, computed in process or by a batch job), with the
    peer positions by final score computed here over the whole population."""
    n = len(inputs)
    rank, size = group_positions(np.asarray(fields["score"], dtype=np.float64),
                                 inputs.group_index)
    return list(zip(
        [run.pk] * n, enterprise_ids.tolist(), [run.year] * n,
        *(fields[name] for name in RATING_FIELDS), rank.tolist(), size.tolist(),
        [inputs_hash] * n, [methodology_version] * n, rows_json,
        strict=True,
    ))


def green_rows(run: RatingRun, green: engine.GreenScoreResult, enterprise_ids: np.ndarray
               ) -> list[tuple]:
    """The run's green-score rows (in :data:`GREEN_COLUMNS` order), one per enterprise."""
    return rows_of_greens(run, green_fields(green), enterprise_ids, green.methodology_version,
                          green.inputs_hash)


def rows_of_greens(run: RatingRun, fields: dict[str, list], enterprise_ids: np.ndarray,
                   methodology_version: str, inputs_hash: str) -> list[tuple]:
    """The green-score rows from the fields of every enterprise (in the inputs' order)."""
    n = len(enterprise_ids)
    return list(zip(
        [run.pk] * n, enterprise_ids.tolist(), [run.year] * n,
        *(fields[name] for name in GREEN_FIELDS), [methodology_version] * n,
        [inputs_hash] * n, strict=True,
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
