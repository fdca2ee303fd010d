"""Ratings from records (methodology 2025.2): a value filled from a third-party record is scored
like a disclosed one, flagged as recorded, covered by the inputs hash, and every rating states
the share of its rated weight backed by disclosed, recorded and missing data."""

from __future__ import annotations

import numpy as np
import pytest

from czesg.engine.rating import (
    RatingInput,
    basis_shares,
    explain,
    load_methodology,
    rate,
    reproduce,
)
from tests.engine.rating.test_tiers import PARTIAL, _inputs

# Effective weights of the basic tier's indicators for a manufacturing enterprise (pillars E 0.4,
# S 0.3, G 0.3; only the basic form's topics and indicators keep weight):
# E-GHG-05 0.4 × 0.3/0.5 = 0.24, E-ENG-02 0.4 × 0.2/0.5 = 0.16, S-OHS-01 0.3 × 0.25/0.75 = 0.10,
# S-EMP-05-COV 0.08, S-EMP-03 0.06, S-TRN-02 0.06, G-GOV-06 0.3 × 0.4/0.75 = 0.16,
# G-ABC-04 0.3 × 0.35/0.75 × 0.3/0.7 = 0.06, G-ABC-03 0.04, G-ABC-02 0.04.
# "part" discloses E-GHG-05, S-OHS-01, G-GOV-06 and G-ABC-02/03/04 (0.64) and lacks E-ENG-02,
# S-EMP-05-COV, S-EMP-03, S-TRN-02 (0.36).


def _with_record(inputs: RatingInput, enterprise: str, code: str, value: float) -> RatingInput:
    """``inputs`` with one missing value filled from a record."""
    filled = inputs.with_value(enterprise, code, value)
    recorded = filled.recorded_mask.copy()
    recorded[filled.index(enterprise), filled.codes.index(code)] = True
    return filled.replace(recorded=recorded)


def test_2025_2_fills_from_records_and_2025_1_does_not():
    assert load_methodology("2025.2").records_fill
    assert load_methodology("2025.2").records_confidence == "methodology-choice"
    assert not load_methodology("2025.1").records_fill


def test_the_shares_of_rated_weight_by_basis():
    methodology = load_methodology("2025.2")
    inputs = _inputs(methodology)
    shares = basis_shares(inputs, methodology)
    part = inputs.index("part")
    assert shares[part].tolist() == pytest.approx([0.64, 0.0, 0.36], abs=1e-12)
    assert shares[inputs.index("sme")].tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-12)

    filled = _with_record(inputs, "part", "E-ENG-02", 0.3)
    shares = basis_shares(filled, methodology)
    # disclosed 64%, recorded 16% (E-ENG-02), missing 20% of the rated weight
    assert shares[part].tolist() == pytest.approx([0.64, 0.16, 0.20], abs=1e-12)
    assert shares.sum(axis=1) == pytest.approx(np.ones(len(filled)), abs=1e-12)


def test_a_standard_tier_counts_every_rated_indicator():
    methodology = load_methodology("2025.2")
    inputs = _inputs(methodology, sme_tier="standard")
    shares = basis_shares(inputs, methodology)
    sme = inputs.index("sme")
    # the basic form's ten indicators hold 0.4 × (0.3 × 0.6 + 0.2 × 0.5) = 0.112 of E, etc.;
    # the shares still add up to the whole rated weight
    assert shares[sme].sum() == pytest.approx(1.0, abs=1e-12)
    assert shares[sme, 1] == 0.0 and 0.0 < shares[sme, 0] < 1.0


def test_a_recorded_value_is_scored_flagged_and_hashed():
    methodology = load_methodology("2025.2")
    inputs = _inputs(methodology)
    disclosed = inputs.with_value("part", "E-ENG-02", 0.3)
    recorded = _with_record(inputs, "part", "E-ENG-02", 0.3)
    # scored exactly as if disclosed ...
    assert rate(recorded, methodology).score.tolist() == rate(disclosed, methodology).score.tolist()
    # ... but the inputs say which values came from records, and hash it
    assert recorded.hash() != disclosed.hash()
    # inputs without any recorded value keep the hash they had before records were rated
    assert inputs.replace(recorded=np.zeros(inputs.values.shape, bool)).hash() == inputs.hash()
    # a recorded flag on a value that is not reported means nothing
    stray = np.zeros(inputs.values.shape, bool)
    stray[inputs.index("part"), inputs.codes.index("S-EMP-03")] = True
    assert not inputs.replace(recorded=stray).recorded_mask.any()

    result = rate(recorded, methodology)
    # the hash does not depend on the row order; a reproduction is exact
    assert recorded.take(np.arange(len(recorded))[::-1]).hash() == result.inputs_hash
    again = reproduce(recorded, methodology, expected_hash=result.inputs_hash)
    assert again.fingerprint() == result.fingerprint()

    explanation = explain(result, recorded, methodology, "part")
    assert explanation.shares == pytest.approx((0.64, 0.16, 0.20), abs=1e-12)
    flagged = [c.code for c in explanation.contributions if c.recorded]
    assert flagged == ["E-ENG-02"]
    assert PARTIAL.get("E-ENG-02") is None
