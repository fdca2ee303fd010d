"""Issue 4 in the browser: an enterprise manager enters natural gas and electricity in the carbon
calculator, sees the totals and the trace with the factor ids, sends them to her draft, and the
draft shows the calculated values marked as calculated by the platform.

New elements are located by id and data attributes: their English strings render in English
until they are translated, and the test must not depend on that.
"""

from __future__ import annotations

import re

import pytest

from czesg.carbon.models import CarbonCalculation
from czesg.engine import carbon
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expected_2024() -> dict[str, float]:
    """Natural gas 10 万Nm3 and electricity 1,200 MWh in 2024, from the factor set itself."""
    fs = carbon.load_factor_set("2025.1")
    gas = fs.get("FUEL-NATURAL_GAS")
    grid = fs.latest("grid_provincial", "Jiangsu", 2024)
    scope1 = 10 * gas.ncv * gas.carbon_content_tC_per_GJ * gas.oxidation_rate * 44 / 12
    return {"scope1_tco2e": scope1, "scope2_location_tco2e": 1200 * grid.value,
            "grid_id": grid.factor_id}


def fill_row(page, number: int, activity: str, quantity: str, unit: str) -> None:
    row = page.locator(f'#activity-rows tr[data-row="{number}"]')
    row.locator("select.activity").select_option(activity)
    row.locator("select.unit").select_option(unit)
    row.locator("input.quantity").fill(quantity)


def test_manager_calculates_and_sends_the_totals_to_her_draft(page, screenshot, firm_a, alice,
                                                              draft_a):
    expected = expected_2024()
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/enterprises/{firm_a.uscc}/carbon/")
    page.locator("#year").select_option("2024")
    assert page.locator("#gwp_set").input_value() == carbon.DEFAULT_GWP_SET
    assert page.locator("#gwp-note").is_visible()
    # The unit list follows the activity: natural gas offers volumes, electricity energy.
    first = page.locator('#activity-rows tr[data-row="1"]')
    first.locator("select.activity").select_option("natural_gas")
    gas_units = first.locator("select.unit option").evaluate_all("os => os.map(o => o.value)")
    assert gas_units[0] == "万Nm3" and "kWh" not in gas_units
    fill_row(page, 1, "natural_gas", "10", "万Nm3")
    fill_row(page, 2, "electricity", "1200000", "kWh")
    screenshot("entered")
    page.locator("#calculate").click()
    page.wait_for_url(re.compile(r"/carbon/\d+/$"))

    totals = page.locator("#totals")
    for key in ("scope1_tco2e", "scope2_location_tco2e"):
        shown = float(totals.locator(f'tr[data-total="{key}"]').get_attribute("data-value"))
        assert shown == pytest.approx(expected[key], rel=1e-12)
        text = totals.locator(f'tr[data-total="{key}"] td.num').inner_text()
        assert float(text.replace(",", "")) == pytest.approx(expected[key], abs=5e-5)
    trace = page.locator("#trace")
    for factor_id in ("FUEL-NATURAL_GAS", expected["grid_id"], "TCE-NATURAL_GAS_2",
                      "TCE-ELECTRICITY-CALORIFIC"):
        assert trace.locator(f'tr[data-factor-id="{factor_id}"] td.factor-id').first.inner_text() \
            == factor_id
    electricity = trace.locator('tr[data-basis="scope2_location"]')
    assert "2023" in electricity.locator("td.trace-level").inner_text()
    screenshot("result")

    page.locator("#apply-to-draft").click()
    page.wait_for_url(re.compile(r"/carbon/\d+/$"))
    assert page.locator("#applied a").count() == 1
    calculation = CarbonCalculation.objects.get()
    assert calculation.applied_to_id == draft_a.pk

    page.goto(f"/disclosures/{draft_a.pk}/")
    row = page.locator('tr[data-indicator="E-GHG-02"]')
    shown = re.search(r"\t([\d,.]+)\t", row.inner_text()).group(1)  # the value cell
    assert float(shown.replace(",", "")) == pytest.approx(expected["scope1_tco2e"], rel=1e-3)  # 4 digits shown
    assert "平台计算" in row.inner_text()
    assert f"#{calculation.pk}" in row.inner_text()
    assert "平台计算" in page.locator('tr[data-indicator="E-ENG-01-ELEC"]').inner_text()
    screenshot("draft")

    # The calculator lists the calculation with its factor set and where it was sent.
    page.goto(f"/enterprises/{firm_a.uscc}/carbon/")
    listed = page.locator(f'#history tr[data-calculation="{calculation.pk}"]')
    assert listed.get_attribute("data-factor-set") == "2025.1"
    assert "2024 v1" in listed.inner_text()
    screenshot("history")
