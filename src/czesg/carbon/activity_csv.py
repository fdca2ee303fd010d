"""Reading activity rows from a CSV file (page upload and command line), naming every bad cell.

The first line is the header (row 1); each data row keeps its line number in ``row`` so that
the engine's problems name the line a person sees in a spreadsheet. Files saved by Excel in
China are often GB18030 rather than UTF-8; both are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from czesg.engine.carbon import MSG_COLUMN, CarbonInputError, input_problem
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.text import NOT_TEXT, TextEncodingError, decode_text

PAGE_REQUIRED: tuple[str, ...] = ("activity", "quantity", "unit")
PAGE_OPTIONAL: tuple[str, ...] = ("facility", "region", "measured_factor")
FILE_REQUIRED: tuple[str, ...] = ("uscc", "year", "activity", "quantity", "unit")
MAX_BYTES = 5 * 1024 * 1024

MSG_ENCODING = NOT_TEXT
MSG_EMPTY = gettext_noop("The file has no rows; the first line must name the columns %(columns)s.")
MSG_UNKNOWN_COLUMN = gettext_noop(
    "The column “%(column)s” is not known; the columns are %(columns)s."
)
MSG_EXTRA_CELLS = gettext_noop("The row has more cells than the header has columns.")
MSG_NO_FILE = gettext_noop("Choose a CSV file to upload.")
MSG_TOO_LARGE = gettext_noop("The file is larger than %(limit)s MB.")
MSG_NOT_CSV = gettext_noop("The file could not be read as CSV: %(reason)s")


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else GB18030."""
    try:
        return decode_text(data)
    except TextEncodingError:
        raise CarbonInputError([input_problem(row=None, column="", message=MSG_ENCODING)]
                               ) from None


def read_rows(data: bytes | str, *, required: Sequence[str] = PAGE_REQUIRED,
              optional: Sequence[str] = PAGE_OPTIONAL) -> list[dict[str, object]]:
    """Rows of a CSV file as mappings of text with their line number; refuses bad headers."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise CarbonInputError([input_problem(
                row=None, column="", message=MSG_TOO_LARGE, params={"limit": MAX_BYTES // 2**20},
            )])
        data = decode(data)
    allowed = (*required, *optional)
    listing = ", ".join(required) + (" [" + ", ".join(optional) + "]" if optional else "")
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise CarbonInputError([input_problem(
                row=1, column="", message=MSG_EMPTY, params={"columns": listing},
            )])
        header_line = reader.line_num
        columns = [cell.strip().lower() for cell in header]
        problems = [
            input_problem(row=header_line, column=name, message=MSG_UNKNOWN_COLUMN,
                          params={"column": name, "columns": listing})
            for name in columns if name and name not in allowed
        ]
        problems += [
            input_problem(row=header_line, column=name, message=MSG_COLUMN,
                          params={"column": name})
            for name in required if name not in columns
        ]
        rows: list[dict[str, object]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            line = reader.line_num
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                problems.append(input_problem(row=line, column="", message=MSG_EXTRA_CELLS))
                continue
            row: dict[str, object] = {
                name: (cells[i].strip() if i < len(cells) else "")
                for i, name in enumerate(columns) if name in allowed
            }
            row["row"] = line
            rows.append(row)
    except csv.Error as exc:
        raise CarbonInputError([input_problem(
            row=reader.line_num or None, column="", message=MSG_NOT_CSV,
            params={"reason": str(exc)},
        )]) from exc
    if problems:
        raise CarbonInputError(problems)
    if not rows:
        raise CarbonInputError([input_problem(
            row=2, column="", message=MSG_EMPTY, params={"columns": listing},
        )])
    return rows
