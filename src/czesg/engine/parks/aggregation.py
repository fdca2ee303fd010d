"""Aggregating a zone's enterprise-year rows (a Polars frame) into zone-level values.
"""


from __future__ import annotations

import polars as pl

from czesg.engine.parks.loading import load_park_methodology
from czesg.engine.parks.methodology import FLAG_FIELDS, Aggregation, ParkMethodology, Predicate
from czesg.engine.plan.targets import GRADE_SCALE, grades_at_or_above

# --------------------------------------------------------------------------------------------
# Aggregating enterprise data


def _numeric(frame: pl.DataFrame, code: str) -> pl.Expr:
    if code not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    return pl.col(code).cast(pl.Float64).fill_nan(None)


def _require(frame: pl.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise ValueError(f"the enterprise frame has no column {column!r}")


def _flag(frame: pl.DataFrame, column: str) -> pl.Expr:
    _require(frame, column)
    return pl.col(column).cast(pl.Boolean).fill_null(False)


def _predicate(frame: pl.DataFrame, predicate: Predicate) -> pl.Expr:
    field_name, op = predicate.field, predicate.op
    if field_name == "grade":
        _require(frame, "grade")
        if op == "at_or_above":
            allowed = grades_at_or_above(str(predicate.value))
            return pl.col("grade").is_in(allowed).fill_null(False)
        return (pl.col("grade") == predicate.value).fill_null(False)
    if field_name in FLAG_FIELDS:
        expr = _flag(frame, field_name)
        return expr if op == "is_true" else ~expr
    value = _numeric(frame, field_name)
    if op == "is_true":
        return (value != 0).fill_null(False)
    if op == "is_false":
        return (value == 0).fill_null(False)
    number = float(predicate.value)  # type: ignore[arg-type]
    compare = {
        ">=": value >= number, ">": value > number, "<=": value <= number,
        "<": value < number, "==": value == number,
    }[op]
    return compare.fill_null(False)


def _population(frame: pl.DataFrame, population: str) -> pl.Expr:
    if population == "all":
        return pl.col("park_key").is_not_null()
    return _flag(frame, population)


def _aggregate_expr(frame: pl.DataFrame, aggregation: Aggregation) -> tuple[pl.Expr, pl.Expr,
                                                                              pl.Expr]:
    """Three expressions per zone: the count of contributors, the numerator and the denominator."""
    if aggregation.kind == "sum_ratio":
        numerator = _numeric(frame, aggregation.numerator)
        denominator = _numeric(frame, aggregation.denominator)
        both = numerator.is_not_null() & denominator.is_not_null()
        return (both.sum(), pl.when(both).then(numerator).otherwise(None).sum(),
                pl.when(both).then(denominator).otherwise(None).sum())
    if aggregation.kind in ("mean", "sum"):
        column = _numeric(frame, aggregation.column)
        return column.is_not_null().sum(), column.sum(), column.is_not_null().sum()
    assert aggregation.predicate is not None
    member = _population(frame, aggregation.population)
    hit = member & _predicate(frame, aggregation.predicate)
    return member.sum(), hit.sum(), member.sum()


def _check_frame(frame: pl.DataFrame) -> pl.DataFrame:
    for column in ("park_key", "uscc"):
        _require(frame, column)
    if "year" in frame.columns and frame["year"].drop_nulls().n_unique() > 1:
        raise ValueError("the enterprise frame holds more than one year; aggregate one year")
    rows = frame.filter(pl.col("park_key").is_not_null())
    duplicated = rows.filter(pl.struct("park_key", "uscc").is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise ValueError(f"enterprise {first['uscc']} appears twice in park {first['park_key']}")
    if "grade" in rows.columns:
        unknown = sorted(
            str(g) for g in rows["grade"].drop_nulls().unique().to_list() if g not in GRADE_SCALE
        )
        if unknown:
            raise ValueError(f"unknown grade {unknown[0]!r}; expected one of "
                             + ", ".join(GRADE_SCALE))
    return rows.sort("park_key", "uscc")


def aggregate_enterprises(
    frame: pl.DataFrame, methodology: ParkMethodology | None = None
) -> dict[str, dict[str, float | None]]:
    """Return each park's aggregated sub-indicator values computed from enterprise-year rows.

    ``frame`` has one row per enterprise of one year: ``park_key``, ``uscc``, numeric (or boolean)
    columns named by catalogue code, ``disclosed`` and ``listed`` (bool) and ``grade`` (AAA..C or
    null). An indicator column that is absent counts as unreported. Every aggregated sub-indicator
    of the methodology gets a value or None (no reporter, a zero denominator, or a mean, sum or
    ratio of fewer than ``min_enterprises`` enterprises).
    """
    methodology = methodology or load_park_methodology()
    rows = _check_frame(frame)
    parks = sorted(str(p) for p in rows["park_key"].unique().to_list())
    result: dict[str, dict[str, float | None]] = {park: {} for park in parks}
    indicators = methodology.aggregated
    if not parks or not indicators:
        return result
    expressions = []
    for number, indicator in enumerate(indicators):
        assert indicator.aggregation is not None
        count_of, numerator_of, denominator_of = _aggregate_expr(rows, indicator.aggregation)
        expressions += [count_of.alias(f"c{number}"), numerator_of.alias(f"n{number}"),
                        denominator_of.alias(f"d{number}")]
    grouped = rows.group_by("park_key", maintain_order=True).agg(expressions)
    for record in grouped.iter_rows(named=True):
        park = str(record["park_key"])
        for number, indicator in enumerate(indicators):
            aggregation = indicator.aggregation
            assert aggregation is not None
            count = int(record[f"c{number}"] or 0)
            numerator, denominator = record[f"n{number}"], record[f"d{number}"]
            value: float | None = None
            if aggregation.kind == "share_of_enterprises":
                if count >= 1:
                    value = 100.0 * float(numerator) / float(count)
            elif count >= methodology.min_enterprises:
                if aggregation.kind == "sum":
                    value = float(numerator)
                elif aggregation.kind == "mean":
                    value = float(numerator) / float(count)
                elif denominator:
                    value = aggregation.scale * float(numerator) / float(denominator)
            result[park][indicator.key] = value
    return result
