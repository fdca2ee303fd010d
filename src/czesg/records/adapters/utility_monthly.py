"""A utility's monthly consumption per account: electricity (State Grid style), gas, water, heat.

Format (CSV or XLSX, one row per account and month; header names in English or Chinese):

===========  ==========================================  =======================================
column       also accepted as                            meaning
===========  ==========================================  =======================================
account      户号, 用户编号, 客户编号, 用电户号, 用气户号,     the utility's account (meter) number
             用水户号, 用热户号, account number
month        年月, 月份, 抄表年月, 结算年月, period          the month billed: "2024-03", "2024/3",
                                                         "202403" or "2024年3月"
consumption  用量, 用电量, 电量, 用气量, 用水量, 用热量,       the month's consumption as printed
             供热量, kwh, usage                            ("12,345.6", "1.2万")
unit         单位                                          unit as printed; when the column is
                                                         missing or empty, the utility's unit:
                                                         kWh (electricity), Nm3 (gas), m3
                                                         (water), GJ (heat)
===========  ==========================================  =======================================

The account table (:mod:`czesg.records.accounts`, ``czesg records link-accounts``) says which
enterprise each account belongs to. Each account's twelve months of a year are summed into one
record of the enterprise-year (electricity: E-ENG-01-ELEC in MWh; gas: E-ENG-01-GAS in 万Nm3;
water: E-WAT-01-MUN in m3; heat: E-ENG-01-HEAT in GJ) with the account as its subject; an
enterprise's value for the year is the sum over its accounts.

A file covers one calendar year: the year most of its months fall in (the later year on a tie).
Refused, each named by row and column: a month that cannot be read or lies outside the file's
year; an account that is empty or not in the account table; a figure that says there is none
("—", "Not Reported", "Excluded") or is not a number, or is negative; a unit of another kind
(kWh in a gas file); the second and later rows of one account-month. An account-year with fewer
than twelve months is **refused**, not recorded: a partial sum would pass for the annual figure
and understate it (named at the account's first row, column ``month``, listing the missing
months). As for every record file, an enterprise with any refused row is refused whole, so that
no enterprise-year is written with an account or a month missing. Samples:
``docs/records/electricity-monthly.csv`` (and ``gas-``, ``water-``, ``heat-monthly.csv``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CzesgError, UnitError, gettext_noop
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.engine.records.numbers import NotAFigure, parse_printed
from czesg.records.adapters.base import Adapter

_MONTH = r"^\s*(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*月?\s*$"


@dataclass(frozen=True)
class Utility:
    """What differs between the utilities: the indicator, the utility's unit and the names."""

    name: str
    title: str
    indicator: str
    unit: str
    value_names: tuple[str, ...]
    account_names: tuple[str, ...]


def _figures(values: list[str]) -> dict[str, tuple[float | None, str]]:
    """Each distinct printed value: its number, or None and the template refusing it."""
    read: dict[str, tuple[float | None, str]] = {}
    for text in values:
        try:
            read[text] = (parse_printed(text).value, "")
        except NotAFigure:
            read[text] = (None, gettext_noop(
                "“%(value)s” says that there is no figure for this month; give the number."))
        except CzesgError:
            read[text] = (None, gettext_noop("“%(value)s” is not a number."))
    return read


def _factors(printed: list[str], unit: str) -> dict[str, float | None]:
    factors: dict[str, float | None] = {}
    for text in printed:
        try:
            factors[text] = units.conversion_factor(text or unit, unit)
        except UnitError:
            factors[text] = None
    return factors


def _file_year(years: list[int]) -> int | None:
    counts = Counter(years)
    if not counts:
        return None
    most = max(counts.values())
    return max(year for year, n in counts.items() if n == most)


