"""Issue 12 (item 2) in the browser: a unit picked before the value is typed is kept, and the
value is stored in the canonical unit with the typed unit beside it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kwh_picked_first_then_6500_typed_stores_6_5_mwh(page, screenshot, draft_a, alice):
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.goto(f"/disclosures/{draft_a.pk}/edit/")
    row = page.locator("#row-E-ENG-01-ELEC")
    unit = row.locator("select[name=unit]")
    assert unit.input_value() == "MWh"

    # A person picks the unit first and takes their time before typing the figure.
    unit.select_option("kWh")
    page.wait_for_timeout(1200)  # longer than the row's autosave delay (400 ms)
    assert requests == []  # picking a unit alone saves nothing
    assert unit.input_value() == "kWh"
    assert not Datapoint.objects.filter(disclosure=draft_a, indicator_code="E-ENG-01-ELEC").exists()

    row.locator("[name=value]").fill("6500")
    row.locator("[name=value]").press("Tab")
    page.locator("#row-E-ENG-01-ELEC .status .ok").wait_for()
    row = page.locator("#row-E-ENG-01-ELEC")
    assert row.locator("[name=value]").input_value() == "6500"
    assert row.locator("select[name=unit]").input_value() == "kWh"
    screenshot("saved")

    point = Datapoint.objects.get(disclosure=draft_a, indicator_code="E-ENG-01-ELEC")
    assert (point.value_number, point.unit) == (6.5, "MWh")
    assert (point.entered_value, point.entered_unit) == ("6500", "kWh")
    assert AuditEvent.objects.filter(action="disclosure.set_values").count() == 1
    assert not AuditEvent.objects.filter(action="disclosure.clear_value").exists()

    # After a reload the page shows the figure as typed, and the read-only view in MWh.
    page.reload()
    row = page.locator("#row-E-ENG-01-ELEC")
    assert row.locator("[name=value]").input_value() == "6500"
    assert row.locator("select[name=unit]").input_value() == "kWh"
    page.goto(reverse("portal:disclosure", args=[draft_a.pk]))
    text = page.locator("main").inner_text()
    assert re.search(r"外购电力消费量.*6\.5", text, re.S), text
