"""The ESG rating and green score: exact hand-computed cases, load refusals and invariants.

Most exact cases use a small test methodology (below) whose weights are binary fractions
(0.5, 0.25, 0.125 …), so that every expected score is exact in floating point and a score that
lands on a band edge really is on it.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czesg.engine.disclosure.answers import Answer
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.rating import (
    ENV_CREDIT_COLOURS,
    MISSING,
    NOT_APPLICABLE,
    REPORTED,
    RatingInput,
    benchmark,
    explain,
    green_score,
    load_green_methodology,
    load_methodology,
    materiality_group,
    methodology_tables,
    parse_green_methodology,
    parse_methodology,
    rate,
    reproduce,
    self_diagnose,
)

GROUPS = ("battery", "pv", "nev", "equipment", "materials", "manufacturing", "services", "finance")


def _group_tables() -> str:
    out = []
    for key in GROUPS:
        weights = "{ E = 0.25, S = 0.25, G = 0.5 }" if key == "finance" else \
            "{ E = 0.5, S = 0.25, G = 0.25 }"
        out.append(f"""
[group.{key}]
name_zh = "{key}"
name_en = "{key}"
lead_industries = ["{key}"]
weights = {weights}
source = "test"
confidence = "methodology-choice"
""")
    return "".join(out)


def _bands() -> str:
    edges = [("AAA", 90, 100), ("AA", 80, 90), ("A", 70, 80), ("BBB", 60, 70), ("BB", 50, 60),
             ("B", 40, 50), ("CCC", 30, 40), ("CC", 20, 30), ("C", 0, 20)]
    return "".join(f"""
[[band]]
grade = "{grade}"
min = {low}
max = {high}
source = "test"
confidence = "methodology-choice"
""" for grade, low, high in edges)


SMALL = f"""
version = "test-1"
kind = "esg-rating"
title_zh = "测试方法"
title_en = "Test methodology"
catalogue_version = "2025.1"
description_zh = "测试"
description_en = "Test"

[peers]
min_peers = 3
fallback = ["group", "all"]
sole_reporter_score = 50
source = "test"
confidence = "methodology-choice"

[self_diagnosis]
neutral_score = 50
source = "test"
confidence = "methodology-choice"

[materiality]
default_group = "manufacturing"
default_by_section = {{ C = "manufacturing", J = "finance" }}
source = "test"
confidence = "analyst-mapping"
{_group_tables()}
[pillar.E]
name_zh = "环境"
name_en = "Environmental"
weight = 0.5
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate]
weight = 0.75
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate.indicator.E-GHG-05]
weight = 0.5
direction = "lower_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.climate.indicator.E-GHG-10]
weight = 0.5
direction = "higher_better"
normalisation = "absolute"
thresholds = [[1, 100]]
not_applicable_allowed = true
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.energy]
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.E.topic.energy.indicator.E-ENG-02]
weight = 1.0
direction = "lower_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.S]
name_zh = "社会"
name_en = "Social"
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees]
weight = 1.0
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees.indicator.S-OHS-01]
weight = 0.5
direction = "lower_better"
normalisation = "absolute"
thresholds = [[0, 100], [1, 40]]
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.S.topic.employees.indicator.S-EMP-05-COV]
weight = 0.5
direction = "higher_better"
normalisation = "industry_percentile"
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[pillar.G]
name_zh = "治理"
name_en = "Governance"
weight = 0.25
source = "test"
confidence = "methodology-choice"

[pillar.G.topic.governance]
weight = 1.0
source = "test"
confidence = "methodology-choice"

[pillar.G.topic.governance.indicator.G-GOV-06]
weight = 1.0
direction = "higher_better"
normalisation = "absolute"
thresholds = [[1, 100]]
not_applicable_allowed = false
source = "test"
confidence = "methodology-choice"

[deductions]
cap = 25
source = "test"
confidence = "methodology-choice"

[deductions.env_penalties]
name_zh = "环境行政处罚"
name_en = "Environmental penalties"
points_per_count = 2
count_cap = 6
amount_steps = [[10, 1], [50, 2], [100, 4]]
cap = 10
source = "test"
confidence = "methodology-choice"

[deductions.safety_accidents]
name_zh = "生产安全事故"
name_en = "Work-safety accidents"
points_per_fatal = 6
points_per_serious = 3
cap = 12
source = "test"
confidence = "methodology-choice"

[deductions.tax_credit]
name_zh = "纳税信用级别"
name_en = "Tax credit grade"
points = {{ A = 0, B = 0, M = 0, C = 3, D = 8 }}
cap = 8
scale_source = "test"
scale_confidence = "confirmed-secondary"
source = "test"
confidence = "methodology-choice"

[deductions.env_credit]
name_zh = "企业环保信用评价"
name_en = "Environmental credit colour"
points = {{ green = 0, blue = 0, yellow = 2, red = 6, black = 10 }}
cap = 10
scale_source = "test"
scale_confidence = "confirmed-secondary"
source = "test"
confidence = "methodology-choice"

