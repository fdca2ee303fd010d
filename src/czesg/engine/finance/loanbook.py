"""Checking a bank's loan book, row by row as it streams in.

The book is a CSV with the columns ``exposure, uscc, instrument, outstanding, currency, as_of``
and optionally ``evic`` and ``equity_debt`` (CNY). Every row with a problem is named (header =
row 1) with its column: an unknown or invalid credit code, a negative or non-numeric amount, a
currency other than CNY, an exposure listed twice, a date outside the book's year.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from czesg.engine.kernel.errors import CzesgError, IdentifierError, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.kernel.problems import Problem, row_problem

REQUIRED = ("exposure", "uscc", "instrument", "outstanding", "currency", "as_of")
OPTIONAL = ("evic", "equity_debt")
CURRENCIES = ("CNY",)  # the book is kept in CNY; a foreign-currency exposure is converted first


class LoanBookRefused(CzesgError):
    """The loan book has refused rows; ``problems`` names each (nothing was written)."""

    code = "loan_book_invalid"
    http_status = 422
    message = gettext_noop("The loan book has %(count)s problem(s); nothing was imported.")

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(count=len(self.problems))


@dataclass(frozen=True)
class BookRow:
    """One checked exposure."""

    exposure: str
    uscc: str
    instrument: str
    outstanding: float
    currency: str
    as_of: dt.date
    evic: float | None
    equity_debt: float | None


def _amount(text: str, row: int, column: str, uscc: str, problems: list[Problem], *,
            required: bool) -> float | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        if required:
            problems.append(row_problem(row, column, uscc, gettext_noop(
                "Row %(row)s: %(column)s is required."), {"row": row, "column": column}))
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value) or value < 0:
        problems.append(row_problem(row, column, uscc, gettext_noop(
            "Row %(row)s: %(column)s must be a non-negative number, not “%(value)s”."),
            {"row": row, "column": column, "value": text[:40]}))
        return None
    return value


def check_rows(rows: Iterable[Mapping[str, str]], *, year: int, known: Callable[[str], bool],
               header: Iterable[str]) -> tuple[list[BookRow], list[Problem]]:
    """Check every row of the book (streamed); ``known(uscc)`` says whether the registry has it."""
    columns = [c.strip() for c in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], [Problem(gettext_noop("The loan book lacks the column(s) %(columns)s."),
                            {"columns": ", ".join(missing)}, code="header_invalid", row=1)]
    clean: list[BookRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, raw in enumerate(rows, 2):
        before = len(problems)
        exposure = (raw.get("exposure") or "").strip()
        uscc = (raw.get("uscc") or "").strip().upper()
        if not exposure:
            problems.append(row_problem(row, "exposure", uscc, gettext_noop(
                "Row %(row)s: exposure is required."), {"row": row}))
        elif exposure in seen:
            problems.append(row_problem(row, "exposure", uscc, gettext_noop(
                "Row %(row)s: exposure %(exposure)s is listed twice (first in row %(first)s)."),
                {"row": row, "exposure": exposure[:60], "first": seen[exposure]},
                code="duplicate"))
        else:
            seen[exposure] = row
        try:
            validate_uscc(uscc)
        except IdentifierError:
            problems.append(row_problem(row, "uscc", uscc, gettext_noop(
                "Row %(row)s: “%(uscc)s” is not a valid unified social credit code."),
                {"row": row, "uscc": uscc[:20]}))
        else:
            if not known(uscc):
                problems.append(row_problem(row, "uscc", uscc, gettext_noop(
                    "Row %(row)s: no enterprise with the credit code %(uscc)s is registered."),
                    {"row": row, "uscc": uscc}))
        outstanding = _amount(raw.get("outstanding", ""), row, "outstanding", uscc, problems,
                              required=True)
        evic = _amount(raw.get("evic", ""), row, "evic", uscc, problems, required=False)
        equity_debt = _amount(raw.get("equity_debt", ""), row, "equity_debt", uscc, problems,
                              required=False)
        currency = (raw.get("currency") or "").strip().upper()
        if currency not in CURRENCIES:
            problems.append(row_problem(row, "currency", uscc, gettext_noop(
                "Row %(row)s: currency “%(currency)s” is not accepted; the book is kept in CNY."),
                {"row": row, "currency": currency[:10]}))
        try:
            as_of = dt.date.fromisoformat((raw.get("as_of") or "").strip())
        except ValueError:
            as_of = None
            problems.append(row_problem(row, "as_of", uscc, gettext_noop(
                "Row %(row)s: as_of must be a date such as %(year)s-12-31."),
                {"row": row, "year": year}))
        if as_of is not None and as_of.year != year:
            problems.append(row_problem(row, "as_of", uscc, gettext_noop(
                "Row %(row)s: the date %(date)s lies outside the book's year %(year)s."),
                {"row": row, "date": as_of.isoformat(), "year": year}))
        instrument = (raw.get("instrument") or "").strip()
        if not instrument:
            problems.append(row_problem(row, "instrument", uscc, gettext_noop(
                "Row %(row)s: instrument is required."), {"row": row}))
        if len(problems) == before and outstanding is not None and as_of is not None:
            clean.append(BookRow(exposure[:60], uscc, instrument[:40], outstanding, currency,
                                 as_of, evic, equity_debt))
    return clean, problems
