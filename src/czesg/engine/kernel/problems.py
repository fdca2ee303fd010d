"""One problem found in what a user gave (a file, a row, a form): the single type that the API, the
command line and the pages report.

A :class:`Problem` carries a stable ``code``, an English message template marked with
``gettext_noop``, the parameters that fill it, and where it was found: file, sheet, cell, row,
column or field, and the enterprise (credit code), indicator or table it concerns, as far as they
apply. :meth:`Problem.render` is the one English rendering; the web layer translates the template
(``czesg.web.problems.problem_text``). The factories below fix the location each reader knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """A problem: a stable code, an English message template, its parameters, and its location."""

    message: str
    params: Mapping[str, Any] = _field(default_factory=dict, hash=False)
    code: str = "invalid"
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""
    table: str = ""
    uscc: str = ""
    indicator: str = ""

    def text(self) -> str:
        """The English sentence with its parameters filled in (without its location)."""
        return fill(self.message, self.params)

    def render(self) -> str:
        """The English sentence, prefixed by its cell when the problem has one."""
        text = self.text()
        return f"{self.cell}: {text}" if self.cell else text


def fill(template: str, params: Mapping[str, Any]) -> str:
    """A message template with its parameters filled in (the template itself if they do not fit)."""
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template


def cell_problem(
    sheet: str, cell: str, indicator: str, message: str, params: Mapping[str, Any] | None = None
) -> Problem:
    """A problem of an uploaded workbook or CSV template, at a sheet's cell, about an indicator."""
    return Problem(message, dict(params or {}), code="upload_invalid", sheet=sheet, cell=cell,
                   indicator=indicator)


def row_problem(
    row: int, column: str, uscc: str, message: str, params: Mapping[str, Any] | None = None,
    *, code: str = "row_invalid",
) -> Problem:
    """A problem of a row of a long-format file (header = row 1), in a column, of an enterprise."""
    return Problem(message, dict(params or {}), code=code, row=row, column=column, uscc=uscc)


def refused_row_count(problems: Iterable[Problem]) -> int:
    """How many distinct rows of a long-format file the problems refuse."""
    return len({p.row for p in problems})


def row_problems_data(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Row problems as plain data (row, column, credit code, English message) for the CLI and API."""
    return [
        {"row": p.row, "column": p.column, "uscc": p.uscc, "message": p.render()}
        for p in problems
    ]
