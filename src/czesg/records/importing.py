"""Reading a source's file into the records: checked, compared with what is held, written at once.

An import is atomic per file (one transaction) and per enterprise within it (an enterprise with
any refused row is refused whole, see :mod:`czesg.engine.records.checking`). It is idempotent:
a figure equal to the current record of the same enterprise, year, indicator, source and subject
is left alone; a different figure becomes a new version that supersedes the old one. Records are
never updated otherwise, nor deleted. Every import leaves a :class:`RecordImport` with its counts
and refused rows, and one audit entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CatalogueError, gettext_noop
from czesg.engine.kernel.problems import Problem, refused_row_count, row_problems_data
from czesg.engine.records.checking import check_records
from czesg.enterprises.models import Enterprise
from czesg.records.adapters.base import Adapter
from czesg.records.models import AccountLink, Record, RecordImport, RecordSource
from czesg.records.signals import records_changed
from czesg.storage.bulk import insert_rows, read_columns

RECORD_COLUMNS = (
    "enterprise_id", "year", "indicator_code", "subject", "value_number", "value_text", "unit",
    "entered_value", "entered_unit", "source_id", "document", "page", "published_on",
    "retrieved_at", "licence", "method", "confidence", "visibility", "version", "supersedes_id",
    "reason", "current", "imported_in_id", "created_by_id", "created_at",
)
KEY = ["enterprise_id", "year", "indicator", "subject"]
# Two figures closer than this (relative) are the same figure printed twice.
SAME_FIGURE = 1e-9
# Figures turned into Python tuples and COPYed at a time.
WRITE_ROWS = 20_000


@dataclass
class RecordImportSummary:
    """What an import did: added, changed and unchanged figures, and every refused row."""

    rows: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused_enterprises: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    @property
    def refused_rows(self) -> int:
        return refused_row_count(self.problems)

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data for the CLI's JSON and the API."""
        return {
            "rows": self.rows, "added": self.added, "changed": self.changed,
            "unchanged": self.unchanged, "refused_rows": self.refused_rows,
            "refused_enterprises": [
                {"uscc": uscc, "valid_rows_refused_with_it": lost}
                for uscc, lost in sorted(self.refused_enterprises.items())
            ],
            "problems": row_problems_data(self.problems), "import": self.import_id,
        }


def stored_problems(problems: list[Problem]) -> list[dict[str, Any]]:
    """Refused rows as kept with an import (the first 1,000): row, column, credit code, the
    English message, and its template and parameters so that a page can translate it."""
    return [{**plain, "template": p.message, "params": {k: str(v) for k, v in p.params.items()}}
            for plain, p in zip(row_problems_data(problems[:1000]), problems[:1000], strict=True)]


def check_source_kind(adapter_kind: str, adapter_name: str, source: RecordSource) -> None:
    """Refuse an adapter that does not read this source's files: one of another kind of source
    (a utility's file read as a register), or one the source does not list
    (``adapters`` in ``data/records/sources.toml``)."""
    from czesg.engine.records.sources import load_sources

    spec = load_sources().get(source.code)
    listed = spec.adapters if spec is not None else ()
    if adapter_kind != source.kind or (listed and adapter_name not in listed):
        raise CatalogueError(gettext_noop(
            "The adapter %(adapter)s does not read files of source %(code)s; use %(known)s."),
            adapter=adapter_name, code=source.code,
            known=", ".join(listed) or source.kind, field="adapter")


def _registered(codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), 5000):
        found.update(Enterprise.objects.filter(uscc__in=codes[start:start + 5000])
                     .values_list("uscc", "pk"))
    return found


def _current_records(source: RecordSource, page: int = 50_000) -> pl.DataFrame:
    """The source's current records (key, id, figure, version) as one compact frame, fetched a
    page of rows at a time so that no more than a page is ever held as Python objects."""
    schema = {"old_id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int32,
              "indicator": pl.Utf8, "subject": pl.Utf8, "old_number": pl.Float64,
              "old_version": pl.Int64}
    frames = [pl.DataFrame(schema=schema)]
    after = 0
    while True:
        columns = read_columns(
            "SELECT id, enterprise_id, year, indicator_code, subject, value_number, version "
            "FROM records_record WHERE source_id = %s AND current AND id > %s "
            f"ORDER BY id LIMIT {int(page)}", [source.pk, after], 7)
        if not columns[0]:
            break
        frames.append(pl.DataFrame(dict(zip(schema, columns, strict=True)), schema=schema))
        after = max(columns[0])
        del columns
    return pl.concat(frames, how="vertical")


