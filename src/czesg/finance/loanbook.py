"""A bank's loan book: the import (streamed, checked, all or nothing, idempotent) and its financed
emissions after PCAF from what the platform knows of each borrower."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from typing import IO, Any

import polars as pl
from django.db import transaction

from czesg.accounts.models import Role
from czesg.accounts.permissions import is_authenticated
from czesg.audit.recording import record
from czesg.disclosures.models import Assurance, Datapoint, Disclosure
from czesg.engine.finance.loanbook import LoanBookRefused, check_rows
from czesg.engine.finance.pcaf import Portfolio, financed_emissions, load_pcaf_method, portfolio
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, gettext_noop
from czesg.enterprises.models import Enterprise
from czesg.finance.models import Exposure, LoanBook
from czesg.records.known import DISCLOSED, known_figures, restricted_readable

CODES = {"emissions": "E-GHG-01", "scope3": "E-GHG-04", "revenue": "G-GEN-01",
         "assets": "G-GEN-05"}
WAN = 10_000.0  # CNY per 万元


def import_loan_book(stream: IO[bytes], file_name: str, *, year: int, actor) -> LoanBook:
    """A bank imports its loan book of a year from CSV; every refused row is named and nothing is
    written unless every row passes; importing again replaces the year's book."""
    if not is_authenticated(actor) or actor.role != Role.BANK:
        raise PermissionRefused(gettext_noop("Only a bank user can do this."))
    if not 2000 <= int(year) <= 2100:
        raise CatalogueError(gettext_noop("Give the book's year."), field="year")
    digest = hashlib.sha256()

    def lines():
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        for line in text:
            digest.update(line.encode())
            yield line

    try:
        reader = csv.DictReader(lines())
        header = reader.fieldnames or []
        ids = dict(Enterprise.objects.values_list("uscc", "pk"))
        rows, problems = check_rows(reader, year=int(year), known=ids.__contains__,
                                    header=header)
    except UnicodeDecodeError:
        raise CatalogueError(gettext_noop("The file is not UTF-8 text (CSV)."),
                             field="file") from None
    if problems:
        raise LoanBookRefused(problems)
    with transaction.atomic():
        book, _ = LoanBook.objects.update_or_create(
            bank=actor, year=int(year),
            defaults={"file_name": file_name[:200], "sha256": digest.hexdigest()})
        book.exposures.all().delete()
        Exposure.objects.bulk_create([Exposure(
            book=book, reference=r.exposure, enterprise_id=ids[r.uscc], instrument=r.instrument,
            outstanding=Decimal(str(r.outstanding)).quantize(Decimal("0.01")),
            currency=r.currency, as_of=r.as_of,
            evic=Decimal(str(r.evic)) if r.evic is not None else None,
            equity_debt=Decimal(str(r.equity_debt)) if r.equity_debt is not None else None)
            for r in rows], batch_size=2000)
        record(actor, "finance.import_loan_book", book, year=int(year), file=book.file_name,
               sha256=book.sha256, exposures=len(rows),
               outstanding=str(sum((Decimal(str(r.outstanding)) for r in rows), Decimal(0))
                               .quantize(Decimal("0.01"))))
    return book


def borrower_frame(enterprise_ids: list[int], year: int, user) -> pl.DataFrame:
    """What the platform knows of each borrower for the year: emissions and their basis
    (assured, reported, record), Scope 3, revenue and total assets in CNY, and its sector."""
    known = known_figures(enterprise_ids, codes=CODES.values(), years=[year],
                          restricted=restricted_readable(user, enterprise_ids))
    assured = set(Datapoint.objects.filter(
        disclosure__in=Disclosure.objects.latest_published(year=year, enterprises=enterprise_ids)
        .values("pk"), indicator_code=CODES["emissions"]).exclude(assurance=Assurance.NONE)
        .values_list("disclosure__enterprise_id", flat=True))
    sectors = dict(Enterprise.objects.filter(pk__in=enterprise_ids)
                   .values_list("pk", "industry_code"))
    rows = []
    for pk in enterprise_ids:
        def number(name: str, pk: int = pk) -> float | None:
            found = known.get((pk, year, CODES[name]))
            return float(found.number) if found is not None and found.number is not None else None

        emissions = known.get((pk, year, CODES["emissions"]))
        basis = None
        if emissions is not None and emissions.number is not None:
            basis = ("assured" if pk in assured else "reported") if (
                emissions.basis == DISCLOSED) else "record"
        revenue, assets = number("revenue"), number("assets")
        rows.append((pk, sectors.get(pk, ""), number("emissions"), number("scope3"), basis,
                     revenue * WAN if revenue is not None else None,
                     assets * WAN if assets is not None else None))
    return pl.DataFrame(rows, schema={
        "borrower": pl.Int64, "sector": pl.Utf8, "emissions": pl.Float64, "scope3": pl.Float64,
        "basis": pl.Utf8, "revenue": pl.Float64, "assets": pl.Float64}, orient="row")


def book_emissions(book: LoanBook, user) -> tuple[pl.DataFrame, Portfolio]:
    """Each exposure's financed emissions and data quality, and the book's totals."""
    exposures = list(book.exposures.values_list("reference", "enterprise_id", "outstanding",
                                                "evic", "equity_debt", "enterprise__listed"))
    frame = pl.DataFrame([(r, e, float(o), float(v) if v is not None else None,
                           float(q) if q is not None else None, bool(listed))
                          for r, e, o, v, q, listed in exposures],
                         schema={"exposure": pl.Utf8, "borrower": pl.Int64,
                                 "outstanding": pl.Float64, "evic": pl.Float64,
                                 "equity_debt": pl.Float64, "listed": pl.Boolean}, orient="row")
    borrowers = borrower_frame(sorted(set(frame["borrower"].to_list())), book.year, user)
    result = financed_emissions(frame, borrowers, load_pcaf_method())
    return result, portfolio(result)


def without_data(result: pl.DataFrame) -> list[dict[str, Any]]:
    """The exposures the method could not cover, with the reason, listed rather than hidden."""
    return result.filter(pl.col("missing").is_not_null()).select(
        "exposure", "borrower", "outstanding", "missing").to_dicts()
