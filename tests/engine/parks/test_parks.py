"""Park / high-tech zone ESG evaluation: methodology file, aggregation, scoring and refusals."""

from __future__ import annotations

import math
import random

import polars as pl
import pytest

from czesg.engine.kernel.errors import DataFileError
from czesg.engine.parks import (
    DIMENSIONS,
    aggregate_enterprises,
    evaluate_parks,
    load_park_methodology,
    parse_park_methodology,
    relative_points,
    threshold_points,
)

# A small methodology whose arithmetic can be followed by hand: one or two sub-indicators per
# dimension, every dimension weighted 0.2, aggregates from a single enterprise allowed.
TINY = """
version = "test.1"
kind = "park-evaluation"
title_zh = "测试"
title_en = "Test"
catalogue_version = "2025.1"
description_zh = "测试"
description_en = "Test"
structure_source = "test"
structure_confidence = "methodology-choice"

[aggregates]
min_enterprises = 1
source = "test"
confidence = "methodology-choice"

[relative]
sole_score = 50
source = "test"
confidence = "methodology-choice"

[[statistic]]
key = "jobs"
name_zh = "从业人员"
name_en = "Jobs"
unit = "person"
min = 0

[[statistic]]
key = "clean"
name_zh = "清洁能源占比"
name_en = "Clean energy share"
unit = "%"
min = 0
max = 100

[[statistic]]
key = "carbon_stat"
name_zh = "园区核算值"
name_en = "Zone's own figure"
unit = "tCO2/tce"
min = 0

[[dimension]]
key = "industrial_structure"
name_zh = "产业结构"
name_en = "Industrial structure"
weight = 0.2
source = "test"
confidence = "methodology-choice"

[[dimension.indicator]]
key = "jobs"
name_zh = "从业人员"
name_en = "Jobs"
unit = "person"
value_from = "zone_statistic"
statistic = "jobs"
direction = "higher_better"
scoring = "relative"
weight = 1.0
weight_source = "test"
weight_confidence = "methodology-choice"

[[dimension]]
key = "innovation_capacity"
name_zh = "创新能力"
name_en = "Innovation capacity"
weight = 0.2
source = "test"
confidence = "methodology-choice"

[[dimension.indicator]]
key = "rd_intensity"
name_zh = "研发强度"
name_en = "R&D intensity"
unit = "%"
value_from = "aggregate"
aggregation = "sum_ratio"
numerator = "S-INN-01"
denominator = "G-GEN-01"
scale = 100
direction = "higher_better"
scoring = "relative"
weight = 1.0
weight_source = "test"
weight_confidence = "methodology-choice"

[[dimension]]
key = "environmental_performance"
name_zh = "环境表现"
name_en = "Environmental performance"
weight = 0.2
source = "test"
confidence = "methodology-choice"

[[dimension.indicator]]
key = "carbon"
name_zh = "单位能耗碳排放"
name_en = "Carbon per energy"
unit = "tCO2/tce"
value_from = "aggregate"
aggregation = "sum_ratio"
numerator = "E-GHG-01"
denominator = "E-ENG-01"
scale = 1
statistic_override = "carbon_stat"
direction = "lower_better"
scoring = "threshold"
benchmark = 0.20
benchmark_source = "test"
benchmark_confidence = "unconfirmed-single-secondary"
floor = 2.20
floor_source = "test"
floor_confidence = "methodology-choice"
weight = 0.5
weight_source = "test"
weight_confidence = "methodology-choice"

[[dimension.indicator]]
key = "clean"
name_zh = "清洁能源占比"
name_en = "Clean energy share"
unit = "%"
value_from = "zone_statistic"
statistic = "clean"
direction = "higher_better"
scoring = "threshold"
benchmark = 90
benchmark_source = "test"
benchmark_confidence = "unconfirmed-single-secondary"
floor = 0
floor_source = "test"
floor_confidence = "methodology-choice"
weight = 0.5
weight_source = "test"
weight_confidence = "methodology-choice"

[[dimension]]
key = "social_contribution"
name_zh = "社会贡献"
name_en = "Social contribution"
weight = 0.2
source = "test"
confidence = "methodology-choice"

[[dimension.indicator]]
key = "female_share"
name_zh = "女性员工占比"
name_en = "Female share"
unit = "%"
value_from = "aggregate"
aggregation = "sum_ratio"
numerator = "S-EMP-02-F"
denominator = "S-EMP-01"
scale = 100
direction = "higher_better"
scoring = "relative"
weight = 1.0
weight_source = "test"
weight_confidence = "methodology-choice"

[[dimension]]
key = "governance"
name_zh = "治理水平"
name_en = "Governance"
weight = 0.2
source = "test"
confidence = "methodology-choice"

[[dimension.indicator]]
key = "disclosure"
name_zh = "披露覆盖率"
name_en = "Disclosure coverage"
unit = "%"
value_from = "aggregate"
aggregation = "share_of_enterprises"
population = "all"
predicate = { field = "disclosed", op = "is_true" }
direction = "higher_better"
scoring = "threshold"
benchmark = 60
benchmark_source = "test"
benchmark_confidence = "confirmed-primary"
floor = 0
floor_source = "test"
floor_confidence = "methodology-choice"
weight = 1.0
weight_source = "test"
weight_confidence = "methodology-choice"
"""

