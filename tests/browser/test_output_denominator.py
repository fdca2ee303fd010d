"""Issue 12 (item 2) in the browser: an intensity is reported per tonne of product by picking
that denominator; the field opens for the figure, which is stored in its own unit, and picking
per revenue again brings back the platform's calculation."""

from __future__ import annotations

import re

import pytest

from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, Method
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_energy_intensity_per_tonne_of_product_picked_then_typed(page, screenshot, draft_a, alice):
    actions.set_values(draft_a, [
        actions.Entry("E-ENG-01", 280, "tce"), actions.Entry("G-GEN-01", 5000, "万元"),
    ], actor=alice)
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.goto(f"/disclosures/{draft_a.pk}/edit/")
    row = page.locator("#row-E-ENG-02")
    basis, value = row.locator("select[name=basis]"), row.locator("[name=value]")
    assert basis.input_value() == "-" and value.input_value() == "0.056"
    assert value.get_attribute("readonly") is not None

    basis.select_option("tce/t")
    page.wait_for_timeout(1200)  # longer than the row's autosave delay (400 ms)
    assert requests == []  # picking the denominator alone saves nothing
    assert value.input_value() == "" and value.get_attribute("readonly") is None

    value.fill("0.35")
    value.press("Tab")
    page.locator("#row-E-ENG-02 .status .ok").wait_for()
    row = page.locator("#row-E-ENG-02")
    assert row.locator("select[name=basis]").input_value() == "tce/t"
    assert row.locator("[name=value]").input_value() == "0.35"
    assert "不与按每万元营业收入计的数值一起排名" in row.locator(".status").inner_text()
    screenshot("per-tonne")
    point = Datapoint.objects.get(disclosure=draft_a, indicator_code="E-ENG-02")
    assert (point.value_number, point.unit, point.method) == (0.35, "tce/t", Method.TYPED)

    row.locator("select[name=basis]").select_option("-")
    page.locator("#row-E-ENG-02 [name=value][readonly]").wait_for()
    assert page.locator("#row-E-ENG-02 [name=value]").input_value() == "0.056"
    point = Datapoint.objects.get(disclosure=draft_a, indicator_code="E-ENG-02")
    assert (point.unit, point.method) == ("tce/10k_CNY", Method.CALCULATED)