def _published_on(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _checked(adapter: Adapter, data: bytes, file_name: str, accounts: dict[str, str],
             registered: dict[str, int], years: range) -> tuple[pl.DataFrame, RecordImportSummary]:
    """Read and check the file a chunk at a time: the accepted figures of the enterprises with
    no refused row anywhere in the file, and the summary's counts of rows and refusals."""
    catalogue = load_catalogue()

    def known(codes: list[str]) -> set[str]:
        registered.update(_registered([c for c in codes if c not in registered]))
        return {c for c in codes if c in registered}

    parts: list[pl.DataFrame] = []
    problems: list[Problem] = []
    refused: dict[str, int] = {}
    first_rows: pl.DataFrame | None = None
    file_rows = 0
    for frame, own_problems, rows in adapter.chunks(data, file_name, accounts):
        check = check_records(frame, catalogue, years=years, known_uscc=known,
                              earlier=first_rows)
        first_rows = check.first_rows
        file_rows += rows
        problems += own_problems
        problems += check.problems
        for uscc, lost in check.refused_enterprises.items():
            refused[uscc] = refused.get(uscc, 0) + lost
        for problem in own_problems:
            if problem.uscc:
                refused.setdefault(problem.uscc, 0)
        parts.append(check.accepted)
    del first_rows
    accepted = pl.concat(parts, how="vertical")
    del parts
    # Rows accepted in one chunk of an enterprise refused in another (or by the adapter).
    for uscc, lost in accepted.filter(pl.col("uscc").is_in(list(refused))).group_by(
            "uscc").len().iter_rows():
        refused[uscc] += lost
    accepted = accepted.filter(~pl.col("uscc").is_in(list(refused)))
    problems.sort(key=lambda p: (p.row or 0, p.column))
    return accepted, RecordImportSummary(rows=file_rows, problems=problems,
                                         refused_enterprises=refused)


def import_record_file(
    adapter: Adapter, data: bytes, file_name: str, *, source: RecordSource, actor,
    progress: Callable[[int, int], None] | None = None,
) -> RecordImportSummary:
    """Read one file of ``source`` with ``adapter`` into the records (government users);
    ``progress`` is told (figures written, figures to write) as each chunk is written."""
    require_government(actor)
    check_source_kind(adapter.source_kind, adapter.name, source)
    tell = progress or (lambda done, total: None)
    accounts: dict[str, str] = {}
    if adapter.keyed_by_account:
        accounts = dict(AccountLink.objects.filter(source=source)
                        .values_list("account", "enterprise__uscc"))
    registered: dict[str, int] = {}
    now = timezone.now()
    accepted, summary = _checked(adapter, data, file_name, accounts, registered,
                                 range(2000, now.year + 1))
    problems = summary.problems
    accepted = accepted.with_columns(
        pl.col("uscc").replace_strict(registered, default=None, return_dtype=pl.Int64)
        .alias("enterprise_id"))
    with transaction.atomic():
        compared = accepted.join(_current_records(source), on=KEY, how="left", nulls_equal=True)
        del accepted
        same = compared.filter(
            pl.col("old_id").is_not_null()
            & ((pl.col("number") - pl.col("old_number")).abs()
               <= SAME_FIGURE * pl.max_horizontal(pl.col("number").abs(), pl.lit(1.0))))
        fresh = compared.filter(~pl.col("row").is_in(same["row"].implode())).select(
            "enterprise_id", "year", "indicator", "subject", "number", "unit", "entered_value",
            "entered_unit", "document", "page", "published_on", "old_id", "old_version")
        del compared
        changed = fresh.filter(pl.col("old_id").is_not_null())["old_id"]
        summary.unchanged, summary.changed = same.height, changed.len()
        summary.added = fresh.height - changed.len()
        del same
        log = RecordImport.objects.create(
            source=source, adapter=adapter.name, file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(), imported_by=actor, started_at=now,
            finished_at=timezone.now(), rows=summary.rows, added=summary.added,
            changed=summary.changed, unchanged=summary.unchanged,
            refused=summary.refused_rows, problems=stored_problems(problems))
        summary.import_id = log.pk
        for start in range(0, changed.len(), 5000):
            Record.objects.filter(pk__in=changed[start:start + 5000].to_list()
                                  ).update(current=False)
        _write(fresh, source, adapter, log, actor, file_name,
               connection.ops.adapt_datetimefield_value(now), tell)
        touched = set(fresh["enterprise_id"].to_list())
        if touched:
            records_changed.send(Record, enterprise_ids=touched)
        record(actor, "records.import", log, source=source.code, adapter=adapter.name,
               file=file_name[:200], sha256=log.sha256, rows=summary.rows, added=summary.added,
               changed=summary.changed, unchanged=summary.unchanged,
               refused_rows=summary.refused_rows,
               refused_enterprises=len(summary.refused_enterprises))
    return summary


def _write(fresh: pl.DataFrame, source: RecordSource, adapter: Adapter, log: RecordImport,
           actor, file_name: str, stamp: Any, tell: Callable[[int, int], None]) -> None:
    """COPY the new figures (new versions supersede the ``old_id`` they name), a chunk of rows
    at a time, so that only one chunk's rows are ever Python tuples."""
    source_id, log_id, actor_id = source.pk, log.pk, actor.pk
    licence, method, confidence = source.licence, adapter.method, adapter.confidence
    visibility, reason = source.visibility, file_name[:200]
    total = fresh.height
    tell(0, total)
    for start in range(0, total, WRITE_ROWS):
        rows = [
            (enterprise_id, year, indicator, subject, number, "", unit, entered_value[:64],
             entered_unit[:24], source_id, document[:300], page,
             _published_on(published_on) if published_on else None, stamp, licence, method,
             confidence, visibility, (old_version or 0) + 1, old_id,
             reason if old_id else "", True, log_id, actor_id, stamp)
            for enterprise_id, year, indicator, subject, number, unit, entered_value,
            entered_unit, document, page, published_on, old_id, old_version
            in fresh.slice(start, WRITE_ROWS).iter_rows()
        ]
        insert_rows(Record._meta.db_table, RECORD_COLUMNS, rows, chunk=WRITE_ROWS)
        tell(min(start + WRITE_ROWS, total), total)
