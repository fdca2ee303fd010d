"""Rating the city: government records in, ratings and green scores out (fetch → compute → persist).

The government records themselves are imported by :mod:`czesg.records.actions`.

* :func:`start_rating` creates a queued :class:`RatingRun` and, once committed, announces it
  (:data:`~czesg.ratings.signals.rating_queued`); :mod:`czesg.ratings.tasks` then enqueues the
  background task that calls :func:`run_rating`.
* :func:`run_rating` reads the latest published disclosure of every enterprise for the year and
  the year's government records with a few bulk queries into the engine's columnar
  :class:`~czesg.engine.rating.RatingInput`, calls :func:`~czesg.engine.rating.rate` and
  :func:`~czesg.engine.rating.green_score`, and writes every result in one transaction (COPY on
  PostgreSQL) with one audit entry for the run.
* :func:`reproduce_rating` rebuilds the run's inputs from the stored input rows and recomputes.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from czesg.access.models import Grant
from czesg.accounts.models import Membership, Role
from czesg.accounts.permissions import is_authenticated, require_government, require_manager
from czesg.audit.recording import record
from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine import rating as engine
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.answers import Answer
from czesg.engine.kernel.errors import CatalogueError, NotFound, StateConflict, gettext_noop
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise
from czesg.ratings.models import (
    GreenScore,
    Rating,
    RatingRun,
    RunStatus,
)
from czesg.ratings.signals import rating_queued
from czesg.records.actions import CERTIFICATIONS, check_year
from czesg.records.models import GovernmentRecord, RecordKind

Progress = Callable[[int, int], None]

RECORD_ARRAYS: tuple[str, ...] = (
    *engine.NUMERIC_RECORDS, "tax_credit", "env_credit", "certifications",
)


# --------------------------------------------------------------------------------------------
# Starting a run


def start_rating(year: int, *, actor, enqueue: bool = True) -> RatingRun:
    """Queue a rating of every enterprise that published a disclosure for ``year`` (government
    or platform administrator); the background task starts once the run is committed."""
    require_government(actor)
    year = check_year(year)
    methodology = engine.load_methodology()
    green = engine.load_green_methodology()
    with transaction.atomic():
        if RatingRun.objects.filter(year=year, status__in=[RunStatus.QUEUED,
                                                           RunStatus.RUNNING]).exists():
            raise StateConflict(gettext_noop("A rating of %(year)s is already under way."),
                                year=year)
        run = RatingRun.objects.create(
            year=year, methodology_version=methodology.version,
            green_methodology_version=green.version, started_by=actor,
        )
        record(actor, "rating.start", run, year=year, methodology=methodology.version,
               green_methodology=green.version)
        if enqueue:
            run_id = run.pk
            transaction.on_commit(
                lambda: rating_queued.send(sender=RatingRun, run_id=run_id))
    return run


# --------------------------------------------------------------------------------------------
# Fetch


def _kinds(methodology: engine.Methodology) -> np.ndarray:
    return np.array([{"boolean": 1, "choice": 2}.get(i.data_type, 0)
                     for i in methodology.indicators], np.int8)


def _columns(sql: str, params: Sequence[Any], width: int) -> list[list[Any]]:
    """A query's result as one list per column. On PostgreSQL each column comes back as one
    ``array_agg`` array in binary form — far cheaper than a Python tuple per row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f"c{i}" for i in range(width))
            arrays = ", ".join(f"array_agg(t.c{i})" for i in range(width))
            import psycopg

            with psycopg.Cursor(cursor.cursor.connection) as raw:
                row = raw.execute(f"SELECT {arrays} FROM ({sql}) AS t({names})", params,
                                  binary=True).fetchone()
            return [list(column or ()) for column in row]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def fetch_inputs(year: int, methodology: engine.Methodology
                 ) -> tuple[engine.RatingInput, np.ndarray]:
    """The year's rating inputs from the latest published disclosure of every enterprise and
    the year's government records (three bulk queries), and the enterprises' primary keys."""
    disclosure = Disclosure._meta.db_table
    datapoint = Datapoint._meta.db_table
    latest, latest_params = (Disclosure.objects.latest_published(year=year).order_by()
                             .values("pk").query.sql_with_params())
    d_id, ent, uscc, industry = _columns(
        f"SELECT d.id, d.enterprise_id, e.uscc, e.industry_code FROM {disclosure} d "
        f"JOIN {Enterprise._meta.db_table} e ON e.id = d.enterprise_id "
        f"WHERE d.id IN ({latest})",
        list(latest_params), 4)
    ent_all = np.array(ent, np.int64)
    newest = np.argsort(np.array(uscc, dtype=str), kind="stable") if ent_all.size \
        else np.zeros(0, np.int64)
    picked = newest.tolist()
    n, codes = len(picked), methodology.codes
    k = len(codes)
    enterprise_ids = ent_all[newest]
    disclosure_ids = np.array(d_id, np.int64)[newest] if n else np.zeros(0, np.int64)
    usccs = tuple(uscc[i] for i in picked)
    industries = tuple(industry[i] for i in picked)
    values = np.full((n, k), np.nan)
    status = np.zeros((n, k), np.int8)

    choice_codes = [i.code for i in methodology.indicators if i.data_type == "choice"] or [""]
    dids, code_list, states, numbers, booleans, choices = _columns(
        f"SELECT p.disclosure_id, p.indicator_code, p.status, p.value_number, "
        f"CASE WHEN p.value_bool THEN CAST(1 AS DOUBLE PRECISION) "
        f"WHEN NOT p.value_bool THEN CAST(0 AS DOUBLE PRECISION) END, "
        f"CASE WHEN p.indicator_code IN ({', '.join(['%s'] * len(choice_codes))}) "
        f"THEN p.value_choice END "
        f"FROM {datapoint} p JOIN {disclosure} d ON d.id = p.disclosure_id "
        f"WHERE d.year = %s AND d.state = %s AND p.indicator_code IN ({', '.join(['%s'] * k)})",
        [*choice_codes, year, State.PUBLISHED, *codes], 6)
    m = len(dids)
    if m and n:
        column_of = {code: j for j, code in enumerate(codes)}
        columns = np.fromiter(map(column_of.__getitem__, code_list), np.int64, count=m)
        dids = np.array(dids, np.int64)
        na = np.fromiter((s == "not_applicable" for s in states), bool, count=m)
        kind = _kinds(methodology)[columns]
        cell = np.where(kind == 1, np.array(booleans, dtype=float),
                        np.array(numbers, dtype=float))
        choice_rows = np.flatnonzero(kind == 2)
        if choice_rows.size:
            positions = {i.code: {key: float(p) for p, key in enumerate(i.choices)}
                         for i in methodology.indicators if i.data_type == "choice"}
            cell[choice_rows] = [positions[code_list[r]].get(choices[r] or "", math.nan)
                                 for r in choice_rows.tolist()]
        by_id = np.argsort(disclosure_ids, kind="stable")
        sorted_ids = disclosure_ids[by_id]
        where = np.clip(np.searchsorted(sorted_ids, dids), 0, n - 1)
        latest_row = sorted_ids[where] == dids
        row = by_id[where]
        keep_na = latest_row & na
        status[row[keep_na], columns[keep_na]] = engine.NOT_APPLICABLE
        keep = latest_row & ~na & np.isfinite(cell)
        values[row[keep], columns[keep]] = cell[keep]
        status[row[keep], columns[keep]] = engine.REPORTED

    groups_of = {code: engine.materiality_group(code, methodology) for code in set(industries)}
    group_keys = tuple(sorted(set(groups_of.values())))
    position = {key: g for g, key in enumerate(group_keys)}
    group_index = np.array([position[groups_of[code]] for code in industries], np.int64)
    records = _record_arrays(year, dict(zip(enterprise_ids.tolist(), range(n), strict=True)), n)
    inputs = engine.RatingInput(
        enterprises=usccs, year=int(year), group_keys=group_keys, group_index=group_index,
        codes=codes, values=values, status=status, industry_codes=industries, **records,
    )
    return inputs, enterprise_ids


