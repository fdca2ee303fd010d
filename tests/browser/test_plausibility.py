"""Issue 12 (item 3) in the browser: absurd values get inline messages beside the field as soon
as the row autosaves, naming the field in Chinese, and what was typed stays in the field."""

from __future__ import annotations

import re

import pytest

from czesg.disclosures.models import Datapoint
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_into(page, code: str, value: str, unit: str | None = None):
    row = page.locator(f"#row-{code}")
    if unit is not None:
        row.locator("select[name=unit]").select_option(unit)
    row.locator("[name=value]").fill(value)
    with page.expect_response(re.compile(rf"/answer/{code}/$")):
        row.locator("[name=value]").press("Tab")
    return page.locator(f"#row-{code}")


def test_absurd_values_get_inline_messages_naming_the_field_in_chinese(page, screenshot,
                                                                      draft_a, alice):
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/disclosures/{draft_a.pk}/edit/")

    # 12.5 employees: refused, named by the field's Chinese name, the typed figure kept.
    row = type_into(page, "S-EMP-01", "12.5")
    error = row.locator(".status .error")
    error.wait_for()
    assert "期末在职员工总数 按整人或整次计数；12.5 不是整数。" in error.inner_text()
    assert row.locator("[name=value]").input_value() == "12.5"
    assert not Datapoint.objects.filter(disclosure=draft_a, indicator_code="S-EMP-01").exists()

    # A 12-person firm with 1,000 work deaths: saved as typed, flagged beside the field.
    row = type_into(page, "S-EMP-01", "12")
    row.locator(".status .ok").wait_for()
    row = type_into(page, "S-OHS-01", "1000")
    flag = row.locator(".finding-error")
    flag.wait_for()
    assert flag.inner_text() == "因工死亡人数（1,000）不能超过期末在职员工总数（12）。"
    assert row.locator("[name=value]").input_value() == "1000"
    assert "S-OHS-01（" not in flag.inner_text()

    # 10^12 kWh of electricity in a small firm: above the size-class bound, said to be one.
    row = type_into(page, "E-ENG-01-ELEC", "1000000000000", unit="kWh")
    flag = row.locator(".finding-error")
    flag.wait_for()
    text = flag.inner_text()
    assert text.startswith("外购电力消费量 高得不合理：折合 1.229e+08 吨标准煤"), text
    assert "非官方数据" in text
    assert row.locator("[name=value]").input_value() == "1000000000000"
    assert row.locator("select[name=unit]").input_value() == "kWh"
    screenshot("absurd-electricity")

    # After a reload the messages are still beside the fields.
    page.reload()
    assert "不能超过期末在职员工总数" in page.locator("#row-S-OHS-01 .finding-error").inner_text()
    assert "高得不合理" in page.locator("#row-E-ENG-01-ELEC .finding-error").inner_text()