def _shaper(utility: Utility) -> Callable[[pl.DataFrame, dict[str, str]],
                                          tuple[pl.DataFrame, list[Problem]]]:
    def shape(frame: pl.DataFrame, accounts: dict[str, str]
              ) -> tuple[pl.DataFrame, list[Problem]]:
        problems: list[Problem] = []
        parts = pl.col("month").str.extract_groups(_MONTH)
        df = frame.with_columns(
            parts.struct.field("1").cast(pl.Int32, strict=False).alias("y"),
            parts.struct.field("2").cast(pl.Int32, strict=False).alias("m"),
            pl.col("account").replace_strict(accounts, default="").alias("uscc"))
        df = df.with_columns(pl.when(pl.col("m").is_between(1, 12)).then(pl.col("y"))
                             .alias("y"))
        year = _file_year(df["y"].drop_nulls().to_list())

        def add(rows: pl.DataFrame, column: str, message: str, params_of) -> None:
            for r in rows.iter_rows(named=True):
                problems.append(row_problem(r["row"], column, r["uscc"], message, params_of(r)))

        add(df.filter(pl.col("y").is_null()), "month",
            gettext_noop("“%(month)s” is not a month; write it as 2024-03 or 2024年3月."),
            lambda r: {"month": r["month"]})
        add(df.filter(pl.col("y").is_not_null() & (pl.col("y") != year)), "month",
            gettext_noop("%(month)s lies outside the file's year %(year)s (a file covers one "
                         "calendar year)."),
            lambda r: {"month": r["month"], "year": year})
        add(df.filter(pl.col("account") == ""), "account",
            gettext_noop("The account number is missing."), lambda r: {})
        add(df.filter((pl.col("account") != "") & (pl.col("uscc") == "")), "account",
            gettext_noop("Account “%(account)s” is not in this source's account table; load "
                         "the table that links it to an enterprise first."),
            lambda r: {"account": r["account"]})

        read = _figures(df["consumption"].unique().to_list())
        df = df.with_columns(pl.col("consumption").replace_strict(
            {t: n for t, (n, _) in read.items()}, default=None, return_dtype=pl.Float64)
            .alias("number"))
        for template in {m for _, m in read.values() if m}:
            texts = [t for t, (_, m) in read.items() if m == template]
            add(df.filter(pl.col("consumption").is_in(texts)), "consumption", template,
                lambda r: {"value": r["consumption"]})
        add(df.filter(pl.col("number") < 0), "consumption",
            gettext_noop("A month's consumption cannot be negative; got %(value)s."),
            lambda r: {"value": r["consumption"]})

        factors = _factors(df["unit"].unique().to_list(), utility.unit)
        df = df.with_columns(pl.col("unit").replace_strict(
            factors, default=None, return_dtype=pl.Float64).alias("factor"))
        add(df.filter(pl.col("factor").is_null()), "unit",
            gettext_noop("“%(unit)s” is not a unit of this file's figures (%(expected)s or a "
                         "unit of the same kind)."),
            lambda r: {"unit": r["unit"], "expected": utility.unit})

        first = df.group_by("account", "y", "m").agg(pl.col("row").min().alias("first"))
        df = df.join(first, on=["account", "y", "m"], how="left", nulls_equal=True)
        add(df.filter(pl.col("row") != pl.col("first")), "month",
            gettext_noop("This month of this account already appears in row %(first)s."),
            lambda r: {"first": r["first"]})

        bad_rows = {p.row for p in problems}
        flagged = df.filter(pl.col("row").is_in(list(bad_rows))).select("account").unique()
        good = df.filter(~pl.col("account").is_in(flagged["account"].implode()))
        groups = good.group_by("account", "uscc", "y").agg(
            pl.col("row").min().alias("row"), pl.col("m").sort().alias("months"),
            (pl.col("number") * pl.col("factor")).sum().alias("total")).sort("row")
        rows: list[tuple[int, str, str, str, str]] = []
        for r in groups.iter_rows(named=True):
            missing = sorted(set(range(1, 13)) - set(r["months"]))
            if missing:
                problems.append(row_problem(r["row"], "month", r["uscc"], gettext_noop(
                    "Account %(account)s has %(count)s of the 12 months of %(year)s (missing: "
                    "%(missing)s); an annual figure needs every month, so the account is "
                    "refused."), {"account": r["account"], "count": 12 - len(missing),
                                  "year": r["y"],
                                  "missing": ", ".join(f"{r['y']}-{m:02d}" for m in missing)}))
                continue
            rows.append((r["row"], r["uscc"], r["account"], str(r["y"]),
                         format(r["total"], ".15g")))
        standard = pl.DataFrame(rows, schema={"row": pl.Int64, "uscc": pl.Utf8,
                                              "subject": pl.Utf8, "year": pl.Utf8,
                                              "value": pl.Utf8}, orient="row")
        return standard.with_columns(pl.lit(utility.indicator).alias("indicator"),
                                     pl.lit(utility.unit).alias("unit")), problems

    return shape


def utility_adapter(utility: Utility) -> Adapter:
    """The adapter of one utility's monthly file."""
    return Adapter(
        name=utility.name, source_kind="utility", title=utility.title,
        columns={
            "account": (*utility.account_names, "户号", "用户编号", "客户编号", "account number"),
            "month": ("年月", "月份", "抄表年月", "结算年月", "period"),
            "consumption": (*utility.value_names, "用量", "usage"),
            "unit": ("单位",),
        },
        required=("account", "month", "consumption"), shape=_shaper(utility),
        sample=f"docs/records/{utility.name}.csv", keyed_by_account=True,
        method="summed-monthly-bills", confidence="confirmed-primary",
    )


ELECTRICITY = utility_adapter(Utility(
    "electricity-monthly", gettext_noop("Monthly electricity consumption per account (State "
                                        "Grid style)"),
    "E-ENG-01-ELEC", "kWh", ("用电量", "电量", "kwh", "electricity"), ("用电户号",)))
GAS = utility_adapter(Utility(
    "gas-monthly", gettext_noop("Monthly natural gas consumption per account"),
    "E-ENG-01-GAS", "Nm3", ("用气量", "气量", "nm3", "gas"), ("用气户号",)))
WATER = utility_adapter(Utility(
    "water-monthly", gettext_noop("Monthly municipal water consumption per account"),
    "E-WAT-01-MUN", "m3", ("用水量", "水量", "m3", "water"), ("用水户号",)))
HEAT = utility_adapter(Utility(
    "heat-monthly", gettext_noop("Monthly purchased heat per account"),
    "E-ENG-01-HEAT", "GJ", ("用热量", "供热量", "热量", "gj", "heat"), ("用热户号",)))
