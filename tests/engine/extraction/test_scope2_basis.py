"""Scope 2: location-based and market-based told apart only by their labels, in Chinese and
English; an unlabelled figure is location-based and said to be unlabelled, never market-based."""

from czesg.bench.extraction_corpus import _pdf, _rows
from czesg.engine.extraction import extract
from czesg.engine.extraction.reading import scope2_basis


def rules(candidate):
    return [f.rule for f in candidate.findings]


def scope2(extraction):
    return sorted((c.indicator, c.value, tuple(r for r in rules(c) if r != "year_assumed"),
                   c.conflicts) for c in extraction.candidates)


def test_the_basis_words_of_a_label():
    assert scope2_basis("范围二排放量（基于位置）") == "location"
    assert scope2_basis("基于市场的范围二排放量") == "market"
    assert scope2_basis("scope2emissions(market-based)") == "market"
    assert scope2_basis("scope2emissions(location-based/market-based)") == "both"
    assert scope2_basis("范围二排放量") == "unlabelled"


def test_a_chinese_table_with_both_bases_and_an_unlabelled_row():
    pdf = _pdf("<h2>环境绩效</h2><table>" + _rows([
        ("指标", "单位", "2024年", "2023年"),
        ("范围二排放量（基于位置）", "吨二氧化碳当量", "45,000", "44,000"),
        ("基于市场的范围二排放量", "吨二氧化碳当量", "40,000", "39,000"),
        ("范围二排放量", "吨二氧化碳当量", "40,000", "39,000"),
    ]) + "</table>")
    # The unlabelled row equals the market-based figure, yet it is read as location-based, said
    # to be unlabelled, and shown in conflict with the labelled location-based 45,000.
    assert scope2(extract(pdf, 2024)) == [
        ("E-GHG-03", 40000.0, ("scope2_unlabelled", "conflict"), (1,)),
        ("E-GHG-03", 45000.0, ("conflict",), (1,)),
        ("E-GHG-03-MKT", 40000.0, (), ()),
    ]


def test_english_labels_and_a_label_naming_both_bases():
    pdf = _pdf("<table>" + _rows([
        ("Indicator", "Unit", "FY2024"),
        ("Scope 2 GHG emissions (market-based)", "tCO2e", "30,000"),
        ("Scope 2 emissions (location-based / market-based)", "tCO2e", "31,000"),
    ]) + "</table><p>Location-based Scope 2 emissions were 33,000 tCO2e in 2024.</p>")
    assert scope2(extract(pdf, 2024)) == [
        ("E-GHG-03", 31000.0, ("scope2_both_bases", "conflict"), (1,)),
        ("E-GHG-03", 33000.0, ("conflict",), (1,)),
        ("E-GHG-03-MKT", 30000.0, (), ()),
    ]
