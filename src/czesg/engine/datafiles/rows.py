"""A checked reader of the CSV data files: a header of known columns, then one row per entry.

:func:`read_csv_rows` checks the header against the expected columns (each present once, none
other, in order) and returns every non-blank row as a :class:`CsvRow`: a
:class:`~czesg.engine.datafiles.table.TomlTable` over the row's stripped cells whose ``path`` is
the row as a spreadsheet shows it (the header is row 1; a quoted cell spanning lines is still one
row). Every refusal names the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from czesg.engine.datafiles.table import TomlTable
from czesg.engine.kernel.errors import DataFileError


class CsvRow(TomlTable):
    """One row of a CSV data file: its cells by column, refusing a bad cell by row and column."""

    @property
    def row(self) -> int:
        """The row as a spreadsheet shows it (the header is row 1)."""
        return int(self.path)

    @property
    def where(self) -> str:
        """``row <n>``, as a refusal names the row."""
        return f"row {self.path}"

    def text(self, key: str, *, empty: bool = False, default: str | None = None) -> str:
        """The cell ``key`` (stripped); non-empty unless ``empty``."""
        value = self.raw(key)
        if not value and not empty:
            self.fail(key, "the cell is empty")
        return value

    def optional_number(self, key: str, *, low: float | None = None, high: float | None = None,
                        positive: bool = False) -> float | None:
        """The finite number written in the cell ``key``, or None when the cell is empty."""
        text = self.raw(key)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            self.fail(key, f"“{text}” is not a number")
        if not math.isfinite(value):
            self.fail(key, f"“{text}” is not a finite number")
        return self.check_number(key, value, low=low, high=high, positive=positive)

    def number(self, key: str, *, low: float | None = None, high: float | None = None,
               positive: bool = False, default: float | None = None) -> float:
        """The number in the cell ``key``; ``default`` when the cell is empty."""
        value = self.optional_number(key, low=low, high=high, positive=positive)
        if value is None:
            if default is not None:
                return default
            self.fail(key, "the cell is empty")
        return value


def _check_header(header: list[str], columns: Sequence[str], name: str) -> None:
    def fail(column: str, reason: str) -> None:
        raise DataFileError(file=name, row=1, field=column or "(empty)", reason=reason)

    for column in columns:
        if column not in header:
            fail(column, "the column is missing")
    for column in header:
        if column not in columns:
            fail(column, "the column is not expected")
    if len(header) != len(set(header)):
        fail(next(c for c in header if header.count(c) > 1), "the column appears twice")
    if tuple(header) != tuple(columns):
        column = next(c for c, expected in zip(header, columns, strict=True) if c != expected)
        fail(column, "the columns are out of order; expected " + ",".join(columns))


def read_csv_rows(text: str, name: str, columns: Sequence[str], *,
                  confidences: Sequence[str] = ()) -> list[CsvRow]:
    """The non-blank rows of the CSV ``text`` of the file ``name`` with exactly ``columns``.

    A byte-order mark and blank lines (as spreadsheets leave them) are tolerated; a row with the
    wrong number of cells is refused at the first missing column (or the last, if too many).
    ``confidences`` are passed to each row's :meth:`~TomlTable.provenance`.
    """
    columns = tuple(columns)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(file=name, row=1, field="-", reason="the file is empty") from None
    except csv.Error as exc:
        raise DataFileError(file=name, row=1, field="-", reason=f"not valid CSV: {exc}") from None
    _check_header([cell.strip() for cell in header], columns, name)

    rows: list[CsvRow] = []
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataFileError(
                file=name, row=number + 1, field="-", reason=f"not valid CSV: {exc}"
            ) from None
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            column = columns[len(cells)] if len(cells) < len(columns) else columns[-1]
            raise DataFileError(
                file=name, row=number, field=column,
                reason=f"the row has {len(cells)} cells; {len(columns)} are expected",
            )
        cells_by_column = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
        rows.append(CsvRow(cells_by_column, name, number, confidences=confidences))
    return rows
