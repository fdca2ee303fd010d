"""The scoring core: exact hand-computed scores, deductions, grade edges and invariants.

The exact cases use the small test methodology of :mod:`tests.engine.rating.cases`, whose
weights are binary fractions, so that every expected score is exact in floating point."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czesg.engine.rating.inputs import RatingInput
from czesg.engine.rating.scoring import rate, reproduce
from czesg.engine.rating.vocabulary import MISSING, NOT_APPLICABLE, REPORTED
from tests.engine.rating.cases import population


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
