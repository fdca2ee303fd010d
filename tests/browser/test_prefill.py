"""Issue 14 item 4 in the browser: an SME starts its disclosure and finds the utility's
electricity total pre-filled with its source, confirms it, and the review no longer asks."""

from __future__ import annotations

import re

import pytest

from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint, Disclosure
from tests.apps.records.test_utility_adapters import A, link, run
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_sme_starts_a_disclosure_prefilled_from_utility_data(page, screenshot, gov,
                                                                make_enterprise, member_of):
    firm = make_enterprise("常州示例发电有限公司", uscc=A, division_code=A[2:8])
    member_of(firm, "carol")
    link(gov)  # the utility's account table: two accounts of this enterprise
    run(gov)   # the utility's monthly electricity file for 2024

    sign_in(page, "carol")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{A}/disclose/")
    page.locator("#year").select_option("2024")
    page.get_by_role("button", name="开始").click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))

    row = page.locator("#row-E-ENG-01-ELEC")
    assert row.locator("[name=value]").input_value() == "1308"
    assert row.locator("select[name=unit]").input_value() == "MWh"
    assert "来自：供电企业按户按月用电量 2024 年全年合计" in row.locator(".prefill").inner_text()
    assert "已按供电企业按户按月用电量的数据预填；请确认或更正。" in row.locator(
        ".finding-error").inner_text()
    screenshot("prefilled")

    row.get_by_role("button", name="确认").click()
    page.locator("#row-E-ENG-01-ELEC .prefill", has_text="已确认").wait_for()
    assert page.locator("#row-E-ENG-01-ELEC .finding-error").count() == 0
    draft = Disclosure.objects.get(enterprise=firm, year=2024)
    point = Datapoint.objects.get(disclosure=draft, indicator_code="E-ENG-01-ELEC")
    assert (point.value_number, point.method, point.derivation["prefill"]["confirmed"]) == (
        1308.0, "government", True)
    assert AuditEvent.objects.filter(action="disclosure.confirm_value").count() == 1
    screenshot("confirmed")
