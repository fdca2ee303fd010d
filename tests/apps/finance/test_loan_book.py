"""Loan-book import (streamed, all or nothing, idempotent, every refused row named) and the book's
financed emissions from what the platform knows of the borrowers."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import translation

from czesg.audit.models import AuditEvent
from czesg.engine.finance.loanbook import LoanBookRefused
from czesg.engine.kernel.errors import PermissionRefused
from czesg.finance import loanbook
from czesg.finance.models import Exposure, LoanBook

pytestmark = pytest.mark.django_db

HEADER = "exposure,uscc,instrument,outstanding,currency,as_of,evic,equity_debt\n"


@pytest.fixture
def published_a(draft_a, alice, fill_basic):
    """Alpha's 2024 disclosure: 1,000 tCO2e, revenue 5,000 万元 (no total assets)."""
    from czesg.disclosures import actions as disclosures

    fill_basic(draft_a, alice)
    disclosures.submit_disclosure(draft_a, actor=alice)
    return disclosures.publish_disclosure(draft_a, actor=alice)


def book_csv(firm_a, firm_b) -> bytes:
    return (HEADER + f"L1,{firm_a.uscc},term_loan,5000000,CNY,2024-12-31,,100000000\n"
            f"L2,{firm_b.uscc},working_capital,2000000,CNY,2024-12-31,,\n").encode()


def test_import_and_financed_emissions(published_a, firm_a, firm_b, bank_a):
    book = loanbook.import_loan_book(io.BytesIO(book_csv(firm_a, firm_b)), "book.csv",
                                     year=2024, actor=bank_a)
    assert list(book.exposures.order_by("reference").values_list(
        "reference", "enterprise__uscc", "outstanding")) == [
        ("L1", firm_a.uscc, 5_000_000), ("L2", firm_b.uscc, 2_000_000)]
    [event] = AuditEvent.objects.filter(action="finance.import_loan_book")
    assert (event.payload["exposures"], event.payload["outstanding"]) == (2, "7000000.00")
    result, totals = loanbook.book_emissions(book, bank_a)
    rows = {r["exposure"]: r for r in result.to_dicts()}
    # L1: 5 M over the book's equity + debt 100 M = 0.05 × 1,000 t reported (not assured) = 50 t
    assert (rows["L1"]["attribution"], rows["L1"]["financed_tco2e"], rows["L1"]["quality"]) == (
        0.05, 50.0, 2)
    # L2: Beta published nothing and has fewer than three reporting peers: listed, not hidden
    assert loanbook.without_data(result) == [{"exposure": "L2", "borrower": firm_b.pk,
                                              "outstanding": 2_000_000.0,
                                              "missing": "no_emissions"}]
    assert (totals.financed_tco2e, totals.weighted_quality) == (50.0, 2.0)
    assert totals.coverage == pytest.approx(5 / 7)
    assert totals.intensity_per_million == pytest.approx(10.0)  # 50 t / 5 million CNY
    # The same file again leaves the same book.
    loanbook.import_loan_book(io.BytesIO(book_csv(firm_a, firm_b)), "book.csv", year=2024,
                              actor=bank_a)
    assert LoanBook.objects.count() == 1 and Exposure.objects.count() == 2


def test_refused_rows_are_named_and_nothing_is_written(firm_a, firm_b, bank_a):
    bad = (HEADER + f"L1,{firm_a.uscc},term_loan,5000000,CNY,2024-12-31,,\n"
           "L2,91320411XXXXXXXXXX,term_loan,100,CNY,2024-06-30,,\n"
           f"L3,{firm_b.uscc},term_loan,-5,CNY,2024-06-30,,\n"
           f"L4,{firm_b.uscc},term_loan,abc,USD,2024-06-30,,\n"
           f"L1,{firm_b.uscc},term_loan,10,CNY,2023-12-31,,\n"
           "L6,91320411MA1X00000X,term_loan,10,CNY,2024-12-31,,\n").encode()
    with pytest.raises(LoanBookRefused) as refused:
        loanbook.import_loan_book(io.BytesIO(bad), "bad.csv", year=2024, actor=bank_a)
    with translation.override("en"):
        found = [(p.row, p.column) for p in refused.value.problems]
    assert found == [(3, "uscc"), (4, "outstanding"), (5, "outstanding"), (5, "currency"),
                     (6, "exposure"), (6, "as_of"), (7, "uscc")]
    messages = [p.render() for p in refused.value.problems]
    assert "Row 6: exposure L1 is listed twice (first in row 2)." in messages
    assert "Row 6: the date 2023-12-31 lies outside the book's year 2024." in messages
    assert LoanBook.objects.count() == 0 and Exposure.objects.count() == 0
    assert not AuditEvent.objects.filter(action="finance.import_loan_book").exists()


def test_only_banks_import_and_see_the_page(firm_a, firm_b, bank_a, alice, published_a):
    with pytest.raises(PermissionRefused):
        loanbook.import_loan_book(io.BytesIO(book_csv(firm_a, firm_b)), "b.csv", year=2024,
                                  actor=alice)
    other = Client()
    other.force_login(alice)
    assert other.get("/finance/loan-book/").status_code == 404
    client = Client()
    client.force_login(bank_a)
    upload = io.BytesIO(book_csv(firm_a, firm_b))
    upload.name = "book.csv"
    assert client.post("/finance/loan-book/", {"year": "2024", "file": upload}).status_code == 302
    page = client.get("/finance/loan-book/?year=2024").content.decode()
    assert 'data-financed="50.00"' in page and 'data-exposure="L2"' in page
    bad = io.BytesIO((HEADER + f"L1,{firm_a.uscc},loan,1,EUR,2024-01-01,,\n").encode())
    bad.name = "bad.csv"
    page = client.post("/finance/loan-book/", {"year": "2024", "file": bad}).content.decode()
    assert 'id="book-error"' in page and "EUR" in page
