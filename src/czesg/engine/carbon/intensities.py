"""Intensities per revenue (万元) and per unit of output beside the totals."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from czesg.engine.carbon.inputs import as_frame, encode_text, read_numbers, read_years
from czesg.engine.carbon.problems import (
    MSG_COLUMN,
    MSG_DENOMINATOR,
    MSG_DENOMINATOR_TWICE,
    MSG_DENOMINATOR_UNIT,
    MSG_YEAR,
    CarbonInputError,
    input_problem,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError


def intensities_frame(totals: pl.DataFrame, denominators: Any) -> pl.DataFrame:
    """Intensities per revenue and per output of each enterprise-year of ``totals``."""
    frame = as_frame(denominators)
    problems = [
        input_problem(row=1, column=c, message=MSG_COLUMN, params={"column": c},
                      table="denominators")
        for c in ("uscc", "year") if c not in frame.columns
    ]
    if problems:
        raise CarbonInputError(problems)
    n = frame.height
    rows = np.arange(2, n + 2)
    uscc = encode_text(frame, "uscc", lambda v: v.strip().upper()).strings("uscc")
    year, year_bad = read_years(frame)
    problems += [
        input_problem(row=int(rows[i]), column="year", message=MSG_YEAR,
                      params={"value": str(frame.get_column("year")[i])}, table="denominators")
        for i in np.flatnonzero(year_bad).tolist()
    ]
    revenue_unit = encode_text(frame, "revenue_unit", str.strip, "万元")
    scale = np.ones(len(revenue_unit.values))
    for index, unit in enumerate(revenue_unit.values):
        try:
            scale[index] = units.conversion_factor(unit or "万元", "万元")
        except UnitError:
            scale[index] = np.nan
            problems += [input_problem(row=int(r), column="revenue_unit",
                                       message=MSG_DENOMINATOR_UNIT, params={"unit": unit},
                                       table="denominators")
                         for r in rows[revenue_unit.codes == index]]
    values = {}
    for column in ("revenue", "output"):
        numbers, missing, unreadable = read_numbers(frame, column)
        wrong = ~missing & (unreadable | ~np.isfinite(numbers) | (numbers < 0))
        problems += [
            input_problem(row=int(rows[i]), column=column, message=MSG_DENOMINATOR,
                          params={"column": column, "value": str(frame.get_column(column)[i])},
                          table="denominators")
            for i in np.flatnonzero(wrong).tolist()
        ]
        values[column] = numbers
    keyed = pl.DataFrame({"uscc": uscc, "year": year, "row": rows})
    first: dict[tuple[str, int], int] = {}
    duplicated = keyed.filter(pl.struct("uscc", "year").is_duplicated())
    for record in duplicated.iter_rows(named=True):
        key = (record["uscc"], record["year"])
        if key in first:
            problems.append(input_problem(
                row=record["row"], column="year", message=MSG_DENOMINATOR_TWICE,
                params={"uscc": key[0], "year": key[1], "other": first[key]},
                table="denominators"))
        else:
            first[key] = record["row"]
    if problems:
        raise CarbonInputError(problems)
    table = pl.DataFrame({
        "uscc": uscc, "year": year,
        "revenue_wan_yuan": pl.Series(values["revenue"] * scale[revenue_unit.codes]
                                      ).fill_nan(None),
        "output": pl.Series(values["output"]).fill_nan(None),
        "output_unit": encode_text(frame, "output_unit", str.strip).strings("output_unit"),
    })
    joined = totals.select("uscc", "year", "total_tco2e", "energy_tce").join(
        table, on=["uscc", "year"], how="left", maintain_order="left"
    )

    def ratio(numerator: str, denominator: str) -> pl.Expr:
        return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))

    return joined.select(
        "uscc", "year", "revenue_wan_yuan",
        ratio("total_tco2e", "revenue_wan_yuan").alias("ghg_intensity_tco2e_per_wan_yuan"),
        ratio("energy_tce", "revenue_wan_yuan").alias("energy_intensity_tce_per_wan_yuan"),
        "output", "output_unit",
        ratio("total_tco2e", "output").alias("ghg_intensity_tco2e_per_output"),
        ratio("energy_tce", "output").alias("energy_intensity_tce_per_output"),
    )


