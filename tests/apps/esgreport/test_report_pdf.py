"""The ESG report PDF of a published disclosure, read back with pdftotext and pdfinfo."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.apps.esgreport.conftest import pdf_fonts, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def test_the_chinese_report_prints_every_section_and_the_figures(published_a, published_2023,
                                                                 tmp_path):
    from czesg.esgreport.rendering import report_pdf

    pdf = report_pdf(published_a, "zh-hans")
    text = pdf_text(pdf, tmp_path)
    pages = pdf_pages(pdf, tmp_path)
    assert pdf.startswith(b"%PDF")
    # Cover, contents, profile, three pillars, charts, carbon, assurance, methodology, indexes:
    # each chapter starts a page.
    assert pages >= 10
    for heading in ("2024年ESG报告", "目录", "企业概况", "环境", "社会", "治理", "趋势与同业位置",
                    "碳核算", "鉴证", "方法说明", "内容索引"):
        assert heading in text, heading
    assert "甲新能源科技有限公司" in text
    assert published_a.enterprise.uscc in text
    assert f"urn:czesg:uscc:{published_a.enterprise.uscc}" in text  # as in XBRL and PACT
    # Figures printed in full with their unit on one line (no break between number and unit).
    assert re.search(r"1,000\s?吨二氧化碳当量", text)
    assert re.search(r"5,000\s?万元", text)
    assert re.search(r"15,000\s?立方米", text)
    assert re.search(r"0\.056\s?吨标准煤/万元", text)
    # "Not applicable" with its explanation; page numbers "n / N" in the footer.
    assert "不适用:生产过程不产生危险废物" in re.sub(r"\s+", "", text)
    assert re.search(rf"\b2 / {pages}\b", text)
    # Every glyph, running headers and page numbers included, is set in Noto Sans CJK SC
    # (Simplified Chinese forms: no fallback to the Japanese cut or to a serif font).
    assert pdf_fonts(pdf, tmp_path) == {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}
    # The running header names the enterprise on inner pages.
    assert text.count("甲新能源科技有限公司") >= pages - 1


def test_the_english_report(published_a, tmp_path):
    from czesg.esgreport.rendering import report_pdf

    text = pdf_text(report_pdf(published_a, "en"), tmp_path)
    for heading in ("ESG report 2024", "Contents", "Enterprise profile", "Environment",
                    "Content indexes", "GRI Standards", "Methodology notes"):
        assert heading in text, heading
    assert "Alpha New Energy Co." in text


def test_a_draft_is_refused(draft_a):
    from czesg.engine.kernel.errors import StateConflict
    from czesg.esgreport.rendering import report_pdf

    with pytest.raises(StateConflict) as refused:
        report_pdf(draft_a, "zh-hans")
    assert refused.value.render() == (
        "Version 1 of the 2024 disclosure is not published: a report is made only of a "
        "published disclosure.")


def test_the_download_from_the_disclosure_page(published_a, alice, tmp_path):
    client = Client()
    client.force_login(alice)
    page = client.get(f"/disclosures/{published_a.pk}/")
    assert f'href="/disclosures/{published_a.pk}/report.pdf"' in page.content.decode()
    response = client.get(f"/disclosures/{published_a.pk}/report.pdf?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Content indexes" in pdf_text(response.content, tmp_path)
    # A published disclosure is public: an anonymous reader gets the report too.
    assert Client().get(f"/disclosures/{published_a.pk}/report.pdf").status_code == 200


def test_a_draft_download_is_refused_with_a_message(draft_a, alice):
    client = Client()
    client.force_login(alice)
    response = client.get(f"/disclosures/{draft_a.pk}/report.pdf")
    assert response.status_code == 409
    assert "2024年披露的第1版尚未发布：只有已发布的披露才能生成报告。" in response.content.decode()

