"""Activity input rows normalised for the vectorised engine, and their canonical hash."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.factors import MAX_YEAR, MIN_YEAR
from czesg.engine.carbon.problems import MSG_COLUMN, MSG_TABLE, CarbonInputError, input_problem


@dataclass
class EncodedText:
    """A text column dictionary-encoded: sorted distinct values and one code per row."""

    codes: np.ndarray
    values: list[str]

    def strings(self, name: str) -> pl.Series:
        """The column as text again, one value per row."""
        return pl.Series(name, self.values, dtype=pl.String).gather(self.codes)


@dataclass
class ActivityRows:
    """The input rows normalised: text dictionary-encoded, numbers as float64 with masks."""

    n: int
    frame: pl.DataFrame
    rows: np.ndarray
    uscc: EncodedText
    activity: EncodedText
    unit: EncodedText
    facility: EncodedText
    region: EncodedText
    year: np.ndarray
    year_bad: np.ndarray
    quantity: np.ndarray
    quantity_missing: np.ndarray
    quantity_unreadable: np.ndarray
    measured: np.ndarray
    measured_unreadable: np.ndarray


def as_frame(inputs: Any) -> pl.DataFrame:
    """The input as a Polars frame (a frame, a mapping of columns or a sequence of rows)."""
    if isinstance(inputs, pl.DataFrame):
        return inputs
    try:
        if isinstance(inputs, Mapping):
            return pl.DataFrame(dict(inputs), strict=False)
        return pl.DataFrame(list(inputs), infer_schema_length=None, strict=False)
    except Exception as exc:  # polars raises several types for ragged or mixed input
        raise CarbonInputError([input_problem(
            row=None, column="", message=MSG_TABLE, params={"reason": str(exc)},
        )]) from exc


def encode_text(frame: pl.DataFrame, name: str, clean: Any, default: str = "") -> EncodedText:
    """Dictionary-encode a text column, cleaning each distinct value once (not each row)."""
    n = frame.height
    if name not in frame.columns or n == 0:
        value = clean(default)
        return EncodedText(np.zeros(n, dtype=np.int64), [value])
    series = frame.get_column(name)
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    groups = series.fill_null("").to_frame("value").with_row_index("index").group_by(
        "value").agg(pl.col("index"))
    distinct = groups.get_column("value").to_list()
    members = groups.get_column("index")
    raw = np.empty(n, dtype=np.int64)
    raw[members.explode().to_numpy()] = np.repeat(
        np.arange(len(distinct)), members.list.len().to_numpy()
    )
    cleaned = [clean(value) for value in distinct]
    values = sorted(set(cleaned))
    index = {value: i for i, value in enumerate(values)}
    return EncodedText(np.array([index[c] for c in cleaned], dtype=np.int64)[raw], values)


def read_numbers(frame: pl.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values as float64 (NaN where unreadable) with the masks of missing and unreadable cells."""
    n = frame.height
    if name not in frame.columns:
        return np.full(n, np.nan), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    series = frame.get_column(name)
    if series.dtype.is_numeric():
        values = series.cast(pl.Float64)
        missing = values.is_null().to_numpy()
        unreadable = np.zeros(n, dtype=bool)
    else:
        text = series.cast(pl.String).str.strip_chars().fill_null("")
        values = text.str.replace_all(",", "", literal=True).str.replace_all(
            "，", "", literal=True
        ).cast(pl.Float64, strict=False)
        missing = (text == "").to_numpy()
        unreadable = values.is_null().to_numpy() & ~missing
    return values.fill_null(np.nan).to_numpy().astype(np.float64), missing, unreadable


