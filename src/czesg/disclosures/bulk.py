"""Importing many enterprises' values at once from a checked long-format file.

The engine (`czesg.engine.disclosure.bulk`) checks every row; this module resolves enterprises and their
open drafts, refuses whole enterprises that cannot be written (unknown, or a version already
submitted or published), and writes the rest in batches: the datapoints through PostgreSQL's
COPY or SQLite's executemany, one audit entry per disclosure, each batch in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_role
from czesg.audit.recording import record_many
from czesg.disclosures.derivations import derive_for_import, formula_codes
from czesg.disclosures.models import (
    Assurance,
    Datapoint,
    DatapointStatus,
    Disclosure,
    EnterpriseYear,
    Method,
    State,
    Tier,
)
from czesg.disclosures.signals import disclosures_published
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.bulk import BulkCheck
from czesg.engine.kernel.errors import StateConflict, gettext_noop
from czesg.engine.kernel.problems import (
    Problem,
    refused_row_count,
    row_problem,
    row_problems_data,
)
from czesg.enterprises.models import Enterprise
from czesg.storage.bulk import analyze, create_objects, insert_frame

# An import of this many values or more renews the planner's statistics of the tables it wrote
# (PostgreSQL's advice after bulk loading; see czesg.storage.bulk.analyze): the rating or the
# dashboard that reads them next is otherwise planned as if they were empty.
ANALYZE_FROM = 10_000


@dataclass
class ImportSummary:
    """What an import did: counts, every refused row with its reason, and every refused
    enterprise with its reasons and the valid rows that were refused with it."""

    rows: int
    imported_values: int = 0
    enterprises: int = 0
    disclosures_created: int = 0
    disclosures_updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: Rows of the file per enterprise (normalised credit code), to count what was lost with it.
    enterprise_rows: dict[str, int] = field(default_factory=dict)

    @property
    def refused_rows(self) -> int:
        """Rows refused for a problem of their own."""
        return refused_row_count(self.problems)

    @property
    def refused_enterprises(self) -> list[dict]:
        """Each refused enterprise (by credit code): its distinct reasons in file order, the rows
        refused for a problem of their own, and the valid rows refused with them."""
        reasons: dict[str, list[str]] = {}
        bad_rows: dict[str, set[int | None]] = {}
        for problem in sorted(self.problems, key=lambda p: (p.row or 0, p.column)):
            texts = reasons.setdefault(problem.uscc, [])
            if problem.text() not in texts:
                texts.append(problem.text())
            bad_rows.setdefault(problem.uscc, set()).add(problem.row)
        return [
            {"uscc": uscc, "reasons": reasons[uscc], "rows_with_problems": len(bad_rows[uscc]),
             "valid_rows_refused": max(
                 self.enterprise_rows.get(uscc, len(bad_rows[uscc])) - len(bad_rows[uscc]), 0)}
            for uscc in sorted(reasons)
        ]

    @property
    def valid_rows_refused(self) -> int:
        """Rows without a problem of their own, refused because their enterprise was."""
        return sum(e["valid_rows_refused"] for e in self.refused_enterprises)

    def as_dict(self) -> dict:
        """The summary as plain data, for the command line's JSON and the API."""
        refused = self.refused_enterprises
        return {
            "rows": self.rows, "imported_values": self.imported_values,
            "enterprises": self.enterprises, "disclosures_created": self.disclosures_created,
            "disclosures_updated": self.disclosures_updated, "refused_rows": self.refused_rows,
            "valid_rows_refused": sum(e["valid_rows_refused"] for e in refused),
            "refused_enterprises": refused,
            "problems": row_problems_data(self.problems),
        }


