"""The calculation by hand: Scope 1, GWP, energy, units and the refusal of bad input.

Expected figures are computed here by hand from the published parameters, not taken from the
engine.
"""

from __future__ import annotations

import json

import pytest

from czesg.engine import carbon
from czesg.engine.carbon import (
    CarbonInputError,
    load_activities,
    load_factor_set,
    problem_data,
)
from czesg.engine.kernel.errors import CzesgError
from tests.engine.carbon import (
    FACTOR_SET,
    USCC,
    C,
    calculate,
    entries,
    row,
    totals,
)

# --- scope 1 --------------------------------------------------------------------------------
COMBUSTION = [a for a in load_activities().values() if a.kind == "combustion"]


class TestScope1:
    def test_natural_gas_by_hand(self):
        result = calculate([row("natural_gas", 100, "万Nm3")])
        expected = 100 * 389.31 * 0.0153 * 0.99 * 44 / 12  # 万Nm3 x GJ/万Nm3 x tC/GJ x OF
        assert totals(result)["scope1_tco2e"] == pytest.approx(expected, rel=1e-12)
        # The parameters are used, not the rounded derived column (21.6219 t/万Nm3).
        assert abs(totals(result)["scope1_tco2e"] - 100 * 21.6219) > 1e-3

    def test_natural_gas_in_nm3(self):
        result = calculate([row("natural_gas", 1_000_000, "Nm3")])
        expected = 1_000_000 / 10_000 * 389.31 * 0.0153 * 0.99 * C
        assert totals(result)["scope1_tco2e"] == pytest.approx(expected, rel=1e-12)

    def test_diesel_and_gasoline_by_hand(self):
        result = calculate([row("diesel", 10, "t"), row("gasoline", 2000, "kg")])
        expected = 10 * 42.652 * 0.0202 * 0.98 * C + 2 * 43.07 * 0.0189 * 0.98 * C
        assert totals(result)["scope1_tco2e"] == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize("activity", COMBUSTION, ids=lambda a: a.code)
    def test_every_fuel_path(self, activity):
        factor = load_factor_set(FACTOR_SET).get(activity.factor_id)
        result = calculate([row(activity.code, 7.5, activity.unit)])
        expected = 7.5 * factor.ncv * factor.carbon_content_tC_per_GJ * factor.oxidation_rate * C
        assert totals(result)["scope1_tco2e"] == pytest.approx(expected, rel=1e-12)
        assert totals(result)["scope1_tco2e"] == pytest.approx(7.5 * factor.value, abs=4e-4)
        (entry,) = entries(result, "scope1")
        assert entry["method"] == "fuel_parameters"
        assert (entry["ncv"], entry["carbon_content_tC_per_GJ"], entry["oxidation_rate"]) == (
            factor.ncv, factor.carbon_content_tC_per_GJ, factor.oxidation_rate)

    def test_process_emissions_and_scope3_are_entered_directly(self):
        result = calculate([row("process_emissions", 12.5, "tCO2e"),
                            row("scope3_cat6", 3, "tCO2e"), row("scope3_cat1", 2000, "kgCO2e")])
        t = totals(result)
        assert t["scope1_tco2e"] == 12.5
        assert t["scope3_tco2e"] == pytest.approx(5.0)
        assert t["total_tco2e"] == 12.5  # Scope 3 never enters the total

    def test_unspecified_coal_is_refused_with_the_types_to_choose(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("coal", 10, "t")])
        (problem,) = excinfo.value.problems
        assert (problem.row, problem.column) == (2, "activity")
        assert "bituminous_coal" in problem.render() and "Table C.1" in problem.render()

    def test_typed_coal_is_computed(self):
        result = calculate([row("bituminous_coal", 10, "t")])
        assert totals(result)["scope1_tco2e"] == pytest.approx(
            10 * 19.57 * 0.0261 * 0.93 * C, rel=1e-12)