CODES = ("S-INN-01", "G-GEN-01", "E-GHG-01", "E-ENG-01", "S-EMP-02-F", "S-EMP-01")


def tiny(text: str = TINY):
    return parse_park_methodology(text, name="tiny.toml")


def frame(rows: list[dict]) -> pl.DataFrame:
    """Enterprise rows with every column present (absent values null)."""
    columns = ("park_key", "uscc", "disclosed", "listed", "grade", *CODES)
    schema = {"park_key": pl.Utf8, "uscc": pl.Utf8, "disclosed": pl.Boolean,
              "listed": pl.Boolean, "grade": pl.Utf8, **{c: pl.Float64 for c in CODES}}
    return pl.DataFrame([{c: row.get(c) for c in columns} for row in rows], schema=schema)


# Two zones; their arithmetic is written out in test_hand_computed_scores.
ALPHA_BETA = [
    {"park_key": "alpha", "uscc": "A1", "disclosed": True, "S-INN-01": 30, "G-GEN-01": 1000,
     "E-GHG-01": 50, "E-ENG-01": 100, "S-EMP-02-F": 40, "S-EMP-01": 100},
    {"park_key": "alpha", "uscc": "A2", "disclosed": True, "S-INN-01": 10, "G-GEN-01": 1000,
     "E-GHG-01": 10, "E-ENG-01": 100, "S-EMP-02-F": 10, "S-EMP-01": 100},
    {"park_key": "alpha", "uscc": "A3", "disclosed": False},
    {"park_key": "beta", "uscc": "B1", "disclosed": True, "S-INN-01": 20, "G-GEN-01": 500,
     "E-GHG-01": 20, "E-ENG-01": 100, "S-EMP-02-F": 30, "S-EMP-01": 50},
    {"park_key": "beta", "uscc": "B2", "disclosed": False},
]
ALPHA_BETA_STATISTICS = {"alpha": {"jobs": 5000, "clean": 45}, "beta": {"jobs": 3000}}


# --------------------------------------------------------------------------------------------
# The shipped methodology


def test_shipped_methodology_has_the_plans_five_dimensions_with_weights_summing_to_one():
    m = load_park_methodology()
    assert m.version == "2025.1"
    assert tuple(d.key for d in m.dimensions) == DIMENSIONS
    assert [d.name_zh for d in m.dimensions] == ["产业结构", "创新能力", "环境表现", "社会贡献",
                                                "治理水平"]
    assert math.isclose(math.fsum(d.weight for d in m.dimensions), 1.0)
    for d in m.dimensions:
        assert math.isclose(math.fsum(i.weight for i in d.indicators), 1.0), d.key
        assert d.source and d.confidence


