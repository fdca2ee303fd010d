"""The portfolio temperature of a bank's loan book after the CDP-WWF method: the borrowers'
targets (finance.Target) become method targets, their emissions and figures come from what the
platform knows of them (as for financed emissions), and the book is aggregated by each option
the platform has the figures for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from czesg.engine.finance.temperature import (
    TARGET_COLUMNS,
    TemperatureMethod,
    load_temperature_method,
    portfolio_temperature,
)
from czesg.enterprises.models import Enterprise
from czesg.finance.loanbook import borrower_frame
from czesg.finance.models import LoanBook, Target

# The options the platform can fill: market capitalisation and enterprise value are not held, so
# MOTS and EOTS are left out; EVIC from the bank's book stands for EV + cash (ECOTS).
OFFERED = ("WATS", "TETS", "ECOTS", "AOTS", "ROTS")
SCOPE_ORDER = ("S1S2", "S3", "S1S2S3")


@dataclass(frozen=True)
class BookTemperature:
    """A book's temperature: the method, the company scores and each aggregation's table."""

    method: TemperatureMethod
    year: int
    companies: int
    with_targets: int
    targets_used: int
    scores: pl.DataFrame
    aggregations: dict[str, pl.DataFrame]

    def rows(self, aggregation: str) -> list[dict[str, Any]]:
        """One aggregation's rows, by time frame (short, mid, long) and scope."""
        frames = [f.key for f in self.method.time_frames]
        table = self.aggregations[aggregation].to_dicts()
        return sorted(table, key=lambda r: (frames.index(r["time_frame"]),
                                            SCOPE_ORDER.index(r["scope"])))


def method_targets(enterprise_ids: list[int], year: int,
                   method: TemperatureMethod) -> pl.DataFrame:
    """The borrowers' targets the method can read, each with its scope, type, time frame seen
    from the book's year and its reduction as a fraction of the base."""
    sectors = dict(Enterprise.objects.filter(pk__in=enterprise_ids)
                   .values_list("pk", "industry_code"))
    rows = []
    for t in Target.objects.filter(enterprise_id__in=enterprise_ids,
                                   indicator_code__in=list(method.indicators)).order_by("pk"):
        rule = method.indicators[t.indicator_code]
        time_frame = method.time_frame_of(t.target_year, year)
        if time_frame is None or t.target_year <= t.base_year:
            continue
        if t.reduction_pct is not None:
            reduction = t.reduction_pct / 100
        elif t.base_value > 0:
            reduction = (t.base_value - t.target_value) / t.base_value
        else:
            continue
        if reduction <= 0:
            continue
        rows.append((str(t.enterprise_id), rule.scope, time_frame, rule.target_type,
                     rule.metric, sectors.get(t.enterprise_id, ""), reduction, t.base_year,
                     t.target_year, t.validated))
    return pl.DataFrame(rows, schema=TARGET_COLUMNS, orient="row")


def book_temperature(book: LoanBook, user) -> BookTemperature:
    """The book's company scores and its temperature by every option the platform can fill."""
    method = load_temperature_method()
    exposures = list(book.exposures.values_list("enterprise_id", "outstanding", "evic"))
    ids = sorted({e for e, _o, _v in exposures})
    borrowers = borrower_frame(ids, book.year, user).select(
        pl.col("borrower").cast(pl.Utf8).alias("company"), pl.col("emissions").alias("ghg_s1s2"),
        pl.col("scope3").alias("ghg_s3"), pl.col("assets").alias("total_assets"), "revenue")
    holdings = pl.DataFrame(
        [(str(e), float(o), float(v) if v is not None else None) for e, o, v in exposures],
        schema={"company": pl.Utf8, "investment": pl.Float64, "ev_plus_cash": pl.Float64},
        orient="row")
    # EVIC is per exposure in the book; a borrower's largest stated EVIC stands for its EV + cash.
    evic = holdings.group_by("company").agg(pl.col("ev_plus_cash").max())
    holdings = holdings.drop("ev_plus_cash").join(evic, on="company", how="left").join(
        borrowers, on="company", how="left")
    targets = method_targets(ids, book.year, method)
    scores, aggregations = portfolio_temperature(
        targets, borrowers.select("company", "ghg_s1s2", "ghg_s3"), holdings, method,
        aggregations=OFFERED)
    return BookTemperature(method=method, year=book.year, companies=len(ids),
                           with_targets=targets["company"].n_unique(),
                           targets_used=targets.height, scores=scores,
                           aggregations=aggregations)