def _record_arrays(year: int, row_of: dict[int, int], n: int, *,
                   only: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """The year's government records as the engine's record columns (rows by ``row_of``)."""
    out: dict[str, np.ndarray] = {name: np.zeros(n) for name in engine.NUMERIC_RECORDS}
    out["tax_credit"] = np.full(n, -1, np.int8)
    out["env_credit"] = np.full(n, -1, np.int8)
    out["certifications"] = np.zeros((n, len(engine.CERTIFICATION_RECORDS)), bool)
    records = GovernmentRecord.objects.filter(year=year)
    if only is not None:
        records = records.filter(enterprise_id__in=only)
    for ent, kind, count, amount, key in records.order_by("id").values_list(
        "enterprise_id", "kind", "count", "amount", "key"
    ):
        r = row_of.get(ent)
        if r is None:
            continue
        if kind == RecordKind.ENVIRONMENTAL_PENALTY:
            out["env_penalty_count"][r] += count
            out["env_penalty_amount"][r] += amount or 0.0
        elif kind == RecordKind.SAFETY_ACCIDENT:
            out["fatal_accidents" if key == "fatal" else "serious_accidents"][r] += count
        elif kind == RecordKind.TAX_CREDIT_GRADE:
            out["tax_credit"][r] = engine.TAX_CREDIT_GRADES.index(key)
        elif kind == RecordKind.ENVIRONMENTAL_CREDIT_COLOUR:
            out["env_credit"][r] = engine.ENV_CREDIT_COLOURS.index(key)
        elif kind == RecordKind.CERTIFICATION:
            out["certifications"][r, CERTIFICATIONS.index(key)] = True
    return out


def records_of(enterprise: Enterprise, year: int) -> dict[str, Any]:
    """An enterprise's government records of a year as the engine's record fields."""
    arrays = _record_arrays(year, {enterprise.pk: 0}, 1, only=[enterprise.pk])
    return _record_dicts(arrays, 1)[0]


# --------------------------------------------------------------------------------------------
# The canonical input row of one enterprise, and the inputs rebuilt from such rows


_string = json.encoder.encode_basestring  # JSON string literal (non-ASCII kept as is)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def input_rows(inputs: engine.RatingInput) -> list[str]:
    """Each enterprise's inputs as canonical JSON (sorted keys, no spaces): its group, industry,
    reported values (booleans 1/0, choices by position), not-applicable codes and records.

    The text is built directly (it equals ``json.dumps(row, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)``) because a city has hundreds of thousands of
    rows; float ``repr`` is the shortest text that reads back to the same float."""
    n = len(inputs)
    order = np.argsort(np.asarray(inputs.codes, dtype=str), kind="stable")
    codes = [inputs.codes[j] for j in order.tolist()]
    status = inputs.status[:, order]
    values = inputs.values[:, order]
    reported = (status == engine.REPORTED) & np.isfinite(values)
    rows_r, cols_r = np.nonzero(reported)
    cuts_r = np.searchsorted(rows_r, np.arange(n + 1)).tolist()
    keys = [_string(c) + ":" for c in codes]
    fragments = [keys[c] + repr(v) for c, v in
                 zip(cols_r.tolist(), values[rows_r, cols_r].tolist(), strict=True)]
    rows_na, cols_na = np.nonzero(status == engine.NOT_APPLICABLE)
    cuts_na = np.searchsorted(rows_na, np.arange(n + 1)).tolist()
    quoted = [_string(c) for c in codes]
    names_na = [quoted[c] for c in cols_na.tolist()]
    groups = inputs.groups
    records = _records_of(inputs)
    out = []
    for e in range(n):
        out.append(
            '{"enterprise":' + _string(inputs.enterprises[e])
            + ',"green_category":' + _string(inputs.green_category[e])
            + ',"group":' + _string(groups[e])
            + ',"industry":' + _string(inputs.industry_codes[e])
            + ',"not_applicable":[' + ",".join(names_na[cuts_na[e]:cuts_na[e + 1]])
            + '],"records":' + (_canonical(records[e]) if records[e] else "{}")
            + ',"values":{' + ",".join(fragments[cuts_r[e]:cuts_r[e + 1]]) + "}}"
        )
    return out


def _records_of(inputs: engine.RatingInput) -> list[dict[str, Any]]:
    """Each enterprise's non-default government-record fields (engine field names)."""
    return _record_dicts({name: getattr(inputs, name) for name in RECORD_ARRAYS}, len(inputs))


def _record_dicts(arrays: dict[str, np.ndarray], n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in range(n)]
    for name in engine.NUMERIC_RECORDS:
        column = arrays[name]
        for e in np.flatnonzero(column).tolist():
            out[e][name] = float(column[e])
    for name, scale in (("tax_credit", engine.TAX_CREDIT_GRADES),
                        ("env_credit", engine.ENV_CREDIT_COLOURS)):
        column = arrays[name]
        for e in np.flatnonzero(column >= 0).tolist():
            out[e][name] = scale[int(column[e])]
    rows, cols = np.nonzero(arrays["certifications"])
    for e, c in zip(rows.tolist(), cols.tolist(), strict=True):
        out[e][engine.CERTIFICATION_RECORDS[c]] = True
    return out


def inputs_from_rows(rows: Iterable[dict[str, Any]], year: int,
                     methodology: engine.Methodology) -> engine.RatingInput:
    """The run's :class:`RatingInput` rebuilt from stored input rows (enterprises sorted)."""
    rows = sorted(rows, key=lambda r: r["enterprise"])
    n, codes = len(rows), methodology.codes
    column_of = {code: j for j, code in enumerate(codes)}
    values = np.full((n, len(codes)), np.nan)
    status = np.zeros((n, len(codes)), np.int8)
    for e, row in enumerate(rows):
        for code, value in row["values"].items():
            values[e, column_of[code]] = value
            status[e, column_of[code]] = engine.REPORTED
        for code in row["not_applicable"]:
            status[e, column_of[code]] = engine.NOT_APPLICABLE
    group_keys = tuple(sorted({r["group"] for r in rows}))
    position = {key: g for g, key in enumerate(group_keys)}
    arrays: dict[str, np.ndarray] = {name: np.zeros(n) for name in engine.NUMERIC_RECORDS}
    arrays["tax_credit"] = np.full(n, -1, np.int8)
    arrays["env_credit"] = np.full(n, -1, np.int8)
    arrays["certifications"] = np.zeros((n, len(engine.CERTIFICATION_RECORDS)), bool)
    for e, row in enumerate(rows):
        for name, value in row["records"].items():
            if name in engine.NUMERIC_RECORDS:
                arrays[name][e] = value
            elif name == "tax_credit":
                arrays[name][e] = engine.TAX_CREDIT_GRADES.index(value)
            elif name == "env_credit":
                arrays[name][e] = engine.ENV_CREDIT_COLOURS.index(value)
            else:
                arrays["certifications"][e, engine.CERTIFICATION_RECORDS.index(name)] = bool(value)
    return engine.RatingInput(
        enterprises=tuple(r["enterprise"] for r in rows), year=int(year), group_keys=group_keys,
        group_index=np.array([position[r["group"]] for r in rows], np.int64), codes=codes,
        values=values, status=status, industry_codes=tuple(r["industry"] for r in rows),
        green_category=tuple(r["green_category"] for r in rows), **arrays,
    )


def stored_inputs(run: RatingRun, methodology: engine.Methodology | None = None
                  ) -> engine.RatingInput:
    """A finished run's inputs rebuilt from its stored input rows, checked against its hash."""
    methodology = methodology or engine.load_methodology(run.methodology_version)
    query = Rating.objects.filter(run_id=run.pk).order_by().values_list("input_row", flat=True)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        texts = [t for (t,) in cursor.fetchall()]
    inputs = inputs_from_rows(json.loads("[" + ",".join(texts) + "]"), run.year, methodology)
    if texts and inputs.hash() != run.inputs_hash:
        raise StateConflict(gettext_noop(
            "The stored inputs of rating run %(run)s do not match its hash."), run=run.pk)
    return inputs


# --------------------------------------------------------------------------------------------
# Persist


RATING_COLUMNS = (
    "run_id", "enterprise_id", "year", "score", "grade", "total", "deductions",
    "deduction_points_json", "pillar_e", "pillar_s", "pillar_g", "peer_group", "peer_level",
    "peer_rank", "peer_size", "inputs_hash", "methodology_version", "input_row",
)
GREEN_COLUMNS = (
    "run_id", "enterprise_id", "year", "score", "label", "label_capped", "total", "deductions",
    "components_json", "green_category", "green_category_basis", "methodology_version",
    "inputs_hash",
)


def _write(model, columns: Sequence[str], rows: list[tuple],
           progress: Callable[[int], None] | None = None, chunk: int = 20_000) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany elsewhere (the caller's transaction)."""
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in part:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", part)
            if progress:
                progress(len(part))


def _group_positions(scores: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each enterprise's rank in its group by score (1 = best, ties share) and the group size."""
    rank = np.zeros(scores.size, np.int64)
    size = np.zeros(scores.size, np.int64)
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        ordered = np.sort(scores[members])
        rank[members] = members.size - np.searchsorted(ordered, scores[members], "right") + 1
        size[members] = members.size
    return rank, size


def _rating_rows(run: RatingRun, inputs: engine.RatingInput, result: engine.RatingResult,
                 enterprise_ids: np.ndarray, rows_json: list[str]) -> list[tuple]:
    n = len(inputs)
    rank, size = _group_positions(result.score, inputs.group_index)
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
        result.total.tolist(), result.deductions.tolist(), deduction_json,
        pillars.get("E", [None] * n), pillars.get("S", [None] * n), pillars.get("G", [None] * n),
        list(result.groups), level.tolist(), rank.tolist(), size.tolist(),
        [result.inputs_hash] * n, [result.methodology_version] * n, rows_json, strict=True,
    ))


def _green_rows(run: RatingRun, green: engine.GreenScoreResult, enterprise_ids: np.ndarray
                ) -> list[tuple]:
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


def _counts(keys: Sequence[str], chosen: Sequence[str]) -> dict[str, int]:
    found = dict(zip(*np.unique(np.asarray(chosen, dtype=object), return_counts=True),
                     strict=True)) if len(chosen) else {}
    return {key: int(found.get(key, 0)) for key in keys}


# --------------------------------------------------------------------------------------------
# Running


def _set_progress(run_id: int, percent: int, progress: Progress | None) -> None:
    RatingRun.objects.filter(pk=run_id).update(progress=percent)
    if progress:
        progress(percent, 100)


def run_rating(run_id: int, *, progress: Progress | None = None) -> dict[str, Any]:
    """Rate every enterprise with a published disclosure for the run's year and store the
    results in one transaction; the run's progress is updated as it goes. Returns the summary
    (with the timings of the read, compute and write steps)."""
    claimed = RatingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=1)
    run = RatingRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    if not claimed:
        return run_summary(run)
    try:
        summary = _run(run, progress)
    except BaseException as exc:
        RatingRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return summary


