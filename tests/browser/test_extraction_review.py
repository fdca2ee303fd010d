"""Issue 15 in the browser: an analyst uploads a listed company's report, accepts three figures
and corrects one; the public profile then shows them as records with their page citations."""

from __future__ import annotations

import re

import pytest

from czesg.audit.models import AuditEvent
from czesg.records.models import Record
from tests.browser.test_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_reviews_a_report_and_the_profile_cites_its_pages(page, screenshot, gov,
                                                                    make_enterprise):
    from czesg.bench.extraction_corpus import zh_table

    firm = make_enterprise("常州示例科技股份有限公司", listed=True, exchange="SSE",
                           stock_code="688001")
    sign_in(page, "gov")
    page.wait_for_url(re.compile(r"/me/$"))
    page.locator("#nav-extraction").click()
    page.locator("[name=uscc]").fill(firm.uscc)
    page.locator("[name=year]").fill("2024")
    page.locator("[name=file]").set_input_files(files=[{
        "name": "示例科技2024年ESG报告.pdf", "mimeType": "application/pdf",
        "buffer": zh_table().pdf}])
    page.get_by_role("button", name="读取报告").click()
    page.wait_for_url(re.compile(r"/extraction/runs/\d+/$"))
    assert page.locator("#candidates tbody tr").count() == 11
    scope1 = page.locator("tr[data-indicator=E-GHG-02]")
    assert "第 1 页" in scope1.inner_text() and "万吨二氧化碳当量" in scope1.inner_text()
    # The crop of the page region is an image the browser could load.
    scope1.scroll_into_view_if_needed()
    width = scope1.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width > 100
    screenshot("queue")

    for code in ("E-GHG-02", "E-WAT-01", "S-EMP-01"):
        page.locator(f"tr[data-indicator={code}]").get_by_role("button", name="接受").click()
        page.locator(f"tr[data-indicator={code}][data-state=accepted]").wait_for()
    revenue = page.locator("tr[data-indicator=G-GEN-01]")
    revenue.locator("summary", has_text="更正").click()
    revenue.locator("[name=value]").fill("34.96")
    revenue.locator("[name=unit]").fill("亿元")
    revenue.locator("[name=note]").fill("以经审计的年度报告为准")
    revenue.get_by_role("button", name="保存更正").click()
    page.locator("tr[data-indicator=G-GEN-01][data-state=corrected]").wait_for()
    screenshot("decided")

    records = {r.indicator_code: r for r in Record.objects.filter(enterprise=firm, current=True)}
    assert {code: (r.value_number, r.page) for code, r in records.items()} == {
        "E-GHG-02": (12340.0, 1), "E-WAT-01": (352000.0, 1), "S-EMP-01": (3456.0, 1),
        "G-GEN-01": (349600.0, 1)}
    assert AuditEvent.objects.filter(action="extraction.accepted").count() == 3
    assert AuditEvent.objects.filter(action="extraction.corrected").count() == 1

    page.goto(f"/enterprises/{firm.uscc}/")
    for code, shown in (("E-GHG-02", "12,340"), ("E-WAT-01", "352,000"), ("S-EMP-01", "3,456"),
                        ("G-GEN-01", "349,600")):
        point = page.locator(f".trend-basis[data-indicator={code}] .trend-point[data-year='2024']")
        text = point.inner_text()
        assert shown in text and "第 1 页" in text, text
        assert "上市公司已发布的可持续发展（ESG）报告" in text
    screenshot("profile")