def test_every_weight_and_threshold_carries_source_and_confidence():
    m = load_park_methodology()
    for i in m.indicators:
        assert i.weight_source and i.weight_confidence, i.key
        if i.scoring == "threshold":
            assert i.floor_source and i.floor_confidence, i.key
            if i.bands:
                assert all(b.source and b.confidence for b in i.bands), i.key
            else:
                assert i.benchmark_source and i.benchmark_confidence, i.key
        else:
            assert i.benchmark is None and i.floor is None and not i.bands, i.key
        # weights and floors are the platform's choices, and say so
        assert i.weight_confidence == "methodology-choice"


def test_zero_carbon_park_benchmarks_cite_910():
    m = load_park_methodology()
    carbon = m.indicator("carbon_per_energy")
    assert (carbon.aggregation.numerator, carbon.aggregation.denominator) == ("E-GHG-01",
                                                                               "E-ENG-01")
    assert carbon.direction == "lower_better" and carbon.band_by == "zone_energy_tce"
    assert [(b.min, b.max, b.benchmark) for b in carbon.bands] == [
        (0, 200000, 0.20), (200000, 1000000, 0.20), (1000000, None, 0.30)]
    assert carbon.bands[0].confidence == "methodology-choice"  # no band below 200k tce
    for band in carbon.bands[1:]:
        assert "910号" in band.source and band.confidence == "unconfirmed-single-secondary"
    expected = {"clean_energy_share": 90, "solid_waste_utilisation": 80,
                "waste_heat_utilisation": 50, "industrial_water_reuse": 80}
    for key, benchmark in expected.items():
        indicator = m.indicator(key)
        assert indicator.benchmark == benchmark and indicator.direction == "higher_better"
        assert "910号" in indicator.benchmark_source
        assert indicator.benchmark_confidence == "unconfirmed-single-secondary"
    listed = m.indicator("listed_disclosure_rate")
    assert listed.benchmark == 60 and "常政办发〔2025〕23号" in listed.benchmark_source


def test_aggregates_use_known_catalogue_codes_and_sum_ratios():
    m = load_park_methodology()
    intensity = m.indicator("emissions_intensity")
    assert intensity.aggregation.kind == "sum_ratio"
    assert (intensity.aggregation.numerator, intensity.aggregation.denominator) == (
        "E-GHG-01", "G-GEN-01")
    kinds = {i.aggregation.kind for i in m.aggregated}
    assert kinds == {"sum_ratio", "share_of_enterprises", "mean"}
    assert m.indicator("rated_a_share").aggregation.predicate.value == "A"


# --------------------------------------------------------------------------------------------
# Aggregation


def test_intensity_is_sum_over_sum_not_mean_of_ratios():
    # A: 10 / 100 = 0.1, B: 990 / 900 = 1.1, C: 0 / 1000 = 0.
    # Σ/Σ = (10 + 990 + 0) / (100 + 900 + 1000) = 1000 / 2000 = 0.5;
    # the mean of ratios would be (0.1 + 1.1 + 0) / 3 = 0.4.
    rows = frame([
        {"park_key": "p", "uscc": "A", "E-GHG-01": 10, "G-GEN-01": 100},
        {"park_key": "p", "uscc": "B", "E-GHG-01": 990, "G-GEN-01": 900},
        {"park_key": "p", "uscc": "C", "E-GHG-01": 0, "G-GEN-01": 1000},
    ])
    value = aggregate_enterprises(rows, load_park_methodology())["p"]["emissions_intensity"]
    assert value == pytest.approx(0.5)
    assert value != pytest.approx((0.1 + 1.1 + 0) / 3)


def test_sum_ratio_only_counts_enterprises_reporting_both():
    # D reports emissions but no revenue: it is left out of both sums, (10 + 990 + 0) / 2000.
    rows = frame([
        {"park_key": "p", "uscc": "A", "E-GHG-01": 10, "G-GEN-01": 100},
        {"park_key": "p", "uscc": "B", "E-GHG-01": 990, "G-GEN-01": 900},
        {"park_key": "p", "uscc": "C", "E-GHG-01": 0, "G-GEN-01": 1000},
        {"park_key": "p", "uscc": "D", "E-GHG-01": 5000},
    ])
    assert aggregate_enterprises(rows)["p"]["emissions_intensity"] == pytest.approx(0.5)


