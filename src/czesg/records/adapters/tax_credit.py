"""The tax authorities' list of A-grade taxpayers of a year.

Format (CSV or XLSX, one row per taxpayer; header names in English or Chinese):

======  ==========================================  ===========================================
column  also accepted as                            meaning
======  ==========================================  ===========================================
uscc    统一社会信用代码, 纳税人识别号, credit code    the taxpayer's unified social credit code
year    评价年度, 年度, 年份                          the year evaluated ("2024", "2024年度")
grade   信用级别, 纳税信用级别                        optional; when given it must be A (the list
                                                    holds A-grade taxpayers only)
name    纳税人名称, 企业名称                          the name as printed (not checked)
======  ==========================================  ===========================================

Each row becomes the government record ``tax_credit_grade`` = A of the enterprise-year (at most
one grade a year), which the ratings read. Rows are independent: a refused row (an invalid or
unregistered credit code, a year that cannot be read, a grade other than A, the second row of
one taxpayer-year) is named and left out; the others are written in one transaction. A grade A
already held is unchanged; another grade held for that year is replaced by A (changed).
Sample: ``docs/records/tax-credit-a.csv``.
"""

from __future__ import annotations

import polars as pl

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.records.adapters.government import Candidate, GovernmentAdapter, read_year


def _read(frame: pl.DataFrame) -> tuple[list[Candidate], list[Problem]]:
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    for r in frame.iter_rows(named=True):
        year = read_year(r["year"])
        grade = r["grade"].strip().upper()
        if year is None:
            problems.append(row_problem(r["row"], "year", r["uscc"], gettext_noop(
                "“%(value)s” is not a year."), {"value": r["year"]}))
        elif grade not in ("", "A", "A级"):
            problems.append(row_problem(r["row"], "grade", r["uscc"], gettext_noop(
                "An A-grade list holds grade A only, not “%(value)s”."), {"value": r["grade"]}))
        else:
            candidates.append(Candidate(r["row"], r["uscc"], {"year": year, "key": "A"}))
    return candidates, problems


TAX_CREDIT_A = GovernmentAdapter(
    name="tax-credit-a",
    kind="tax_credit_grade",
    title=gettext_noop("Tax credit A-grade taxpayer list"),
    columns={
        "uscc": ("统一社会信用代码", "纳税人识别号", "credit code"),
        "year": ("评价年度", "年度", "年份"),
        "grade": ("信用级别", "纳税信用级别"),
        "name": ("纳税人名称", "企业名称"),
    },
    required=("uscc", "year"),
    read=_read,
    sample="docs/records/tax-credit-a.csv",
)
