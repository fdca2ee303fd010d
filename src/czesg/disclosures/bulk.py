"""Importing many enterprises' values at once from a checked long-format file.

The engine (`czesg.engine.disclosure.bulk`) checks every row; this module resolves enterprises and their
open drafts, refuses whole enterprises that cannot be written (unknown, or a version already
submitted or published), and writes the rest in batches: the datapoints through PostgreSQL's
COPY or SQLite's executemany, one audit entry per disclosure, each batch in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_role
from czesg.audit.recording import record_many
from czesg.disclosures.models import (
    Assurance,
    Datapoint,
    DatapointStatus,
    Disclosure,
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
from czesg.storage.bulk import insert_rows

DATAPOINT_COLUMNS = (
    "disclosure_id", "indicator_code", "status", "value_number", "value_text", "value_bool",
    "value_choice", "unit", "entered_value", "entered_unit", "na_explanation", "method",
    "evidence_ref", "entered_by_id", "entered_at", "assurance", "derivation", "assurance_detail",
)


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
    existing: dict[tuple[int, int], tuple[int, str]] = {}
    for pk, ent, year, state in (
        Disclosure.objects.filter(enterprise_id__in=[v[0] for v in enterprises.values()])
        .order_by("version")
        .values_list("pk", "enterprise_id", "year", "state")
    ):
        existing[(ent, year)] = (pk, state)  # the latest version wins

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
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    by_uscc = accepted.partition_by("uscc", as_dict=True, maintain_order=False)
    done = 0
    for start in range(0, len(ordered), batch_enterprises):
        chunk = ordered[start : start + batch_enterprises]
        with transaction.atomic():
            created, updated, rows, events = _write_batch(
                chunk, by_uscc, enterprises, existing, catalogue.version, actor, method, evidence,
                final_state, now, stamp,
            )
            record_many(actor, events)
        summary.disclosures_created += created
        summary.disclosures_updated += updated
        summary.imported_values += rows
        summary.enterprises += len(chunk)
        done += len(chunk)
        if progress:
            progress(done, len(ordered))
    return summary


def _write_batch(chunk, by_uscc, enterprises, existing, catalogue_version, actor, method,
                 evidence, final_state, now, stamp):
    targets: dict[tuple[int, int], int] = {}
    new: list[Disclosure] = []
    for uscc in chunk:
        ent, listed = enterprises[uscc]
        for year in by_uscc[(uscc,)]["year"].unique().to_list():
            found = existing.get((ent, year))
            if found:
                targets[(ent, year)] = found[0]
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
    Disclosure.objects.bulk_create(new, batch_size=1000)
    for d in new:
        targets[(d.enterprise_id, d.year)] = d.pk
    rows: list[tuple] = []
    events = []
    actor_id = actor.pk
    replaced: dict[int, list[str]] = defaultdict(list)
    for uscc in chunk:
        ent = enterprises[uscc][0]
        part = by_uscc[(uscc,)]
        for year, group in part.group_by("year"):
            disclosure_id = targets[(ent, year[0])]
            codes = group["indicator"].to_list()
            if disclosure_id in existing_ids:
                replaced[disclosure_id] = codes
            for code, number, text, boolean, choice, unit, entered_value, entered_unit, na in zip(
                codes, group["number"], group["text"], group["boolean"], group["choice"],
                group["unit"], group["entered_value"], group["entered_unit"],
                group["na_explanation"], strict=True,
            ):
                status = DatapointStatus.NOT_APPLICABLE if na else DatapointStatus.REPORTED
                rows.append((
                    disclosure_id, code, status, number, text, boolean, choice, unit,
                    entered_value[:64], entered_unit, na, method, evidence, actor_id, stamp, Assurance.NONE,
                    "{}", "{}",
                ))
            events.append((
                "disclosure.import", "disclosures.disclosure", str(disclosure_id),
                {"enterprise": uscc, "year": year[0], "values": len(codes), "method": method,
                 "evidence": evidence, "created": disclosure_id not in existing_ids},
            ))
    for disclosure_id, codes in replaced.items():
        Datapoint.objects.filter(disclosure_id=disclosure_id, indicator_code__in=codes).delete()
    insert_rows(Datapoint._meta.db_table, DATAPOINT_COLUMNS, rows)
    published = {d.enterprise_id for d in new if d.state == State.PUBLISHED}
    if published:
        disclosures_published.send(Disclosure, enterprise_ids=published)
    return len(new), len(existing_ids), len(rows), events
