"""Energy and emissions of synthetic enterprises, as the carbon engine computes them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from czesg.engine import synth
from tests.engine.synth import FUELS, YEARS, as_zero, disclosed, factor, fuel_parameters


# --- carbon and energy ---------------------------------------------------------------------------
def test_total_ghg_is_scope1_plus_scope2_location_for_every_enterprise_year(values):
    total = disclosed(values, "E-GHG-01")
    scope1 = disclosed(values, "E-GHG-02")
    scope2 = disclosed(values, "E-GHG-03")
    assert not np.isnan(total).any()  # the core is always answered
    np.testing.assert_allclose(total, scope1 + scope2, rtol=1e-12, atol=0)
    market = disclosed(values, "E-GHG-03-MKT")
    shown = ~np.isnan(market)
    assert shown.any()
    assert not np.allclose(total[shown], (scope1 + market)[shown])  # market-based is not added


def test_scope2_uses_the_exact_jiangsu_factor_of_each_year(values, factor_set):
    electricity = disclosed(values, "E-ENG-01-ELEC")
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))
    scope2 = disclosed(values, "E-GHG-03")
    heat_factor = factor(factor_set, "HEAT-DEFAULT")
    assert heat_factor == 0.11
    expected = {2022: ("GRID-JS-2022", 0.5978), 2023: ("GRID-JS-2023", 0.5827)}
    for column, year in enumerate(YEARS):
        factor_id, value = expected[year]
        assert factor(factor_set, factor_id) == value
        np.testing.assert_allclose(
            scope2[:, column], electricity[:, column] * value + heat[:, column] * heat_factor,
            rtol=1e-12,
        )
        without_heat = heat[:, column] == 0
        assert without_heat.any()
        np.testing.assert_allclose(
            scope2[without_heat, column], electricity[without_heat, column] * value, rtol=1e-12
        )
        used = [u for u in values.factors if u.year == year and u.purpose == "scope2_location_grid"]
        assert [(u.factor.factor_id, u.fallback) for u in used] == [(factor_id, False)]


def test_a_year_without_a_published_factor_uses_the_latest_one_and_says_so(
    enterprises, params, factor_set
):
    use = params.grid_factor(2030)
    assert use.fallback and use.factor.factor_id == "GRID-JS-2023" and use.value == 0.5827
    latest = max(
        (f for f in factor_set
         if f.category == "grid_provincial" and f.region == "Jiangsu"),
        key=lambda f: f.data_year,
    )
    assert latest.factor_id == "GRID-JS-2023"
    values = synth.generate_disclosures(enterprises[:80], [2030], seed=3)
    electricity = disclosed(values, "E-ENG-01-ELEC")[:, 0]
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))[:, 0]
    np.testing.assert_allclose(
        disclosed(values, "E-GHG-03")[:, 0], electricity * latest.value + heat * 0.11,
        rtol=1e-12,
    )
    [record] = [u for u in values.factors if u.purpose == "scope2_location_grid"]
    assert record.year == 2030 and record.fallback and record.factor.data_year == 2023
    methods = [row[4] for row in values.rows() if row[3] == "E-GHG-06"]
    assert methods and all("2030年因子尚未发布" in text for text in methods)
    assert params.grid_factor(2022).fallback is False


def test_energy_in_tce_is_the_sum_of_carriers_times_their_coefficients(values, params):
    coefficients = {carrier.indicator: carrier.tce_per_unit for carrier in params.carriers}
    # The calorific-equivalent value (当量值) for electricity, never the generation equivalent.
    assert coefficients["E-ENG-01-ELEC"] == 0.1229 == coefficients["E-ENG-01-PV"]
    assert params.electricity_basis == "calorific_equivalent"
    assert math.isclose(coefficients["E-ENG-01-GAS"], 12.143)  # 1.2143 kgce/m3 per 10^4 Nm3
    assert coefficients["E-ENG-01-HEAT"] == 0.03412
    expected = sum(
        as_zero(disclosed(values, code)) * coefficient
        for code, coefficient in coefficients.items()
    )
    np.testing.assert_allclose(disclosed(values, "E-ENG-01"), expected, rtol=1e-12)


def test_scope1_is_the_sum_of_fuels_times_gbt32151_factors(values, params, factor_set):
    # The carbon engine is the authority: it applies each fuel's GB/T 32151 parameters (NCV x
    # carbon content x oxidation rate x 44/12), not the published value rounded to 4 decimals.
    factors = {c.indicator: fuel_parameters(c.emission_factor)
               for c in params.carriers if c.role == "fuel"}
    assert set(factors) == set(FUELS)
    assert factor(factor_set, "FUEL-NATURAL_GAS") == 21.6219
    assert factors["E-ENG-01-GAS"] == pytest.approx(21.6219, abs=5e-5)
    assert factor(factor_set, "FUEL-DIESEL") == 3.0959
    assert factors["E-ENG-01-DSL"] == pytest.approx(3.0959, abs=5e-5)
    expected = sum(as_zero(disclosed(values, code)) * value for code, value in factors.items())
    np.testing.assert_allclose(disclosed(values, "E-GHG-02"), expected, rtol=1e-12)
    listed = np.array([e.listed for e in values.enterprises])
    # Coal, LPG and fuel oil are standard-tier items: a basic-tier enterprise never burns them.
    assert np.isnan(disclosed(values, "E-ENG-01-COAL")[~listed]).all()


def test_market_based_scope2_uses_the_residual_factor_and_green_power(values, factor_set):
    listed = np.array([e.listed for e in values.enterprises])
    electricity = disclosed(values, "E-ENG-01-ELEC")
    green = disclosed(values, "E-ENG-01-GREEN")
    heat = as_zero(disclosed(values, "E-ENG-01-HEAT"))
    market = disclosed(values, "E-GHG-03-MKT")
    residual = {2022: factor(factor_set, "GRID-CN-EXNF-2022"),
                2023: factor(factor_set, "GRID-CN-EXNF-2023")}
    for column, year in enumerate(YEARS):
        shown = listed & ~np.isnan(market[:, column]) & ~np.isnan(green[:, column])
        assert shown.any()
        np.testing.assert_allclose(
            market[shown, column],
            (electricity - green)[shown, column] * residual[year] + heat[shown, column] * 0.11,
            rtol=1e-12,
        )


