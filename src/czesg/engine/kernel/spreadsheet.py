"""Cells that a spreadsheet cannot run: the one guard against CSV and formula injection.

Every CSV and Excel file the platform writes passes its cells through :func:`formula_safe`,
following OWASP's guidance on CSV injection: a text cell whose first character is ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading single quote, so that Excel, WPS or
LibreOffice show it as text instead of running it (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``).
The full-width ``＝ ＋ － ＠`` are quoted as well: Chinese input methods type them, and some
spreadsheets turn them into their ASCII forms when a cell is edited.

Numbers stay numbers: ``int``, ``float`` and ``Decimal`` values pass unchanged, and so does text
that is a plain decimal number (``-12.5``, ``+3``, ``1,200``), which a spreadsheet reads as a
number and cannot run. :func:`formula_unquoted` undoes the quote when a file the platform wrote
is read back.
"""

from __future__ import annotations

import re
from typing import Any

#: First characters that make a spreadsheet take a cell for a formula (OWASP, plus full-width).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def formula_safe(value: Any) -> Any:
    """The value to write in a spreadsheet cell: formula-like text quoted with ', else unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def formula_safe_column(column: str) -> Any:
    """:func:`formula_safe` as a Polars expression over a text column (the same rule, run in
    Polars for exports of millions of cells; a test holds the two equal)."""
    import polars as pl

    escaped = {"\t": "\\t", "\r": "\\r", "-": "\\-", "^": "\\^", "]": "\\]", "\\": "\\\\"}
    starts = "^[" + "".join(escaped.get(c, c) for c in FORMULA_START) + "]"
    plain = "^(?:" + _PLAIN_NUMBER.pattern + ")$"
    text = pl.col(column)
    return (pl.when(text.str.contains(starts) & ~text.str.contains(plain))
            .then(pl.lit("'") + text).otherwise(text).alias(column))


def formula_unquoted(text: str) -> str:
    """Text read back from a cell written by :func:`formula_safe`, without the added quote."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