def _run(run: RatingRun, progress: Progress | None) -> dict[str, Any]:
    methodology = engine.load_methodology(run.methodology_version)
    green_methodology = engine.load_green_methodology(run.green_methodology_version)
    started = time.perf_counter()
    _set_progress(run.pk, 5, progress)
    inputs, enterprise_ids = fetch_inputs(run.year, methodology)
    read_s = time.perf_counter() - started
    _set_progress(run.pk, 35, progress)
    n = len(inputs)
    compute_s = 0.0
    if n:
        t0 = time.perf_counter()
        result = engine.rate(inputs, methodology)
        green = engine.green_score(inputs, green_methodology)
        compute_s = time.perf_counter() - t0
        _set_progress(run.pk, 50, progress)
        t1 = time.perf_counter()
        rows_json = input_rows(inputs)
        ratings = _rating_rows(run, inputs, result, enterprise_ids, rows_json)
        greens = _green_rows(run, green, enterprise_ids)
        prepare_s = time.perf_counter() - t1
        grade_counts = _counts(result.grades, result.grade.tolist())
        label_counts = _counts(green.labels, green.label.tolist())
        inputs_hash = result.inputs_hash
    else:
        ratings, greens, prepare_s = [], [], 0.0
        grade_counts = {b.key: 0 for b in methodology.bands}
        label_counts = {b.key: 0 for b in green_methodology.labels}
        inputs_hash = ""
    _set_progress(run.pk, 60, progress)
    t2 = time.perf_counter()
    written = [0]
    total_rows = max(len(ratings) + len(greens), 1)

    def advance(count: int) -> None:
        written[0] += count
        if progress:
            progress(60 + int(39 * written[0] / total_rows), 100)

    with transaction.atomic():
        _write(Rating, RATING_COLUMNS, ratings, advance)
        _write(GreenScore, GREEN_COLUMNS, greens, advance)
        RatingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, finished_at=timezone.now(), rated=n,
            grade_counts=grade_counts, label_counts=label_counts, inputs_hash=inputs_hash,
            error="",
        )
        record(run.started_by, "rating.run", run, year=run.year, rated=n,
               grades=grade_counts, labels=label_counts, inputs_hash=inputs_hash,
               methodology=methodology.version, green_methodology=green_methodology.version)
    write_s = time.perf_counter() - t2
    if progress:
        progress(100, 100)
    run.refresh_from_db()
    summary = run_summary(run)
    summary["timings"] = {
        "read_s": round(read_s, 3), "compute_s": round(compute_s, 3),
        "prepare_s": round(prepare_s, 3), "write_s": round(write_s, 3),
        "total_s": round(time.perf_counter() - started, 3),
    }
    _invalidate(run.pk)
    return summary