def test_value_aggregates_of_fewer_than_min_enterprises_are_missing():
    m = load_park_methodology()
    assert m.min_enterprises == 3
    rows = frame([
        {"park_key": "p", "uscc": "A", "E-GHG-01": 10, "G-GEN-01": 100},
        {"park_key": "p", "uscc": "B", "E-GHG-01": 990, "G-GEN-01": 900},
    ])
    assert aggregate_enterprises(rows, m)["p"]["emissions_intensity"] is None


def test_shares_of_enterprises_by_population_and_predicate():
    # 5 listed enterprises, 3 of them disclosed → 60.0 %; 6 enterprises in all, 4 disclosed;
    # grades AAA, A, BBB, null, AA, null → 3 of 6 rated A or above = 50 %.
    rows = frame([
        {"park_key": "p", "uscc": "1", "listed": True, "disclosed": True, "grade": "AAA"},
        {"park_key": "p", "uscc": "2", "listed": True, "disclosed": True, "grade": "A"},
        {"park_key": "p", "uscc": "3", "listed": True, "disclosed": True, "grade": "BBB"},
        {"park_key": "p", "uscc": "4", "listed": True, "disclosed": False},
        {"park_key": "p", "uscc": "5", "listed": True, "disclosed": False, "grade": "AA"},
        {"park_key": "p", "uscc": "6", "listed": False, "disclosed": True},
    ])
    values = aggregate_enterprises(rows)["p"]
    assert values["listed_disclosure_rate"] == pytest.approx(60.0)
    assert values["disclosure_coverage"] == pytest.approx(100 * 4 / 6)
    assert values["rated_a_share"] == pytest.approx(50.0)


def test_boolean_shares_among_disclosers_and_means():
    # Disclosers 1-3: ESG policy yes, no, unreported → 1 of 3; 4 did not disclose.
    # E-CMP-01-PEN reported by 1-3: 0, 1, 5 → mean 2.
    rows = pl.DataFrame({
        "park_key": ["p"] * 4, "uscc": ["1", "2", "3", "4"],
        "disclosed": [True, True, True, False], "listed": [False] * 4,
        "grade": [None] * 4, "G-GOV-06": [True, False, None, True],
        "E-CMP-01-PEN": [0.0, 1.0, 5.0, None],
    }, schema_overrides={"grade": pl.Utf8})
    values = aggregate_enterprises(rows)["p"]
    assert values["esg_policy_share"] == pytest.approx(100 / 3)
    assert values["env_penalties_per_enterprise"] == pytest.approx(2.0)
    # absent columns count as unreported
    assert values["social_insurance_coverage"] is None
    assert values["anticorruption_policy_share"] == 0.0


def test_aggregation_is_independent_of_row_order():
    rows = ALPHA_BETA * 1
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    m = tiny()
    assert aggregate_enterprises(frame(rows), m) == aggregate_enterprises(frame(shuffled), m)


@pytest.mark.parametrize("rows, message", [
    ([{"park_key": "p", "uscc": "1"}, {"park_key": "p", "uscc": "1"}], "appears twice"),
    ([{"park_key": "p", "uscc": "1", "grade": "A+"}], "unknown grade"),
])
def test_aggregation_refuses_bad_frames(rows, message):
    with pytest.raises(ValueError, match=message):
        aggregate_enterprises(frame(rows))


def test_aggregation_refuses_more_than_one_year():
    rows = frame([{"park_key": "p", "uscc": "1"}, {"park_key": "p", "uscc": "2"}])
    rows = rows.with_columns(pl.Series("year", [2024, 2025]))
    with pytest.raises(ValueError, match="more than one year"):
        aggregate_enterprises(rows)


# --------------------------------------------------------------------------------------------
# Scoring


