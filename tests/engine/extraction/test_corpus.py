"""Extraction from the generated corpus: exact values, pages, boxes and texts of every figure."""

import hashlib

import pytest


def by_code(extraction):
    found = {}
    for candidate in extraction.candidates:
        found.setdefault(candidate.indicator, []).append(candidate)
    return found


def rules(candidate):
    return sorted(f.rule for f in candidate.findings)


@pytest.mark.parametrize("name", ["zh_table", "en_table", "prose_columns", "split_table",
                                  "inconsistent"])
def test_every_printed_figure_is_found_exactly_and_nothing_else(reports, extracted, name):
    report, extraction = reports[name], extracted[name]
    assert extraction.pages == report.pages
    assert extraction.sha256 == hashlib.sha256(report.pdf).hexdigest()
    got = sorted((c.indicator, c.value, c.page) for c in extraction.candidates)
    assert got == sorted((e.indicator, e.value, e.page) for e in report.expected)


def test_chinese_table_units_scales_and_prior_year(extracted):
    found = by_code(extracted["zh_table"])
    scope1 = found["E-GHG-02"][0]
    # １.２３４ 万吨二氧化碳当量 (full-width digits) → 12,340 tCO2e; the prior-year column read too
    assert (scope1.value, scope1.unit, scope1.printed, scope1.unit_printed) == (
        12340.0, "tCO2e", "1.234", "万吨二氧化碳当量")
    assert scope1.prior_value == 11980.0
    assert scope1.year_basis == "column"
    assert scope1.text == "范围一温室气体排放量 | 万吨二氧化碳当量 | １.２３４ | 1.198"
    assert found["G-GEN-01"][0].value == 349500.0  # 34.95 亿元 in 万元
    assert found["G-GEN-01"][0].prior_value == 331200.0
    assert found["E-WAT-01"][0].value == 352000.0  # 35.2 万立方米
    assert found["E-ENG-01"][0].value == 21345.0   # "21 345" 吨标准煤
    # The intensity row is not read as total emissions; market-based Scope 2 kept apart.
    assert found["E-GHG-03-MKT"][0].value == 40012.0
    assert all(rules(c) == [] for c in extracted["zh_table"].candidates)


def test_english_table_with_the_prior_year_column_first(extracted):
    found = by_code(extracted["en_table"])
    assert found["E-GHG-02"][0].value == 10215.0      # FY2024 column, not FY2023's 9,870
    assert found["E-GHG-02"][0].prior_value == 9870.0
    assert found["G-GEN-01"][0].value == 245680.0     # 2,456.8 RMB million in 万元
    assert found["E-WST-04"][0].unit_printed == "tonnes"


def test_every_citation_lies_on_its_page_around_its_text(extracted):
    for extraction in extracted.values():
        for candidate in extraction.candidates:
            x0, top, x1, bottom = candidate.bbox
            assert 0 <= x0 < x1 <= 595.3 and 0 <= top < bottom <= 841.9
            assert candidate.printed.replace(" ", "") in (
                candidate.text.replace(" ", "").replace("１.２３４", "1.234"))


def test_prose_in_two_columns(extracted):
    found = by_code(extracted["prose_columns"])
    employees = found["S-EMP-01"][0]
    assert (employees.value, employees.year_basis) == (2310.0, "text")
    share = found["S-EMP-02-FPCT"][0]  # its name wraps onto the next line: 女性员|工占比
    assert (share.value, share.unit) == (28.4, "%")
    water = found["E-WAT-01"][0]
    assert (water.value, water.unit_printed) == (123456.0, "m3")
    # The sentence names no year for Scope 1: taken as the reporting year, and said so.
    assert rules(found["E-GHG-02"][0]) == ["year_assumed"]
    # The right-hand column's sentence is cited with its own box, not the left column's.
    assert water.bbox[0] > 290 and found["S-EMP-01"][0].bbox[2] < 300


def test_a_table_split_over_two_pages_keeps_its_year_columns(extracted):
    found = by_code(extracted["split_table"])
    assert [(c.value, c.page, c.year_basis, c.prior_value) for c in found["E-GHG-03"]] == [
        (12004.0, 2, "column", 11870.0)]
    assert found["E-WST-04"][0].value == 3500.0  # 0.35 万吨


def test_conflicts_sums_and_year_on_year_scale_are_flagged(extracted):
    found = by_code(extracted["inconsistent"])
    summary, table = sorted(found["E-GHG-02"], key=lambda c: c.page)
    assert (summary.value, summary.page, summary.conflicts) == (9100.0, 1, (2,))
    assert (table.value, table.page, table.conflicts) == (9150.0, 2, (1,))
    assert "conflict" in rules(summary) and "conflict" in rules(table)
    # The GRI content index (page 3) names page 2 for 305-1: the summary's figure is elsewhere.
    assert summary.indexed == table.indexed == (2,)
    assert "index_elsewhere" in rules(summary) and "index_elsewhere" not in rules(table)
    total = found["E-GHG-01"][0]
    assert "sum_of_parts" in rules(total)        # 31,150 ≠ 9,100 (first) + 20,000
    scope2 = found["E-GHG-03"][0]
    assert "yoy_scale" in rules(scope2)           # 20,000 after 1,950: a ×10 slip
    assert scope2.prior_value == 1950.0
