"""Reading a government register's file into the government records, with its provenance.

The adapter reads each row's own fields (:mod:`czesg.records.adapters.government`); this module
checks the credit codes (valid check character, registered) and rows given twice, compares each
record with what is held under the same identity (an enterprise-year's colour or grade, a
penalty's decision number) and writes in one transaction: new records added, different ones
corrected in place (changed), equal ones left alone (unchanged), so that reading the same file
again changes nothing. Every import leaves a :class:`RecordImport` and one audit entry
``records.import``; each record keeps its source, import and retrieval time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.kernel.problems import row_problem
from czesg.enterprises.models import Enterprise
from czesg.records.adapters.government import GovernmentAdapter
from czesg.records.importing import RecordImportSummary, check_source_kind, stored_problems
from czesg.records.models import GovernmentRecord, RecordImport, RecordKind, RecordSource

# The fields compared to tell a changed record from an unchanged one.
COMPARED = ("year", "count", "amount", "key", "source", "document", "decided_on", "legal_basis")


def _identity(enterprise_id: int, kind: str, fields: dict[str, Any]) -> tuple:
    if kind == RecordKind.ENVIRONMENTAL_PENALTY:
        return (enterprise_id, kind, fields["document"])
    return (enterprise_id, kind, fields["year"])


def _held(kind: str, enterprise_ids: set[int]) -> dict[tuple, GovernmentRecord]:
    held: dict[tuple, GovernmentRecord] = {}
    records = GovernmentRecord.objects.filter(kind=kind, enterprise_id__in=enterprise_ids)
    if kind == RecordKind.ENVIRONMENTAL_PENALTY:
        records = records.exclude(document="")
    for found in records:
        held[_identity(found.enterprise_id, kind, {
            "document": found.document, "year": found.year})] = found
    return held


def import_government_file(adapter: GovernmentAdapter, data: bytes, file_name: str, *,
                           source: RecordSource, actor) -> RecordImportSummary:
    """Read one register file into the government records (government users)."""
    require_government(actor)
    check_source_kind(adapter.source_kind, adapter.name, source)
    candidates, problems = adapter.candidates(data, file_name)
    codes: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    for candidate in candidates:
        if candidate.uscc not in codes:
            try:
                codes[candidate.uscc] = validate_uscc(candidate.uscc)
            except CzesgError as exc:
                codes[candidate.uscc], reasons[candidate.uscc] = None, exc.render()
    registered = dict(Enterprise.objects.filter(uscc__in={c for c in codes.values() if c})
                      .values_list("uscc", "pk"))
    held = _held(adapter.kind, set(registered.values()))
    now = timezone.now()
    first: dict[tuple, int] = {}
    added: list[GovernmentRecord] = []
    changed: list[tuple[GovernmentRecord, dict[str, Any]]] = []
    unchanged = 0
    for candidate in candidates:
        uscc = codes.get(candidate.uscc)

        def refuse(column: str, message: str, **params) -> None:
            problems.append(row_problem(candidate.row, column, uscc or candidate.uscc,  # noqa: B023
                                        message, params))

        if uscc is None:
            refuse("uscc", gettext_noop(
                "“%(uscc)s” is not a valid unified social credit code: %(reason)s"),
                uscc=candidate.uscc, reason=reasons[candidate.uscc])
            continue
        if uscc not in registered:
            refuse("uscc", gettext_noop("No enterprise with credit code %(uscc)s is registered."),
                   uscc=uscc)
            continue
        fields = {"count": 1, "amount": None, "key": "", "source": source.name_zh,
                  "document": "", "decided_on": None, "legal_basis": "", **candidate.fields}
        fields["source"] = fields["source"] or source.name_zh
        identity = _identity(registered[uscc], adapter.kind, fields)
        if identity in first:
            refuse("uscc", gettext_noop("This record already appears in row %(first)s."),
                   first=first[identity])
            continue
        first[identity] = candidate.row
        old = held.get(identity)
        if old is None:
            added.append(GovernmentRecord(
                enterprise_id=registered[uscc], kind=adapter.kind, imported_by=actor,
                imported_at=now, record_source=source, retrieved_at=now, **fields))
        elif any(getattr(old, name) != fields[name] for name in COMPARED):
            changed.append((old, fields))
        else:
            unchanged += 1
    problems.sort(key=lambda p: (p.row or 0, p.column))
    summary = RecordImportSummary(rows=len(candidates) + len({p.row for p in problems} - {
        c.row for c in candidates}), problems=problems, added=len(added), changed=len(changed),
        unchanged=unchanged)
    with transaction.atomic():
        log = RecordImport.objects.create(
            source=source, adapter=adapter.name, file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(), imported_by=actor, started_at=now,
            finished_at=timezone.now(), rows=summary.rows, added=summary.added,
            changed=summary.changed, unchanged=summary.unchanged,
            refused=summary.refused_rows, problems=stored_problems(problems))
        summary.import_id = log.pk
        for new in added:
            new.imported_in = log
        GovernmentRecord.objects.bulk_create(added, batch_size=2000)
        for old, fields in changed:
            GovernmentRecord.objects.filter(pk=old.pk).update(
                record_source=source, imported_in=log, retrieved_at=now, imported_by=actor,
                imported_at=now, **{name: fields[name] for name in COMPARED})
        record(actor, "records.import", log, source=source.code, adapter=adapter.name,
               file=file_name[:200], sha256=log.sha256, rows=summary.rows, added=summary.added,
               changed=summary.changed, unchanged=summary.unchanged,
               refused_rows=summary.refused_rows,
               changed_records=[old.pk for old, _ in changed][:1000])
    return summary
