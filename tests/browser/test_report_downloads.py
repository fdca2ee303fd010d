"""Issue 18 in the browser: on a published disclosure's page a reader sees the content indexes
and downloads the ESG report PDF and its inline XBRL."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.apps.esgreport.conftest import published_a  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_downloads_the_pdf_and_the_inline_xbrl(page, screenshot, published_a,  # noqa: F811
                                                         tmp_path):
    page.goto(f"/disclosures/{published_a.pk}/")
    indexes = page.locator("#content-indexes")
    indexes.locator("details[data-framework='gri'] summary").click()
    assert indexes.locator("tr[data-ref='305-1']").get_attribute("data-status") == "answered"
    screenshot("disclosure")

    # Rendering the PDF takes seconds on a busy machine: wait for the download, not a clock.
    with page.expect_download(timeout=180_000) as download:
        page.locator("#report-pdf").click(no_wait_after=True)
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename.endswith("-zh.pdf")
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "2024年ESG报告" in text and "内容索引" in text

    with page.expect_download(timeout=180_000) as download:
        page.locator("#report-ixbrl").click(no_wait_after=True)
    document = tmp_path / "report.xhtml"
    download.value.save_as(document)
    assert download.value.suggested_filename.endswith(".xhtml")
    text = document.read_text(encoding="utf-8")
    assert 'xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"' in text
    assert 'name="czesg:E-GHG-01"' in text and ">1,000</ix:nonFraction>" in text


def test_an_enterprise_imports_its_inline_xbrl_into_a_draft(page, screenshot, published_a,  # noqa: F811
                                                           firm_a, alice, tmp_path):
    """The inline XBRL of 2024, dated 2025, goes into the 2025 draft through the import page:
    upload, the facts shown (and nothing saved), confirm."""
    import re

    from czesg.disclosures.actions import start_disclosure
    from czesg.esgreport.xbrl import ixbrl_for
    from tests.browser.test_pages import sign_in

    draft = start_disclosure(firm_a, 2025, actor=alice)
    report = tmp_path / "alpha-2025.xhtml"
    report.write_text(ixbrl_for(published_a, "zh-hans").replace("2024-", "2025-"),
                      encoding="utf-8")
    expected = published_a.datapoints.exclude(status="not_applicable").count()
    sign_in(page, "alice")
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"/disclosures/{draft.pk}/edit/")
    page.get_by_role("link", name="导入 XBRL 报告").click()
    page.get_by_label("XBRL 报告（.json 或 .xhtml）").set_input_files(str(report))
    page.get_by_role("button", name="显示事实").click()
    page.locator("#import-facts").wait_for(timeout=120_000)  # Arelle reads the document
    assert page.locator("#import-facts tbody tr").count() == expected
    assert "f-E-GHG-01" in page.locator("#import-facts").inner_text()
    assert not draft.datapoints.exists()
    screenshot("import-preview")
    page.get_by_role("button", name=f"导入 {expected} 个数值").click()
    page.wait_for_url(re.compile(rf"/disclosures/{draft.pk}/edit/$"))
    assert draft.datapoints.count() == expected
    assert draft.datapoints.get(indicator_code="E-GHG-01").value_number == 1000
