"""Issue 22 in the browser: the SME sees the green loan products it qualifies for (and why not
for the others), posts a financing request to an eligible bank, the bank offers, the SME accepts
(and the supervision view counts it), the bank identifies the project as green and records the
loan, and the financial regulator's supervision view counts the green loan."""

from __future__ import annotations

import re

import pytest

from czesg.finance.models import FinancingRequest
from tests.apps.finance.conftest import bank_a, bank_b, product, rated_a  # noqa: F401 (fixtures)
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_to(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username)
    page.wait_for_load_state()


def test_sme_requests_bank_offers_sme_accepts(page, screenshot, rated_a, alice, bank_a,  # noqa: F811
                                              bank_b, product, gov, make_user):  # noqa: F811
    from czesg.accounts.models import Role

    make_user("regulator", Role.REGULATOR, organisation="金融监管分局")
    product()  # bank A: 常绿贷 for manufacturers with a green score ≥ 10
    product(bank=bank_b, name="节水贷", kind="water_saving",
            rules=[{"figure": "size_class", "any_of": ["large", "medium"]}])

    # The SME sees which products it qualifies for, and why not for the other.
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.locator(".todo-financing").first.click()
    page.wait_for_url(re.compile(r"/financing/$"))
    assert page.locator("#verdicts tr[data-eligible='yes']").inner_text().startswith("甲银行常州分行")
    refused = page.locator("#verdicts tr[data-eligible='no']")
    assert "企业规模须为大型, 中型之一；贵企业为小型。" in refused.inner_text()
    screenshot("products")

    # It posts a request; only bank A is offered.
    form = page.locator("#request-form")
    assert form.get_by_label("乙银行常州分行").count() == 0
    form.get_by_label("金额（万元）").fill("300")
    form.get_by_label("期限（月）").fill("24")
    form.get_by_label("用途").select_option("energy_saving")
    form.get_by_role("textbox", name="项目").fill("余热回收改造")
    form.get_by_label("甲银行常州分行").check()
    form.get_by_role("button", name="发送需求").click()
    page.wait_for_url(re.compile(r"/finance/requests/\d+/$"))
    request = FinancingRequest.objects.get()
    assert request.state == "open" and request.amount == 300
    assert page.locator("#request-state").inner_text() == "进行中"

    # The bank finds it in its inbox, sees the green score, and offers.
    _switch_to(page, "bank_a")
    page.goto("/finance/requests/")
    page.get_by_role("link", name=f"#{request.pk}").click()
    assert page.locator("#figure-green_score").inner_text() != "未知"
    offer = page.locator("#offer-form")
    offer.get_by_label("金额（万元）").fill("280")
    offer.get_by_label("利率（%）").fill("3.05")
    offer.get_by_label("条件").fill("设备抵押")
    offer.get_by_role("button", name="报价").click()
    page.wait_for_load_state()
    assert page.locator("#answers tr[data-state='offered']").count() == 1

    # The SME accepts the offer.
    _switch_to(page, "alice")
    page.goto(f"/finance/requests/{request.pk}/")
    page.get_by_role("button", name="接受此报价").click()
    page.wait_for_load_state()
    assert page.locator("#request-facts").get_attribute("data-state") == "accepted"
    assert page.locator("#answers tr[data-state='accepted']").count() == 1
    screenshot("accepted")

    # The supervision view counts the accepted request (matched, offer accepted, no loan yet).
    _switch_to(page, "gov")
    page.goto("/finance/supervision/")
    assert page.locator("#requests-matched").inner_text() == "1"
    assert page.locator("#requests-accepted").inner_text() == "1"
    assert page.locator("#supervision-totals").get_attribute("data-green-loans") == "0"

    # The bank records the loan granted.
    _switch_to(page, "bank_a")
    page.goto(f"/finance/requests/{request.pk}/")
    outcome = page.locator("#outcome-form")
    outcome.get_by_label("放款金额（万元）").fill("280")
    outcome.get_by_label("利率（%）").fill("3.05")
    outcome.get_by_role("button", name="记录").click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert (request.state, str(request.granted_amount)) == ("granted", "280.00")
    assert page.locator("#request-facts").get_attribute("data-state") == "granted"

    # The bank confirms the suggested green identification (余热回收 → 节能降碳产业).
    identify = page.locator("#identify-form")
    assert identify.get_by_label("目录类别").input_value() == "energy_saving"
    identify.get_by_label("证据").fill("可研报告：余热回收改造")
    identify.get_by_role("button", name="确认识别").click()
    page.wait_for_load_state()
    assert page.locator("#green-identification").get_attribute("data-code") == "energy_saving"

    # The financial regulator lands on the supervision view, which counts the green loan.
    _switch_to(page, "regulator")
    page.wait_for_url(re.compile(r"/finance/supervision/$"))
    totals = page.locator("#supervision-totals")
    assert (totals.get_attribute("data-green-loans"), totals.get_attribute("data-granted")) == (
        "1", "1")
    assert page.locator("#green-balance").inner_text() == "280.00"
    assert page.locator("#by-bank tr[data-key='甲银行常州分行']").get_attribute(
        "data-balance") == "280.00"
    screenshot("supervision")