[grades]
scale_source = "test"
scale_confidence = "confirmed-secondary"
{_bands()}
"""


@pytest.fixture(scope="module")
def small():
    return parse_methodology(SMALL, name="rating-test.toml")


# The population of the hand-computed cases. a, b and c are in "manufacturing" (3 reporters of
# E-GHG-05 and S-EMP-05-COV: the group is used, min_peers = 3); only a and b of the group report
# E-ENG-02, so that indicator falls back to all enterprises, where d (services) also reports it.
ROWS = [
    ("a", "E-GHG-05", 1.0, "reported"), ("a", "E-GHG-10", True, "reported"),
    ("a", "E-ENG-02", 0.5, "reported"), ("a", "S-OHS-01", 0, "reported"),
    ("a", "S-EMP-05-COV", 99.0, "reported"), ("a", "G-GOV-06", True, "reported"),
    ("b", "E-GHG-05", 2.0, "reported"), ("b", "E-GHG-10", None, "not_applicable"),
    ("b", "E-ENG-02", 0.7, "reported"), ("b", "S-OHS-01", 1, "reported"),
    ("b", "S-EMP-05-COV", 95.0, "reported"), ("b", "G-GOV-06", False, "reported"),
    ("c", "E-GHG-05", 3.0, "reported"), ("c", "S-OHS-01", 2, "reported"),
    ("c", "S-EMP-05-COV", 80.0, "reported"), ("c", "G-GOV-06", True, "reported"),
    ("d", "E-ENG-02", 0.6, "reported"),
]
POPULATION_GROUPS = {"a": "manufacturing", "b": "manufacturing", "c": "manufacturing",
                     "d": "services"}


def population(small, records=None, rows=ROWS):
    return RatingInput.from_long(rows, POPULATION_GROUPS, records, year=2024,
                                 methodology=small)


def score_of(result, enterprise):
    return float(result.score[result.index(enterprise)])


# --------------------------------------------------------------------------------------------
# Exact, hand-computed scores


def test_hand_computed_indicator_topic_pillar_and_total_scores(small):
    result = rate(population(small), small)
    col = small.column
    a, b, c, d = (result.index(e) for e in "abcd")
    # E-GHG-05 (lower is better) among a, b, c: percentile = 100 × (worse + ½ tied) / (n − 1).
    assert result.indicator_scores[a, col("E-GHG-05")] == 100.0   # 2 worse of 2
    assert result.indicator_scores[b, col("E-GHG-05")] == 50.0    # 1 worse of 2
    assert result.indicator_scores[c, col("E-GHG-05")] == 0.0
    # E-ENG-02: a 0.5, b 0.7 in the group (2 < 3 peers) → all enterprises: a, d 0.6, b.
    assert result.indicator_scores[a, col("E-ENG-02")] == 100.0
    assert result.indicator_scores[d, col("E-ENG-02")] == 50.0
    assert result.indicator_scores[b, col("E-ENG-02")] == 0.0
    # S-OHS-01 absolute, lower is better, steps ≤0 → 100, ≤1 → 40, else 0.
    assert [result.indicator_scores[e, col("S-OHS-01")] for e in (a, b, c)] == [100, 40, 0]

    # a: climate = ½·100 + ½·100 = 100; energy = 100 → E = ¾·100 + ¼·100 = 100;
    #    S = ½·100 + ½·100 = 100; G = 100 → total = ½·100 + ¼·100 + ¼·100 = 100 (AAA).
    assert result.total[a] == 100.0 and result.grade[a] == "AAA"
    # b: E-GHG-10 not applicable → climate = E-GHG-05 alone = 50; energy = 0 → E = 37.5;
    #    S = ½·40 + ½·50 = 45; G = 0 → total = ½·37.5 + ¼·45 + 0 = 18.75 + 11.25 = 30 (CCC).
    assert result.topic_scores[b, 0] == 50.0
    assert result.pillar_scores[b].tolist() == [37.5, 45.0, 0.0]
    assert result.total[b] == 30.0 and result.grade[b] == "CCC"
    # c: E-GHG-10 and E-ENG-02 missing (0) → E = 0; S = ½·0 + ½·0 = 0; G = 100 → total = 25.
    assert result.total[c] == 25.0 and result.grade[c] == "CC"
    # d (services, same pillar weights): only E-ENG-02 = 50 → E = ¼·50 = 12.5 → total = 6.25.
    assert result.total[d] == 6.25 and result.grade[d] == "C"
    assert np.array_equal(result.score, result.total)  # no records, no deductions


def test_missing_scores_zero_like_the_worst_value(small):
    inputs = population(small)
    result = rate(inputs, small)
    c = result.index("c")
    column = small.column("E-ENG-02")
    assert result.status[c, column] == MISSING
    assert result.indicator_scores[c, column] == 0.0
    assert result.weights[c, column] > 0  # a missing value keeps its weight
    worst = rate(inputs.with_value("c", "E-ENG-02", 9.9), small)
    assert worst.indicator_scores[worst.index("c"), column] == 0.0
    assert worst.score[worst.index("c")] == result.score[c]


def test_not_applicable_drops_the_weight_and_renormalises_within_the_topic(small):
    inputs = population(small)
    result = rate(inputs, small)
    b = result.index("b")
    column = small.column("E-GHG-10")
    assert result.status[b, column] == NOT_APPLICABLE
    assert math.isnan(result.indicator_scores[b, column])
    assert result.weights[b, column] == 0.0
    # E-GHG-05 carries the whole climate topic: 1 × ¾ × ½ = 0.375 of the total.
    assert result.weights[b, small.column("E-GHG-05")] == 0.375
    assert result.weights[b].sum() == pytest.approx(1.0, abs=1e-12)
    # The same indicator merely missing scores 0 with its weight: climate = ½·50 = 25,
    # E = ¾·25 = 18.75, total = ½·18.75 + 11.25 = 20.625.
    missing = rate(inputs.with_value("b", "E-GHG-10", math.nan, MISSING), small)
    assert missing.total[missing.index("b")] == 20.625


def test_not_applicable_where_the_methodology_forbids_it_counts_as_missing(small):
    inputs = population(small).with_value("a", "E-GHG-05", math.nan, NOT_APPLICABLE)
    result = rate(inputs, small)
    a = result.index("a")
    assert result.status[a, small.column("E-GHG-05")] == MISSING
    assert result.indicator_scores[a, small.column("E-GHG-05")] == 0.0
    # climate = ½·0 + ½·100 = 50 → E = ¾·50 + ¼·100 = 62.5 → total = 31.25 + 25 + 25 = 81.25.
    assert result.total[a] == 81.25


def test_peer_fallback_below_min_peers_is_recorded(small):
    result = rate(population(small), small)
    a = result.index("a")
    ghg, energy = small.column("E-GHG-05"), small.column("E-ENG-02")
    assert result.peer_level[a, ghg] == 1 and result.peer_size[a, ghg] == 3   # the group
    assert result.peer_level[a, energy] == 2 and result.peer_size[a, energy] == 3  # all
    assert result.peer_rank[a, energy] == 1
    assert result.peer_level[a, small.column("S-OHS-01")] == 0  # absolute: not ranked
    # A sole reporter scores sole_reporter_score (50).
    alone = RatingInput.from_long([("x", "E-GHG-05", 3.0, "reported")], {"x": "pv"},
                                  methodology=small)
    only = rate(alone, small)
    assert only.indicator_scores[0, ghg] == 50.0 and only.peer_size[0, ghg] == 1


def test_ties_count_half(small):
    rows = [(e, "E-GHG-05", v, "reported") for e, v in (("p", 1.0), ("q", 1.0), ("r", 2.0))]
    result = rate(RatingInput.from_long(rows, dict.fromkeys("pqr", "pv"), methodology=small),
                  small)
    column = small.column("E-GHG-05")
    # p and q: 1 worse (r) + ½ × 1 tied, over 2 → 75.
    assert result.indicator_scores[:, column].tolist() == [75.0, 75.0, 0.0]


def test_deductions_per_rule_caps_and_overall_cap(small):
    records = {"a": {"env_penalty_count": 4, "env_penalty_amount": 60, "fatal_accidents": 1,
                     "serious_accidents": 3, "tax_credit": "D", "env_credit": "black"}}
    result = rate(population(small, records), small)
    a = result.index("a")
    # penalties: min(4 × 2, 6) + 2 (amount ≥ 50) = 8; accidents: 6 + 3 × 3 = 15 → cap 12;
    # tax D = 8; black = 10; sum 38 → overall cap 25.
    assert result.deduction_points[a].tolist() == [8.0, 12.0, 8.0, 10.0]
    assert result.deductions[a] == 25.0
    assert result.score[a] == 75.0 and result.grade[a] == "A"


def test_deductions_never_take_the_score_below_zero(small):
    records = {"d": {"tax_credit": "D"}}
    result = rate(population(small, records), small)
    d = result.index("d")
    assert result.total[d] == 6.25
    assert result.deductions[d] == 6.25  # what was actually subtracted
    assert result.score[d] == 0.0 and result.grade[d] == "C"


@pytest.mark.parametrize(("records", "score", "grade"), [
    ({}, 100.0, "AAA"),                                                  # 100 is in the top band
    ({"env_credit": "black"}, 90.0, "AAA"),                              # 90 opens AAA
    ({"env_credit": "black", "tax_credit": "D", "env_penalty_count": 1}, 80.0, "AA"),
    ({"env_credit": "red", "tax_credit": "D", "serious_accidents": 2}, 80.0, "AA"),
    ({"env_credit": "black", "tax_credit": "D", "fatal_accidents": 1, "env_penalty_amount": 10},
     75.0, "A"),
])
def test_grade_boundaries_exactly_at_band_edges(small, records, score, grade):
    result = rate(population(small, {"a": records}), small)
    a = result.index("a")
    assert result.score[a] == score
    assert result.grade[a] == grade


def test_grade_bands_of_the_published_methodology():
    methodology = load_methodology()
    expected = {100: "AAA", 90: "AAA", 89.999: "AA", 80: "AA", 70: "A", 60: "BBB", 50: "BB",
                40: "B", 30: "CCC", 20: "CC", 19.999: "C", 0: "C"}
    assert {s: methodology.grade_of(s) for s in expected} == expected
    assert [b.key for b in methodology.bands] == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC",
                                                  "CC", "C"]


# --------------------------------------------------------------------------------------------
# Explanation and improvements


def test_explanation_contributions_sum_to_the_score(small):
    records = {"a": {"env_penalty_count": 4, "env_penalty_amount": 60, "fatal_accidents": 1,
                     "serious_accidents": 3, "tax_credit": "D", "env_credit": "black"},
               "d": {"tax_credit": "D"}}
    inputs = population(small, records)
    result = rate(inputs, small)
    for enterprise in "abcd":
        explanation = explain(result, inputs, small, enterprise)
        total = math.fsum(c.points for c in explanation.contributions)
        deducted = math.fsum(d.points for d in explanation.deductions)
        assert total - deducted + explanation.adjustment == pytest.approx(explanation.score,
                                                                          abs=1e-9)
        assert explanation.score == score_of(result, enterprise)
    a = explain(result, inputs, small, "a")
    # a: 100 points from indicators, 38 deducted, 13 given back by the overall cap of 25.
    assert math.fsum(c.points for c in a.contributions) == 100.0
    assert [d.points for d in a.deductions] == [8.0, 12.0, 8.0, 10.0]
    assert a.adjustment == 13.0 and a.score == 75.0


def test_explanation_position_among_peers(small):
    inputs = population(small)
    result = rate(inputs, small)
    a = explain(result, inputs, small, "a")
    assert (a.group, a.rank, a.peer_size, a.percentile) == ("manufacturing", 1, 3, 100.0)
    c = explain(result, inputs, small, "c")
    assert (c.rank, c.peer_size, c.percentile) == (3, 3, 0.0)
    ghg = next(x for x in a.contributions if x.code == "E-GHG-05")
    assert (ghg.peer_level, ghg.peer_rank, ghg.peer_size) == ("group", 1, 3)


def test_top_three_improvements_raise_the_score_by_the_stated_points(small):
    inputs = population(small)
    result = rate(inputs, small)
    for enterprise in "bcd":
        explanation = explain(result, inputs, small, enterprise)
        assert 0 < len(explanation.improvements) <= 3
        points = [i.points for i in explanation.improvements]
        assert points == sorted(points, reverse=True)
        assert len({i.code for i in explanation.improvements}) == len(points)
        for improvement in explanation.improvements:
            assert improvement.code in small.codes  # never "remove a deduction"
            changed = rate(inputs.with_value(enterprise, improvement.code,
                                             improvement.target_value), small)
            gain = score_of(changed, enterprise) - score_of(result, enterprise)
            assert gain == pytest.approx(improvement.points, abs=1e-9)
            assert score_of(changed, enterprise) == improvement.new_score


def test_improvements_are_the_hand_computed_best_three(small):
    inputs = population(small)
    result = rate(inputs, small)
    c = explain(result, inputs, small, "c")
    found = [(i.code, i.action, i.target, i.target_value, i.points) for i in c.improvements]
    assert found == [
        # E-GHG-10 missing; its only peer a (b is not applicable, the group has too few
        # reporters → all) says yes: report yes → 100 → climate ½·100 = 50 → E = ¾·50 →
        # total + ½·37.5 = 18.75.
        ("E-GHG-10", "report", "peer_median", 1.0, 18.75),
        # E-GHG-05 from 3.0 to the peers' top quartile 1.0 (ties a, beats b): 100 × 1.5 / 2 =
        # 75 → + ½·½·¾·75 = 14.0625.
        ("E-GHG-05", "improve", "peer_top_quartile", 1.0, 14.0625),
        # S-OHS-01 from 2 to 0 fatalities (the peers' top quartile) → 100 → + ¼·½·100 = 12.5.
        ("S-OHS-01", "improve", "peer_top_quartile", 0.0, 12.5),
    ]
    # Reporting E-ENG-02 (+9.375) ranks fourth and is left out.
    assert "E-ENG-02" not in {i.code for i in c.improvements}


def test_explain_refuses_a_result_of_other_inputs(small):
    inputs = population(small)
    result = rate(inputs, small)
    with pytest.raises(ValueError, match="not computed from these inputs"):
        explain(result, inputs.with_value("a", "E-GHG-05", 9.0), small, "a")


# --------------------------------------------------------------------------------------------
# Self-diagnosis


ANSWERS = {
    "E-GHG-05": 1.0,
    "E-GHG-10": Answer.not_applicable("E-GHG-10", "not in an emissions trading scheme"),
    "S-OHS-01": Answer(code="S-OHS-01", number=0.0),
    "G-GOV-06": Answer(code="G-GOV-06", boolean=True),
}


def test_self_diagnosis_without_peers_uses_the_neutral_score(small):
    diagnosis = self_diagnose(ANSWERS, "C3841", small, tier="basic")
    assert diagnosis.estimate and diagnosis.basis == "neutral"
    assert diagnosis.group == "battery"
    # climate = E-GHG-05 alone at the neutral 50; energy 0 → E = 37.5; S = ½·100 = 50;
    # G = 100 → ½·37.5 + ¼·50 + ¼·100 = 56.25 (BB, an estimate).
    assert diagnosis.score == 56.25 and diagnosis.grade == "BB"
    # Reporting E-ENG-02 or S-EMP-05-COV (neutral 50) gains ½·¼·50 = ¼·½·50 = 6.25 each.
    assert [(a.code, a.points) for a in diagnosis.plan] == [("E-ENG-02", 6.25),
                                                            ("S-EMP-05-COV", 6.25)]
    action = diagnosis.plan[0]
    assert action.guidance_zh and action.guidance_en and "revenue" in action.guidance_en
    gaps = {gap.code for gap in diagnosis.gaps}
    assert "E-ENG-02" in gaps and "S-OHS-01" not in gaps and "G-GOV-06" not in gaps


def test_self_diagnosis_with_peers_ranks_against_them(small):
    diagnosis = self_diagnose(ANSWERS, "C3841", small, peers=population(small), tier="basic")
    assert diagnosis.basis == "peers"
    # No battery peers → all reporters of E-GHG-05: a 1.0, b 2.0, c 3.0 and the enterprise's
    # 1.0: 100 × (2 + ½) / 3; climate = that; E = ¾ × it; S = 50; G = 100.
    ghg = 100 * 2.5 / 3
    assert diagnosis.score == pytest.approx(0.5 * 0.75 * ghg + 0.25 * 50 + 0.25 * 100)
    for action in diagnosis.plan:
        assert action.points > 0


def test_self_diagnosis_of_the_published_methodology_lists_mandatory_gaps():
    diagnosis = self_diagnose({}, "C3841")
    methodology = load_methodology()
    assert diagnosis.score == 0.0 and diagnosis.grade == "C"
    assert all(gap.code for gap in diagnosis.gaps)
    assert {"E-ENG-02", "S-OHS-01"} <= {gap.code for gap in diagnosis.gaps}
    assert diagnosis.plan and diagnosis.plan[0].points >= diagnosis.plan[-1].points
    assert {a.code for a in diagnosis.plan} <= set(methodology.codes)


# --------------------------------------------------------------------------------------------
# Green score


def green_small():
    """The published green methodology with binary-fraction weights (½, ⅛, ⅛, ¼)."""
    text = load_green_methodology().text
    for old, new in (("weight = 0.40", "weight = 0.50"), ("weight = 0.15", "weight = 0.125"),
                     ("weight = 0.20", "weight = 0.125")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return parse_green_methodology(text, name="green-test.toml")


def green_case(records, industry="C3415", carbon=("best",)):
    """One enterprise "x" and a carbon peer "y" (better or worse), or x alone."""
    rows = [("x", "E-GHG-05", 1.0, "reported")]
    groups = {"x": "equipment"}
    if carbon == ("best",):
        rows.append(("y", "E-GHG-05", 2.0, "reported"))
        groups["y"] = "equipment"
    elif carbon == ("worst",):
        rows.append(("y", "E-GHG-05", 0.5, "reported"))
        groups["y"] = "equipment"
    inputs = RatingInput.from_long(rows, groups, {"x": records}, industries={"x": industry})
    result = green_score(inputs, green_small())
    return result, result.index("x")


@pytest.mark.parametrize(("records", "industry", "carbon", "score", "label"), [
    # carbon best of 2 = 100 → 50; member (C3415 → energy transition) 100 → 12.5; green 100 →
    # 12.5; ISO 14001 = 20 → ¼ × 20 = 5: 80 opens 深绿.
    ({"env_credit": "green", "cert_iso14001": True}, "C3415", ("best",), 80.0, "dark_green"),
    # non-member (finance) 0; yellow 40 → 5; provincial green factory + ISO 14001 = 40 → 10:
    # 50 + 0 + 5 + 10 = 65 opens 中绿.
    ({"env_credit": "yellow", "cert_green_factory_provincial": True, "cert_iso14001": True},
     "J66", ("best",), 65.0, "mid_green"),
    # carbon worst = 0; member 12.5; green 12.5; all certifications (national factory counts,
    # the provincial one is exclusive with it) 35+20+15+15+15 = 100 → 25: 50 opens 浅绿.
    ({"env_credit": "green", **{k: True for k in (
        "cert_green_factory_national", "cert_green_factory_provincial", "cert_iso14001",
        "cert_iso50001", "cert_green_supply_chain", "cert_zero_carbon_factory")}},
     "C3415", ("worst",), 50.0, "light_green"),
    # the same with one environmental penalty (5 points) → 45: 非绿.
    ({"env_credit": "green", "env_penalty_count": 1, **{k: True for k in (
        "cert_green_factory_national", "cert_iso14001", "cert_iso50001",
        "cert_green_supply_chain", "cert_zero_carbon_factory")}},
     "C3415", ("worst",), 45.0, "not_green"),
])
def test_green_labels_at_band_edges(records, industry, carbon, score, label):
    result, x = green_case(records, industry, carbon)
    assert result.score[x] == score
    assert result.label[x] == label
    assert result.contributions[x].sum() - result.deductions[x] == pytest.approx(score)


def test_green_label_is_capped_by_a_red_or_black_credit_colour():
    # As the 80-point case but red (10 → 1.25): 68.75 would be 中绿, capped to 浅绿.
    result, x = green_case({"env_credit": "red", "cert_iso14001": True})
    assert result.score[x] == 68.75
    assert result.label[x] == "light_green" and result.label_capped[x]
    result, x = green_case({"env_credit": "black", "cert_iso14001": True})
    assert result.score[x] == 67.5 and result.label[x] == "not_green"


def test_green_unknown_credit_colour_drops_its_weight_and_sole_reporter_is_neutral():
    result, x = green_case({"cert_iso14001": True}, carbon=())
    # carbon sole reporter = 50; weights without env_credit: ½, ⅛, ¼ over ⅞.
    expected = (0.5 * 50 + 0.125 * 100 + 0.25 * 20) / 0.875
    assert result.score[x] == pytest.approx(expected)
    assert math.isnan(result.component_scores[x, 2])
    assert result.component_weights[x].sum() == pytest.approx(1.0)


def test_green_industry_membership_is_an_analyst_mapping_unless_recorded():
    result, x = green_case({}, industry="C3841")  # battery lead industry
    assert (result.green_category[x], result.green_category_basis[x]) == (
        "energy_transition", "lead_industry")
    result, x = green_case({}, industry="C3591")
    assert result.green_category_basis[x] == "industry"
    result, x = green_case({"green_catalogue_category": "green_services"}, industry="J66")
    assert (result.green_category[x], result.green_category_basis[x]) == (
        "green_services", "record")
    green = load_green_methodology()
    assert all(m.confidence == "analyst-mapping" for m in green.mappings)


# --------------------------------------------------------------------------------------------
# Load refusals


def refused(text, name="rating-2025.1.toml"):
    with pytest.raises(DataFileError) as caught:
        parse_methodology(text, name=name)
    return caught.value.params


def published_text():
    return load_methodology().text


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_refuses_indicator_weights_not_summing_to_one():
    text = replace_once(published_text(),
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.60",
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.50")
    params = refused(text)
    assert params["file"] == "rating-2025.1.toml"
    assert params["row"] == "pillar.E.topic.climate"
    assert params["field"] == "indicator weights"
    assert "sum to 0.9" in params["reason"]


def test_refuses_topic_pillar_and_group_weights_not_summing_to_one():
    text = replace_once(published_text(), "[pillar.S.topic.employees]\nweight = 0.45",
                        "[pillar.S.topic.employees]\nweight = 0.55")
    assert refused(text)["row"] == "pillar.S"
    text = replace_once(published_text(), "weights = { E = 0.20, S = 0.35, G = 0.45 }",
                        "weights = { E = 0.20, S = 0.35, G = 0.40 }")
    params = refused(text)
    assert (params["row"], params["field"]) == ("group.finance", "weights")


def test_refuses_an_unknown_indicator_code():
    text = published_text().replace("indicator.E-GHG-05]", "indicator.E-GHG-99]")
    params = refused(text)
    assert params["row"] == "pillar.E.topic.climate.indicator.E-GHG-99"
    assert "unknown indicator code" in params["reason"]


def test_refuses_a_text_indicator():
    text = published_text().replace("indicator.G-ASR-01]", "indicator.G-GEN-04]")
    params = refused(text)
    assert params["row"] == "pillar.G.topic.general.indicator.G-GEN-04"
    assert "text indicator" in params["reason"]


def test_refuses_overlapping_bands():
    text = replace_once(published_text(), 'grade = "AA"\nmin = 80\nmax = 90',
                        'grade = "AA"\nmin = 80\nmax = 95')
    params = refused(text)
    assert (params["row"], params["field"]) == ("band.AA", "max")
    assert "overlaps band AAA" in params["reason"]


def test_refuses_a_gap_between_bands():
    text = replace_once(published_text(), 'grade = "AA"\nmin = 80',
                        'grade = "AA"\nmin = 81')
    params = refused(text)
    assert params["row"] == "band.A"
    assert "gap" in params["reason"] and "81" in params["reason"]
    text = replace_once(published_text(), 'grade = "C"\nmin = 0', 'grade = "C"\nmin = 5')
    assert "gap" in refused(text)["reason"]


def test_refuses_an_unknown_materiality_group_and_bad_direction_or_normalisation():
    text = replace_once(published_text(), "[group.finance]", "[group.fintech]")
    params = refused(text)
    assert params["row"] == "group.fintech"
    assert "unknown materiality group" in params["reason"]
    text = published_text().replace('direction = "lower_better"', 'direction = "down"', 1)
    assert refused(text)["field"] == "direction"
    text = published_text().replace('normalisation = "industry_percentile"',
                                    'normalisation = "zscore"', 1)
    assert refused(text)["field"] == "normalisation"


def test_refuses_a_missing_source_or_an_unknown_confidence():
    text = replace_once(published_text(), 'weight = 0.40\nsource = "czesg rating methodology '
                        "2025.1 (platform design choice; default pillar weight, informed",
                        'weight = 0.40\nsourc = "czesg rating methodology 2025.1 (platform '
                        "design choice; default pillar weight, informed")
    assert refused(text)["row"] == "pillar.E"
    text = published_text().replace('confidence = "methodology-choice"',
                                    'confidence = "certain"', 1)
    assert refused(text)["field"] == "confidence"


def test_green_refuses_components_not_summing_to_one():
    text = load_green_methodology().text.replace("weight = 0.40", "weight = 0.30")
    with pytest.raises(DataFileError) as caught:
        parse_green_methodology(text, name="green-score-2025.1.toml")
    assert (caught.value.params["row"], caught.value.params["field"]) == ("component", "weight")


def green_refused(text):
    with pytest.raises(DataFileError) as caught:
        parse_green_methodology(text, name="green-score-2025.1.toml")
    return caught.value.params


def test_green_names_array_entries_by_full_path_counted_from_one():
    text = load_green_methodology().text
    params = green_refused(text.replace('[[green_industry.category]]\nkey = "resource_recycling"',
                                        '[[green_industry.category]]\nkee = "resource_recycling"'))
    assert (params["row"], params["field"]) == ("green_industry.category[3]", "kee")
    params = green_refused(text.replace('industry = "C3591"\n', 'industry = "C3591"\nnote = 1\n'))
    assert (params["row"], params["field"]) == ("green_industry.map[2]", "note")
    params = green_refused(text.replace('[[certification]]\nkey = "green_factory_national"',
                                        '[[certification]]', 1))
    assert (params["row"], params["field"]) == ("certification[1]", "key")


def test_refusals_without_a_field_name_the_field_as_a_dash():
    text = replace_once(published_text(), "[group.finance]", "[group.fintech]")
    assert refused(text)["field"] == "-"


# --------------------------------------------------------------------------------------------
# The published methodology and its tables


def test_published_methodologies_load_with_provenance_everywhere():
    methodology = load_methodology()
    green = load_green_methodology()
    assert methodology.version == green.version == "2025.1"
    assert len(methodology.indicators) == 42
    for item in (*methodology.pillars, *methodology.topics, *methodology.indicators,
                 *methodology.groups, *methodology.deductions, *methodology.bands,
                 *green.components, *green.certifications, *green.mappings, *green.labels):
        assert item.source and item.confidence
    assert all(i.data_type in ("number", "percentage", "boolean", "choice")
               for i in methodology.indicators)
    # Emissions are rated as an intensity, never as an absolute amount.
    assert "E-GHG-05" in methodology.codes and "E-GHG-01" not in methodology.codes
    assert {d.key: d.scale_confidence for d in methodology.deductions
            if d.scale_source} == {"tax_credit": "confirmed-secondary",
                                   "env_credit": "confirmed-secondary"}
    assert [b.name_zh for b in green.labels] == ["深绿", "中绿", "浅绿", "非绿"]


def test_materiality_groups_follow_the_city_lead_industries():
    assert materiality_group("C3841") == "battery"
    assert materiality_group("J66") == "finance"
    assert materiality_group("S80") == "services"        # by section, no lead industry
    assert materiality_group("not a code") == "manufacturing"


def test_methodology_tables_are_generated_from_the_toml():
    raw = tomllib.loads(published_text())
    tables = {t["key"]: t for t in methodology_tables(load_methodology(), "en")}
    rows = tables["indicators"]["rows"]
    for row in rows:
        entry = raw["pillar"][row["pillar"]]["topic"][row["topic"]]["indicator"][row["code"]]
        assert row["weight"] == entry["weight"]
        assert row["source"] == entry["source"] and row["confidence"] == entry["confidence"]
    assert [r["grade"] for r in tables["bands"]["rows"]] == [b["grade"] for b in raw["band"]]
    # Change the TOML and the tables change with it.
    text = replace_once(published_text(),
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.60",
                        "[pillar.E.topic.climate.indicator.E-GHG-05]\nweight = 0.55")
    text = replace_once(text, "[pillar.E.topic.climate.indicator.E-CLM-03-PCT]\nweight = 0.25",
                        "[pillar.E.topic.climate.indicator.E-CLM-03-PCT]\nweight = 0.30")
    changed = methodology_tables(parse_methodology(text, name="x.toml"), "zh-hans")
    row = next(r for r in changed[3]["rows"] if r["code"] == "E-GHG-05")
    assert row["weight"] == 0.55
    assert changed[3]["columns"][0]["label"] == "维度"
    green = {t["key"] for t in methodology_tables(load_green_methodology(), "en")}
    assert {"components", "certifications", "green_industry", "labels"} <= green


# --------------------------------------------------------------------------------------------
# Invariants


INDICATOR_VALUES = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 50.0, 80.0, 100.0])


@st.composite
def populations(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    k = 6
    values = np.array(draw(st.lists(INDICATOR_VALUES, min_size=n * k, max_size=n * k)))
    status = np.array(draw(st.lists(st.sampled_from([MISSING, REPORTED, REPORTED,
                                                     NOT_APPLICABLE]),
                                    min_size=n * k, max_size=n * k)))
    groups = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    credit = np.array(draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)))
    return dict(n=n, values=values.reshape(n, k), status=status.reshape(n, k), groups=groups,
                credit=credit)


def build(small, data):
    codes = small.codes
    values = data["values"].copy()
    for column, indicator in enumerate(small.indicators):
        if indicator.data_type == "boolean":
            values[:, column] = (values[:, column] > 0.5).astype(float)
    return RatingInput(
        enterprises=tuple(f"e{i:02d}" for i in range(data["n"])), year=2024,
        group_keys=("manufacturing", "services"), group_index=data["groups"], codes=codes,
        values=values, status=data["status"], env_credit=data["credit"],
    )


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=populations(), pick=st.integers(0, 10_000), step=st.sampled_from([0.5, 1.0, 40.0]))
def test_improving_one_indicator_never_lowers_the_total(small, data, pick, step):
    inputs = build(small, data)
    reported = np.argwhere(inputs.status == REPORTED)
    if not len(reported):
        return
    row, column = reported[pick % len(reported)]
    indicator = small.indicators[column]
    value = inputs.values[row, column]
    if indicator.data_type == "boolean":
        better = 1.0
    else:
        better = value + step if indicator.higher_is_better else max(value - step, 0.0)
    before = rate(inputs, small)
    after = rate(inputs.with_value(inputs.enterprises[row], indicator.code, better), small)
    assert after.total[row] >= before.total[row]
    assert after.score[row] >= before.score[row]


@SETTINGS
@given(data=populations(), seed=st.integers(0, 2**16))
def test_results_are_independent_of_row_order(small, data, seed):
    inputs = build(small, data)
    order = np.random.default_rng(seed).permutation(len(inputs))
    shuffled = inputs.take(order)
    first, second = rate(inputs, small), rate(shuffled, small)
    assert first.inputs_hash == second.inputs_hash
    for name in ("indicator_scores", "weights", "peer_rank", "topic_scores", "pillar_scores",
                 "total", "deductions", "score", "grade_index"):
        assert getattr(first, name)[order].tobytes() == getattr(second, name).tobytes(), name


@SETTINGS
@given(data=populations())
def test_reproduce_gives_bit_identical_results(small, data):
    inputs = build(small, data)
    first = rate(inputs, small)
    again = reproduce(inputs, small, expected_hash=first.inputs_hash)
    assert again.fingerprint() == first.fingerprint()


def test_long_rows_in_any_order_give_the_same_inputs_and_result(small):
    shuffled = [ROWS[i] for i in np.random.default_rng(3).permutation(len(ROWS))]
    first, second = population(small), population(small, rows=shuffled)
    assert first.hash() == second.hash()
    assert rate(first, small).fingerprint() == rate(second, small).fingerprint()
    changed = first.with_value("a", "E-GHG-05", 1.5)
    assert changed.hash() != first.hash()
    with pytest.raises(ValueError, match="differs"):
        reproduce(changed, small, expected_hash=first.hash())


def test_published_methodology_on_a_synthetic_population():
    from czesg.engine.synth import generate_disclosures, generate_enterprises

    enterprises = generate_enterprises(300, seed=5)
    values = generate_disclosures(enterprises, [2024], seed=5, submittable=True)
    methodology = load_methodology()
    n = len(enterprises)
    inputs = RatingInput.from_synthetic(
        values, 2024, methodology=methodology,
        records={"env_credit": np.arange(n, dtype=np.int8) % len(ENV_CREDIT_COLOURS)},
    )
    result = rate(inputs, methodology)
    assert np.all((result.score >= 0) & (result.score <= 100))
    assert set(result.grade) <= {b.key for b in methodology.bands}
    enterprise = inputs.enterprises[7]
    explanation = explain(result, inputs, methodology, enterprise)
    total = math.fsum(c.points for c in explanation.contributions)
    assert total - math.fsum(d.points for d in explanation.deductions) \
        + explanation.adjustment == pytest.approx(explanation.score, abs=1e-9)
    for improvement in explanation.improvements:
        changed = rate(inputs.with_value(enterprise, improvement.code,
                                         improvement.target_value), methodology)
        assert score_of(changed, enterprise) - score_of(result, enterprise) == pytest.approx(
            improvement.points, abs=1e-9)
    scored = green_score(inputs)
    assert np.all((scored.score >= 0) & (scored.score <= 100))
    assert set(scored.label) <= {"dark_green", "mid_green", "light_green", "not_green"}


def test_benchmark_reports_its_figures_at_a_small_size():
    figures = benchmark(n=200, repeat=1)
    assert figures["rating_enterprises"] == 200
    assert figures["rating_100k_compute_s"] > 0
    assert figures["rating_compute_vs_numpy_floor"] > 0


def test_methodology_documents_explain_in_prose_and_copy_no_table():
    import re
    from pathlib import Path

    import czesg.engine.rating as rating

    for language, phrase in (("en", "generated from the methodology files"),
                             ("zh", "自动生成")):
        path = Path(rating.METHODOLOGY_DIR) / f"rating-2025.1.{language}.md"
        text = path.read_text(encoding="utf-8")
        assert phrase in text
        assert "rating-2025.1.toml" in text and "green-score-2025.1.toml" in text
        # No weight (0.xx) is copied by hand into the prose.
        assert not re.search(r"\b0\.\d+\b", text)
