"""Checking a standard long frame of records against the catalogue and units, vectorised.

Every adapter turns its source's file into the standard frame: one row per figure, with the
columns of :data:`STANDARD` (all text, as printed; ``row`` is the line a person sees in the
file, header = 1). :func:`check_records` parses the printed numbers, converts the printed units
to the indicators' canonical units, and names every refused row with its column and reason.

A file is atomic per enterprise: an enterprise with any refused row is refused as a whole (an
enterprise-year figure summed over installations or meter accounts must not be written with a
part missing), and the summary counts the valid rows refused with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from czesg.engine.catalogue import Catalogue
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CzesgError, UnitError, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.engine.records.numbers import NotAFigure, parse_printed

STANDARD: tuple[str, ...] = (
    "uscc", "subject", "year", "indicator", "value", "unit", "document", "page", "published_on",
)
NUMERIC = ("number", "percentage")
# What makes a figure one: a second row with the same is a duplicate.
FIGURE = ["uscc", "subject", "year", "indicator"]


@dataclass
class RecordCheck:
    """What checking found: the accepted figures, the problems, and the refused enterprises with
    the number of their otherwise valid rows that were refused with them."""

    accepted: pl.DataFrame
    problems: list[Problem]
    refused_enterprises: dict[str, int]
    rows: int
    # Each figure's key (a hash of credit code, subject, year and indicator) with the first row
    # giving it, this frame's and the earlier chunks': the ``earlier`` of the next chunk.
    first_rows: pl.DataFrame | None = None


def _indicator_frame(catalogue: Catalogue) -> pl.DataFrame:
    return pl.DataFrame(
        {"indicator": [i.code for i in catalogue.indicators],
         "data_type": [i.data_type for i in catalogue.indicators],
         "canonical": [i.unit or ("%" if i.data_type == "percentage" else "")
                       for i in catalogue.indicators],
         "min": [i.min if i.min is not None else (0.0 if i.data_type == "percentage" else None)
                 for i in catalogue.indicators]},
        schema={"indicator": pl.Utf8, "data_type": pl.Utf8, "canonical": pl.Utf8,
                "min": pl.Float64},
    )


NO_FIGURE = gettext_noop("%(code)s: “%(value)s” says that there is no figure; leave the row "
                         "out or give the number.")
NOT_A_NUMBER = gettext_noop("%(code)s needs a number, not “%(value)s”.")


def _parsed_numbers(values: pl.Series) -> tuple[dict[str, float], dict[str, str]]:
    """Each distinct printed value that a plain cast cannot read, parsed, or the message template
    that refuses it."""
    parsed: dict[str, float] = {}
    refused: dict[str, str] = {}
    for text in values.unique().to_list():
        try:
            parsed[text] = parse_printed(text).value
        except NotAFigure:
            refused[text] = NO_FIGURE
        except CzesgError:
            refused[text] = NOT_A_NUMBER
    return parsed, refused


def check_records(frame: pl.DataFrame, catalogue: Catalogue, *, years: range,
                  known_uscc: Callable[[list[str]], set[str]] | None = None,
                  earlier: pl.DataFrame | None = None) -> RecordCheck:
    """Check a standard frame; ``known_uscc`` (given the valid codes) returns those registered;
    ``earlier`` (the ``first_rows`` of the previous chunk's check) names the figures that
    earlier chunks of the same file gave, so that a duplicate is found across chunks."""
    problems: list[Problem] = []
    df = frame

    def add(rows: pl.DataFrame, column: str, message: str, params_of=None) -> None:
        for record in rows.iter_rows(named=True):
            params = params_of(record) if params_of else {}
            problems.append(row_problem(record["row"], column, record["uscc"], message, params))

    # Credit codes, once per distinct code; then whether the platform knows the enterprise.
    normal: dict[str, str] = {}
    bad: dict[str, str] = {}
    for code in df["uscc"].unique().to_list():
        try:
            normal[code] = validate_uscc(code)
        except CzesgError as exc:
            bad[code] = exc.render()
    add(df.filter(pl.col("uscc").is_in(list(bad))), "uscc",
        gettext_noop("“%(uscc)s” is not a valid unified social credit code: %(reason)s"),
        lambda r: {"uscc": r["uscc"], "reason": bad[r["uscc"]]})
    df = df.with_columns(pl.col("uscc").replace_strict(normal, default=pl.col("uscc")))
    if known_uscc is not None:
        known = known_uscc(sorted(set(normal.values())))
        unknown = df.filter(~pl.col("uscc").is_in(list(known)) & ~pl.col("uscc").is_in(list(bad)))
        add(unknown, "uscc",
            gettext_noop("No enterprise with credit code %(uscc)s is registered."),
            lambda r: {"uscc": r["uscc"]})

    # Years.
    df = df.with_columns(pl.col("year").cast(pl.Int32, strict=False).alias("year_int"))
    add(df.filter(pl.col("year_int").is_null()
                  | ~pl.col("year_int").is_between(years.start, years.stop - 1)),
        "year", gettext_noop("“%(year)s” is not a year from %(first)s to %(last)s."),
        lambda r: {"year": r["year"], "first": years.start, "last": years.stop - 1})

    # Indicators: known and numeric.
    df = df.join(_indicator_frame(catalogue), on="indicator", how="left")
    add(df.filter(pl.col("data_type").is_null()), "indicator",
        gettext_noop("Unknown indicator “%(code)s”."), lambda r: {"code": r["indicator"]})
    add(df.filter(pl.col("data_type").is_not_null() & ~pl.col("data_type").is_in(NUMERIC)),
        "indicator", gettext_noop("%(code)s is not a number and cannot be recorded here."),
        lambda r: {"code": r["indicator"]})

    # Duplicates: the second and later rows of one figure are refused, naming the first.
    # Across chunks a figure is known by a 64-bit hash of its key (two keys sharing one among a
    # file's figures is about as likely as one in 10^9 for a million figures): the earlier
    # chunks' figures cost 16 bytes each and are matched without hashing their text again.
    first = df.group_by(FIGURE).agg(pl.col("row").min().alias("first_row")).with_columns(
        pl.struct(FIGURE).hash(seed=0).alias("figure"))
    if earlier is not None and earlier.height:
        first = first.join(earlier.rename({"first_row": "earlier_row"}), on="figure",
                           how="left")
        new = first.filter(pl.col("earlier_row").is_null()).select("figure", "first_row")
        first = first.with_columns(pl.coalesce("earlier_row", "first_row").alias("first_row"))
        seen = pl.concat([earlier, new], how="vertical")
    else:
        seen = first.select("figure", "first_row")
    df = df.join(first.select(*FIGURE, "first_row"), on=FIGURE, how="left", nulls_equal=True)
    add(df.filter(pl.col("row") != pl.col("first_row")), "indicator",
        gettext_noop("This figure already appears in row %(first)s."),
        lambda r: {"first": r["first_row"]})

    # Values: a plain cast first; whatever it cannot read goes through the printed-number reader.
    # Values printed with thousands separators (the common case) are read in Polars too.
    plain = pl.col("value").str.strip_chars()
    df = df.with_columns(
        pl.when(plain.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"))
        .then(plain.str.replace_all(",", "", literal=True)).otherwise(plain)
        .cast(pl.Float64, strict=False).alias("parsed"))
    hard = df.filter(pl.col("parsed").is_null() | ~pl.col("parsed").is_finite())["value"]
    parsed, refused_values = _parsed_numbers(hard)
    if parsed:
        df = df.with_columns(pl.when(pl.col("parsed").is_null() | ~pl.col("parsed").is_finite())
                             .then(pl.col("value").replace_strict(parsed, default=None,
                                                                  return_dtype=pl.Float64))
                             .otherwise(pl.col("parsed")).alias("parsed"))
    for template in (NO_FIGURE, NOT_A_NUMBER):
        texts = [t for t, m in refused_values.items() if m == template]
        add(df.filter(pl.col("value").is_in(texts)), "value", template,
            lambda r: {"code": r["indicator"], "value": r["value"]})

    # Units: never guessed; converted once per distinct (printed, canonical) pair.
    add(df.filter((pl.col("unit") == "") & pl.col("data_type").is_in(NUMERIC)), "unit",
        gettext_noop("%(code)s: the unit is missing (expected %(expected)s or a unit of the "
                     "same kind)."),
        lambda r: {"code": r["indicator"], "expected": r["canonical"]})
    pairs = df.filter((pl.col("unit") != "") & pl.col("canonical").is_not_null()).select(
        "unit", "canonical").unique()
    factors: list[tuple[str, str, float | None]] = []
    for printed, canonical in pairs.iter_rows():
        try:
            factors.append((printed, canonical, units.conversion_factor(printed, canonical)))
        except UnitError:
            factors.append((printed, canonical, None))
    factor_frame = pl.DataFrame(factors, schema={"unit": pl.Utf8, "canonical": pl.Utf8,
                                                 "factor": pl.Float64}, orient="row")
    df = df.join(factor_frame, on=["unit", "canonical"], how="left")
    add(df.filter((pl.col("unit") != "") & pl.col("canonical").is_not_null()
                  & pl.col("factor").is_null()), "unit",
        gettext_noop("%(code)s is measured in %(expected)s; “%(unit)s” does not fit."),
        lambda r: {"code": r["indicator"], "expected": r["canonical"], "unit": r["unit"]})
    df = df.with_columns((pl.col("parsed") * pl.col("factor")).alias("number"))
    add(df.filter(pl.col("min").is_not_null() & (pl.col("number") < pl.col("min"))), "value",
        gettext_noop("%(code)s must be at least %(min)s; got %(value)s."),
        lambda r: {"code": r["indicator"], "min": f"{r['min']:g}", "value": r["value"]})

    # Pages are whole numbers when given.
    df = df.with_columns(pl.col("page").cast(pl.Int32, strict=False).alias("page_int"))
    add(df.filter((pl.col("page") != "") & (pl.col("page_int").is_null()
                                            | (pl.col("page_int") < 1))),
        "page", gettext_noop("“%(page)s” is not a page number."), lambda r: {"page": r["page"]})

    problem_rows = {p.row for p in problems}
    refused_uscc = {p.uscc for p in problems}
    lost = (df.filter(pl.col("uscc").is_in(list(refused_uscc))
                      & ~pl.col("row").is_in(list(problem_rows)))
            .group_by("uscc").len())
    refused_enterprises = {u: 0 for u in refused_uscc}
    refused_enterprises.update(dict(lost.iter_rows()))
    accepted = df.filter(~pl.col("uscc").is_in(list(refused_uscc))).select(
        "row", "uscc", "subject", pl.col("year_int").alias("year"), "indicator", "number",
        pl.col("canonical").alias("unit"), pl.col("value").alias("entered_value"),
        pl.col("unit").alias("entered_unit"), "document", pl.col("page_int").alias("page"),
        "published_on",
    )
    problems.sort(key=lambda p: (p.row or 0, p.column))
    return RecordCheck(accepted=accepted.sort("row"), problems=problems,
                       refused_enterprises=refused_enterprises, rows=frame.height,
                       first_rows=seen)


def standard_frame(columns: dict[str, list[str]], rows: list[int]) -> pl.DataFrame:
    """A standard frame from columns of text (missing standard columns filled with "")."""
    height = len(rows)
    data: dict[str, list] = {"row": list(rows)}
    for name in STANDARD:
        data[name] = columns.get(name, [""] * height)
    return pl.DataFrame(data, schema={"row": pl.Int64, **{n: pl.Utf8 for n in STANDARD}})
