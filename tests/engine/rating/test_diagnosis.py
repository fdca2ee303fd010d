"""Self-diagnosis: estimates with and without peers, mandatory gaps and the improvement plan."""

from __future__ import annotations

import pytest

from czesg.engine.disclosure.answers import Answer
from czesg.engine.rating.diagnosis import self_diagnose
from czesg.engine.rating.methodology import load_methodology
from tests.engine.rating.cases import population

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
