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