def summary_text(data: dict) -> str:
    """The English text of an import summary (``ImportSummary.as_dict``) for the command line."""
    lines = [
        f"rows read: {data['rows']}",
        f"values imported: {data['imported_values']} for {data['enterprises']} enterprises "
        f"({data['disclosures_created']} disclosures created, "
        f"{data['disclosures_updated']} updated)",
        f"rows refused: {data['refused_rows'] + data['valid_rows_refused']} "
        f"({data['refused_rows']} with a problem, {data['valid_rows_refused']} valid rows "
        "refused with their enterprise)",
        f"enterprises refused: {len(data['refused_enterprises'])}",
    ]
    for enterprise in data["refused_enterprises"]:
        lines.append(
            f"  {enterprise['uscc'] or '(no credit code)'}: "
            f"{enterprise['rows_with_problems']} rows with a problem, "
            f"{enterprise['valid_rows_refused']} valid rows refused with them"
        )
        lines += [f"    - {reason}" for reason in enterprise["reasons"]]
    if data["problems"]:
        lines.append("problems:")
    lines += [f"  row {p['row']} ({p['column']}): {p['message']}" for p in data["problems"]]
    return "\n".join(lines)


def import_checked(
    check: BulkCheck,
    *,
    actor,
    method: str = Method.IMPORTED,
    evidence: str = "",
    final_state: Callable[[str, int], str] | None = None,
    batch_enterprises: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Write a checked file's accepted values into drafts, atomically per enterprise.

    ``final_state`` (for synthetic data) may put a new disclosure straight into submitted or
    published state; an import of real data leaves drafts for the enterprise to review.
    """
    require_role(actor, Role.PLATFORM_ADMIN)
    summary = ImportSummary(rows=check.rows, problems=list(check.problems),
                            enterprise_rows=dict(check.enterprise_rows))
    accepted = check.accepted
    if accepted.height == 0:
        return summary
    catalogue = load_catalogue()
    usccs = accepted["uscc"].unique().to_list()
    enterprises = {
        uscc: (pk, listed)
        for uscc, pk, listed in Enterprise.objects.filter(uscc__in=usccs).values_list(
            "uscc", "pk", "listed"
        )
    }
    existing: dict[tuple[int, int], tuple[int, str, str]] = {}
    for pk, ent, year, state, tier in (
        Disclosure.objects.filter(enterprise_id__in=[v[0] for v in enterprises.values()])
        .order_by("version")
        .values_list("pk", "enterprise_id", "year", "state", "tier")
    ):
        existing[(ent, year)] = (pk, state, tier)  # the latest version wins

    refused: dict[str, tuple[str, dict]] = {}
    for uscc in usccs:
        if uscc not in enterprises:
            refused[uscc] = (gettext_noop("No enterprise with credit code %(uscc)s is registered."),
                             {"uscc": uscc})
    years_of = accepted.group_by("uscc").agg(pl.col("year").unique()).iter_rows()
    for uscc, years in years_of:
        if uscc in refused:
            continue
        ent = enterprises[uscc][0]
        for year in years:
            found = existing.get((ent, year))
            if found and found[1] != State.DRAFT:
                refused[uscc] = (
                    gettext_noop("The %(year)s disclosure of %(uscc)s is %(state)s; amend it first."),
                    {"year": year, "uscc": uscc, "state": found[1]},
                )
                break
    if refused:
        bad = accepted.filter(pl.col("uscc").is_in(list(refused)))
        for row, uscc in bad.select("row", "uscc").iter_rows():
            message, params = refused[uscc]
            summary.problems.append(row_problem(row, "uscc", uscc, message, params))
        summary.problems.sort(key=lambda p: (p.row, p.column))
        accepted = accepted.filter(~pl.col("uscc").is_in(list(refused)))

    ordered = sorted(accepted["uscc"].unique().to_list())
    publishing = 0  # enterprises the whole import publishes (synthetic data only)
    if final_state:
        for uscc, years in accepted.group_by("uscc").agg(pl.col("year").unique()).iter_rows():
            publishing += any((enterprises[uscc][0], y) not in existing
                              and final_state(uscc, y) == State.PUBLISHED for y in years)
    now = timezone.now()
    stamp = str(connection.ops.adapt_datetimefield_value(now))
    batch_of = {uscc: i // batch_enterprises for i, uscc in enumerate(ordered)}
    batches = accepted.with_columns(
        pl.col("uscc").replace_strict(batch_of, return_dtype=pl.Int64).alias("batch")
    ).partition_by("batch", as_dict=True, include_key=False)
    done = 0
    for number, start in enumerate(range(0, len(ordered), batch_enterprises)):
        chunk = ordered[start : start + batch_enterprises]
        with transaction.atomic():
            created, updated, rows, events = _write_batch(
                chunk, batches[(number,)], enterprises, existing, catalogue.version, actor,
                method, evidence, final_state, now, stamp, publishing,
            )
            record_many(actor, events)
        summary.disclosures_created += created
        summary.disclosures_updated += updated
        summary.imported_values += rows
        summary.enterprises += len(chunk)
        done += len(chunk)
        if progress:
            progress(done, len(ordered))
    if summary.imported_values >= ANALYZE_FROM:
        analyze(Disclosure._meta.db_table, Datapoint._meta.db_table, EnterpriseYear._meta.db_table)
    return summary


def _write_batch(chunk, part, enterprises, existing, catalogue_version, actor, method,
                 evidence, final_state, now, stamp, publishing):
    """Write one batch's values (``part``, the accepted rows of the enterprises ``chunk``) and
    the derived values they give, in the caller's transaction; return the counts and events."""
    targets: dict[tuple[int, int], int] = {}
    tiers: dict[int, str] = {}
    new: list[Disclosure] = []
    years_of = dict(part.group_by("uscc").agg(pl.col("year").unique().sort()).iter_rows())
    for uscc in chunk:
        ent, listed = enterprises[uscc]
        for year in years_of[uscc]:
            found = existing.get((ent, year))
            if found:
                targets[(ent, year)] = found[0]
                tiers[found[0]] = found[2]
                continue
            state = final_state(uscc, year) if final_state else State.DRAFT
            new.append(Disclosure(
                enterprise_id=ent, year=year, version=1, state=state,
                tier=Tier.STANDARD if listed else Tier.BASIC, catalogue_version=catalogue_version,
                created_by=actor,
                submitted_at=now if state != State.DRAFT else None,
                submitted_by=actor if state != State.DRAFT else None,
                published_at=now if state == State.PUBLISHED else None,
                published_by=actor if state == State.PUBLISHED else None,
            ))
    # Existing drafts are locked and re-checked, so a concurrent submission cannot slip past.
    existing_ids = list(targets.values())
    if existing_ids:
        still_draft = set(
            Disclosure.objects.select_for_update()
            .filter(pk__in=existing_ids, state=State.DRAFT)
            .values_list("pk", flat=True)
        )
        if len(still_draft) != len(existing_ids):
            raise StateConflict(gettext_noop("A disclosure changed state during the import; run it again."))
    create_objects(new)  # COPY on PostgreSQL, with the primary keys drawn first
    for d in new:
        targets[(d.enterprise_id, d.year)] = d.pk
        tiers[d.pk] = d.tier
    target_frame = pl.DataFrame(
        [(uscc, year, targets[(enterprises[uscc][0], year)])
         for uscc in chunk for year in years_of[uscc]],
        schema={"uscc": pl.Utf8, "year": pl.Int32, "disclosure_id": pl.Int64}, orient="row")
    part = part.join(target_frame, on=["uscc", "year"], how="left")

    replaced = part.filter(pl.col("disclosure_id").is_in(existing_ids)).select(
        "disclosure_id", "indicator")
    stored = []
    if existing_ids:
        file_codes = set(replaced.iter_rows())
        stored = [row for row in Datapoint.objects
                  .filter(disclosure_id__in=existing_ids, indicator_code__in=formula_codes())
                  .values_list("disclosure_id", "indicator_code", "status", "value_number",
                               "method", "derivation")
                  if (row[0], row[1]) not in file_codes]
    derived = derive_for_import(part, tiers, stored)
    _delete_points(list(replaced.iter_rows()) + derived.stale)
    insert_frame(Datapoint._meta.db_table, pl.concat([
        _imported_points(part, method, evidence, actor.pk, stamp),
        _derived_points(derived.values, actor.pk, stamp),
    ]))

    events = []
    for (uscc, year, disclosure_id, values) in (
        part.group_by("uscc", "year", "disclosure_id").len().sort("uscc", "year").iter_rows()
    ):
        # One entry per disclosure; the derived values it changed go into the same entry (the
        # form's "disclosure.derive" payload under "derived"), not a second entry each.
        payload = {"enterprise": uscc, "year": year, "values": values, "method": method,
                   "evidence": evidence, "created": disclosure_id not in existing_ids}
        if derived.changed.get(disclosure_id):
            payload["derived"] = derived.changed[disclosure_id]
        events.append(("disclosure.import", "disclosures.disclosure", str(disclosure_id), payload))
    published = {d.enterprise_id for d in new if d.state == State.PUBLISHED}
    if published:
        disclosures_published.send(Disclosure, enterprise_ids=published, import_size=publishing)
    return len(new), len(existing_ids), part.height, events


_POINTS = {
    "disclosure_id": pl.Int64, "indicator_code": pl.Utf8, "status": pl.Utf8,
    "value_number": pl.Float64, "value_text": pl.Utf8, "value_bool": pl.Boolean,
    "value_choice": pl.Utf8, "unit": pl.Utf8, "entered_value": pl.Utf8, "entered_unit": pl.Utf8,
    "na_explanation": pl.Utf8, "method": pl.Utf8, "evidence_ref": pl.Utf8,
    "entered_by_id": pl.Int64, "entered_at": pl.Utf8, "assurance": pl.Utf8, "derivation": pl.Utf8,
    "assurance_detail": pl.Utf8,
}


def _imported_points(part: pl.DataFrame, method: str, evidence: str, actor_id, stamp: str
                     ) -> pl.DataFrame:
    """The datapoint rows of the file's values, built column-wise (no Python object per row)."""
    return part.select(
        "disclosure_id", pl.col("indicator").alias("indicator_code"),
        pl.when(pl.col("na_explanation") != "").then(pl.lit(DatapointStatus.NOT_APPLICABLE))
        .otherwise(pl.lit(DatapointStatus.REPORTED)).alias("status"),
        pl.col("number").alias("value_number"), pl.col("text").alias("value_text"),
        pl.col("boolean").alias("value_bool"), pl.col("choice").alias("value_choice"), "unit",
        pl.col("entered_value").str.slice(0, 64), "entered_unit", "na_explanation",
        pl.lit(str(method)).alias("method"), pl.lit(evidence).alias("evidence_ref"),
        pl.lit(actor_id, dtype=pl.Int64).alias("entered_by_id"), pl.lit(stamp).alias("entered_at"),
        pl.lit(str(Assurance.NONE)).alias("assurance"),
        pl.when(pl.col("conversion") != "")
        .then(pl.concat_str(pl.lit('{"conversion": '), pl.col("conversion"), pl.lit("}")))
        .otherwise(pl.lit("{}")).alias("derivation"),
        pl.lit("{}").alias("assurance_detail"),
    ).cast(_POINTS)


def _derived_points(values: list[tuple[int, str, float, str]], actor_id, stamp: str
                    ) -> pl.DataFrame:
    """The datapoint rows of derived values, as :func:`derivations.recompute` writes them."""
    unit_of = {i.code: i.unit or "%" for i in load_catalogue().indicators if i.is_numeric}
    rows = [
        (disclosure_id, code, str(DatapointStatus.REPORTED), value, "", None, "", unit_of[code],
         f"{value:.12g}", unit_of[code], "", str(Method.CALCULATED), "", actor_id, stamp,
         str(Assurance.NONE), derivation, "{}")
        for disclosure_id, code, value, derivation in values
    ]
    return pl.DataFrame(rows, schema=_POINTS, orient="row")


def _delete_points(keys: list[tuple[int, str]]) -> None:
    """Delete the datapoints ``(disclosure_id, indicator_code)`` in one statement."""
    if not keys:
        return
    table = Datapoint._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {table} WHERE (disclosure_id, indicator_code) IN "
                "(SELECT * FROM unnest(%s::bigint[], %s::text[]))",
                [[k[0] for k in keys], [k[1] for k in keys]])
        else:
            cursor.executemany(
                f"DELETE FROM {table} WHERE disclosure_id = %s AND indicator_code = %s", keys)
