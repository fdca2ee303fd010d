"""Checking a long-format file of many enterprises' values at once, vectorised with Polars.

The file has one row per value: ``uscc, year, indicator, value, unit``, and optionally
``na_explanation``: a row with an explanation and no value answers "not applicable". Every problem is
reported with its row number as a person sees it in a spreadsheet (the header is row 1); an
enterprise with any problem is refused as a whole, so that an import is atomic per enterprise.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from czesg.engine.catalogue import Catalogue
from czesg.engine.disclosure.values import coerce, conversion
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CzesgError, UnitError, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.kernel.problems import Problem, row_problem

COLUMNS = ("uscc", "year", "indicator", "value", "unit")
OPTIONAL = ("na_explanation",)
NUMERIC = ("number", "percentage")


@dataclass
class BulkCheck:
    """The outcome of checking a file: the accepted values and every problem found."""

    accepted: pl.DataFrame
    problems: list[Problem]
    refused_enterprises: set[str]
    rows: int
    #: How many rows of the file each enterprise (normalised credit code) has, refused or not.
    enterprise_rows: dict[str, int] = field(default_factory=dict)

    @property
    def accepted_enterprises(self) -> int:
        return self.accepted["uscc"].n_unique() if self.accepted.height else 0


class BulkFileError(CzesgError):
    """The file cannot be read at all (wrong format or missing columns)."""

    code = "bulk_file_invalid"


def read_long(source: str | Path | bytes, *, fmt: str | None = None) -> pl.DataFrame:
    """Read a long-format CSV or Parquet file into strings, keeping values as typed."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        fmt = fmt or path.suffix.lstrip(".").lower()
        data: bytes | Path = path
    else:
        data = source
        fmt = fmt or "csv"
    try:
        if fmt == "parquet":
            frame = pl.read_parquet(data if isinstance(data, Path) else io.BytesIO(data))
        elif fmt == "csv":
            frame = pl.read_csv(
                data if isinstance(data, Path) else io.BytesIO(data),
                infer_schema=False, encoding="utf8-lossy",
            )
        else:
            raise BulkFileError(gettext_noop("Unsupported file type “%(fmt)s”: use CSV or Parquet."),
                                fmt=fmt)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BulkFileError(gettext_noop("The file could not be read: %(reason)s"),
                            reason=str(exc).splitlines()[0][:200]) from exc
    frame = frame.rename({c: c.strip().lstrip("\ufeff").lower() for c in frame.columns})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise BulkFileError(gettext_noop("The file lacks the column(s) %(columns)s."),
                            columns=", ".join(missing))
    if "na_explanation" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("na_explanation"))
    return frame.select(
        [pl.col(c).cast(pl.Utf8).fill_null("").str.strip_chars() for c in COLUMNS + OPTIONAL]
    )


def _catalogue_frame(catalogue: Catalogue) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": [i.code for i in catalogue.indicators],
            "data_type": [i.data_type for i in catalogue.indicators],
            "canonical": [i.unit or ("%" if i.data_type == "percentage" else "")
                          for i in catalogue.indicators],
            "min": [i.min if i.min is not None else (0.0 if i.data_type == "percentage" else None)
                    for i in catalogue.indicators],
            "max": [i.max if i.max is not None else (100.0 if i.data_type == "percentage" else None)
                    for i in catalogue.indicators],
        },
        schema={"indicator": pl.Utf8, "data_type": pl.Utf8, "canonical": pl.Utf8,
                "min": pl.Float64, "max": pl.Float64},
    )


