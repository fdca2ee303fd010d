"""Reading a source's file (CSV in UTF-8 or GB 18030, or the first sheet of an XLSX workbook)
into Polars frames of strings, with header names cleaned, so that every adapter starts alike.

A file is read in chunks of rows (:func:`read_chunks`): Polars parses a UTF-8 CSV from the file's
bytes a batch of rows at a time (GB 18030 text is turned into UTF-8 first), so that a large
register costs memory for one chunk of rows at a time, not for the whole file as frames and
Python objects (issue 14)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator

import polars as pl

from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.text import TextEncodingError, text_encoding, text_stream

# Rows per chunk: large enough that Polars works on long columns, small enough that a chunk's
# Python strings stay a few megabytes.
CHUNK_ROWS = 25_000
# The row index's name while Polars reads, which no cleaned header can take.
_INDEX = "\x00row"


class RecordFileError(CzesgError):
    """The file cannot be read as the adapter's format (wrong kind, encoding or columns)."""

    code = "record_file_invalid"


def header_name(text: str) -> str:
    """A column header as compared: NFKC-normalised, stripped, lower-case."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().lstrip("\ufeff").lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as (row, cells): the header first as row 1, then each row that
    holds a cell, numbered as the frame of the whole sheet numbers it."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RecordFileError(gettext_noop("The workbook could not be read: %(reason)s"),
                              reason=str(exc)[:200]) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        yield 1, [_cell(v) for v in next(rows, ())]
        number = 1
        for row in rows:
            cells = [_cell(v) for v in row]
            if any(cells):
                number += 1
                yield number, cells
    finally:
        book.close()


def _refuse_ragged_rows(data: bytes) -> None:
    """Refuse a CSV whose rows have more cells than its header, naming the first such row: most
    often a number printed with a thousands separator and not quoted ("1,500")."""
    reader = csv.reader(text_stream(data))
    width = len(next(reader, []))
    for number, cells in enumerate(reader, start=2):
        if len(cells) > width:
            raise RecordFileError(
                gettext_noop("Row %(row)s has %(cells)s cells but the header has %(width)s: a "
                             "number with a thousands separator must be quoted (\"1,500\")."),
                row=number, cells=len(cells), width=width)


def _csv_chunks(data: bytes, rows: int) -> Iterator[pl.DataFrame]:
    """The CSV file's rows in frames of about ``rows`` rows, parsed by Polars as they are
    needed (GB 18030 text is turned into UTF-8 first, which is what Polars reads)."""
    try:
        if text_encoding(data) == "gb18030":
            data = data.decode("gb18030").encode("utf-8")
    except TextEncodingError as exc:
        raise RecordFileError(exc.message) from None
    scan = pl.scan_csv(io.BytesIO(data), infer_schema=False, row_index_name=_INDEX,
                       row_index_offset=2)
    try:
        raw = scan.collect_schema().names()[1:]
        names = _names(raw)
        renamed = {old: new for old, new in zip(raw, names, strict=True) if new}
        sent = False
        for batch in scan.collect_batches(chunk_size=rows):
            sent = True
            yield _cleaned(batch, renamed)
        if not sent:
            yield _cleaned(pl.DataFrame(schema={_INDEX: pl.Int64, **dict.fromkeys(raw, pl.Utf8)}),
                           renamed)
    except pl.exceptions.PolarsError as exc:
        if "more fields" in str(exc):
            _refuse_ragged_rows(data)
        raise RecordFileError(gettext_noop("The file could not be read as CSV: %(reason)s"),
                              reason=str(exc).splitlines()[0][:200]) from exc


def _cleaned(batch: pl.DataFrame, renamed: dict[str, str]) -> pl.DataFrame:
    return batch.select(
        pl.col(_INDEX).cast(pl.Int64).alias("row"),
        *(pl.col(old).cast(pl.Utf8).fill_null("").str.strip_chars().alias(new)
          for old, new in renamed.items()))


def _names(header: list[str]) -> list[str]:
    """The cleaned header names; a name given twice keeps its first column (the later ones are
    renamed aside, as is a column called ``row``), an empty one is "" and not read."""
    names: list[str] = []
    for position, raw in enumerate(header):
        name = header_name(raw)
        taken = name in names or name == "row"
        names.append(f"{name}_duplicated_{position}" if name and taken else name)
    return names


def _frame(names: list[str], batch: list[list[str]], numbers: list[int]) -> pl.DataFrame:
    columns = list(zip(*batch, strict=True)) if batch else [()] * len(names)
    return pl.DataFrame(
        {"row": numbers, **{name: column for name, column in zip(names, columns, strict=True)
                            if name}},
        schema={"row": pl.Int64, **{name: pl.Utf8 for name in names if name}},
    ).with_columns(pl.col(name).str.strip_chars() for name in names if name)


def read_chunks(data: bytes, file_name: str, *, rows: int = CHUNK_ROWS
                ) -> Iterator[pl.DataFrame]:
    """The file's rows as frames of about ``rows`` rows, read as they are needed:
    text cells (stripped, an empty or missing cell as ""), headers cleaned by
    :func:`header_name`, and ``row``, the row a person sees (header = 1). At least one frame
    comes, empty for a file of a header alone; a file without a header is refused."""
    if not (data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm"))):
        yield from _csv_chunks(data, rows)
        return
    records = _xlsx_rows(data)
    first = next(records, None)
    names = _names(first[1]) if first is not None else []
    width = len(names)
    batch: list[list[str]] = []
    numbers: list[int] = []
    sent = False
    for number, cells in records:
        if len(cells) != width:
            cells = [*cells, *[""] * (width - len(cells))][:width]
        batch.append(cells)
        numbers.append(number)
        if len(numbers) == rows:
            yield _frame(names, batch, numbers)
            sent = True
            batch, numbers = [], []
    if numbers or not sent:
        yield _frame(names, batch, numbers)


def read_table(data: bytes, file_name: str) -> pl.DataFrame:
    """The whole file as one frame of :func:`read_chunks` (for files read at once)."""
    return pl.concat(list(read_chunks(data, file_name)), how="vertical")


def pick_columns(frame: pl.DataFrame, columns: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]) -> pl.DataFrame:
    """The frame with its columns renamed to the adapter's names (each accepted under any of its
    spellings, e.g. ``uscc`` or ``统一社会信用代码``), ``row`` kept first when the frame has it;
    refused naming the missing ones."""
    found: dict[str, str] = {}
    for name, spellings in columns.items():
        for spelling in (name, *spellings):
            if header_name(spelling) in frame.columns:
                found[name] = header_name(spelling)
                break
    missing = [name for name in required if name not in found]
    if missing:
        raise RecordFileError(
            gettext_noop("The file lacks the column(s) %(columns)s."),
            columns=", ".join(" / ".join((m, *columns[m][:1])) for m in missing))
    return frame.select(
        *(["row"] if "row" in frame.columns else []),
        *(pl.col(found[name]).alias(name) for name in columns if name in found),
        *(pl.lit("").alias(name) for name in columns if name not in found),
    )