def test_hand_computed_scores():
    m = tiny()
    aggregates = aggregate_enterprises(frame(ALPHA_BETA), m)
    # alpha: R&D 100 × (30 + 10) / (1000 + 1000) = 2.0 %; carbon (50 + 10) / (100 + 100) = 0.30;
    #        female 100 × (40 + 10) / (100 + 100) = 25 %; disclosure 2 of 3 = 66.67 %.
    # beta:  R&D 100 × 20 / 500 = 4.0 %; carbon 20 / 100 = 0.20; female 100 × 30 / 50 = 60 %;
    #        disclosure 1 of 2 = 50 %.
    assert aggregates["alpha"] == pytest.approx(
        {"rd_intensity": 2.0, "carbon": 0.30, "female_share": 25.0, "disclosure": 200 / 3})
    assert aggregates["beta"] == pytest.approx(
        {"rd_intensity": 4.0, "carbon": 0.20, "female_share": 60.0, "disclosure": 50.0})

    results = {e.park_key: e for e in evaluate_parks(ALPHA_BETA_STATISTICS, aggregates, m)}
    alpha, beta = results["alpha"], results["beta"]
    # industrial structure, jobs (relative, 2 zones): alpha 5000 > beta 3000 → 100 and 0.
    assert alpha.dimension("industrial_structure").score == 100
    assert beta.dimension("industrial_structure").score == 0
    # innovation, R&D intensity (relative): beta 4.0 > alpha 2.0 → alpha 0, beta 100.
    assert alpha.dimension("innovation_capacity").score == 0
    assert beta.dimension("innovation_capacity").score == 100
    # environment: carbon lower_better floor 2.20 → benchmark 0.20:
    #   alpha 100 × (2.20 − 0.30) / (2.20 − 0.20) = 95; beta at the benchmark = 100.
    #   clean energy floor 0 → benchmark 90: alpha 100 × 45 / 90 = 50; beta missing = 0.
    #   alpha 0.5 × 95 + 0.5 × 50 = 72.5; beta 0.5 × 100 + 0.5 × 0 = 50.
    assert alpha.indicator("carbon").points == pytest.approx(95.0)
    assert beta.indicator("carbon").points == 100.0
    assert alpha.indicator("clean").points == pytest.approx(50.0)
    assert alpha.dimension("environmental_performance").score == pytest.approx(72.5)
    assert beta.dimension("environmental_performance").score == pytest.approx(50.0)
    # social, female share (relative): beta 60 > alpha 25 → alpha 0, beta 100.
    # governance, disclosure floor 0 → benchmark 60: alpha 66.7 → 100; beta 100 × 50 / 60.
    assert alpha.dimension("governance").score == 100.0
    assert beta.dimension("governance").score == pytest.approx(250 / 3)
    # totals: alpha 0.2 × (100 + 0 + 72.5 + 0 + 100) = 54.5;
    #         beta 0.2 × (0 + 100 + 50 + 100 + 83.333…) = 66.666…
    assert alpha.total == pytest.approx(54.5)
    assert beta.total == pytest.approx(200 / 3)
    assert (beta.rank, alpha.rank) == (1, 2)
    assert [e.park_key for e in evaluate_parks(ALPHA_BETA_STATISTICS, aggregates, m)] == [
        "beta", "alpha"]
    assert alpha.methodology_version == "test.1"
    # completeness: beta lacks clean energy, 0.2 × 0.5 of the weight
    assert alpha.completeness == pytest.approx(1.0)
    assert beta.completeness == pytest.approx(0.9)


def test_missing_statistic_is_flagged_and_scores_zero():
    m = tiny()
    aggregates = aggregate_enterprises(frame(ALPHA_BETA), m)
    beta = next(e for e in evaluate_parks(ALPHA_BETA_STATISTICS, aggregates, m)
                if e.park_key == "beta")
    clean = beta.indicator("clean")
    assert clean.value is None and clean.missing and clean.source == "missing"
    assert clean.points == 0 and clean.contribution == 0
    assert clean.benchmark == 90  # the benchmark is still shown
    assert beta.missing == ("clean",)
    assert beta.indicator("carbon").source == "aggregate"
    assert beta.indicator("jobs").source == "statistic"


