"""Explanation: contributions that sum to the score, position among peers, and improvements
whose stated points a full re-run confirms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from czesg.engine.rating.explain import explain
from czesg.engine.rating.green import green_score
from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.methodology import load_methodology
from czesg.engine.rating.scoring import rate
from czesg.engine.rating.vocabulary import ENV_CREDIT_COLOURS
from tests.engine.rating.cases import population, score_of


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
