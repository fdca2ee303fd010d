"""The columnar rating inputs: long rows in any order give the same inputs, hash and result."""

from __future__ import annotations

import numpy as np
import pytest

from czesg.engine.rating.scoring import rate, reproduce
from tests.engine.rating.cases import ROWS, population


def test_long_rows_in_any_order_give_the_same_inputs_and_result(small):
    shuffled = [ROWS[i] for i in np.random.default_rng(3).permutation(len(ROWS))]
    first, second = population(small), population(small, rows=shuffled)
    assert first.hash() == second.hash()
    assert rate(first, small).fingerprint() == rate(second, small).fingerprint()
    changed = first.with_value("a", "E-GHG-05", 1.5)
    assert changed.hash() != first.hash()
    with pytest.raises(ValueError, match="differs"):
        reproduce(changed, small, expected_hash=first.hash())
