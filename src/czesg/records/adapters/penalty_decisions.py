"""Environmental administrative penalty decisions, with the fields 信用中国 publishes.

Format (CSV or XLSX, one row per decision; header names in English or Chinese):

===========  ======================================  ==========================================
column       also accepted as                        meaning
===========  ======================================  ==========================================
document     行政处罚决定书文号, 决定书文号,             the decision number (常环罚〔2024〕12号),
             decision number                         which identifies the decision
uscc         统一社会信用代码, credit code             the party's unified social credit code
decided_on   处罚决定日期, 决定日期, decision date      the date of the decision ("2024-03-15",
                                                     "2024/3/15", "2024年3月15日")
authority    处罚机关, 决定机关, authority              the authority that decided
amount       罚款金额(万元), 罚款金额, amount            the fine, in 万元 as 信用中国 prints it;
                                                     empty for a decision without a fine
unit         金额单位                                 optional unit of the amount (万元 or 元)
legal_basis  处罚依据, legal basis                     the provisions applied
year         年度, 年份                                optional: the year the file covers; each
                                                     decision's date must then lie in it
===========  ======================================  ==========================================

Each row becomes the government record ``environmental_penalty`` (count 1, the fine in 万元) of
the year of its decision, which the ratings read as a deduction; the decision number, date,
authority and legal basis are kept with it. The source is the environment authority's list of
decisions: a general 信用中国 export mixing every authority must be filtered to environmental
decisions first. Rows are independent: a refused row (no decision number; an invalid or
unregistered credit code; a date that cannot be read, lies in the future or outside the file's
year; a fine that says there is none ("—", "Not Reported") or is not a number or negative; a unit
that is not money; a decision number given twice) is named and left out; the others are written
in one transaction. A decision already held with the same fields is unchanged; with different
fields it is corrected in place (changed). Sample: ``docs/records/penalty-decisions.csv``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CzesgError, UnitError, gettext_noop
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.engine.records.numbers import NotAFigure, parse_printed
from czesg.records.adapters.government import Candidate, GovernmentAdapter, read_date, read_year


def _amount(text: str, unit: str) -> tuple[float | None, str, str]:
    """The fine in 万元, or None with the column and template refusing it."""
    if not text.strip():
        return 0.0, "", ""
    try:
        factor = units.conversion_factor(unit or "万元", "万元")
    except UnitError:
        return None, "unit", gettext_noop("“%(unit)s” is not a unit of money (万元 or 元).")
    try:
        number = parse_printed(text).value
    except NotAFigure:
        return None, "amount", gettext_noop(
            "“%(value)s” says that there is no figure; leave the cell empty for a decision "
            "without a fine, or give the amount.")
    except CzesgError:
        return None, "amount", gettext_noop("“%(value)s” is not an amount of money.")
    if number < 0:
        return None, "amount", gettext_noop("A fine cannot be negative; got %(value)s.")
    return number * factor, "", ""


def _read(frame: pl.DataFrame) -> tuple[list[Candidate], list[Problem]]:
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    today = date.today()
    for r in frame.iter_rows(named=True):

        def refuse(column: str, message: str, **params) -> None:
            problems.append(row_problem(r["row"], column, r["uscc"], message, params))  # noqa: B023

        decided = read_date(r["decided_on"])
        year = read_year(r["year"]) if r["year"] else None
        amount, column, template = _amount(r["amount"], r["unit"])
        if not r["document"]:
            refuse("document", gettext_noop("The decision number (决定书文号) is missing."))
        elif decided is None or not date(2000, 1, 1) <= decided <= today:
            refuse("decided_on", gettext_noop(
                "“%(value)s” is not a date of decision from 2000 to today."),
                value=r["decided_on"])
        elif r["year"] and year is None:
            refuse("year", gettext_noop("“%(value)s” is not a year."), value=r["year"])
        elif year is not None and decided.year != year:
            refuse("decided_on", gettext_noop(
                "%(value)s lies outside the file's year %(year)s."),
                value=r["decided_on"], year=year)
        elif amount is None:
            refuse(column, template, value=r["amount"], unit=r["unit"])
        else:
            candidates.append(Candidate(r["row"], r["uscc"], {
                "year": decided.year, "amount": amount, "document": r["document"][:120],
                "decided_on": decided, "source": r["authority"][:300],
                "legal_basis": r["legal_basis"][:300]}))
    return candidates, problems


PENALTY_DECISIONS = GovernmentAdapter(
    name="penalty-decisions",
    kind="environmental_penalty",
    title=gettext_noop("Environmental administrative penalty decisions (信用中国 fields)"),
    columns={
        "document": ("行政处罚决定书文号", "决定书文号", "decision number"),
        "uscc": ("统一社会信用代码", "credit code"),
        "decided_on": ("处罚决定日期", "决定日期", "decision date"),
        "authority": ("处罚机关", "决定机关"),
        "amount": ("罚款金额(万元)", "罚款金额", "amount"),
        "unit": ("金额单位",),
        "legal_basis": ("处罚依据", "legal basis"),
        "year": ("年度", "年份"),
    },
    required=("document", "uscc", "decided_on", "authority"),
    read=_read,
    sample="docs/records/penalty-decisions.csv",
)
