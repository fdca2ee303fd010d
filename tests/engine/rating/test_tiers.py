"""Tier-aware rating (methodology 2025.2): a basic-tier disclosure is rated on its form's
indicators with its grade held at the tier's best grade; the standard tier and stored 2025.1
ratings are unchanged; the self-diagnosis plans only what the form offers."""

from __future__ import annotations

import numpy as np
import pytest

from czesg.engine.disclosure.answers import Answer
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.rating import (
    RatingInput,
    explain,
    load_methodology,
    parse_methodology,
    rate,
    reproduce,
    self_diagnose,
)
from czesg.engine.rating.vocabulary import OUT_OF_TIER, REPORTED
from tests.engine.rating.cases import published_text, replace_once

BASIC = ("E-GHG-05", "E-ENG-02", "S-OHS-01", "S-EMP-05-COV", "S-EMP-03", "S-TRN-02",
         "G-GOV-06", "G-ABC-04", "G-ABC-03", "G-ABC-02")
# The best basic disclosure: lowest intensities and turnover, full social-insurance coverage,
# the most training, no work injuries, and every governance and anti-corruption answer good.
PERFECT = {"E-GHG-05": 0.5, "E-ENG-02": 0.05, "S-OHS-01": 0.0, "S-EMP-05-COV": 100.0,
           "S-EMP-03": 1.0, "S-TRN-02": 60.0, "G-GOV-06": True, "G-ABC-04": True,
           "G-ABC-03": True, "G-ABC-02": 0.0}
# E-GHG-05 between the peers, E-ENG-02, S-EMP-05-COV, S-EMP-03 and S-TRN-02 left blank, no
# anti-corruption training (G-ABC-03).
PARTIAL = {"E-GHG-05": 5.5, "S-OHS-01": 0.0, "G-GOV-06": True, "G-ABC-04": True,
           "G-ABC-03": False, "G-ABC-02": 0.0}


def _peer(n: int) -> dict[str, object]:
    """Peer ``n`` (0–9): worse than PERFECT on every percentile indicator, spread evenly."""
    return {"E-GHG-05": 1.0 + n, "E-ENG-02": 0.1 + n / 10, "S-OHS-01": 0.0,
            "S-EMP-05-COV": 50.0 + n, "S-EMP-03": 2.0 + n, "S-TRN-02": 10.0 + n,
            "G-GOV-06": True, "G-ABC-04": True, "G-ABC-03": True, "G-ABC-02": 0.0}


def _inputs(methodology, sme_tier="basic", peer_tier="standard"):
    disclosures = {"sme": PERFECT, "part": PARTIAL,
                   **{f"p{n}": _peer(n) for n in range(10)}}
    rows = [(e, code, value, "reported") for e, answers in disclosures.items()
            for code, value in answers.items()]
    tiers = {"sme": sme_tier, "part": sme_tier, **{f"p{n}": peer_tier for n in range(10)}}
    return RatingInput.from_long(rows, dict.fromkeys(disclosures, "manufacturing"), year=2025,
                                 methodology=methodology, tiers=tiers)


def test_the_basic_tier_rule_of_2025_2():
    methodology = load_methodology("2025.2")
    assert methodology.tier_aware and not load_methodology("2025.1").tier_aware
    assert methodology.tier_codes("basic") == BASIC
    assert methodology.tier_codes("standard") == methodology.codes
    assert methodology.max_grade("basic") == "AA" and methodology.max_grade("standard") == "AAA"
    assert methodology.grade_of(95.0) == "AAA" and methodology.grade_of(95.0, "basic") == "AA"
    assert methodology.grade_of(75.0, "basic") == "A"


def test_a_perfect_basic_disclosure_scores_100_and_is_graded_aa_under_2025_2():
    methodology = load_methodology("2025.2")
    result = rate(_inputs(methodology), methodology)
    sme = result.index("sme")
    assert result.score[sme] == pytest.approx(100.0, abs=1e-9)
    assert result.grade[sme] == "AA" and bool(result.grade_capped[sme])
    assert result.tiers[sme] == "basic"
    assert result.row("sme")["tier"] == "basic" and result.row("sme")["grade_capped"]
    # Its weight is re-normalised over the basic indicators: E climate 0.3 and energy 0.2 of
    # the E topics present → 0.6 and 0.4 of E (0.40); S employees alone (0.30); G governance
    # 0.40 and anti-corruption 0.35 → 8/15 and 7/15 of G (0.30).
    weights = dict(zip(result.codes, result.weights[sme].tolist(), strict=True))
    expected = {"E-GHG-05": 0.24, "E-ENG-02": 0.16, "S-OHS-01": 0.1, "S-EMP-05-COV": 0.08,
                "S-EMP-03": 0.06, "S-TRN-02": 0.06, "G-GOV-06": 0.16, "G-ABC-04": 0.06,
                "G-ABC-03": 0.04, "G-ABC-02": 0.04}
    assert {c: weights[c] for c in BASIC} == pytest.approx(expected, abs=1e-12)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    others = [j for j, code in enumerate(result.codes) if code not in BASIC]
    assert (result.status[sme, others] == OUT_OF_TIER).all()
    assert np.isnan(result.indicator_scores[sme, others]).all()
    assert (result.weights[sme, others] == 0).all()


