"""Expected carbon reduction of a project through the carbon engine, factors cited."""

from __future__ import annotations

import pytest

from czesg.engine.carbon.problems import CarbonInputError
from czesg.engine.finance.reduction import expected_reduction


def test_self_generated_pv_replaces_purchased_electricity():
    # 1,000 MWh a year no longer bought from the grid × Jiangsu's grid factor 0.5827 kgCO2/kWh
    # (the 2023 provincial factor, the latest before 2024 in factor set 2025.1) = 582.7 t.
    r = expected_reduction([{"activity": "electricity", "quantity": 1000, "unit": "MWh"}], [],
                           year=2024)
    assert r.factor_set == "2025.1"
    assert (r.baseline_tco2e, r.project_tco2e) == (pytest.approx(582.7), 0.0)
    assert r.reduction_tco2e == pytest.approx(582.7)
    assert [(f["factor_id"], f["factor_value"], f["factor_year"]) for f in r.factors] == [
        ("GRID-JS-2023", 0.5827, 2023)]


def test_gas_boiler_replaced_by_a_heat_pump():
    # 10 万Nm3 of natural gas (216.2189 t by the fuel's NCV × carbon content × oxidation × 44/12)
    # replaced by 300 MWh of grid electricity (174.81 t): 41.41 t a year.
    r = expected_reduction([{"activity": "natural_gas", "quantity": 10, "unit": "万Nm3"}],
                           [{"activity": "electricity", "quantity": 300, "unit": "MWh"}],
                           year=2024)
    assert r.baseline_tco2e == pytest.approx(216.2188809)
    assert r.project_tco2e == pytest.approx(174.81)
    assert r.reduction_tco2e == pytest.approx(216.2188809 - 174.81)
    assert [f["factor_id"] for f in r.factors] == ["FUEL-NATURAL_GAS", "GRID-JS-2023"]


def test_bad_activity_rows_are_named_by_the_carbon_engine():
    with pytest.raises(CarbonInputError) as refused:
        expected_reduction([{"activity": "moonlight", "quantity": 1, "unit": "MWh"}], [],
                           year=2024)
    assert refused.value.problems[0].row == 1