def check_long(frame: pl.DataFrame, catalogue: Catalogue, *, years: range = range(2000, 2100)
               ) -> BulkCheck:
    """Check every row against the catalogue and units; return accepted rows and problems.

    The accepted frame has: row, uscc, year, indicator, data_type, number (canonical unit),
    text, boolean, choice, unit, entered_value, entered_unit, na_explanation (not empty for a
    not-applicable answer), conversion (the JSON text of the named coefficient a conversion
    across dimensions used, as the form stores it; empty otherwise).
    """
    problems: list[Problem] = []
    df = frame.with_row_index("row", offset=2)

    def add(rows: pl.DataFrame, column: str, message: str, params_of=None) -> None:
        for record in rows.iter_rows(named=True):
            params = params_of(record) if params_of else {}
            problems.append(row_problem(record["row"], column, record["uscc"], message, params))

    # Credit codes: checked once per distinct code.
    distinct = df["uscc"].unique().to_list()
    bad_codes: dict[str, str] = {}
    normal: dict[str, str] = {}
    for code in distinct:
        try:
            normal[code] = validate_uscc(code)
        except CzesgError as exc:
            bad_codes[code] = exc.render()
    if bad_codes:
        add(df.filter(pl.col("uscc").is_in(list(bad_codes))), "uscc",
            gettext_noop("“%(uscc)s” is not a valid unified social credit code: %(reason)s"),
            lambda r: {"uscc": r["uscc"], "reason": bad_codes[r["uscc"]]})
    df = df.with_columns(pl.col("uscc").replace_strict(normal, default=pl.col("uscc")))
    enterprise_rows = {uscc: int(n) for uscc, n in df.group_by("uscc").len().iter_rows()}

    # Years.
    df = df.with_columns(pl.col("year").cast(pl.Int32, strict=False).alias("year_int"))
    bad_year = df.filter(pl.col("year_int").is_null() | ~pl.col("year_int").is_between(
        years.start, years.stop - 1))
    add(bad_year, "year", gettext_noop("“%(year)s” is not a reporting year."),
        lambda r: {"year": r["year"]})

    # Indicators.
    df = df.join(_catalogue_frame(catalogue), on="indicator", how="left")
    add(df.filter(pl.col("data_type").is_null()), "indicator",
        gettext_noop("Unknown indicator “%(code)s”."), lambda r: {"code": r["indicator"]})

    # Duplicates of one value.
    dup = df.filter(pl.struct("uscc", "year", "indicator").is_duplicated()
                    & pl.col("data_type").is_not_null())
    add(dup, "indicator", gettext_noop("%(code)s appears more than once for %(uscc)s in %(year)s."),
        lambda r: {"code": r["indicator"], "uscc": r["uscc"], "year": r["year"]})

    # Not applicable: an explanation and no value.
    if "na_explanation" not in df.columns:
        df = df.with_columns(pl.lit("").alias("na_explanation"))
    both = df.filter((pl.col("na_explanation") != "") & (pl.col("value") != ""))
    add(both, "na_explanation",
        gettext_noop("%(code)s has both a value and a not-applicable explanation."),
        lambda r: {"code": r["indicator"]})
    na_rows = df.filter((pl.col("na_explanation") != "") & (pl.col("value") == "")
                        & pl.col("data_type").is_not_null())
    df = df.filter(pl.col("na_explanation") == "")

    # Numeric values: parse, convert units per distinct (unit, canonical) pair, check bounds.
    numeric = df.filter(pl.col("data_type").is_in(NUMERIC))
    numeric = numeric.with_columns(
        pl.col("value").str.replace_all(",", "").cast(pl.Float64, strict=False).alias("parsed"),
        pl.when(pl.col("unit") == "").then(pl.col("canonical")).otherwise(pl.col("unit"))
        .alias("entered_unit"),
    )
    several_scales = [c for c in numeric["canonical"].unique().to_list()
                      if c and len(units.scales(c)) > 1]
    unitless = numeric.filter((pl.col("unit") == "") & (pl.col("value") != "")
                              & pl.col("canonical").is_in(several_scales))
    add(unitless, "unit",
        gettext_noop("%(code)s: give the unit of the number (it is stored in %(expected)s); "
                     "a number without a unit is not guessed."),
        lambda r: {"code": r["indicator"], "expected": r["canonical"]})
    empty = numeric.filter(pl.col("value") == "")
    add(empty, "value", gettext_noop("%(code)s: no value was given."),
        lambda r: {"code": r["indicator"]})
    not_number = numeric.filter((pl.col("value") != "") & (
        pl.col("parsed").is_null() | ~pl.col("parsed").is_finite()))
    add(not_number, "value", gettext_noop("%(code)s needs a number, not “%(value)s”."),
        lambda r: {"code": r["indicator"], "value": r["value"]})
    # Each distinct (unit, canonical) pair is converted by the form's own function: the same
    # multipliers in the same order, and the named coefficient of a bridge (energy into tce).
    pairs = numeric.select("entered_unit", "canonical").unique()
    factors: list[tuple[str, str, float | None, float, float, str]] = []
    for entered, canonical in pairs.iter_rows():
        try:
            steps, named = conversion(entered, canonical)
        except UnitError:
            factors.append((entered, canonical, None, 1.0, 1.0, ""))
            continue
        steps = steps + (1.0,) * (3 - len(steps))
        factors.append((entered, canonical, *steps,
                        json.dumps(named, ensure_ascii=False) if named else ""))
    factor_frame = pl.DataFrame(factors, schema={
        "entered_unit": pl.Utf8, "canonical": pl.Utf8, "factor": pl.Float64,
        "factor2": pl.Float64, "factor3": pl.Float64, "conversion": pl.Utf8}, orient="row")
    numeric = numeric.join(factor_frame, on=["entered_unit", "canonical"], how="left")
    add(numeric.filter(pl.col("factor").is_null()), "unit",
        gettext_noop("%(code)s is measured in %(expected)s; “%(unit)s” does not fit."),
        lambda r: {"code": r["indicator"], "expected": r["canonical"], "unit": r["entered_unit"]})
    numeric = numeric.with_columns(
        (pl.col("parsed") * pl.col("factor") * pl.col("factor2") * pl.col("factor3"))
        .alias("number"))
    low = numeric.filter(pl.col("min").is_not_null() & (pl.col("number") < pl.col("min")))
    add(low, "value", gettext_noop("%(code)s must be at least %(min)s %(unit)s; got %(value)s."),
        lambda r: {"code": r["indicator"], "min": f"{r['min']:g}", "unit": r["canonical"],
                   "value": f"{r['number']:g}"})
    high = numeric.filter(pl.col("max").is_not_null() & (pl.col("number") > pl.col("max")))
    add(high, "value", gettext_noop("%(code)s must be at most %(max)s %(unit)s; got %(value)s."),
        lambda r: {"code": r["indicator"], "max": f"{r['max']:g}", "unit": r["canonical"],
                   "value": f"{r['number']:g}"})

    # Other types: few rows; checked one by one with the same rules as a typed value.
    others = df.filter(pl.col("data_type").is_not_null() & ~pl.col("data_type").is_in(NUMERIC))
    other_rows = []
    for record in others.iter_rows(named=True):
        try:
            value = coerce(catalogue.get(record["indicator"]), record["value"], record["unit"])
        except CzesgError as exc:
            column = "unit" if isinstance(exc, UnitError) else "value"
            problems.append(row_problem(record["row"], column, record["uscc"], exc.message,
                                        dict(exc.params)))
            continue
        other_rows.append({"row": record["row"], "text": value.text, "boolean": value.boolean,
                           "choice": value.choice, "entered_value": value.entered_value})

    refused = {p.uscc for p in problems}
    accepted_numeric = numeric.filter(
        ~pl.col("uscc").is_in(list(refused)) & pl.col("number").is_not_null()
    ).select(
        "row", "uscc", pl.col("year_int").alias("year"), "indicator", "data_type", "number",
        pl.lit("").alias("text"), pl.lit(None, dtype=pl.Boolean).alias("boolean"),
        pl.lit("").alias("choice"), pl.col("canonical").alias("unit"),
        pl.col("value").alias("entered_value"), "entered_unit",
        pl.lit("").alias("na_explanation"), "conversion",
    )
    parts = [accepted_numeric]
    if na_rows.height:
        parts.append(na_rows.filter(~pl.col("uscc").is_in(list(refused))).select(
            "row", "uscc", pl.col("year_int").alias("year"), "indicator", "data_type",
            pl.lit(None, dtype=pl.Float64).alias("number"), pl.lit("").alias("text"),
            pl.lit(None, dtype=pl.Boolean).alias("boolean"), pl.lit("").alias("choice"),
            pl.lit("").alias("unit"), pl.lit("").alias("entered_value"),
            pl.lit("").alias("entered_unit"), "na_explanation", pl.lit("").alias("conversion"),
        ).cast(accepted_numeric.schema))
    if other_rows:
        extra = pl.DataFrame(other_rows, schema={"row": pl.UInt32, "text": pl.Utf8,
                                                 "boolean": pl.Boolean, "choice": pl.Utf8,
                                                 "entered_value": pl.Utf8})
        joined = others.select("row", "uscc", pl.col("year_int").alias("year"), "indicator",
                               "data_type").join(extra, on="row", how="inner")
        joined = joined.filter(~pl.col("uscc").is_in(list(refused))).select(
            "row", "uscc", "year", "indicator", "data_type",
            pl.lit(None, dtype=pl.Float64).alias("number"), "text", "boolean", "choice",
            pl.lit("").alias("unit"), "entered_value", pl.lit("").alias("entered_unit"),
            pl.lit("").alias("na_explanation"), pl.lit("").alias("conversion"),
        )
        parts.append(joined.cast(accepted_numeric.schema))
    accepted = pl.concat(parts) if len(parts) > 1 else parts[0]
    problems.sort(key=lambda p: (p.row, p.column))
    return BulkCheck(accepted=accepted.sort("row"), problems=problems, refused_enterprises=refused,
                     rows=frame.height, enterprise_rows=enterprise_rows)


def long_frame(rows: Iterable[tuple]) -> pl.DataFrame:
    """A long-format frame from plain rows ``(uscc, year, indicator, value, unit[, na])``."""
    rows = list(rows)
    return pl.DataFrame(
        {
            "uscc": [r[0] for r in rows],
            "year": [str(r[1]) for r in rows],
            "indicator": [r[2] for r in rows],
            "value": ["" if r[3] is None else (repr(r[3]) if isinstance(r[3], float) else str(r[3]))
                      for r in rows],
            "unit": [r[4] or "" for r in rows],
            "na_explanation": [(r[5] if len(r) > 5 else "") or "" for r in rows],
        },
        schema={c: pl.Utf8 for c in COLUMNS + OPTIONAL},
    )