def test_the_same_perfect_basic_disclosure_under_2025_1_stays_ccc():
    methodology = load_methodology("2025.1")
    result = rate(_inputs(methodology), methodology)
    sme = result.index("sme")
    # Every standard-only indicator scores 0 with its weight: the basic indicators carry
    # 0.072 + 0.04 + 0.10125 + 0.03 + 0.0735 = 0.31675 of the total.
    assert result.score[sme] == pytest.approx(31.675, abs=1e-9)
    assert result.grade[sme] == "CCC" and not result.grade_capped[sme]


def test_a_partial_basic_disclosure_under_2025_2():
    methodology = load_methodology("2025.2")
    result = rate(_inputs(methodology), methodology)
    part = result.index("part")
    # E-GHG-05 5.5 among 12 reporters: 5 worse (p5–p9), so 100 × 5 / 11; blanks score 0;
    # S-OHS-01 0 → 100, G-GOV-06, G-ABC-04 yes and G-ABC-02 0 → 100, G-ABC-03 no → 0:
    # 0.24 × 500/11 + 0.1 × 100 + 0.16 × 100 + 0.06 × 100 + 0.04 × 100 = 46.909…
    expected = 0.24 * 500 / 11 + 10 + 16 + 6 + 4
    assert result.score[part] == pytest.approx(expected, abs=1e-9)
    assert result.grade[part] == "B" and not result.grade_capped[part]
    assert result.status[part, result.codes.index("E-ENG-02")] == 0  # missing, not dropped
    assert result.weights[part, result.codes.index("E-ENG-02")] == pytest.approx(0.16)


def test_standard_tier_ratings_are_unchanged_from_2025_1():
    old, new = load_methodology("2025.1"), load_methodology("2025.2")
    standard_old = rate(_inputs(old, sme_tier="standard"), old)
    standard_new = rate(_inputs(new, sme_tier="standard"), new)
    assert standard_old.inputs_hash == standard_new.inputs_hash
    for name in ("status", "indicator_scores", "weights", "peer_rank", "total", "score",
                 "grade_index"):
        assert np.array_equal(getattr(standard_old, name), getattr(standard_new, name),
                              equal_nan=True), name
    assert not standard_new.grade_capped.any()
    # Basic-tier enterprises rated beside them leave the standard-tier scores as they were
    # (they report nothing outside their form here).
    mixed = rate(_inputs(new), new)
    peers = [mixed.index(f"p{n}") for n in range(10)]
    assert np.array_equal(mixed.score[peers],
                          standard_new.score[[standard_new.index(f"p{n}") for n in range(10)]])


def test_a_basic_disclosure_s_out_of_tier_values_are_neither_scored_nor_ranked():
    methodology = load_methodology("2025.2")
    inputs = _inputs(methodology).with_value("sme", "E-WAT-02", 0.001)
    result = rate(inputs, methodology)
    column = result.codes.index("E-WAT-02")
    assert result.status[result.index("sme"), column] == OUT_OF_TIER
    assert result.score[result.index("sme")] == pytest.approx(100.0, abs=1e-9)


def test_a_stored_2025_1_rating_still_reproduces_after_2025_2_exists():
    old = load_methodology("2025.1")
    # Inputs as stored before tiers were recorded: no tier column at all.
    inputs = _inputs(old).replace(tiers=())
    stored = rate(inputs, old)
    assert stored.methodology_version == "2025.1"
    again = reproduce(inputs, load_methodology(stored.methodology_version),
                      expected_hash=stored.inputs_hash)
    assert again.fingerprint() == stored.fingerprint()
    # An all-standard tier column hashes like no tier column (so old hashes still match).
    assert inputs.replace(tiers=("standard",) * len(inputs)).hash() == stored.inputs_hash
    assert _inputs(old).hash() != stored.inputs_hash  # basic tiers are part of the inputs


def test_explanations_carry_the_tier_and_grade_new_grades_within_it():
    methodology = load_methodology("2025.2")
    inputs = _inputs(methodology)
    result = rate(inputs, methodology)
    explanation = explain(result, inputs, methodology, "part")
    assert explanation.tier == "basic" and not explanation.grade_capped
    assert {c.code for c in explanation.contributions if c.status == "out_of_tier"} == \
        set(methodology.codes) - set(BASIC)
    assert explanation.improvements
    assert all(i.code in BASIC for i in explanation.improvements)


