"""Reading and checking the GB/T 4754-2017 industry table (``industries/gbt4754_2017.csv``).

Each row is a section, division, group or class with its parent, an optional lead industry, and
its ``source`` and ``confidence``. The file is read through
:func:`czesg.engine.datafiles.read_csv_rows`, so that every refusal names the file, the row (the
header is row 1) and the column.
"""

from __future__ import annotations

from collections.abc import Iterable

from czesg.engine.datafiles import CsvRow, FirstSeen, read_csv_rows
from czesg.engine.plan.profile import (
    CONFIDENCES,
    INDUSTRY_CODE_RE,
    INDUSTRY_COLUMNS,
    INDUSTRY_LEVELS,
    Industry,
)


def _allowed_parents(code: str, level: str) -> tuple[str, ...]:
    """The codes an entry may name as parent: its division or group, or its section."""
    if level == "division":
        return (code[0],)
    if level == "group":
        return (code[:3],)
    return (code[:4], code[:3])


def _industry(row: CsvRow, lead_keys: set[str]) -> Industry:
    for name in ("code", "level", "name_zh", "name_en"):
        row.text(name)
    code = row.text("code")
    level = row.choice("level", INDUSTRY_LEVELS)
    if not INDUSTRY_CODE_RE[level].match(code):
        row.fail("code", f"“{code}” is not a GB/T 4754 {level} code "
                 "(a section letter A-T followed by 0, 2, 3 or 4 digits by level)")
    provenance = row.provenance()
    parent = row.text("parent", empty=True) or None
    if level == "section":
        if parent is not None:
            row.fail("parent", "a section has no parent")
    elif parent is None:
        row.fail("parent", f"a {level} needs a parent")
    elif parent not in _allowed_parents(code, level):
        row.fail("parent", f"“{parent}” is not a code that the {level} “{code}” falls "
                 f"directly under (expected {' or '.join(_allowed_parents(code, level))})")
    lead = row.text("lead_industry", empty=True) or None
    if lead is not None and lead not in lead_keys:
        row.fail("lead_industry", f"“{lead}” is not a known lead industry")
    return Industry(
        code=code, level=level, name_zh=row.text("name_zh"), name_en=row.text("name_en"),
        parent=parent, lead_industry=lead, **provenance.fields(),
    )


def parse_industries(
    csv_text: str, *, csv_name: str, lead_industry_keys: Iterable[str]
) -> tuple[Industry, ...]:
    """Parse and validate the GB/T 4754 industry CSV (header = row 1)."""
    lead_keys = set(lead_industry_keys)
    codes = FirstSeen()
    division_digits = FirstSeen()
    industries: list[tuple[CsvRow, Industry]] = []
    for row in read_csv_rows(csv_text, csv_name, INDUSTRY_COLUMNS, confidences=CONFIDENCES):
        industry = _industry(row, lead_keys)
        codes.claim(row, "code", industry.code)
        if industry.level == "division":
            division_digits.claim(row, "code", industry.code[1:])
        industries.append((row, industry))

    levels = {industry.code: industry.level for _, industry in industries}
    for row, industry in industries:
        if industry.parent is None:
            continue
        if industry.parent not in levels:
            row.fail("parent", f"“{industry.parent}” is not listed in the table")
        if INDUSTRY_LEVELS.index(levels[industry.parent]) >= INDUSTRY_LEVELS.index(
            industry.level
        ):
            row.fail("parent", f"“{industry.parent}” is not a coarser level than "
                     f"“{industry.code}”")
    return tuple(industry for _, industry in industries)
