"""Reading a source's file (CSV in UTF-8 or GB 18030, or the first sheet of an XLSX workbook)
into a Polars frame of strings, with header names cleaned, so that every adapter starts alike."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import polars as pl

from czesg.engine.kernel.errors import CzesgError, gettext_noop


class RecordFileError(CzesgError):
    """The file cannot be read as the adapter's format (wrong kind, encoding or columns)."""

    code = "record_file_invalid"


def decode(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), else GB 18030, as Chinese offices save."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RecordFileError(gettext_noop("The file is neither UTF-8 nor GB 18030 text."))


def header_name(text: str) -> str:
    """A column header as compared: NFKC-normalised, stripped, lower-case."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().lstrip("\ufeff").lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_frame(data: bytes) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RecordFileError(gettext_noop("The workbook could not be read: %(reason)s"),
                              reason=str(exc)[:200]) from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [header_name(h) for h in next(rows, ())]
    columns: list[list[str]] = [[] for _ in header]
    for row in rows:
        cells = [_cell(v) for v in row]
        if not any(cells):
            continue
        for i in range(len(header)):
            columns[i].append(cells[i] if i < len(cells) else "")
    book.close()
    return pl.DataFrame({name: col for name, col in zip(header, columns, strict=True) if name},
                        schema={name: pl.Utf8 for name in header if name})


def _refuse_ragged_rows(text: str) -> None:
    """Refuse a CSV whose rows have more cells than its header, naming the first such row: most
    often a number printed with a thousands separator and not quoted ("1,500")."""
    import csv

    reader = csv.reader(io.StringIO(text))
    width = len(next(reader, []))
    for number, cells in enumerate(reader, start=2):
        if len(cells) > width:
            raise RecordFileError(
                gettext_noop("Row %(row)s has %(cells)s cells but the header has %(width)s: a "
                             "number with a thousands separator must be quoted (\"1,500\")."),
                row=number, cells=len(cells), width=width)


def read_table(data: bytes, file_name: str) -> pl.DataFrame:
    """The file's rows as strings (empty cells as ""), headers cleaned by :func:`header_name`."""
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        frame = _xlsx_frame(data)
    else:
        text = decode(data)
        _refuse_ragged_rows(text)
        try:
            frame = pl.read_csv(io.StringIO(text), infer_schema=False)
        except pl.exceptions.PolarsError as exc:
            raise RecordFileError(gettext_noop("The file could not be read as CSV: %(reason)s"),
                                  reason=str(exc).splitlines()[0][:200]) from exc
        frame = frame.rename({c: header_name(c) for c in frame.columns})
    return frame.select(pl.col(c).cast(pl.Utf8).fill_null("").str.strip_chars()
                        for c in frame.columns)


def pick_columns(frame: pl.DataFrame, columns: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]) -> pl.DataFrame:
    """The frame with its columns renamed to the adapter's names (each accepted under any of its
    spellings, e.g. ``uscc`` or ``统一社会信用代码``); refused naming the missing ones."""
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
        *(pl.col(found[name]).alias(name) for name in columns if name in found),
        *(pl.lit("").alias(name) for name in columns if name not in found),
    )