def test_self_diagnosis_of_a_basic_form_plans_only_its_indicators():
    methodology = load_methodology("2025.2")
    answers = _answers(PARTIAL)
    diagnosis = self_diagnose(answers, "C3311", methodology, tier="basic")
    assert diagnosis.tier == "basic" and diagnosis.max_grade == "AA"
    assert diagnosis.plan and {a.code for a in diagnosis.plan} <= set(BASIC)
    assert diagnosis.other_tier == "standard"
    assert set(diagnosis.other_tier_codes) == set(methodology.codes) - set(BASIC)
    # A complete, good basic form without peers: the five industry-relative indicators take
    # the neutral 50 and the five absolute ones 100.
    perfect = self_diagnose(_answers(PERFECT), "C3311", methodology, tier="basic")
    # E = 50; S = ⅓·100 + (0.2667 + 0.2 + 0.2)·50 = 66.67; G = 100 → 0.4·50 + 0.3·66.67 + 30.
    assert perfect.score == pytest.approx(0.4 * 50 + 0.3 * (100 / 3 + 2 / 3 * 50) + 30)
    assert perfect.score == pytest.approx(70.0) and perfect.grade == "A"
    # The same basic form under 2025.1 is rated on everything, but still plans only basic
    # indicators and names the standard tier for the rest.
    old = self_diagnose(answers, "C3311", load_methodology("2025.1"), tier="basic")
    assert {a.code for a in old.plan} <= set(BASIC) and old.other_tier == "standard"
    standard = self_diagnose(answers, "C3311", methodology, tier="standard")
    assert standard.other_tier == "" and standard.other_tier_codes == ()


def _answers(disclosure):
    """A disclosure's values as self-diagnosis answers (yes/no as answers, numbers bare)."""
    return {code: Answer(code=code, boolean=value) if isinstance(value, bool) else value
            for code, value in disclosure.items()}


def refused(text):
    with pytest.raises(DataFileError) as caught:
        parse_methodology(text, name="rating-2025.2.toml")
    return caught.value.params


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ('max_grade = "AA"', 'max_grade = "AAAA"', "max_grade", ""),
    ('"G-ABC-03", "G-ABC-02"]', '"G-ABC-03", "G-ABC-02", "E-WAT-02"]', "indicators",
     "E-WAT-02 is not in the basic tier of the catalogue"),
    ('max_grade_confidence = "methodology-choice"', 'max_grade_confidence = "guess"',
     "max_grade_confidence", ""),
    ("[tiers.basic]", "[tiers.standard]", "-", "the standard tier is rated on every indicator"),
])
def test_refuses_a_malformed_tier_rule(old, new, field, reason):
    params = refused(replace_once(published_text("2025.2"), old, new))
    assert params["file"] == "rating-2025.2.toml"
    assert params["field"] == field
    assert reason in params["reason"]


def test_reported_status_for_tier_indicators():
    methodology = load_methodology("2025.2")
    result = rate(_inputs(methodology), methodology)
    sme = result.index("sme")
    assert all(result.status[sme, result.codes.index(c)] == REPORTED for c in BASIC)


def test_the_synthetic_demo_city_gets_a_plausible_spread_under_2025_2():
    # The demo's 300 synthetic enterprises for 2025: under 2025.1 almost none reach A (the
    # issue's finding); under 2025.2 basic-tier SMEs spread over the scale, and the
    # standard-tier enterprises keep exactly their 2025.1 scores.
    from czesg.engine import synth

    enterprises = synth.generate_enterprises(300, seed=2025)
    values = synth.generate_disclosures(enterprises, [2025], seed=2025, submittable=True)
    old, new = load_methodology("2025.1"), load_methodology("2025.2")
    before = rate(RatingInput.from_synthetic(values, 2025, methodology=old), old)
    inputs = RatingInput.from_synthetic(values, 2025, methodology=new)
    after = rate(inputs, new)
    tiers = np.asarray(inputs.tiers)
    basic, standard = tiers == "basic", tiers == "standard"
    assert basic.sum() > 200 and standard.sum() > 0
    top = ("AAA", "AA", "A")
    assert np.isin(before.grade[basic], top).sum() == 0
    assert 0.02 < np.isin(after.grade[basic], top).mean() < 0.5
    assert len(set(after.grade[basic].tolist())) >= 5
    assert "AAA" not in after.grade[basic].tolist()
    assert 35 < float(np.median(after.score[basic])) < 70
    assert np.array_equal(after.score[standard], before.score[standard])
    assert (after.grade[standard] == before.grade[standard]).all()
