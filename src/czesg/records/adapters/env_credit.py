"""The province's environmental credit evaluation results: one colour per enterprise and year.

Format (CSV or XLSX, one row per enterprise and year; header names in English or Chinese):

======  ====================================  =================================================
column  also accepted as                      meaning
======  ====================================  =================================================
uscc    统一社会信用代码, credit code           the enterprise's unified social credit code
year    评价年度, 年度, 年份                    the year evaluated ("2024", "2024年度")
colour  评价结果, 评价等级, 信用等级, color       绿/蓝/黄/红/黑 (or 绿色…, green, blue, yellow,
                                              red, black)
name    企业名称                               the name as printed (read for people, not checked)
======  ====================================  =================================================

Each row becomes the government record ``environmental_credit_colour`` of the enterprise-year
(at most one a year), which the green rating reads. Rows are independent: a refused row (a
credit code that is invalid or not registered, a year that cannot be read or is not from 2000 to
this year, a colour that is none of the five or says there is none ("—", "Not Reported"), the
second row of one enterprise-year) is named and left out; the others are written in one
transaction. A colour equal to the one held is unchanged; a different one replaces it (changed,
a re-evaluation). Sample: ``docs/records/env-credit.csv``.
"""

from __future__ import annotations

import polars as pl

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.records.adapters.government import Candidate, GovernmentAdapter, read_year

COLOURS: dict[str, str] = {
    "绿": "green", "绿色": "green", "蓝": "blue", "蓝色": "blue", "黄": "yellow", "黄色": "yellow",
    "红": "red", "红色": "red", "黑": "black", "黑色": "black",
    "green": "green", "blue": "blue", "yellow": "yellow", "red": "red", "black": "black",
}


def _read(frame: pl.DataFrame) -> tuple[list[Candidate], list[Problem]]:
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    for r in frame.iter_rows(named=True):
        year = read_year(r["year"])
        colour = COLOURS.get(r["colour"].strip().lower())
        if year is None:
            problems.append(row_problem(r["row"], "year", r["uscc"], gettext_noop(
                "“%(value)s” is not a year."), {"value": r["year"]}))
        elif colour is None:
            problems.append(row_problem(r["row"], "colour", r["uscc"], gettext_noop(
                "“%(value)s” is not an environmental credit colour (绿, 蓝, 黄, 红 or 黑)."),
                {"value": r["colour"]}))
        else:
            candidates.append(Candidate(r["row"], r["uscc"], {"year": year, "key": colour}))
    return candidates, problems


ENV_CREDIT = GovernmentAdapter(
    name="env-credit",
    kind="environmental_credit_colour",
    title=gettext_noop("Environmental credit evaluation results (colour per enterprise and "
                       "year)"),
    columns={
        "uscc": ("统一社会信用代码", "credit code"),
        "year": ("评价年度", "年度", "年份"),
        "colour": ("评价结果", "评价等级", "信用等级", "color"),
        "name": ("企业名称",),
    },
    required=("uscc", "year", "colour"),
    read=_read,
    sample="docs/records/env-credit.csv",
)
