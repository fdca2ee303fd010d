"""The inputs of a rating run: read from the latest published disclosures and the year's
government records into the engine's columnar :class:`~czesg.engine.rating.RatingInput` (a few
bulk column reads), and each enterprise's canonical input row, stored with its rating so that a run
can be rebuilt and reproduced."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import connection

from czesg.disclosures.models import Datapoint, DatapointStatus, Disclosure, State
from czesg.engine import rating as engine
from czesg.engine.catalogue.denominators import all_output_units
from czesg.engine.kernel.errors import StateConflict, gettext_noop
from czesg.enterprises.models import Enterprise
from czesg.ratings.models import Rating, RatingRun
from czesg.records.actions import CERTIFICATIONS
from czesg.records.known import recorded_values
from czesg.records.models import GovernmentRecord, RecordKind
from czesg.storage.bulk import parallel_reads, read_columns

RECORD_ARRAYS: tuple[str, ...] = (
    *engine.NUMERIC_RECORDS, "tax_credit", "env_credit", "certifications",
)


# --------------------------------------------------------------------------------------------
# Fetch


def _kinds(methodology: engine.Methodology) -> np.ndarray:
    return np.array([{"boolean": 1, "choice": 2}.get(i.data_type, 0)
                     for i in methodology.indicators], np.int8)


def fetch_inputs(year: int, methodology: engine.Methodology
                 ) -> tuple[engine.RatingInput, np.ndarray]:
    """The year's rating inputs from the latest published disclosure of every enterprise and
    the year's government records (three bulk queries), and the enterprises' primary keys."""
    disclosure = Disclosure._meta.db_table
    datapoint = Datapoint._meta.db_table
    latest, latest_params = (Disclosure.objects.latest_published(year=year).order_by()
                             .values("pk").query.sql_with_params())
    d_id, ent, uscc, industry, tier = read_columns(
        f"SELECT d.id, d.enterprise_id, e.uscc, e.industry_code, d.tier FROM {disclosure} d "
        f"JOIN {Enterprise._meta.db_table} e ON e.id = d.enterprise_id "
        f"WHERE d.id IN ({latest})",
        list(latest_params), 5)
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
    # Only a tier-aware methodology reads the tier (a 2025.1 run's inputs stay as they were).
    tiers = tuple(tier[i] for i in picked) if methodology.tier_aware else ()
    values = np.full((n, k), np.nan)
    status = np.zeros((n, k), np.int8)

    choice_codes = [i.code for i in methodology.indicators if i.data_type == "choice"] or [""]
    # An intensity reported per unit of physical output (per MW…) is not scored against
    # per-revenue bands: the rating reads it as not reported.
    per_output = sorted(all_output_units()) or [""]
    # Every published value of the year: a whole-table read, in parallel on PostgreSQL (the
    # rows are placed by disclosure and indicator below, so their order does not matter).
    with parallel_reads():
        dids, code_list, states, numbers, booleans, choices = read_columns(
            f"SELECT p.disclosure_id, p.indicator_code, p.status, p.value_number, "
            f"CASE WHEN p.value_bool THEN CAST(1 AS DOUBLE PRECISION) "
            f"WHEN NOT p.value_bool THEN CAST(0 AS DOUBLE PRECISION) END, "
            f"CASE WHEN p.indicator_code IN ({', '.join(['%s'] * len(choice_codes))}) "
            f"THEN p.value_choice END "
            f"FROM {datapoint} p JOIN {disclosure} d ON d.id = p.disclosure_id "
            f"WHERE d.year = %s AND d.state = %s AND p.indicator_code IN ({', '.join(['%s'] * k)}) "
            f"AND p.unit NOT IN ({', '.join(['%s'] * len(per_output))})",
            [*choice_codes, year, State.PUBLISHED, *codes, *per_output], 6)
    m = len(dids)
    if m and n:
        column_of = {code: j for j, code in enumerate(codes)}
        columns = np.fromiter(map(column_of.__getitem__, code_list), np.int64, count=m)
        dids = np.array(dids, np.int64)
        na = np.fromiter((s == DatapointStatus.NOT_APPLICABLE for s in states), bool, count=m)
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

    recorded = _fill_from_records(year, methodology, enterprise_ids, values, status, tiers)

    groups_of = {code: engine.materiality_group(code, methodology) for code in set(industries)}
    group_keys = tuple(sorted(set(groups_of.values())))
    position = {key: g for g, key in enumerate(group_keys)}
    group_index = np.array([position[groups_of[code]] for code in industries], np.int64)
    records = _record_arrays(year, dict(zip(enterprise_ids.tolist(), range(n), strict=True)), n)
    inputs = engine.RatingInput(
        enterprises=usccs, year=int(year), group_keys=group_keys, group_index=group_index,
        codes=codes, values=values, status=status, industry_codes=industries, tiers=tiers,
        recorded=recorded, **records,
    )
    return inputs, enterprise_ids


def _fill_from_records(year: int, methodology: engine.Methodology, enterprise_ids: np.ndarray,
                       values: np.ndarray, status: np.ndarray, tiers: Sequence[str] = (), *,
                       restricted: Iterable[int] = ()) -> np.ndarray:
    """Fill, in place, each numeric rated indicator of an enterprise's tier that its disclosure
    leaves missing from its preferred current public record of the year (restricted records
    only of the enterprises in ``restricted``), where the methodology says so; the filled
    cells."""
    filled = np.zeros(values.shape, bool)
    if not methodology.records_fill or not len(enterprise_ids):
        return filled
    numeric = [i.code for i in methodology.indicators if i.data_type not in ("boolean", "choice")]
    column_of = {code: j for j, code in enumerate(methodology.codes)}
    row_of = {int(pk): r for r, pk in enumerate(enterprise_ids.tolist())}
    found = recorded_values(row_of, years=[year], codes=numeric, restricted=restricted)
    tier_codes: dict[str, frozenset[str]] = {}
    for (enterprise_id, _, code), figure in sorted(found.items()):
        r, j = row_of[enterprise_id], column_of[code]
        if tiers and code not in tier_codes.setdefault(
                tiers[r], frozenset(methodology.tier_codes(tiers[r]))):
            continue
        if status[r, j] != engine.MISSING or figure.number is None \
                or not math.isfinite(figure.number):
            continue
        values[r, j] = figure.number
        status[r, j] = engine.REPORTED
        filled[r, j] = True
    return filled


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
    reported values (booleans 1/0, choices by position), not-applicable codes, only where there
    are any the codes whose value was filled from a third-party record, government records and,
    only where it is not the standard tier, its disclosure tier.

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
    rows_f, cols_f = np.nonzero(inputs.recorded_mask[:, order])
    cuts_f = np.searchsorted(rows_f, np.arange(n + 1)).tolist()
    names_f = [quoted[c] for c in cols_f.tolist()]
    out = []
    for e in range(n):
        out.append(
            '{"enterprise":' + _string(inputs.enterprises[e])
            + ',"green_category":' + _string(inputs.green_category[e])
            + ',"group":' + _string(groups[e])
            + ',"industry":' + _string(inputs.industry_codes[e])
            + ',"not_applicable":[' + ",".join(names_na[cuts_na[e]:cuts_na[e + 1]])
            + ("]" if cuts_f[e] == cuts_f[e + 1] else
               '],"recorded":[' + ",".join(names_f[cuts_f[e]:cuts_f[e + 1]]) + "]")
            + ',"records":' + (_canonical(records[e]) if records[e] else "{}")
            + (',"tier":' + _string(inputs.tiers[e]) if inputs.tiers[e] != engine.DEFAULT_TIER
               else "")
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
    recorded = np.zeros((n, len(codes)), bool)
    for e, row in enumerate(rows):
        for code, value in row["values"].items():
            values[e, column_of[code]] = value
            status[e, column_of[code]] = engine.REPORTED
        for code in row["not_applicable"]:
            status[e, column_of[code]] = engine.NOT_APPLICABLE
        for code in row.get("recorded", ()):
            recorded[e, column_of[code]] = True
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
        green_category=tuple(r["green_category"] for r in rows),
        tiers=tuple(r.get("tier", engine.DEFAULT_TIER) for r in rows), recorded=recorded,
        **arrays,
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
