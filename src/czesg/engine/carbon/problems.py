"""Problems of a carbon input: each names its row and column; the error that lists them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.problems import Problem


def input_problem(
    *, row: int | None, column: str, message: str, params: Mapping[str, Any] | None = None,
    table: str = "inputs",
) -> Problem:
    """A problem of a carbon input: the row as in the user's file (header = row 1), column, table."""
    return Problem(message, dict(params or {}), code=CarbonInputError.code, row=row, column=column,
                   table=table)


def problem_data(problem: Problem) -> dict[str, Any]:
    """A carbon input's problem as plain data (for JSON output and the API)."""
    return {
        "table": problem.table, "row": problem.row, "column": problem.column,
        "message": problem.message, "params": dict(problem.params), "text": problem.render(),
    }


class CarbonInputError(CzesgError):
    """The carbon input holds problems; ``problems`` lists every one, each naming row and column."""

    code = "carbon_input_invalid"
    http_status = 422
    message = gettext_noop("The carbon input has %(count)s problem(s).")

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(
            problems, key=lambda p: (p.table, p.row if p.row is not None else 0, p.column)
        ))
        super().__init__(count=len(self.problems))


MSG_TABLE = gettext_noop("The input could not be read as a table: %(reason)s")
MSG_COLUMN = gettext_noop("The column “%(column)s” is missing.")
MSG_USCC = gettext_noop("The unified social credit code is empty.")
MSG_YEAR = gettext_noop("The year “%(value)s” is not a whole number from 1990 to 2100.")
MSG_ACTIVITY = gettext_noop(
    "Unknown activity “%(value)s”; see the list of activity codes (czesg carbon --list-activities)."
)
MSG_NO_UNIT = gettext_noop("No unit was given; %(activity)s is measured in %(expected)s.")
MSG_UNIT = gettext_noop(
    "“%(unit)s” is not a unit of %(activity)s, which is measured in %(expected)s."
)
MSG_QUANTITY_MISSING = gettext_noop("No quantity was given.")
MSG_QUANTITY_NAN = gettext_noop("The quantity “%(value)s” is not a number.")
MSG_QUANTITY_INF = gettext_noop("The quantity “%(value)s” is not a finite number.")
MSG_QUANTITY_NEGATIVE = gettext_noop("The quantity must not be negative; got %(value)s.")
MSG_REGION = gettext_noop(
    "Unknown province “%(value)s”; use a name as in the factor table, such as %(example)s."
)
MSG_MEASURED_KIND = gettext_noop(
    "A measured factor is accepted only for purchased heat, not for %(activity)s."
)
MSG_MEASURED_VALUE = gettext_noop(
    "The measured factor “%(value)s” must be a finite number not below zero (tCO2/GJ)."
)
MSG_COAL = gettext_noop(
    "Coal of unspecified type has no carbon factor (raw coal is not in GB/T 32151 Table C.1); "
    "enter it as one of %(choices)s."
)
MSG_GWP_NEEDED = gettext_noop(
    "%(activity)s needs a GWP set: choose one of %(choices)s (suggested: %(suggested)s)."
)
MSG_GWP_SET = gettext_noop("Unknown GWP set “%(value)s”; choose one of %(choices)s.")
MSG_GWP_MISSING = gettext_noop("The GWP set %(gwp_set)s has no value for %(gas)s.")
MSG_NO_GRID = gettext_noop(
    "No grid electricity factor is published for %(region)s, its regional grid or the nation "
    "for %(year)s or an earlier year (factor set %(factor_set)s)."
)
MSG_GREEN = gettext_noop(
    "Green certificates and green-power contracts (%(green)s MWh) exceed the purchased "
    "electricity (%(electricity)s MWh) of %(uscc)s in %(year)s in %(region)s (rows %(rows)s)."
)
MSG_DENOMINATOR = gettext_noop(
    "The %(column)s “%(value)s” must be a finite number not below zero."
)
MSG_DENOMINATOR_UNIT = gettext_noop("“%(unit)s” is not a unit of revenue (use 万元 or 元).")
MSG_DENOMINATOR_TWICE = gettext_noop("%(uscc)s %(year)s is given twice (also row %(other)s).")

COAL_CHOICES = "anthracite, bituminous_coal, lignite, cleaned_coal, other_washed_coal, briquettes"