def test_missing_relative_value_scores_zero_and_leaves_the_ranking():
    m = tiny()
    statistics = {"a": {"jobs": 10}, "b": {"jobs": 20}, "c": {"jobs": None}}
    results = {e.park_key: e for e in evaluate_parks(statistics, {}, m)}
    assert results["a"].indicator("jobs").points == 0.0  # worse than b, 1 other
    assert results["b"].indicator("jobs").points == 100.0
    assert results["c"].indicator("jobs").points == 0.0
    assert results["c"].indicator("jobs").missing


def test_statistic_override_takes_precedence_over_the_aggregate():
    m = tiny()
    aggregates = aggregate_enterprises(frame(ALPHA_BETA), m)
    statistics = {"alpha": {"carbon_stat": 0.20}, "beta": {}}
    alpha = next(e for e in evaluate_parks(statistics, aggregates, m) if e.park_key == "alpha")
    carbon = alpha.indicator("carbon")
    assert (carbon.value, carbon.source, carbon.points) == (0.20, "statistic", 100.0)


def test_relative_points_percentile_with_ties_and_a_sole_zone():
    # 10, 20, 20 higher_better: 10 beats nobody → 0; each 20 beats 10 and ties the other 20:
    # 100 × (1 + ½) / 2 = 75.
    assert relative_points({"a": 10, "b": 20, "c": 20}, "higher_better", 50) == {
        "a": 0.0, "b": 75.0, "c": 75.0}
    assert relative_points({"a": 10, "b": 20, "c": 20}, "lower_better", 50) == {
        "a": 100.0, "b": 25.0, "c": 25.0}
    assert relative_points({"a": 3}, "higher_better", 50) == {"a": 50}


@pytest.mark.parametrize("value, expected", [
    (0.20, 100.0), (0.10, 100.0), (0.0, 100.0),
    (0.30, 100 * (2.45 - 0.30) / 2.25), (2.45, 0.0), (5.0, 0.0),
])
def test_threshold_points_lower_better(value, expected):
    assert threshold_points(value, 2.45, 0.20, "lower_better") == pytest.approx(expected)


@pytest.mark.parametrize("value, expected", [
    (90, 100.0), (95, 100.0), (45, 50.0), (0, 0.0), (89.999, 100 * 89.999 / 90)])
def test_threshold_points_higher_better(value, expected):
    assert threshold_points(value, 0, 90, "higher_better") == pytest.approx(expected)


def _carbon(statistics: dict) -> object:
    result = evaluate_parks({"czhnd": statistics}, {}, load_park_methodology())
    return result[0].indicator("carbon_per_energy")


def test_exactly_020_tco2_per_tce_scores_full_points():
    carbon = _carbon({"zone_energy_tce": 500000, "zone_carbon_per_energy": 0.20})
    assert carbon.points == 100.0
    assert (carbon.band, carbon.benchmark, carbon.band_assumed) == ("200k_to_1m_tce", 0.20, False)
    assert carbon.source == "statistic"
    assert "910号" in carbon.benchmark_source
    just_above = _carbon({"zone_energy_tce": 500000, "zone_carbon_per_energy": 0.2001})
    assert just_above.points == pytest.approx(100 * (2.45 - 0.2001) / 2.25)
    assert just_above.points < 100


def test_energy_band_edges():
    # 999,999.9 tce lies in the 200k-1M band (0.20): 0.25 → 100 × (2.45 − 0.25) / 2.25.
    below = _carbon({"zone_energy_tce": 999999.9, "zone_carbon_per_energy": 0.25})
    assert below.band == "200k_to_1m_tce"
    assert below.points == pytest.approx(100 * 2.20 / 2.25)
    # exactly 1,000,000 tce opens the next band (0.30): 0.25 and 0.30 score 100.
    at = _carbon({"zone_energy_tce": 1000000, "zone_carbon_per_energy": 0.30})
    assert (at.band, at.benchmark, at.points) == ("over_1m_tce", 0.30, 100.0)
    # under 200k tce the platform applies the stricter 0.20 (a methodology choice)
    small = _carbon({"zone_energy_tce": 150000, "zone_carbon_per_energy": 0.20})
    assert (small.band, small.points) == ("under_200k_tce", 100.0)
    assert small.benchmark_confidence == "methodology-choice"