def grades_at_or_above(threshold: str, methodology: engine.Methodology | None = None
                       ) -> tuple[str, ...]:
    """The grades at ``threshold`` or better (refused when the grade is unknown)."""
    methodology = methodology or engine.load_methodology()
    keys = [b.key for b in methodology.bands]
    wanted = str(threshold or "").strip().upper()
    if wanted not in keys:
        raise CatalogueError(gettext_noop("Unknown grade “%(grade)s”; use one of %(grades)s."),
                             grade=threshold, grades=", ".join(keys), field="threshold")
    return tuple(keys[: keys.index(wanted) + 1])


def count_at_or_above(run: RatingRun, threshold: str = "A") -> int:
    """How many enterprises the run rated at ``threshold`` or better (counted in the stored
    ratings)."""
    top = grades_at_or_above(threshold, engine.load_methodology(run.methodology_version))
    return Rating.objects.filter(run=run, grade__in=top).count()


def run_summary(run: RatingRun, threshold: str = "A") -> dict[str, Any]:
    """A run as plain data: its status, counts per grade and the count at or above a grade."""
    methodology = engine.load_methodology(run.methodology_version)
    top = grades_at_or_above(threshold, methodology)
    counts = run.grade_counts or {}
    return {
        "run": run.pk, "year": run.year, "status": run.status, "progress": run.progress,
        "rated": run.rated, "grade_distribution": counts, "threshold": top[-1],
        "at_or_above_threshold": count_at_or_above(run, top[-1]),
        "label_distribution": run.label_counts or {},
        "methodology_version": run.methodology_version,
        "green_methodology_version": run.green_methodology_version,
        "inputs_hash": run.inputs_hash,
        "started_at": run.started_at, "finished_at": run.finished_at, "error": run.error,
    }


