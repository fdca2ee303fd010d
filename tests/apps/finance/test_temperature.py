"""A bank's portfolio temperature: the borrowers' recorded targets scored by the CDP-WWF method,
the default score for borrowers without one, aggregated over the loan book; the page and the API
for banks only."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from czesg.finance import actions, loanbook, temperature

pytestmark = pytest.mark.django_db

HEADER = "exposure,uscc,instrument,outstanding,currency,as_of,evic,equity_debt\n"
# Alpha's E-GHG-01 target: 40 % from 2020 to 2030 = 4 %/year; seen from 2024 it ends in 6 years
# (mid). Kyoto gases slope15: -0.312328765130924 × 4 + 2.6972610131342 = 1.4479... → 1.45 °C.
ALPHA_MID = 1.45


@pytest.fixture
def book(draft_a, alice, fill_basic, firm_a, firm_b, bank_a):
    """Alpha (1,000 tCO2e, revenue 5,000 万元, a validated target) lent 5 M; Beta (no data, no
    target) lent 2 M; the 2024 book."""
    from czesg.disclosures import actions as disclosures

    fill_basic(draft_a, alice)
    disclosures.submit_disclosure(draft_a, actor=alice)
    disclosures.publish_disclosure(draft_a, actor=alice)
    actions.set_target(firm_a, indicator_code="E-GHG-01", base_year="2020", base_value="1200",
                       target_year="2030", reduction_pct="40", validated=True, actor=alice)
    # A Scope 2 target alone is not read by the method (it scores S1+S2 together).
    actions.set_target(firm_a, indicator_code="E-GHG-03", base_year="2020", base_value="700",
                       target_year="2026", reduction_pct="90", actor=alice)
    text = (HEADER + f"L1,{firm_a.uscc},term_loan,5000000,CNY,2024-12-31,,\n"
            f"L2,{firm_b.uscc},working_capital,2000000,CNY,2024-12-31,,\n")
    return loanbook.import_loan_book(io.BytesIO(text.encode()), "book.csv", year=2024,
                                     actor=bank_a)


def row(result, aggregation, time_frame, scope):
    [found] = [r for r in result.rows(aggregation)
               if (r["time_frame"], r["scope"]) == (time_frame, scope)]
    return found


def test_book_temperature_by_hand(book, bank_a, firm_a, firm_b):
    result = temperature.book_temperature(book, bank_a)
    assert (result.companies, result.with_targets, result.targets_used) == (2, 1, 1)
    scores = {(r["company"], r["time_frame"], r["scope"]): r["score"]
              for r in result.scores.to_dicts()}
    assert scores[(str(firm_a.pk), "mid", "S1S2")] == ALPHA_MID
    assert scores[(str(firm_a.pk), "short", "S1S2")] == 3.2  # no target ends within 4 years
    assert scores[(str(firm_b.pk), "mid", "S1S2")] == 3.2
    # WATS: (5 M × 1.45 + 2 M × 3.2) / 7 M = 1.95; 2/7 of it rests on the default score.
    wats = row(result, "WATS", "mid", "S1S2")
    assert wats["score"] == pytest.approx((5 * ALPHA_MID + 2 * 3.2) / 7)
    assert wats["default_share"] == pytest.approx(2 / 7)
    assert (wats["companies"], wats["left_out"]) == (2, 0)
    assert row(result, "WATS", "short", "S1S2")["score"] == pytest.approx(3.2)
    # TETS and ROTS need Beta's emissions (and revenue): it is left out, counted, not hidden.
    tets = row(result, "TETS", "mid", "S1S2")
    assert (tets["score"], tets["companies"], tets["left_out"]) == (pytest.approx(ALPHA_MID), 1, 1)
    rots = row(result, "ROTS", "mid", "S1S2")
    assert (rots["score"], rots["left_out"]) == (pytest.approx(ALPHA_MID), 1)
    # AOTS: nobody has total assets; ECOTS: the book gives no EVIC: no score rather than a guess.
    assert row(result, "AOTS", "mid", "S1S2")["score"] is None
    assert row(result, "ECOTS", "mid", "S1S2")["left_out"] == 2


def test_page_and_api_for_the_bank_only(book, bank_a, bank_b, alice):
    client = Client()
    client.force_login(bank_a)
    page = client.get("/finance/temperature/?aggregation=WATS")
    text = page.content.decode()
    assert page.status_code == 200
    assert "CDP-WWF温度评级方法（第1版）" in text
    assert 'data-frame="mid" data-scope="S1S2"' in text
    assert ">1.95<" in text
    body = client.get("/api/v1/finance/temperature?aggregation=WATS&year=2024").json()
    assert (body["year"], body["aggregation"], body["borrowers"],
            body["borrowers_with_targets"]) == (2024, "WATS", 2, 1)
    mid = next(r for r in body["rows"] if (r["time_frame"], r["scope"]) == ("mid", "S1S2"))
    assert mid["score"] == pytest.approx((5 * ALPHA_MID + 2 * 3.2) / 7)
    english = client.get("/api/v1/finance/temperature", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["method"] == "CDP-WWF Temperature Rating Methodology, version 1"
    assert client.get("/api/v1/finance/temperature?aggregation=XYZ").status_code == 404
    # Another bank has no book; other roles see nothing.
    other = Client()
    other.force_login(bank_b)
    assert other.get("/api/v1/finance/temperature").status_code == 404
    assert "Import a loan book first" in other.get(
        "/finance/temperature/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    enterprise = Client()
    enterprise.force_login(alice)
    assert enterprise.get("/finance/temperature/").status_code == 404
    assert enterprise.get("/api/v1/finance/temperature").status_code == 404