def test_unknown_energy_band_applies_the_strictest_benchmark_and_says_so():
    carbon = _carbon({"zone_carbon_per_energy": 0.30})
    assert carbon.band_assumed and carbon.benchmark == 0.20
    assert carbon.points == pytest.approx(100 * (2.45 - 0.30) / 2.25)


def test_shipped_methodology_end_to_end_flags_everything_missing():
    results = evaluate_parks({"czhnd": {}, "wjhnd": {}}, {})
    assert [e.rank for e in results] == [1, 1]  # a tie shares the rank
    for evaluation in results:
        assert evaluation.total == 0.0
        assert evaluation.completeness == 0.0
        assert len(evaluation.missing) == len(load_park_methodology().indicators)
        assert evaluation.methodology_version == "2025.1"


def test_ranks_share_ties_and_skip():
    m = tiny()
    statistics = {"a": {"jobs": 1, "clean": 90}, "b": {"jobs": 1, "clean": 90},
                  "c": {"jobs": 0, "clean": 0}}
    results = evaluate_parks(statistics, {}, m)
    assert [(e.park_key, e.rank) for e in results] == [("a", 1), ("b", 1), ("c", 3)]


def test_evaluation_is_deterministic_under_input_order():
    m = tiny()
    aggregates = aggregate_enterprises(frame(ALPHA_BETA), m)
    first = evaluate_parks(ALPHA_BETA_STATISTICS, aggregates, m)
    reordered = evaluate_parks(dict(reversed(ALPHA_BETA_STATISTICS.items())),
                               dict(reversed(aggregates.items())), m)
    assert first == reordered


def test_evaluation_refuses_unknown_or_impossible_statistics():
    m = tiny()
    with pytest.raises(ValueError, match="not a zone statistic"):
        evaluate_parks({"a": {"jobz": 1}}, {}, m)
    with pytest.raises(ValueError, match="outside"):
        evaluate_parks({"a": {"clean": 120}}, {}, m)
    with pytest.raises(ValueError, match="not an aggregated sub-indicator"):
        evaluate_parks({}, {"a": {"jobs": 1}}, m)


# --------------------------------------------------------------------------------------------
# Refusals


def refusal(old: str, new: str, *, count: int = 1) -> DataFileError:
    assert TINY.count(old) >= count, old
    with pytest.raises(DataFileError) as caught:
        tiny(TINY.replace(old, new, count))
    return caught.value


def test_refuses_dimension_weights_not_summing_to_one():
    error = refusal('key = "governance"\nname_zh = "治理水平"\nname_en = "Governance"\n'
                    "weight = 0.2", 'key = "governance"\nname_zh = "治理水平"\n'
                    'name_en = "Governance"\nweight = 0.3')
    assert error.params["field"] == "dimension.weight"
    assert "sum to 1.1" in error.params["reason"]


def test_refuses_sub_indicator_weights_not_summing_to_one():
    error = refusal('weight = 0.5\nweight_source', 'weight = 0.6\nweight_source')
    assert error.params["row"] == "dimension.environmental_performance"
    assert error.params["field"] == "indicator.weight"


def test_refuses_an_unknown_enterprise_indicator_code():
    error = refusal('numerator = "S-INN-01"', 'numerator = "S-INN-99"')
    assert error.params["file"] == "tiny.toml"
    assert error.params["row"] == "dimension.innovation_capacity.indicator.rd_intensity"
    assert error.params["field"] == "numerator"
    assert "S-INN-99" in error.params["reason"]


def test_refuses_a_text_indicator_in_an_aggregate():
    error = refusal('denominator = "G-GEN-01"', 'denominator = "G-GEN-04"')
    assert error.params["field"] == "denominator" and "text" in error.params["reason"]