# --------------------------------------------------------------------------------------------
# Reading results


def latest_run(year: int | None = None) -> RatingRun | None:
    """The newest finished run (of ``year`` when given)."""
    runs = RatingRun.objects.filter(status=RunStatus.DONE)
    if year:
        runs = runs.filter(year=year)
    return runs.order_by("-year", "-finished_at", "-id").first()


def latest_rating(enterprise: Enterprise) -> Rating | None:
    """The enterprise's newest rating: the latest year, then the latest run."""
    return (Rating.objects.filter(enterprise=enterprise).select_related("run")
            .order_by("-year", "-run__finished_at", "-run_id").first())


def history(enterprise: Enterprise) -> list[Rating]:
    """Every rating of the enterprise across runs, newest first."""
    return list(Rating.objects.filter(enterprise=enterprise).select_related("run")
                .order_by("-year", "-run__finished_at", "-run_id"))


def can_see_explanation(user, enterprise: Enterprise) -> bool:
    """Whether the user may read the detailed explanation and green score: the enterprise's
    members, government users and platform administrators, and grantees of the scores scope."""
    if not is_authenticated(user):
        return False
    if user.role in (Role.GOVERNMENT, Role.PLATFORM_ADMIN):
        return True
    if Membership.objects.filter(user=user, enterprise=enterprise).exists():
        return True
    return Grant.objects.for_grantee(user, "scores").filter(enterprise=enterprise).exists()


