"""Issue 17 items 1-2 in the browser: a battery-pack maker asks its cell supplier for ESG data
and a product footprint, the supplier answers pre-filled from its published disclosure and
consents, and the buyer reads the scorecard with the shared footprint and the score."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from czesg.supplychain.models import RequestRead, RequestRecipient
from tests.apps.supplychain.conftest import (  # noqa: F401 (fixtures)
    buyer,
    buyer_manager,
    cell,
    published,
    supplier,
    supplier_manager,
)
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def disclosed(supplier, supplier_manager, fill_basic):  # noqa: F811
    from czesg.disclosures import actions

    draft = actions.start_disclosure(supplier, 2024, actor=supplier_manager)
    fill_basic(draft, supplier_manager)
    actions.submit_disclosure(draft, actor=supplier_manager)
    return actions.publish_disclosure(draft, actor=supplier_manager)


def test_buyer_requests_supplier_answers_buyer_reads_scorecard(
        page, screenshot, buyer, buyer_manager, supplier, supplier_manager,  # noqa: F811
        published, disclosed):  # noqa: F811
    # The buyer sends the battery questionnaire (offered first for its industry) from its
    # products page.
    sign_in(page, "pack_mgr")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{buyer.uscc}/products/")
    page.locator("#supplier-requests-link").click()
    assert page.locator("#id_template").input_value() == "battery"
    assert page.locator("input[name=indicators]:checked").count() == 14
    page.locator("#id_title").fill("2024年电芯供应商ESG数据")
    page.locator("#id_year").fill("2024")
    page.locator("#id_suppliers").fill(f"{supplier.uscc}, 1")
    page.locator("#id_products").fill("LFP cell")
    page.locator("#id_due_date").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    screenshot("request-form")
    page.get_by_role("button", name="发送请求").click()
    page.wait_for_url(re.compile(r"/supplier-requests/\d+/$"))
    row = page.locator(f"#recipients tr[data-uscc='{supplier.uscc}']")
    assert row.get_attribute("data-state") == "open"
    assert "待答复" in row.inner_text()

    # The supplier finds it among the requests from buyers; the answers are pre-filled.
    page.context.clear_cookies()
    sign_in(page, "cells_mgr")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{supplier.uscc}/products/")
    page.locator("#buyer-requests-link").click()
    page.get_by_role("link", name="2024年电芯供应商ESG数据").click()
    assert page.locator("#answer-E-GHG-02").input_value() == "300.0"
    assert page.locator("#answer-E-WAT-01").input_value() == "15000.0"
    assert page.locator("#answer-G-GOV-06").input_value() == ""
    page.locator("#answer-G-GOV-06").fill("是")
    page.get_by_label("LFP cell").select_option(label="LFP cell 280Ah")
    screenshot("answer-form")
    page.get_by_role("button", name="共享答复").click()  # consent not ticked: refused
    assert "请勾选同意" in page.locator("#answer-error").inner_text()
    assert RequestRecipient.objects.get().state == "open"
    page.locator("#consent").check()
    page.get_by_role("button", name="共享答复").click()
    page.wait_for_load_state()
    assert page.locator("#request-state").inner_text() == "已答复并共享"
    assert page.locator("#shared-answers tr[data-code]").count() == 8

    # The buyer reads the scorecard: 8 of 14 answered, the footprint shared, the score by the
    # default weighting (not rated): 0.2 * 8/14 * 100 + 0.15 * 100 = 26.43.
    page.context.clear_cookies()
    sign_in(page, "pack_mgr")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{buyer.uscc}/suppliers/")
    card = page.locator(f"#scorecards tr[data-uscc='{supplier.uscc}']")
    assert card.locator(".answered").inner_text() == "8 / 14"
    assert card.locator(".score").inner_text() == "26.43"
    assert "LFP cell 280Ah" in card.locator(".footprint").inner_text()
    assert page.locator("#portfolio tr[data-tier='1'] td").nth(2).inner_text() == "1"
    screenshot("scorecard")
    assert RequestRead.objects.filter(recipient__supplier=supplier, channel="page").count() == 1
