"""Importing an XBRL report's figures into the records of the enterprise database (government
users): the facts of each enterprise the report names become records of the source
``xbrl_reports``, each keeping the file, its SHA-256, the producer and the fact id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.engine.records.checking import STANDARD
from czesg.esgreport.reading import Reading, read_report
from czesg.records.adapters.base import Adapter
from czesg.records.importing import RecordImportSummary, import_record_file
from czesg.records.sources import source_of

SOURCE = "xbrl_reports"
NOT_A_FIGURE = gettext_noop("Fact %(fact)s of %(code)s is not a figure; records hold figures "
                            "only, so it is left out.")


def document_of(reading: Reading, file_name: str, fact_id: str) -> str:
    """A record's document: the file, its SHA-256, the producer and the fact id."""
    producer = f" {reading.producer}" if reading.producer else ""
    return f"{file_name[:80]} sha256:{reading.sha256}{producer} {fact_id}"[:300]


def _frame(reading: Reading, file_name: str) -> tuple[pl.DataFrame, list[Problem]]:
    """The report's figures as the records' standard frame (row = the fact's position + 1)."""
    rows: dict[str, list] = {name: [] for name in ("row", *STANDARD)}
    problems: list[Problem] = []
    for number, fact in enumerate(reading.facts, start=2):
        if not fact.unit:
            problems.append(row_problem(number, "value", "", NOT_A_FIGURE,
                                        {"fact": fact.fact_id, "code": fact.code}))
            continue
        values = {"uscc": fact.entity, "subject": "", "year": str(fact.year),
                  "indicator": fact.code, "value": fact.value, "unit": fact.unit,
                  "document": document_of(reading, file_name, fact.fact_id), "page": "",
                  "published_on": ""}
        rows["row"].append(number)
        for name in STANDARD:
            rows[name].append(values[name])
    schema = {"row": pl.Int64, **{name: pl.Utf8 for name in STANDARD}}
    return pl.DataFrame(rows, schema=schema), problems


@dataclass(frozen=True)
class XbrlReportAdapter(Adapter):
    """The records adapter of an XBRL report: its facts, not a table, are the rows."""

    def chunks(self, data: bytes, file_name: str, accounts: dict[str, str]
               ) -> Iterator[tuple[pl.DataFrame, list[Problem], int]]:
        """The report's figures as one standard frame (refused whole when unreadable)."""
        reading = read_report(data)
        frame, problems = _frame(reading, file_name)
        yield frame, problems, len(reading.facts)


XBRL_REPORT = XbrlReportAdapter(
    name="xbrl-report", source_kind="published_report",
    title=gettext_noop("XBRL report (xBRL-JSON or inline XBRL, czesg taxonomy)"),
    columns={}, required=(), shape=lambda frame, accounts: (frame, []),
    sample="docs/reports-xbrl.md", method="imported", confidence="confirmed-secondary",
)


def import_xbrl_records(data: bytes, file_name: str, *, actor) -> RecordImportSummary:
    """Import an XBRL report's figures into the records (government users; audited as every
    records import, with the file's SHA-256)."""
    return import_record_file(XBRL_REPORT, data, file_name, source=source_of(SOURCE), actor=actor)