def read_years(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Years as int64 (-1 where unreadable or outside 1990-2100) with the mask of bad years."""
    series = frame.get_column("year")
    if series.dtype.is_integer():
        years = series.cast(pl.Int64).fill_null(-1).to_numpy()
    elif series.dtype.is_float():
        raw = series.fill_null(np.nan).to_numpy()
        whole = np.isfinite(raw) & (raw == np.floor(raw))
        years = np.where(whole, raw, -1).astype(np.int64)
    else:
        years = series.cast(pl.String).str.strip_chars().cast(
            pl.Int64, strict=False
        ).fill_null(-1).to_numpy()
    years = years.astype(np.int64)
    bad = (years < MIN_YEAR) | (years > MAX_YEAR)
    return np.where(bad, -1, years), bad


def normalise_inputs(inputs: Any, province: str, spelling: Mapping[str, str]) -> ActivityRows:
    """Check the required columns and normalise the input rows for the engine."""
    frame = as_frame(inputs)
    missing = [c for c in ("uscc", "year", "activity", "quantity", "unit")
               if c not in frame.columns]
    if missing:
        raise CarbonInputError([
            input_problem(row=1, column=c, message=MSG_COLUMN, params={"column": c})
            for c in missing
        ])
    n = frame.height
    if "row" in frame.columns and frame.get_column("row").dtype.is_integer():
        rows = frame.get_column("row").fill_null(0).cast(pl.Int64).to_numpy()
    else:
        rows = np.arange(2, n + 2, dtype=np.int64)
    year, year_bad = read_years(frame)
    quantity, q_missing, q_unreadable = read_numbers(frame, "quantity")
    measured, _, m_unreadable = read_numbers(frame, "measured_factor")

    def region(value: str) -> str:
        value = value.strip()
        return spelling.get(value.lower(), value) if value else province

    return ActivityRows(
        n=n, frame=frame, rows=rows,
        uscc=encode_text(frame, "uscc", lambda v: v.strip().upper()),
        activity=encode_text(frame, "activity", lambda v: v.strip().lower()),
        unit=encode_text(frame, "unit", str.strip),
        facility=encode_text(frame, "facility", str.strip),
        region=encode_text(frame, "region", region, province),
        year=year, year_bad=year_bad,
        quantity=quantity + 0.0,  # -0.0 and 0.0 are one quantity
        quantity_missing=q_missing, quantity_unreadable=q_unreadable,
        measured=measured, measured_unreadable=m_unreadable,
    )


def inputs_frame(table: ActivityRows) -> pl.DataFrame:
    """The canonical input rows of a normalised table, as a frame."""
    return pl.DataFrame({
        "uscc": table.uscc.strings("uscc"),
        "year": pl.Series("year", table.year, dtype=pl.Int64),
        "activity": table.activity.strings("activity"),
        "quantity": pl.Series("quantity", table.quantity, dtype=pl.Float64),
        "unit": table.unit.strings("unit"),
        "facility": table.facility.strings("facility"),
        "region": table.region.strings("region"),
        "measured_factor": pl.Series("measured_factor", table.measured,
                                     dtype=pl.Float64).fill_nan(None),
        "row": pl.Series("row", table.rows, dtype=pl.Int64),
    })


def inputs_hash(table: ActivityRows) -> str:
    """SHA-256 of the canonical input rows (serialisation czesg.carbon.inputs/1, row order kept).

    After the header and the row count (little-endian int64), for each column in the order
    uscc, year, activity, quantity, unit, facility, region, measured_factor: the column name and
    a newline, then for text the count of distinct cleaned values, their UTF-8 byte lengths
    (little-endian uint64) and bytes in code-point order, and each row's index into them
    (little-endian uint32); for the year little-endian int64; for numbers little-endian
    float64 with NaN for none.
    """
    digest = hashlib.sha256(b"czesg.carbon.inputs/1\n")
    digest.update(np.array([table.n], dtype="<i8").tobytes())
    columns = (("uscc", table.uscc), ("year", table.year), ("activity", table.activity),
               ("quantity", table.quantity), ("unit", table.unit),
               ("facility", table.facility), ("region", table.region),
               ("measured_factor", table.measured))
    for name, column in columns:
        digest.update(name.encode() + b"\n")
        if isinstance(column, EncodedText):
            encoded = [value.encode("utf-8") for value in column.values]
            digest.update(np.array([len(encoded)], dtype="<i8").tobytes())
            digest.update(np.array([len(e) for e in encoded], dtype="<u8").tobytes())
            digest.update(b"".join(encoded))
            digest.update(column.codes.astype("<u4").tobytes())
        elif column.dtype.kind == "i":
            digest.update(column.astype("<i8").tobytes())
        else:
            canonical = np.where(np.isnan(column), np.nan, column)
            digest.update(canonical.astype("<f8").tobytes())
    return digest.hexdigest()