class TestGWP:
    def test_refrigerant_by_hand_and_gwp_ratio(self):
        rows = [row("refrigerant_hfc_134a", 10, "kg")]
        ar5 = calculate(rows, gwp_set="AR5")
        ar4 = calculate(rows, gwp_set="AR4")
        assert totals(ar5)["scope1_tco2e"] == pytest.approx(10 * 1300 / 1000, rel=1e-12)
        assert totals(ar4)["scope1_tco2e"] / totals(ar5)["scope1_tco2e"] == pytest.approx(
            1430 / 1300, rel=1e-12)
        assert ar5.gwp_set == "AR5" and entries(ar5, "scope1")[0]["gwp_set"] == "AR5"
        assert entries(ar5, "scope1")[0]["factor_id"] == "GWP-HFC-134a-AR5"

    def test_sf6_and_hfc32_in_each_set(self):
        for gwp_set, sf6, hfc32 in (("SAR", 23900, 650), ("AR6", 25200, 771)):
            result = calculate([row("sf6", 2, "kg"), row("refrigerant_hfc_32", 3, "kg")],
                               gwp_set=gwp_set.lower())
            assert totals(result)["scope1_tco2e"] == pytest.approx(
                (2 * sf6 + 3 * hfc32) / 1000, rel=1e-12)

    def test_gas_rows_need_an_explicit_gwp_set(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("diesel", 1, "t"), row("sf6", 1, "kg")])
        (problem,) = excinfo.value.problems
        assert problem.row == 3 and "GWP set" in problem.render()
        assert carbon.DEFAULT_GWP_SET in problem.render()
        calculate([row("diesel", 1, "t")])  # no gas, no GWP needed

    def test_unknown_or_missing_gwp_values_are_refused(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("sf6", 1, "kg")], gwp_set="AR7")
        assert excinfo.value.problems[0].column == "gwp_set"
        with pytest.raises(CarbonInputError, match="1 problem"):
            calculate([row("nf3", 1, "kg")], gwp_set="SAR")


# --- energy ---------------------------------------------------------------------------------
class TestEnergy:
    def test_tce_with_the_calorific_equivalent(self):
        result = calculate([row("electricity", 1000, "MWh"), row("diesel", 10, "t"),
                            row("natural_gas", 100, "万Nm3"), row("purchased_heat", 100, "GJ")])
        expected = 1000 * 0.1229 + 10 * 1.4571 + 100 * 10_000 * 1.2143 / 1000 + 100 * 0.03412
        assert totals(result)["energy_tce"] == pytest.approx(expected, rel=1e-12)
        (entry,) = entries(result, "energy", "electricity")
        assert (entry["factor_id"], entry["factor_value"], entry["factor_unit"]) == (
            "TCE-ELECTRICITY-CALORIFIC", 0.1229, "kgce/kWh")
        assert entry["result_unit"] == "tce"

    def test_carriers_without_a_sourced_coefficient_are_counted_not_guessed(self):
        result = calculate([row("anthracite", 10, "t"), row("diesel", 1, "t")])
        t = totals(result)
        assert t["energy_tce"] == pytest.approx(1.4571)
        assert t["energy_unconverted_rows"] == 1
        assert result.rows["energy_tce"].to_list() == [None, pytest.approx(1.4571)]
        (entry,) = entries(result, "energy", "anthracite")
        assert entry["method"] == "unconverted" and entry["factor_id"] == ""

    def test_intensities_per_revenue_and_output(self):
        result = calculate([row("electricity", 1000, "MWh")], denominators=[
            {"uscc": USCC, "year": 2023, "revenue": 5_000_000, "revenue_unit": "元",
             "output": 200, "output_unit": "t"}])
        (line,) = result.intensities.to_dicts()
        assert line["revenue_wan_yuan"] == pytest.approx(500)
        assert line["ghg_intensity_tco2e_per_wan_yuan"] == pytest.approx(582.7 / 500)
        assert line["energy_intensity_tce_per_wan_yuan"] == pytest.approx(122.9 / 500)
        assert line["ghg_intensity_tco2e_per_output"] == pytest.approx(582.7 / 200)
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("electricity", 1, "MWh")],
                      denominators=[{"uscc": USCC, "year": 2023, "revenue": -1}])
        assert excinfo.value.problems[0].table == "denominators"


