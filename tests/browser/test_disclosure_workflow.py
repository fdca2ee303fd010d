"""Issue 3 in the browser: a new SME user fills and submits the basic disclosure in the guided
form; a template with three planted errors is uploaded and all three are named on the page."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint, Disclosure
from czesg.engine.disclosure import workbook
from tests.browser.test_pages import sign_in
from tests.conftest import BASIC_NOT_APPLICABLE, BASIC_VALUES

# Indicators the platform computes from the others (catalogue column ``formula``).
DERIVED = {"E-GHG-01", "E-GHG-05", "E-ENG-02", "S-TRN-02"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_row(page, code: str) -> None:
    """Wait until the autosaved row shows its saved mark (the row is swapped in by htmx)."""
    page.locator(f"#row-{code} .status .ok").wait_for()


def test_new_sme_user_fills_and_submits_the_basic_disclosure(page, screenshot, firm_a, alice):
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.get_by_role("link", name=firm_a.name).click()
    page.get_by_role("link", name="开始披露").click()
    page.get_by_label("报告年度").select_option("2024")
    page.get_by_label("指标范围").select_option("basic")
    page.get_by_role("button", name="开始").click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))
    assert "已填报 0 / 33 项指标" in page.locator("#progress").inner_text()
    # Guidance sits beside every field.
    row = page.locator("#row-E-GHG-01")
    row.get_by_text("填报指引").click()
    assert "范围1" in row.locator(".guidance").inner_text()

    for code, value, _unit in BASIC_VALUES:
        if code in DERIVED:
            continue  # computed by the platform once its inputs are saved (issue 12)
        row = page.locator(f"#row-{code}")
        field = row.locator("[name=value]")
        if value == "yes":
            field.select_option("yes")
        else:
            field.fill(str(value))
            field.press("Tab")
        save_row(page, code)
    for code, why in BASIC_NOT_APPLICABLE:
        row = page.locator(f"#row-{code}")
        row.locator("[name=na_explanation]").fill(why)
        row.locator("[name=na]").check()
        save_row(page, code)
    # A kWh entry is converted to the canonical MWh and the typed unit is kept.
    row = page.locator("#row-E-ENG-01-ELEC")
    # The row already shows its saved mark: wait for the answer to this change itself.
    with page.expect_response(re.compile(r"/answer/E-ENG-01-ELEC/$")):
        row.locator("select[name=unit]").select_option("kWh")
        row.locator("[name=value]").fill("1200000")
        row.locator("[name=value]").press("Tab")
    save_row(page, "E-ENG-01-ELEC")
    assert "已填报 29 / 33 项指标" in page.locator("#progress").inner_text()
    page.reload()
    total = page.locator("#row-E-GHG-01")
    assert total.locator("[name=value]").input_value() == "1000"
    assert total.locator("[name=value]").get_attribute("readonly") is not None
    assert "由平台计算" in total.locator(".how-computed").inner_text()
    screenshot("form")

    page.get_by_role("link", name="检查并提交").first.click()
    assert "没有错误" in page.locator("main").inner_text()
    screenshot("review")
    page.get_by_role("button", name="确认并提交").click()
    # Submitting lands on the estimated grade and next steps (issue 12); then the disclosure.
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    assert page.locator("#feedback-grade").inner_text().strip()
    page.get_by_role("link", name=re.compile("2024 年度 ESG 披露")).click()
    page.wait_for_url(re.compile(r"/disclosures/\d+/$"))
    assert "已提交" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="发布").click()
    page.wait_for_url(re.compile(r"/ratings/feedback/\d+/$"))
    assert "已发布" in page.locator("#feedback-state").inner_text()
    screenshot("published")

    disclosure = Disclosure.objects.get(enterprise=firm_a, year=2024)
    assert disclosure.state == "published"
    electricity = disclosure.datapoints.get(indicator_code="E-ENG-01-ELEC")
    assert (electricity.value_number, electricity.entered_unit) == (1200.0, "kWh")
    assert disclosure.datapoints.get(indicator_code="E-WST-01").status == "not_applicable"
    derived = {p.indicator_code: p for p in disclosure.datapoints.filter(method="calculated")}
    assert set(derived) == DERIVED
    assert derived["E-GHG-01"].value_number == 1000.0
    assert derived["E-ENG-02"].value_number == pytest.approx(0.056, rel=1e-12)
    assert derived["S-TRN-02"].value_number == 20.0
    assert AuditEvent.objects.filter(action="disclosure.publish", target_id=str(disclosure.pk)).exists()


def planted_template(disclosure) -> tuple[bytes, dict]:
    """The platform's own template with three planted errors."""
    from czesg.disclosures.upload import template_bytes

    book = load_workbook(io.BytesIO(template_bytes(disclosure, fmt="xlsx", language="zh-hans")))
    sheet = book[workbook.DATA_SHEET]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    sheet.cell(rows["S-EMP-01"], 4).value = "一百二十"  # text in a number cell
    sheet.cell(rows["E-ENG-01-ELEC"], 4).value = 1500
    sheet.cell(rows["E-ENG-01-ELEC"], 5).value = "马力"  # a unit that is no energy unit
    sheet.cell(rows["S-EMP-03"], 4).value = 150  # a percentage above 100
    sheet.cell(rows["E-WAT-01"], 4).value = 900  # a good value: must not be saved either
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def test_upload_with_three_planted_errors_names_all_three(page, screenshot, draft_a, alice, tmp_path):
    data, rows = planted_template(draft_a)
    path = tmp_path / "filled.xlsx"
    path.write_bytes(data)
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/disclosures/{draft_a.pk}/upload/")
    page.get_by_label("已填写的模板").set_input_files(str(path))
    page.get_by_role("button", name="上传").click()
    table = page.locator("#problems")
    table.wait_for()
    lines = table.locator("tbody tr").all_inner_texts()
    assert len(lines) == 3, lines
    assert any(f"D{rows['S-EMP-01']}" in x and "S-EMP-01" in x for x in lines)
    assert any(f"E{rows['E-ENG-01-ELEC']}" in x and "E-ENG-01-ELEC" in x for x in lines)
    assert any(f"D{rows['S-EMP-03']}" in x and "S-EMP-03" in x for x in lines)
    assert "未保存任何数据" in page.locator("main").inner_text()
    screenshot("problems")
    assert not Datapoint.objects.filter(disclosure=draft_a).exists()
