"""czesg's own report PDFs (``czesg report``, Chinese and English) of a seeded published
disclosure, read back: every headline figure with its exact value, unit, page and text."""

from __future__ import annotations

import pytest

# The database only seeds the disclosure (as every report test does, on both databases); reading
# the two PDFs back (over a minute) is the same whichever database seeded them: SQLite pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.only_on("sqlite")]

# indicator: (value in the canonical unit, page in the Chinese report, page in the English one)
PRINTED = {
    "G-GEN-01": (86420.0, 4, 4), "E-GHG-01": (13086.5, 6, 6), "E-GHG-02": (4321.5, 6, 6),
    "E-GHG-03": (8765.0, 6, 6), "E-GHG-03-MKT": (6100.0, 6, 6), "E-GHG-04": (25800.0, 6, 6),
    "E-WST-04": (456.7, 7, 7), "E-ENG-01": (5678.0, 7, 8), "E-WAT-01": (123400.0, 8, 8),
    "S-EMP-01": (1520.0, 10, 11), "S-EMP-02-FPCT": (40.0, 10, 11),
}


def test_both_reports_are_read_back_exactly_with_their_pages():
    from czesg.bench.extraction_generated import generated_reports
    from czesg.engine.extraction import extract

    zh, en = generated_reports()
    assert (zh.name, zh.pages, en.name, en.pages) == ("czesg_report_zh", 23, "czesg_report_en", 24)
    for column, report in ((1, zh), (2, en)):
        # The ground truth (the page that prints the indicator's code first) is the page above.
        assert {(e.indicator, e.value, e.page) for e in report.expected} == {
            (code, row[0], row[column]) for code, row in PRINTED.items()}
        extraction = extract(report.pdf, report.year)
        found = {c.indicator: c for c in extraction.candidates}
        assert len(extraction.candidates) == len(found) == len(PRINTED), report.name
        for code, row in PRINTED.items():
            candidate = found[code]
            assert (candidate.value, candidate.page) == (row[0], row[column]), (report.name, code)
            # The report prints no year column: the reporting year is assumed, and said so;
            # nothing else is found wrong (the figures are consistent, Scope 2 labelled).
            assert [f.rule for f in candidate.findings] == ["year_assumed"], (report.name, code)
            assert candidate.conflicts == () and candidate.also_on == ()
            assert code in candidate.text and candidate.printed.replace(",", "") in \
                candidate.text.replace(",", "")
    zh_found = {c.indicator: c for c in extract(zh.pdf, 2024).candidates}
    assert zh_found["E-GHG-03-MKT"].text == \
        "范围2温室气体排放量（基于市场） E-GHG-03-MKT | 6,100 吨二氧化碳当量"
    assert (zh_found["E-GHG-02"].printed, zh_found["E-GHG-02"].unit_printed) == (
        "4,321.5", "吨二氧化碳当量")
    en_found = {c.indicator: c for c in extract(en.pdf, 2024).candidates}
    assert en_found["E-WAT-01"].text == (
        "Total water consumption (fresh water withdrawn) E-WAT-01 | 123,400 m³")
    # The English report prints the unit by the registry's English name, which begins with a
    # number: "86,420 10,000 CNY" is 86,420 万元, not two figures.
    assert (en_found["G-GEN-01"].printed, en_found["G-GEN-01"].unit_printed,
            en_found["G-GEN-01"].value) == ("86,420", "10,000 CNY", 86420.0)
