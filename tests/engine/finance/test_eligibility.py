"""Product rules as data: checking them, evaluating them and the rate-discount table."""

from __future__ import annotations

import pytest

from czesg.engine.finance.eligibility import (
    Rule,
    check_discounts,
    check_rules,
    discount_for,
    evaluate,
    load_purposes,
)
from czesg.engine.kernel.errors import CatalogueError


def test_ordered_figures_compare_by_rank():
    rules = check_rules([{"figure": "rating_grade", "min": "A"},
                         {"figure": "carbon_label", "min": "light_green"},
                         {"figure": "green_score", "max": 90}])
    good = {"rating_grade": "AA", "carbon_label": "dark_green", "green_score": 70.0}
    assert evaluate(rules, good) == []
    bad = evaluate(rules, {"rating_grade": "BBB", "carbon_label": "yellow", "green_score": 95})
    assert [(f.rule.figure, f.actual) for f in bad] == [
        ("rating_grade", "BBB"), ("carbon_label", "yellow"), ("green_score", 95)]


def test_industry_prefix_and_unknown_figures():
    rules = check_rules([{"figure": "industry", "any_of": ["C38", "D44"]}])
    assert evaluate(rules, {"industry": "C3841"}) == []
    assert evaluate(rules, {"industry": "C2611"})[0].actual == "C2611"
    [failure] = evaluate(rules, {})
    assert failure.actual is None and failure.rule == Rule("industry", "any_of", ("C38", "D44"))


@pytest.mark.parametrize("raw, words", [
    ({"figure": "profit", "min": 1}, "“profit”, which is not a figure"),
    ({"figure": "green_score", "min": 1, "max": 2}, "exactly one of"),
    ({"figure": "green_score", "min": "high"}, "min must be a number"),
    ({"figure": "size_class", "any_of": ["giant"]}, "“giant” is not a value of size_class"),
    ({"figure": "purpose", "any_of": []}, "lists no value"),
])
def test_bad_rules_are_named(raw, words):
    with pytest.raises(CatalogueError) as refused:
        check_rules([{"figure": "green_score", "min": 1}, raw])
    assert refused.value.params["field"] == "rules[2]" and words in refused.value.render()


def test_discount_table():
    table = check_discounts([{"min_score": 65, "bps": 15}, {"min_score": 80, "bps": 30}])
    assert table == [(80.0, 30), (65.0, 15)]
    assert [discount_for(table, s) for s in (None, 50, 65, 79.9, 80, 100)] == [0, 0, 15, 15, 30, 30]
    with pytest.raises(CatalogueError):
        check_discounts([{"min_score": 65, "bps": 15}, {"min_score": 65, "bps": 20}])
    with pytest.raises(CatalogueError):
        check_discounts([{"min_score": 120, "bps": 15}])


def test_purposes_carry_provenance_and_are_marked_unconfirmed():
    purposes = load_purposes()
    assert "energy_saving" in purposes and not purposes["other"].green
    assert all(p.provenance.confidence.startswith("unconfirmed-")
               for p in purposes.values() if p.green)
