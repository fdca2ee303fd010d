"""The supervision view of green finance: green loans by bank, product, district and industry,
matching and time to first offer, rates by label; the regulator role; the 2027 target panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from czesg.finance import actions
from czesg.finance.models import FinancingRequest, Product, Recipient
from czesg.finance.supervision import supervision
from czesg.ratings.models import GreenScore
from tests.apps.finance.test_views import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulator(make_user):
    from czesg.accounts.models import Role

    return make_user("regulator", Role.REGULATOR, organisation="国家金融监督管理总局常州监管分局")


@pytest.fixture
def granted(sent, alice, bank_a, bank_b):
    """Alpha's request: bank A offers 180 at 3.1 %, bank B declines; Alpha accepts; bank A
    grants 150 at 3.05 %. The request was posted two days before the first offer."""
    actions.make_offer(sent, amount="180", rate="3.1",
                       product=Product.objects.get(bank=bank_a), actor=bank_a)
    actions.decline_request(sent, reason="额度已满", actor=bank_b)
    offered = Recipient.objects.get(request=sent, bank=bank_a)
    FinancingRequest.objects.filter(pk=sent.pk).update(
        created_at=offered.answered_at - dt.timedelta(days=2))
    actions.accept_offer(offered, actor=alice)
    actions.record_outcome(sent, granted_amount="150", granted_rate="3.05",
                           granted_on=timezone.localdate(), actor=bank_a)
    sent.refresh_from_db()
    return sent


def test_an_open_request_is_counted_but_no_green_loan(sent):
    s = supervision()
    assert (s.green_count, s.green_balance) == (0, Decimal("0"))
    assert s.requests == {"total": 1, "matched": 0, "accepted": 0, "granted": 0, "open": 1,
                          "withdrawn": 0}
    assert s.first_offer_days_median is None
    assert all(cells == [] for cells in s.breakdowns.values())


def test_a_granted_green_loan_is_counted_by_bank_product_district_and_industry(granted):
    s = supervision("zh-hans")
    assert (s.green_count, s.green_balance, s.by_declared_purpose) == (1, Decimal("150.00"), 1)
    enterprise = granted.enterprise
    rows = {by: [(c.key, c.count, c.balance) for c in cells] for by, cells in s.breakdowns.items()}
    assert rows == {
        "bank": [("甲银行常州分行", 1, Decimal("150.00"))],
        "product": [("甲银行常州分行: 常绿贷", 1, Decimal("150.00"))],
        "district": [(enterprise.division_code, 1, Decimal("150.00"))],
        "industry": [(enterprise.industry_code[:3], 1, Decimal("150.00"))],
    }
    assert s.breakdowns["industry"][0].name.startswith(enterprise.industry_code[:3] + " ")
    assert s.requests == {"total": 1, "matched": 1, "accepted": 1, "granted": 1, "open": 0,
                          "withdrawn": 0}
    assert s.first_offer_days_median == 2.0 and s.first_offer_days_mean == 2.0


def test_rates_by_label_use_the_product_discount_for_the_green_score(granted):
    score = GreenScore.objects.filter(enterprise=granted.enterprise).latest("year")
    expected_bps = 30 if score.score >= 80 else 10  # the product's table: 80 → 30, 10 → 10
    s = supervision()
    [green_cell] = s.by_green_label
    assert (green_cell.key, green_cell.count, green_cell.mean_rate, green_cell.mean_discount) == (
        score.label, 1, 3.05, float(expected_bps))
    [carbon_cell] = s.by_carbon_label  # no carbon label computed: counted as not known
    assert (carbon_cell.key, carbon_cell.count) == ("", 1)


def test_identified_not_green_is_not_a_green_loan(granted, gov):
    actions.identify_project(granted, code="outside", evidence="核查：流动资金", actor=gov)
    s = supervision()
    assert (s.green_count, s.granted_not_green, s.by_declared_purpose) == (0, 1, 0)
    assert s.breakdowns["bank"] == []


def test_withdrawn_requests_are_counted(sent, alice):
    actions.withdraw_request(sent, actor=alice)
    assert supervision().requests["withdrawn"] == 1


def test_regulator_and_government_see_the_page_others_do_not(granted, regulator, gov, alice,
                                                             bank_a):
    for user in (regulator, gov):
        page = signed_in(user).get("/finance/supervision/").content.decode()
        assert 'data-green-loans="1"' in page and 'data-green-balance="150.00"' in page
        assert 'id="by-bank"' in page and "甲银行常州分行" in page
    for user in (alice, bank_a):
        assert signed_in(user).get("/finance/supervision/").status_code == 404
    body = signed_in(regulator).get("/api/v1/finance/supervision").json()
    assert (body["green_loans"], body["green_balance"], body["requests"]["matched"]) == (
        1, "150.00", 1)
    assert body["breakdowns"]["bank"] == [{"key": "甲银行常州分行", "name": "甲银行常州分行",
                                           "count": 1, "balance": "150.00"}]
    assert signed_in(bank_a).get("/api/v1/finance/supervision").status_code == 404


def test_regulator_lands_on_the_supervision_view(regulator):
    response = signed_in(regulator).get("/me/")
    assert response.status_code == 302 and response.url == "/finance/supervision/"


def test_the_2027_target_panel_shows_the_green_finance_figures(granted, gov):
    page = signed_in(gov).get("/dashboards/city/").content.decode()
    assert 'id="green-finance-panel" data-green-loans="1" data-green-balance="150.00"' in page
    assert 'data-matched="1"' in page


def test_the_lender_can_identify_the_project_after_the_grant(granted, bank_a):
    page = signed_in(bank_a).get(f"/finance/requests/{granted.pk}/").content.decode()
    assert 'id="identify-form"' in page, page[page.find("green-identification") - 200:][:1500]
