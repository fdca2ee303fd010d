"""Every change to government records: one record, or a CSV import of many.

Each import checks the actor (government users and platform administrators), checks every row
(naming the refused ones with their line, column and reason), and writes the good rows with their
audit entries in one transaction. The audit action keeps its name ``ratings.record`` (audit
action names are a stable vocabulary, older than this app).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record_many
from czesg.engine import rating as engine
from czesg.engine.kernel.errors import CatalogueError, StateConflict, gettext_noop
from czesg.engine.kernel.problems import (
    Problem,
    refused_row_count,
    row_problem,
    row_problems_data,
)
from czesg.engine.kernel.text import TextEncodingError, decode_text
from czesg.enterprises.models import Enterprise
from czesg.records.models import SINGLE_KINDS, GovernmentRecord, RecordKind

CERTIFICATIONS: tuple[str, ...] = tuple(
    name.removeprefix("cert_") for name in engine.CERTIFICATION_RECORDS
)
SEVERITIES: tuple[str, ...] = ("fatal", "serious")
COLOUR_WORDS: dict[str, str] = {
    "绿": "green", "绿色": "green", "蓝": "blue", "蓝色": "blue", "黄": "yellow", "黄色": "yellow",
    "红": "red", "红色": "red", "黑": "black", "黑色": "black",
}
CSV_COLUMNS: tuple[str, ...] = ("uscc", "year", "kind", "value", "amount", "source")
REQUIRED_COLUMNS: tuple[str, ...] = ("uscc", "year", "kind")

def check_year(year: Any) -> int:
    """The year as a number, refused unless it lies from 2000 to this year."""
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = 0
    if not 2000 <= value <= timezone.now().year:
        raise CatalogueError(gettext_noop("%(year)s is not a year that can be rated."),
                             year=year, field="year")
    return value


# --------------------------------------------------------------------------------------------
# Government records


@dataclass(frozen=True)
class RecordRow:
    """One government record as given: credit code, year, kind, value, amount and source."""

    uscc: str
    year: Any
    kind: str
    value: Any = ""
    amount: Any = ""
    source: str = ""
    line: int = 0  # the row's line in its file, when it came from one


@dataclass
class RecordImport:
    """What a records import did: rows read, records written, and every refused row."""

    rows: int
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        """How many rows were refused."""
        return refused_row_count(self.problems)

    def as_dict(self) -> dict:
        """Plain data for the CLI and the API."""
        return {
            "rows": self.rows, "imported": self.imported, "refused_rows": self.refused_rows,
            "problems": row_problems_data(self.problems),
        }


class _Refused(Exception):
    def __init__(self, column: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.column, self.message, self.params = column, message, params


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, column: str) -> float:
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise _Refused(column, gettext_noop("“%(value)s” is not a number of zero or more."),
                       value=value)
    return number


def _fields_of(row: RecordRow, default_source: str) -> dict[str, Any]:
    """The record fields of one row (without the enterprise), or _Refused naming the column."""
    year = row.year
    try:
        year = check_year(year)
    except CatalogueError:
        raise _Refused("year", gettext_noop("“%(value)s” is not a year from 2000 to this year."),
                       value=row.year) from None
    kind = str(row.kind or "").strip().lower()
    if kind not in RecordKind.values:
        raise _Refused("kind", gettext_noop("Unknown kind “%(value)s”; use one of %(kinds)s."),
                       value=row.kind, kinds=", ".join(RecordKind.values))
    value = "" if _blank(row.value) else str(row.value).strip()
    source = (str(row.source or "").strip() or default_source.strip())[:300]
    if not source:
        raise _Refused("source", gettext_noop(
            "Name the department or document the record comes from."))
    fields: dict[str, Any] = {"year": year, "kind": kind, "count": 1, "amount": None, "key": "",
                              "source": source}
    if kind == RecordKind.ENVIRONMENTAL_PENALTY:
        if value:
            count = _number(value, "value")
            if count != int(count) or count < 1:
                raise _Refused("value", gettext_noop(
                    "The number of penalties must be a whole number of 1 or more, not "
                    "“%(value)s”."), value=value)
            fields["count"] = int(count)
        fields["amount"] = 0.0 if _blank(row.amount) else _number(row.amount, "amount")
        return fields
    if not _blank(row.amount):
        raise _Refused("amount", gettext_noop("Only an environmental penalty has an amount."))
    if kind == RecordKind.SAFETY_ACCIDENT:
        key = value.lower()
        if key not in SEVERITIES:
            raise _Refused("value", gettext_noop(
                "An accident is “fatal” or “serious”, not “%(value)s”."), value=value)
    elif kind == RecordKind.TAX_CREDIT_GRADE:
        key = value.upper()
        if key not in engine.TAX_CREDIT_GRADES:
            raise _Refused("value", gettext_noop(
                "“%(value)s” is not a tax credit grade (%(choices)s)."),
                value=value, choices=", ".join(engine.TAX_CREDIT_GRADES))
    elif kind == RecordKind.ENVIRONMENTAL_CREDIT_COLOUR:
        key = COLOUR_WORDS.get(value, value.lower())
        if key not in engine.ENV_CREDIT_COLOURS:
            raise _Refused("value", gettext_noop(
                "“%(value)s” is not an environmental credit colour (%(choices)s)."),
                value=value, choices=", ".join(engine.ENV_CREDIT_COLOURS))
    else:
        key = value.lower().removeprefix("cert_")
        if key not in CERTIFICATIONS:
            raise _Refused("value", gettext_noop(
                "“%(value)s” is not a certification (%(choices)s)."),
                value=value, choices=", ".join(CERTIFICATIONS))
    fields["key"] = key
    return fields


def _identity(enterprise_id: int, fields: dict[str, Any]) -> tuple | None:
    """The key under which a record may exist only once (None when many may exist)."""
    if fields["kind"] in SINGLE_KINDS:
        return (enterprise_id, fields["year"], fields["kind"])
    if fields["kind"] == RecordKind.CERTIFICATION:
        return (enterprise_id, fields["year"], fields["kind"], fields["key"])
    return None


def import_government_records(rows: Sequence[RecordRow], *, actor, source: str = "",
                              first_row: int = 2) -> RecordImport:
    """Check every row and write the good ones in one transaction (nothing half-written),
    naming each refused row; ``source`` is used where a row names none."""
    require_government(actor)
    summary = RecordImport(rows=len(rows))
    usccs = {str(r.uscc or "").strip().upper() for r in rows}
    enterprises = dict(Enterprise.objects.filter(uscc__in=usccs).values_list("uscc", "pk"))
    years = set()
    for r in rows:
        try:
            years.add(check_year(r.year))
        except CatalogueError:
            pass
    taken: set[tuple] = set()
    for ent, year, kind, key in GovernmentRecord.objects.filter(
        enterprise_id__in=enterprises.values(), year__in=years,
        kind__in=[*SINGLE_KINDS, RecordKind.CERTIFICATION],
    ).values_list("enterprise_id", "year", "kind", "key"):
        taken.add(_identity(ent, {"kind": kind, "year": year, "key": key}))
    now = timezone.now()
    accepted: list[tuple[str, GovernmentRecord]] = []
    for position, row in enumerate(rows, start=first_row):
        number = row.line or position
        uscc = str(row.uscc or "").strip().upper()
        try:
            if uscc not in enterprises:
                raise _Refused("uscc", gettext_noop(
                    "No enterprise with credit code “%(uscc)s” is registered."), uscc=uscc)
            fields = _fields_of(row, source)
            identity = _identity(enterprises[uscc], fields)
            if identity is not None and identity in taken:
                raise _Refused("kind", gettext_noop(
                    "%(uscc)s already has a record of this kind for %(year)s (%(kind)s %(key)s)."),
                    uscc=uscc, year=fields["year"], kind=fields["kind"], key=fields["key"])
        except _Refused as refused:
            summary.problems.append(row_problem(number, refused.column, uscc, refused.message,
                                                refused.params, code="record_invalid"))
            continue
        if identity is not None:
            taken.add(identity)
        accepted.append((uscc, GovernmentRecord(
            enterprise_id=enterprises[uscc], imported_by=actor, imported_at=now, **fields)))
    if not accepted:
        return summary
    try:
        with transaction.atomic():
            saved = GovernmentRecord.objects.bulk_create([r for _, r in accepted],
                                                         batch_size=2000)
            if any(r.pk is None for r in saved):  # a database that returns no keys
                saved = list(GovernmentRecord.objects.filter(imported_at=now, imported_by=actor)
                             .order_by("id"))
            record_many(actor, [
                ("ratings.record", "ratings.governmentrecord", str(r.pk),
                 {"enterprise": uscc, "year": r.year, "kind": r.kind, "count": r.count,
                  "amount": r.amount, "key": r.key, "source": r.source})
                for (uscc, _), r in zip(accepted, saved, strict=True)
            ])
    except IntegrityError:
        raise StateConflict(gettext_noop(
            "Records changed while they were imported; import the file again.")) from None
    summary.imported = len(accepted)
    return summary


def add_government_record(enterprise: Enterprise, year: int, kind: str, *, value: Any = "",
                          amount: Any = "", source: str, actor) -> GovernmentRecord:
    """Record one government fact about an enterprise; refused with the reason when it does not
    fit."""
    result = import_government_records(
        [RecordRow(enterprise.uscc, year, kind, value, amount, source)], actor=actor)
    if result.problems:
        problem = result.problems[0]
        raise CatalogueError(problem.message, field=problem.column, **problem.params)
    return GovernmentRecord.objects.filter(enterprise=enterprise).latest("id")


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return decode_text(data)
    except TextEncodingError as exc:
        raise CatalogueError(exc.message, field="file") from None


def read_records_csv(data: bytes | str) -> list[RecordRow]:
    """The rows of a records CSV (columns uscc, year, kind, value, amount, source)."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogueError(gettext_noop(
            "The file needs the columns %(columns)s; %(missing)s is missing."),
            columns=", ".join(CSV_COLUMNS), missing=", ".join(missing), field="file")
    reader.fieldnames = header
    rows = []
    for raw in reader:
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a line of empty cells
        rows.append(RecordRow(**{c: (raw.get(c) or "") for c in CSV_COLUMNS},
                              line=reader.line_num))
    return rows


def import_records_csv(data: bytes | str, *, actor, source: str = "") -> RecordImport:
    """Import a CSV of government records: good rows in, bad rows named with their line."""
    require_government(actor)
    return import_government_records(read_records_csv(data), actor=actor, source=source)