def test_refuses_an_unknown_scoring():
    error = refusal('scoring = "relative"', 'scoring = "bespoke"')
    assert error.params["field"] == "scoring"
    assert error.params["row"] == "dimension.industrial_structure.indicator.jobs"


def test_refuses_thresholds_out_of_order():
    error = refusal("floor = 2.20", "floor = 0.10")  # lower_better needs floor above benchmark
    assert error.params["field"] == "benchmark"
    assert "out of order" in error.params["reason"]
    error = refusal("benchmark = 90", "benchmark = 0")  # higher_better: floor 0 not below 0
    assert "out of order" in error.params["reason"]


def test_refuses_band_gaps_and_a_closed_last_band():
    banded = TINY.replace(
        'benchmark = 0.20\nbenchmark_source = "test"\nbenchmark_confidence = '
        '"unconfirmed-single-secondary"\n',
        'band_by = "jobs"\n',
    ).replace('weight = 0.5\nweight_source = "test"\nweight_confidence = "methodology-choice"\n',
              'weight = 0.5\nweight_source = "test"\nweight_confidence = "methodology-choice"\n'
              '[[dimension.indicator.band]]\nkey = "small"\nmin = 0\nmax = 100\n'
              'benchmark = 0.2\nsource = "t"\nconfidence = "methodology-choice"\n'
              '[[dimension.indicator.band]]\nkey = "large"\nmin = 100\n'
              'benchmark = 0.3\nsource = "t"\nconfidence = "methodology-choice"\n', 1)
    m = parse_park_methodology(banded, name="banded.toml")
    assert [b.key for b in m.indicator("carbon").bands] == ["small", "large"]
    with pytest.raises(DataFileError) as caught:
        parse_park_methodology(banded.replace("min = 100\n", "min = 150\n"), name="b.toml")
    assert caught.value.params["field"] == "band"
    with pytest.raises(DataFileError) as caught:
        parse_park_methodology(banded.replace('key = "large"\nmin = 100\n',
                                              'key = "large"\nmin = 100\nmax = 500\n'),
                               name="b.toml")
    assert "open" in caught.value.params["reason"]


def test_refuses_a_missing_dimension_and_a_foreign_one():
    error = refusal('key = "governance"', 'key = "openness"')
    assert error.params["field"] == "key" and "plan's dimensions" in error.params["reason"]
    without_governance = TINY[: TINY.index('[[dimension]]\nkey = "governance"')]
    with pytest.raises(DataFileError) as caught:
        tiny(without_governance)
    assert caught.value.params["field"] == "dimension"
    assert "governance" in caught.value.params["reason"]


def test_refuses_an_undeclared_statistic():
    error = refusal('statistic = "clean"', 'statistic = "cleanliness"')
    assert error.params["field"] == "statistic"


def test_refuses_an_unknown_confidence_and_an_unknown_key():
    error = refusal('weight_confidence = "methodology-choice"',
                    'weight_confidence = "pretty-sure"')
    assert error.params["field"] == "weight_confidence"
    error = refusal('scoring = "relative"\nweight = 1.0',
                    'scoring = "relative"\nbenchmark = 3\nweight = 1.0')
    assert error.params["field"] == "benchmark" and "unknown key" in error.params["reason"]


def test_refuses_a_predicate_on_an_unknown_grade():
    text = TINY.replace('predicate = { field = "disclosed", op = "is_true" }',
                        'predicate = { field = "grade", op = "at_or_above", value = "A+" }')
    with pytest.raises(DataFileError) as caught:
        parse_park_methodology(text, name="t.toml")
    assert caught.value.params["field"] == "value"


def test_refuses_a_catalogue_version_mismatch_and_bad_toml():
    error = refusal('catalogue_version = "2025.1"', 'catalogue_version = "2024.9"')
    assert error.params["field"] == "catalogue_version"
    with pytest.raises(DataFileError):
        tiny("version = ")


def test_refuses_a_missing_version_file():
    with pytest.raises(DataFileError) as caught:
        load_park_methodology("1999.1")
    assert caught.value.params["file"] == "park-1999.1.toml"