@dataclass(frozen=True)
class Population:
    """A finished run's inputs and results, rebuilt from what is stored."""

    run_id: int
    inputs: engine.RatingInput
    result: engine.RatingResult
    green: engine.GreenScoreResult
    methodology: engine.Methodology


_CACHE: OrderedDict[tuple[int, str], Population] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def _invalidate(run_id: int) -> None:
    with _CACHE_LOCK:
        for key in [key for key in _CACHE if key[0] == run_id]:
            del _CACHE[key]


def population(run: RatingRun) -> Population:
    """The run's rebuilt population (kept for the last runs read, by run and inputs hash; a
    finished run never changes)."""
    key = (run.pk, run.inputs_hash)
    with _CACHE_LOCK:
        held = _CACHE.get(key)
        if held is not None:
            _CACHE.move_to_end(key)
            return held
    methodology = engine.load_methodology(run.methodology_version)
    inputs = stored_inputs(run, methodology)
    built = Population(
        run_id=run.pk, inputs=inputs, result=engine.rate(inputs, methodology),
        green=engine.green_score(inputs, engine.load_green_methodology(
            run.green_methodology_version)),
        methodology=methodology,
    )
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def explanation(rating: Rating) -> engine.Explanation:
    """Why the enterprise has its rating: contributions, deductions, peers, improvements."""
    pop = population(rating.run)
    return engine.explain(pop.result, pop.inputs, pop.methodology, rating.enterprise.uscc)