# --- units ----------------------------------------------------------------------------------
class TestUnits:
    def test_kwh_and_mwh_give_the_same_result(self):
        a = calculate([row("electricity", 1_500_000, "kWh")])
        b = calculate([row("electricity", 1500, "MWh")])
        c = calculate([row("electricity", 150, "万千瓦时")])
        for key in ("scope2_location_tco2e", "scope2_market_tco2e", "energy_tce"):
            assert totals(a)[key] == pytest.approx(totals(b)[key], rel=1e-12)
            assert totals(c)[key] == pytest.approx(totals(b)[key], rel=1e-12)

    def test_the_trace_keeps_the_typed_unit_and_the_conversion(self):
        result = calculate([row("natural_gas", 250_000, "Nm3")])
        (entry,) = entries(result, "scope1")
        assert (entry["quantity"], entry["unit"], entry["canonical_unit"]) == (
            250_000, "Nm3", "万Nm3")
        assert entry["converted_quantity"] == pytest.approx(25)


# --- refusals -------------------------------------------------------------------------------
class TestBadInput:
    def test_every_problem_is_reported_with_its_row_and_column(self):
        rows = [
            row("diesel", 1, "t"),                         # row 2: fine
            row("unicorn_fuel", 1, "t"),                   # row 3
            row("diesel", 1, "MWh"),                       # row 4
            row("diesel", -5, "t"),                        # row 5
            row("diesel", float("nan"), "t"),              # row 6
            row("diesel", float("inf"), "t"),              # row 7
            row("diesel", "lots", "t"),                    # row 8
            row("diesel", None, "t"),                      # row 9
            row("diesel", 1, "t", year="last year"),       # row 10
            row("diesel", 1, "t", uscc=""),                # row 11
            row("diesel", 1, "t", region="Atlantis"),      # row 12
            row("electricity", 1, "MWh", year=2019),       # row 13
            row("diesel", 1, ""),                          # row 14
        ]
        with pytest.raises(CarbonInputError) as excinfo:
            calculate(rows)
        error = excinfo.value
        assert isinstance(error, CzesgError) and error.code == "carbon_input_invalid"
        found = [(p.row, p.column) for p in error.problems]
        assert found == [(3, "activity"), (4, "unit"), (5, "quantity"), (6, "quantity"),
                         (7, "quantity"), (8, "quantity"), (9, "quantity"), (10, "year"),
                         (11, "uscc"), (12, "region"), (13, "year"), (14, "unit")]
        texts = {p.row: p.render() for p in error.problems}
        assert "unicorn_fuel" in texts[3]
        assert "MWh" in texts[4] and "diesel" in texts[4]
        assert "-5" in texts[5] and "lots" in texts[8] and "last year" in texts[10]
        assert "Atlantis" in texts[12]
        assert error.params["count"] == 12
        assert all(p.params or "%(" not in p.message for p in error.problems)

    def test_missing_columns_are_named(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([{"uscc": USCC, "activity": "diesel", "quantity": 1}])
        assert [(p.row, p.column) for p in excinfo.value.problems] == [(1, "unit"),
                                                                        (1, "year")]

    def test_row_numbers_can_come_from_the_caller(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("diesel", -1, "t", row=41)])
        assert excinfo.value.problems[0].row == 41

    def test_problems_serialise(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("diesel", -1, "t")])
        data = problem_data(excinfo.value.problems[0])
        assert data["row"] == 2 and data["column"] == "quantity" and data["params"]["value"]
        json.dumps(data)


