"""A public register of installation emissions: one Scope 1 figure per installation and year.

Format (CSV or XLSX, one row per installation-year; header names in English or Chinese):

=================  ===========================  ===========================================
column             also accepted as             meaning
=================  ===========================  ===========================================
installation_id    装置编号, installation         the register's installation (or account) id
uscc               统一社会信用代码, credit code    the operator's unified social credit code
year               年份, 年度                     the reporting year
emissions          排放量, verified emissions     the installation's verified emissions
unit               单位                           unit as printed; the register prints tCO2e
                                                 when the column is missing
=================  ===========================  ===========================================

Each figure is recorded as E-GHG-02 (Scope 1) with the installation as its subject; an
enterprise's Scope 1 for a year is the sum over its installations. Sample:
``docs/records/installation-emissions.csv``.
"""

from __future__ import annotations

import polars as pl

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.problems import Problem
from czesg.records.adapters.base import Adapter

SCOPE1 = "E-GHG-02"
REGISTER_UNIT = "tCO2e"


def _shape(frame: pl.DataFrame, accounts: dict[str, str]) -> tuple[pl.DataFrame, list[Problem]]:
    return frame.select(
        "row", "uscc", pl.col("installation_id").alias("subject"), "year",
        pl.lit(SCOPE1).alias("indicator"), pl.col("emissions").alias("value"),
        pl.when(pl.col("unit") == "").then(pl.lit(REGISTER_UNIT)).otherwise(pl.col("unit"))
        .alias("unit"),
    ), []


INSTALLATION_EMISSIONS = Adapter(
    name="installation-emissions",
    source_kind="government_register",
    title=gettext_noop("Register of installation emissions (one Scope 1 figure per "
                       "installation and year)"),
    columns={
        "installation_id": ("装置编号", "installation", "account"),
        "uscc": ("统一社会信用代码", "credit code"),
        "year": ("年份", "年度"),
        "emissions": ("排放量", "verified emissions", "tco2e", "tco2"),
        "unit": ("单位",),
    },
    required=("installation_id", "uscc", "year", "emissions"),
    shape=_shape,
    sample="docs/records/installation-emissions.csv",
    row_by_row=True,
    method="reported",
    confidence="confirmed-secondary",
)