def reproduce_rating(rating: Rating) -> dict[str, Any]:
    """Recompute a stored rating from its run's stored input rows and its methodology version
    (re-read from the file); ``equal`` says whether every stored figure came out the same."""
    run = rating.run
    methodology = engine.load_methodology(rating.methodology_version)
    inputs = stored_inputs(run, methodology)
    result = engine.reproduce(inputs, methodology, expected_hash=rating.inputs_hash)
    uscc = rating.enterprise.uscc
    row = json.loads(rating.input_row)
    own = input_rows(inputs.take([inputs.index(uscc)]))[0]
    fresh = result.row(uscc)
    rank, size = _group_positions(result.score, inputs.group_index)
    e = result.index(uscc)
    stored = {
        "score": rating.score, "grade": rating.grade, "total": rating.total,
        "deductions": rating.deductions, "pillars": rating.pillars,
        "group": rating.peer_group, "rank": rating.peer_rank, "size": rating.peer_size,
        "deduction_points": rating.deduction_points, "inputs_hash": rating.inputs_hash,
    }
    recomputed = {
        "score": fresh["score"], "grade": fresh["grade"], "total": fresh["total"],
        "deductions": fresh["deductions"], "pillars": fresh["pillars"], "group": fresh["group"],
        "rank": int(rank[e]), "size": int(size[e]),
        "deduction_points": dict(zip(result.deduction_keys,
                                     result.deduction_points[e].tolist(), strict=True)),
        "inputs_hash": result.inputs_hash,
    }
    differences = [key for key in stored if stored[key] != recomputed[key]]
    if json.loads(own) != row:
        differences.append("input_row")
    return {"equal": not differences, "differences": differences, "stored": stored,
            "recomputed": recomputed, "methodology_version": methodology.version}


