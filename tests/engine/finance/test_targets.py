"""Target progress arithmetic on worked examples."""

from __future__ import annotations

import pytest

from czesg.engine.finance.targets import check_target, expected_at, progress
from czesg.engine.kernel.errors import CatalogueError


def test_reduction_target_on_and_off_track():
    # 1,000 t in 2020, −30 % by 2030 → 700 t; the line is at 850 t in 2025.
    spec = check_target(base_year=2020, base_value=1000, target_year=2030, target_value=None,
                        reduction_pct=30)
    assert spec.target_value == pytest.approx(700)
    assert expected_at(spec, 2025) == pytest.approx(850)
    on = progress(spec, {2019: 2000, 2024: 900, 2025: 820})
    assert (on.status, on.year, on.actual) == ("on_track", 2025, 820)
    assert on.expected == pytest.approx(850) and on.achieved == pytest.approx(0.6)
    off = progress(spec, {2025: 880})
    assert off.status == "off_track" and off.achieved == pytest.approx(0.4)
    assert progress(spec, {2020: 990}).status == "no_data"
    after = progress(spec, {2032: 710})  # after the target year the target itself is the line
    assert after.expected == pytest.approx(700) and after.status == "off_track"


def test_increase_target():
    # renewable share 10 % in 2022 → 40 % in 2028: line at 25 % in 2025
    spec = check_target(base_year=2022, base_value=10, target_year=2028, target_value=40,
                        reduction_pct=None)
    result = progress(spec, {2025: 26})
    assert result.status == "on_track" and result.expected == pytest.approx(25)
    assert result.achieved == pytest.approx(16 / 30)


@pytest.mark.parametrize("kwargs, field", [
    (dict(base_year=2025, target_year=2020), "target_year"),
    (dict(base_year=2025, target_year=2025), "target_year"),
    (dict(target_value=None, reduction_pct=None), "target_value"),
    (dict(target_value=700, reduction_pct=30), "target_value"),
    (dict(target_value=None, reduction_pct=130), "reduction_pct"),
    (dict(base_value=-1), "base_value"),
])
def test_bad_targets_are_named(kwargs, field):
    base = dict(base_year=2020, base_value=1000, target_year=2030, target_value=700,
                reduction_pct=None)
    base.update(kwargs)
    with pytest.raises(CatalogueError) as refused:
        check_target(**base)
    assert refused.value.params["field"] == field