def distribution(run: RatingRun, by: str, lang: str = "zh-hans") -> list[dict[str, Any]]:
    """Enterprises per grade in a run, by lead industry (``industry``) or ``district``."""
    if by not in ("industry", "district"):
        raise CatalogueError(gettext_noop("Group by “industry” or “district”."), field="by")
    profile = load_city_profile()
    en = lang.startswith("en")
    column = "enterprise__industry_code" if by == "industry" else "enterprise__division_code"
    grades = [b.key for b in engine.load_methodology(run.methodology_version).bands]
    buckets: dict[str, dict[str, Any]] = {}
    for code, grade, count in (Rating.objects.filter(run=run).order_by().values_list(column, "grade")
                               .annotate(n=Count("id"))):
        if by == "industry":
            try:
                lead = profile.lead_industry_of(code)
            except KeyError:
                lead = None
            key = lead.key if lead else "other"
            name = (lead.name_en if en else lead.name_zh) if lead else ("Other" if en else "其他")
        else:
            try:
                district = profile.district(code)
                key, name = district.code, district.name_en if en else district.name_zh
            except (KeyError, Exception):
                key, name = code, code
        bucket = buckets.setdefault(key, {"key": key, "name": name,
                                          "counts": dict.fromkeys(grades, 0), "total": 0})
        bucket["counts"][grade] = bucket["counts"].get(grade, 0) + count
        bucket["total"] += count
    return sorted(buckets.values(), key=lambda b: (-b["total"], b["key"]))


# --------------------------------------------------------------------------------------------
# Self-diagnosis


QUESTIONNAIRE: tuple[str, ...] = (
    "G-GEN-01", "S-EMP-01", "E-GHG-01", "E-ENG-01", "S-OHS-01", "S-EMP-05-COV", "S-EMP-03",
    "S-TRN-02", "G-GOV-06", "G-ABC-04", "G-ABC-03", "G-ABC-02",
)
# Intensities the questionnaire derives from the amounts and the revenue (G-GEN-01, 万元).
DERIVED: dict[str, str] = {"E-GHG-05": "E-GHG-01", "E-ENG-02": "E-ENG-01"}


def questionnaire() -> list:
    """The short questionnaire: basic-tier catalogue indicators the rating scores or needs."""
    catalogue = load_catalogue()
    return [catalogue.get(code) for code in QUESTIONNAIRE]


def derive_intensities(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Add the emission and energy intensities per 万元 of revenue when the amounts are given."""
    revenue = answers.get("G-GEN-01")
    out = dict(answers)
    if revenue is None or not revenue.number:
        return out
    for code, amount in DERIVED.items():
        given = answers.get(amount)
        if code not in out and given is not None and given.number is not None:
            out[code] = Answer(code=code, number=given.number / revenue.number)
    return out


def answers_from_disclosure(disclosure: Disclosure) -> dict[str, Answer]:
    """A disclosure's datapoints as the engine's answers."""
    out = {}
    for p in disclosure.datapoints.all():
        if p.status == "not_applicable":
            out[p.indicator_code] = Answer.not_applicable(p.indicator_code, p.na_explanation)
        else:
            out[p.indicator_code] = Answer(
                code=p.indicator_code, number=p.value_number, boolean=p.value_bool,
                choice=p.value_choice, text=p.value_text)
    return out


def diagnosis_disclosure(enterprise: Enterprise) -> Disclosure | None:
    """The disclosure a self-diagnosis starts from: the newest version of the latest year."""
    return (Disclosure.objects.filter(enterprise=enterprise)
            .order_by("-year", "-version").first())


def self_diagnosis(enterprise: Enterprise, answers: dict[str, Answer], *, year: int,
                   tier: str = "basic", actor) -> engine.Diagnosis:
    """An enterprise's estimated score and grade from its own answers, ranked against the year's
    rated population when there is one (the enterprise itself left out), with its government
    records, disclosure gaps and an improvement plan (for its managers)."""
    require_manager(actor, enterprise)
    methodology = engine.load_methodology()
    run = latest_run(year)
    peers = None
    if run is not None and run.rated and run.methodology_version == methodology.version:
        pop = population(run)
        keep = [e for e, uscc in enumerate(pop.inputs.enterprises) if uscc != enterprise.uscc]
        if keep:
            peers = pop.inputs.take(keep)
    records = records_of(enterprise, year)
    return engine.self_diagnose(answers, enterprise.industry_code, methodology, peers=peers,
                                tier=tier, records=records or None)
