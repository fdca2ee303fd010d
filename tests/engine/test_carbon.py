"""The carbon engine: factor data, every calculation path, the trace and the refusals.

Expected figures are computed here by hand from the published parameters (GB/T 32151 Table C.1,
the MEE/NBS grid factors, the yearbook's standard-coal coefficients, IPCC GWP-100 values), not
taken from the engine.
"""

from __future__ import annotations

import csv
import json
import math
import random
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czesg.engine import carbon
from czesg.engine.carbon import (
    CarbonInputError,
    calculate,
    check_activities,
    list_activities,
    load_activities,
    load_factor_set,
    parse_activities,
    parse_factor_set,
    recalculate,
    reproduce,
)
from czesg.engine.kernel.errors import CzesgError, DataFileError

REFERENCE = Path("/work/shared/reference/emission_factors_and_conversions.csv")
FACTORS_DIR = carbon.FACTORS_ROOT / "2025.1"
C = 44 / 12
USCC = "91320400MA1XXXXX1A"
RENAMED = {"TCE-ELECTRICITY": "TCE-ELECTRICITY-CALORIFIC", "TCE-HEAT": "TCE-HEAT-CALORIFIC"}


def row(activity, quantity, unit, year=2023, uscc=USCC, **extra):
    return {"uscc": uscc, "year": year, "activity": activity, "quantity": quantity,
            "unit": unit, **extra}


def totals(result, uscc=USCC, year=2023):
    found = result.totals.filter((pl.col("uscc") == uscc) & (pl.col("year") == year))
    assert found.height == 1
    return found.row(0, named=True)


def entries(result, basis, activity=None):
    return [e for e in result.trace
            if e["basis"] == basis and (activity is None or e["activity"] == activity)]


def problems_of(excinfo):
    return [(p.row, p.column, p.message) for p in excinfo.value.problems]


# --- the factor set -------------------------------------------------------------------------
class TestFactorSet:
    def test_latest_set_is_2025_1_with_provenance(self):
        fs = load_factor_set()
        assert fs.version == "2025.1"
        assert fs.supersedes == ""
        assert fs.published.year == 2026
        assert "当量值" in fs.description_zh and "等价值" in fs.description_en

    @pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference data not mounted")
    def test_every_reference_row_is_kept_with_its_value_and_confidence(self):
        fs = load_factor_set()
        with REFERENCE.open(encoding="utf-8-sig") as handle:
            reference = list(csv.DictReader(handle))
        assert len(fs) == len(reference)
        for record in reference:
            factor = fs.get(RENAMED.get(record["factor_id"], record["factor_id"]))
            assert factor.value == float(record["value"])
            assert factor.category == record["category"]
            assert factor.confidence == record["confidence"]
            assert factor.source == record["source"] and factor.locator == record["locator"]
            assert factor.name_zh == record["item_cn"]

    def test_unconfirmed_rows_keep_their_flag(self):
        fs = load_factor_set()
        assert fs.get("GRID-JS-2021").confidence == "unconfirmed-single-secondary"
        assert not fs.get("GRID-EC-2021").is_confirmed

    def test_fuel_parameters_agree_with_the_derived_value(self):
        fuels = [f for f in load_factor_set() if f.category == "fuel_combustion"]
        assert len(fuels) == 24
        for f in fuels:
            derived = f.ncv * f.carbon_content_tC_per_GJ * f.oxidation_rate * C
            assert derived == pytest.approx(f.value, abs=5.0001e-5), f.factor_id
            assert f.carbon_content_tC_per_GJ < 0.1  # tC per GJ, not "10^-2 tC/GJ"

    def test_average_residual_and_footprint_factors_are_kept_apart(self):
        fs = load_factor_set()
        assert fs.get("GRID-CN-2023").category == "grid_average"
        assert fs.get("GRID-CN-EXNF-2023").category == "grid_residual"
        assert fs.get("CFP-CN-2023").category == "grid_carbon_footprint"
        assert fs.get("GRID-CN-FOSSIL-2023").category == "grid_fossil"
        assert fs.get("GRID-CN-ETS-2022").category == "grid_ets_reporting"
        assert fs.get("GRID-JS-2023").category == "grid_provincial"
        assert fs.get("GRID-EC-2023").category == "grid_regional"

    def test_electricity_coefficient_is_the_named_calorific_equivalent_only(self):
        fs = load_factor_set()
        factor = fs.get("TCE-ELECTRICITY-CALORIFIC")
        assert (factor.value, factor.unit, factor.name_zh) == (0.1229, "kgce/kWh", "电力(当量值)")
        assert "等价值" in factor.notes and "NOT in this factor set" in factor.notes
        assert not [f for f in fs if "GENERATION" in f.factor_id]

    def test_latest_year_lookup(self):
        fs = load_factor_set()
        assert fs.latest("grid_provincial", "Jiangsu", 2024).factor_id == "GRID-JS-2023"
        assert fs.latest("grid_provincial", "Jiangsu", 2022).factor_id == "GRID-JS-2022"
        assert fs.latest("grid_provincial", "Jiangsu", 2020) is None
        assert fs.gwp("NF3", "SAR") is None

    def test_latest_version_by_default_and_by_name(self, tmp_path):
        second = _copy_set(tmp_path, "2026.1", supersedes="2025.1")
        (second / "factors.csv").write_text(
            (FACTORS_DIR / "factors.csv").read_text(encoding="utf-8"), encoding="utf-8"
        )
        assert carbon.available_factor_sets(tmp_path) == ("2025.1", "2026.1")
        assert load_factor_set(root=tmp_path).version == "2026.1"
        assert load_factor_set("2025.1", root=tmp_path).version == "2025.1"
        with pytest.raises(DataFileError, match="does not exist"):
            load_factor_set("1999.1", root=tmp_path)


def _copy_set(root: Path, version: str, supersedes: str = "") -> Path:
    shutil.copytree(FACTORS_DIR, root / "2025.1", dirs_exist_ok=True)
    target = root / version
    target.mkdir(exist_ok=True)
    toml = (FACTORS_DIR / "factorset.toml").read_text(encoding="utf-8")
    toml = toml.replace('version = "2025.1"', f'version = "{version}"').replace(
        'supersedes = ""', f'supersedes = "{supersedes}"')
    (target / "factorset.toml").write_text(toml, encoding="utf-8")
    return target


class TestMalformedData:
    TOML = (FACTORS_DIR / "factorset.toml").read_text(encoding="utf-8")
    CSV = (FACTORS_DIR / "factors.csv").read_text(encoding="utf-8")

    def _replace_cell(self, factor_id, column, value):
        lines = list(csv.reader(self.CSV.splitlines()))
        header = lines[0]
        for number, cells in enumerate(lines[1:], start=2):
            if cells[0] == factor_id:
                cells[header.index(column)] = value
                return io_csv(lines), number
        raise AssertionError(factor_id)

    @pytest.mark.parametrize(("factor_id", "column", "value", "reason"), [
        ("GRID-JS-2023", "category", "grid_everything", "is not one of"),
        ("FUEL-DIESEL", "carbon_content_tC_per_GJ", "2.02", "implausibly large"),
        ("FUEL-DIESEL", "value", "3.2000", "disagrees"),
        ("GRID-JS-2023", "confidence", "probably", "not a confidence level"),
        ("GRID-JS-2023", "value", "-0.5", "above zero"),
        ("GRID-JS-2023", "data_year", "", "needs the year"),
        ("GRID-JS-2023", "unit", "kgCO2/zorkmid", "not a known unit"),
        ("GRID-JS-2023", "factor_id", "GRID-JS-2022", "already used"),
        ("HEAT-DEFAULT", "source", "", "must not be empty"),
    ])
    def test_bad_cells_are_refused_naming_row_and_field(self, factor_id, column, value, reason):
        text, number = self._replace_cell(factor_id, column, value)
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML, text, csv_name="factors.csv")
        params = excinfo.value.params
        assert (params["file"], params["row"], params["field"]) == ("factors.csv", number, column)
        assert reason in params["reason"]

    def test_bad_header_and_toml_are_refused(self):
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML, self.CSV.replace("factor_id,", "id,", 1))
        assert excinfo.value.params["row"] == 1
        with pytest.raises(DataFileError) as excinfo:
            parse_factor_set(self.TOML.replace('version = "2025.1"', 'version = "one"'),
                             self.CSV)
        assert excinfo.value.params["field"] == "version"
        with pytest.raises(DataFileError, match="differs from its folder"):
            parse_factor_set(self.TOML, self.CSV, expected_version="2026.1")

    def test_bad_activities_are_refused(self):
        text = (carbon.FACTORS_ROOT / "activities.toml").read_text(encoding="utf-8")
        with pytest.raises(DataFileError) as excinfo:
            parse_activities(text.replace('kind = "combustion"', 'kind = "magic"', 1))
        assert excinfo.value.params["field"] == "kind"
        assert excinfo.value.params["row"] == text.splitlines().index("[[activity]]") + 1
        with pytest.raises(DataFileError, match="defined twice"):
            parse_activities(text.replace('code = "diesel"', 'code = "natural_gas"'))

    def test_activities_must_find_their_factors(self):
        fs = load_factor_set()
        lines = [line for line in self.CSV.splitlines() if not line.startswith("FUEL-DIESEL,")]
        smaller = parse_factor_set(self.TOML, "\n".join(lines))
        check_activities(fs, load_activities())
        with pytest.raises(DataFileError) as excinfo:
            check_activities(smaller, load_activities())
        assert "FUEL-DIESEL" in excinfo.value.params["reason"]
        assert excinfo.value.params["file"] == "activities.toml"


def io_csv(lines):
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue()


# --- activities -----------------------------------------------------------------------------
class TestActivities:
    def test_required_activity_codes_with_units_and_scopes(self):
        listed = {a["code"]: a for a in list_activities()}
        expected = {
            "natural_gas": ("万Nm3", "1"), "diesel": ("t", "1"), "gasoline": ("t", "1"),
            "coal": ("t", "1"), "lpg": ("t", "1"), "fuel_oil": ("t", "1"),
            "anthracite": ("t", "1"), "coke": ("t", "1"), "electricity": ("MWh", "2"),
            "purchased_heat": ("GJ", "2"), "green_certificate_electricity": ("MWh", "2"),
            "green_power_contract": ("MWh", "2"), "own_renewable_generation": ("MWh", "memo"),
            "process_emissions": ("tCO2e", "1"), "refrigerant_hfc_134a": ("kg", "1"),
            "refrigerant_hfc_32": ("kg", "1"), "sf6": ("kg", "1"),
        }
        for code, (unit, scope) in expected.items():
            assert (listed[code]["unit"], listed[code]["scope"]) == (unit, scope), code
        for n in range(1, 16):
            entry = listed[f"scope3_cat{n}"]
            assert (entry["unit"], entry["scope"], entry["reported"]) == ("tCO2e", "3", True)
        assert not any(a["estimate"] for a in listed.values())  # no sourced spend factor
        assert "raw coal" in listed["coal"]["notes"]
        assert listed["electricity"]["tce_factor_id"] == "TCE-ELECTRICITY-CALORIFIC"

    def test_activity_table_is_read_only(self):
        with pytest.raises(TypeError):
            load_activities()["diesel"] = None


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
        factor = load_factor_set().get(activity.factor_id)
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


# --- scope 2 --------------------------------------------------------------------------------
class TestLocationBased:
    @pytest.mark.parametrize(("region", "year", "factor_id", "value", "level", "reason"), [
        ("Jiangsu", 2023, "GRID-JS-2023", 0.5827, "provincial", ""),
        ("Jiangsu", 2022, "GRID-JS-2022", 0.5978, "provincial", ""),
        ("Jiangsu", 2021, "GRID-JS-2021", 0.6451, "provincial", ""),
        ("Jiangsu", 2025, "GRID-JS-2023", 0.5827, "provincial", "earlier_year"),
        ("Shanghai", 2023, "GRID-SH-2023", 0.5737, "provincial", ""),
        ("Shanghai", 2022, "GRID-EC-2022", 0.5617, "regional", "wider_region"),
        ("Fujian", 2023, "GRID-EC-2023", 0.55, "regional", "wider_region"),
        ("Fujian", 2024, "GRID-EC-2023", 0.55, "regional", "wider_region_earlier_year"),
        ("Guangdong", 2022, "GRID-CN-2022", 0.5366, "national", "wider_region"),
        ("Guangdong", 2024, "GRID-CN-2023", 0.5306, "national", "wider_region_earlier_year"),
    ])
    def test_grid_paths_and_fallbacks(self, region, year, factor_id, value, level, reason):
        result = calculate([row("electricity", 1000, "MWh", year=year, region=region)])
        assert totals(result, year=year)["scope2_location_tco2e"] == pytest.approx(
            1000 * value, rel=1e-12)
        (entry,) = entries(result, "scope2_location")
        assert (entry["factor_id"], entry["factor_year"], entry["level"]) == (
            factor_id, int(factor_id[-4:]), level)
        assert entry["fallback"] is bool(reason) and entry["fallback_reason"] == reason
        assert entry["factor_set"] == "2025.1"

    def test_regional_grid_without_factor_falls_to_national(self):
        result = calculate([row("electricity", 10, "MWh", region="Guangdong")],
                           grid_regions={"Guangdong": "South China"})
        (entry,) = entries(result, "scope2_location")
        assert entry["factor_id"] == "GRID-CN-2023" and entry["level"] == "national"

    def test_default_province_comes_from_parameters(self):
        result = calculate([row("electricity", 10, "MWh")], province="Zhejiang")
        assert entries(result, "scope2_location")[0]["factor_id"] == "GRID-ZJ-2023"
        assert entries(calculate([row("electricity", 10, "MWh")]), "scope2_location")[0][
            "region"] == "Jiangsu"

    def test_no_factor_at_any_level_is_refused_naming_the_rows(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("electricity", 1, "MWh", year=2023),
                       row("electricity", 1, "MWh", year=2020),
                       row("electricity", 1, "MWh", year=2019, region="Shanghai")])
        found = problems_of(excinfo)
        assert [(r, c) for r, c, _ in found] == [(3, "year"), (4, "year")]
        assert "2020" in excinfo.value.problems[0].render()

    def test_footprint_fossil_and_ets_factors_are_never_used(self):
        rows = [row("electricity", 1, "MWh", year=y, region=r)
                for y in (2021, 2022, 2023, 2024) for r in ("Jiangsu", "Guangdong")]
        used = {f["factor_category"] for f in calculate(rows).factors_used()}
        assert not used & {"grid_carbon_footprint", "grid_fossil", "grid_ets_reporting"}


class TestMarketBased:
    def test_green_instruments_are_zero_and_the_rest_uses_the_residual_factor(self):
        result = calculate([
            row("electricity", 1000, "MWh"),
            row("green_certificate_electricity", 200, "MWh"),
            row("green_power_contract", 100_000, "kWh"),
        ])
        t = totals(result)
        assert t["scope2_location_tco2e"] == pytest.approx(1000 * 0.5827, rel=1e-12)
        assert t["scope2_market_tco2e"] == pytest.approx(700 * 0.6096, rel=1e-12)
        assert t["green_electricity_mwh"] == pytest.approx(300)
        (residual,) = [e for e in entries(result, "scope2_market") if e["method"] == "residual"]
        assert (residual["factor_id"], residual["factor_category"], residual["level"]) == (
            "GRID-CN-EXNF-2023", "grid_residual", "national")
        assert residual["converted_quantity"] == pytest.approx(700)
        assert residual["green_quantity"] == pytest.approx(300)
        assert residual["row"] is None

    def test_latest_residual_year_and_average_where_none_is_published(self):
        later = calculate([row("electricity", 10, "MWh", year=2024)])
        (entry,) = [e for e in entries(later, "scope2_market") if e["method"] == "residual"]
        assert (entry["factor_id"], entry["fallback_reason"]) == (
            "GRID-CN-EXNF-2023", "wider_region_earlier_year")
        early = calculate([row("electricity", 10, "MWh", year=2021)])
        (entry,) = [e for e in entries(early, "scope2_market") if e["method"] == "residual"]
        assert (entry["factor_id"], entry["fallback_reason"]) == (
            "GRID-JS-2021", "no_residual_published")
        assert totals(early, year=2021)["scope2_market_tco2e"] == pytest.approx(6.451)

    def test_green_above_electricity_is_refused_naming_the_enterprise_year(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("electricity", 100, "MWh"),
                       row("green_certificate_electricity", 80, "MWh"),
                       row("green_power_contract", 30, "MWh"),
                       row("green_power_contract", 5, "MWh", uscc="OTHER")])
        found = excinfo.value.problems
        assert [(p.row, p.params["uscc"], p.params["year"]) for p in found] == [
            (3, USCC, 2023), (5, "OTHER", 2023)]
        assert found[0].params["rows"] == "3, 4"
        assert "110" in found[0].render() and "100" in found[0].render()

    def test_own_generation_never_nets_off_purchased_electricity(self):
        result = calculate([row("electricity", 1000, "MWh"),
                            row("own_renewable_generation", 300, "MWh")])
        t = totals(result)
        assert t["scope2_location_tco2e"] == pytest.approx(582.7)
        assert t["scope2_market_tco2e"] == pytest.approx(609.6)
        assert t["own_renewable_mwh"] == 300 and t["electricity_mwh"] == 1000
        assert t["energy_tce"] == pytest.approx((1000 + 300) * 0.1229)

    def test_heat_is_in_both_scope2_figures(self):
        result = calculate([row("purchased_heat", 100, "GJ")])
        t = totals(result)
        assert t["scope2_location_tco2e"] == pytest.approx(11.0)
        assert t["scope2_market_tco2e"] == pytest.approx(11.0)

    def test_measured_heat_factor_replaces_the_default(self):
        result = calculate([row("purchased_heat", 100, "GJ", measured_factor=0.085),
                            row("purchased_heat", 10, "GJ")])
        assert totals(result)["scope2_location_tco2e"] == pytest.approx(8.5 + 1.1)
        levels = sorted(e["level"] for e in entries(result, "scope2_location"))
        assert levels == ["default", "measured"]

    def test_measured_factor_only_for_heat(self):
        with pytest.raises(CarbonInputError) as excinfo:
            calculate([row("diesel", 1, "t", measured_factor=2.0),
                       row("purchased_heat", 1, "GJ", measured_factor=-1)])
        assert [(p.row, p.column) for p in excinfo.value.problems] == [
            (2, "measured_factor"), (3, "measured_factor")]


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


# --- trace, reproduction, recalculation ---------------------------------------------------------
MIXED = [
    row("natural_gas", 100, "万Nm3", facility="Boiler house"),
    row("diesel", 3.2, "t"),
    row("electricity", 2_000_000, "kWh"),
    row("green_power_contract", 500, "MWh"),
    row("purchased_heat", 40, "GJ", measured_factor=0.09),
    row("refrigerant_hfc_32", 4, "kg"),
    row("own_renewable_generation", 100, "MWh"),
    row("anthracite", 1, "t"),
    row("scope3_cat4", 7, "tCO2e"),
    row("electricity", 800, "MWh", year=2021, uscc="B"),
    row("electricity", 800, "MWh", year=2024, uscc="B", region="Shanghai"),
    row("sf6", 1, "kg", year=2024, uscc="B"),
]


class TestTrace:
    def test_trace_reproduces_the_totals_bit_for_bit(self):
        result = calculate(MIXED, gwp_set="AR5")
        assert reproduce(result.trace).equals(result.totals)
        assert reproduce(json.loads(json.dumps(result.trace))).equals(result.totals)
        shuffled = result.trace
        random.Random(3).shuffle(shuffled)
        assert reproduce(shuffled).equals(result.totals)

    def test_trace_names_everything_the_user_is_shown(self):
        result = calculate(MIXED, gwp_set="AR5")
        for entry in result.trace:
            for key in ("row", "activity", "quantity", "unit", "converted_quantity",
                        "factor_id", "factor_value", "factor_unit", "factor_year", "level",
                        "fallback", "factor_set", "gwp_set", "result", "confidence"):
                assert key in entry
        (entry,) = [e for e in entries(result, "scope2_location", "electricity")
                    if e["year"] == 2023]
        assert entry["row"] == 4 and entry["confidence"] == "confirmed-secondary-code"
        scope1 = sum(e["result"] for e in entries(result, "scope1") if e["uscc"] == USCC)
        assert scope1 == pytest.approx(totals(result)["scope1_tco2e"])

    def test_rows_frame_has_results_by_scope(self):
        result = calculate(MIXED, gwp_set="AR5")
        rows = result.rows
        assert rows.height == len(MIXED)
        first = rows.row(0, named=True)
        assert first["row"] == 2 and first["facility"] == "Boiler house"
        assert first["factor_id"] == "FUEL-NATURAL_GAS"
        assert first["tce_factor_id"] == "TCE-NATURAL_GAS_2"
        assert rows.row(2, named=True)["scope2_location_tco2e"] == pytest.approx(2000 * 0.5827)

    def test_inputs_hash_is_canonical(self):
        a = calculate([row("natural_gas", 1, "万Nm3")])
        b = calculate([{"uscc": " " + USCC.lower(), "year": "2023", "activity": " Natural_Gas",
                        "quantity": "1", "unit": "万Nm3 ", "region": "jiangsu"}])
        c = calculate([row("natural_gas", 1.0000001, "万Nm3")])
        assert len(a.inputs_hash) == 64
        assert a.inputs_hash == b.inputs_hash != c.inputs_hash

    def test_recalculate_with_a_newer_set_leaves_the_first_result_untouched(self, tmp_path):
        newer = _copy_set(tmp_path, "2026.1", supersedes="2025.1")
        text = (FACTORS_DIR / "factors.csv").read_text(encoding="utf-8")
        (newer / "factors.csv").write_text(
            text.replace("GRID-JS-2023,grid_provincial,江苏省电力平均二氧化碳排放因子,"
                         "Jiangsu provincial average,Jiangsu,2023,0.5827",
                         "GRID-JS-2023,grid_provincial,江苏省电力平均二氧化碳排放因子,"
                         "Jiangsu provincial average,Jiangsu,2023,0.5000"), encoding="utf-8")
        old_set = load_factor_set("2025.1", root=tmp_path)
        new_set = load_factor_set(root=tmp_path)
        assert new_set.supersedes == "2025.1"
        first = calculate(MIXED, factor_set=old_set, gwp_set="AR5")
        before = first.totals.clone()
        trace_before = first.trace
        second = recalculate(first, new_set)
        assert first.totals.equals(before) and first.factor_set == "2025.1"
        assert first.trace == trace_before
        assert second.factor_set == "2026.1" and second.gwp_set == "AR5"
        assert second.inputs_hash == first.inputs_hash
        assert totals(second)["scope2_location_tco2e"] == pytest.approx(
            totals(first)["scope2_location_tco2e"] - 2000 * (0.5827 - 0.5))
        assert reproduce(second.trace).equals(second.totals)
        again = recalculate(MIXED, old_set, gwp_set="AR5")
        assert again.totals.equals(first.totals)

    def test_empty_input_gives_empty_totals(self):
        result = calculate(pl.DataFrame(schema={
            "uscc": pl.String, "year": pl.Int64, "activity": pl.String, "quantity": pl.Float64,
            "unit": pl.String}))
        assert result.totals.height == 0 and result.trace == []
        assert tuple(result.totals.columns) == carbon.TOTAL_COLUMNS


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
        data = excinfo.value.problems[0].as_dict()
        assert data["row"] == 2 and data["column"] == "quantity" and data["params"]["value"]
        json.dumps(data)


# --- invariants -----------------------------------------------------------------------------
ACTIVITIES = [("natural_gas", "万Nm3"), ("diesel", "t"), ("lpg", "t"), ("anthracite", "t"),
              ("electricity", "MWh"), ("purchased_heat", "GJ"), ("refrigerant_hfc_32", "kg"),
              ("process_emissions", "tCO2e"), ("scope3_cat1", "tCO2e"),
              ("own_renewable_generation", "MWh")]
KEYS = ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "scope3_tco2e",
        "total_tco2e", "energy_tce")


@st.composite
def input_rows(draw):
    count = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for _ in range(count):
        activity, unit = draw(st.sampled_from(ACTIVITIES))
        quantity = draw(st.floats(min_value=0, max_value=1e6, allow_nan=False))
        rows.append(row(activity, quantity, unit, year=draw(st.sampled_from([2022, 2023, 2024])),
                        uscc=draw(st.sampled_from(["E1", "E2"])),
                        region=draw(st.sampled_from(["Jiangsu", "Shanghai"]))))
        if activity == "electricity" and draw(st.booleans()):
            share = draw(st.floats(min_value=0, max_value=1))
            rows.append({**rows[-1], "activity": "green_certificate_electricity",
                         "quantity": rows[-1]["quantity"] * share})
    return rows


def _same(a, b, rel=1e-9):
    assert a.select("uscc", "year").equals(b.select("uscc", "year"))
    for key in KEYS:
        for x, y in zip(a[key].to_list(), b[key].to_list(), strict=True):
            assert x == pytest.approx(y, rel=rel, abs=1e-6)


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class TestInvariants:
    @SETTINGS
    @given(input_rows(), st.sampled_from([0.5, 2.0, 3.0, 10.0]))
    def test_linear_in_quantity(self, rows, k):
        base = calculate(rows, gwp_set="AR6").totals
        scaled = calculate([{**r, "quantity": r["quantity"] * k} for r in rows],
                           gwp_set="AR6").totals
        for key in KEYS:
            for x, y in zip(base[key].to_list(), scaled[key].to_list(), strict=True):
                assert y == pytest.approx(k * x, rel=1e-9, abs=1e-6)

    @SETTINGS
    @given(input_rows(), st.data())
    def test_additive_across_facilities(self, rows, data):
        index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
        share = data.draw(st.floats(min_value=0, max_value=1))
        target = rows[index]
        part = target["quantity"] * share
        split = rows[:index] + [{**target, "quantity": part, "facility": "F1"},
                                {**target, "quantity": target["quantity"] - part,
                                 "facility": "F2"}] + rows[index + 1:]
        _same(calculate(rows, gwp_set="AR6").totals, calculate(split, gwp_set="AR6").totals)

    @SETTINGS
    @given(input_rows())
    def test_unit_round_trip(self, rows):
        in_kwh = [{**r, "quantity": r["quantity"] * 1000, "unit": "kWh"}
                  if r["unit"] == "MWh" else r for r in rows]
        _same(calculate(rows, gwp_set="AR6").totals, calculate(in_kwh, gwp_set="AR6").totals)

    @SETTINGS
    @given(input_rows(), st.randoms(use_true_random=False))
    def test_order_independent(self, rows, rnd):
        shuffled = list(rows)
        rnd.shuffle(shuffled)
        _same(calculate(rows, gwp_set="AR6").totals,
              calculate(shuffled, gwp_set="AR6").totals, rel=1e-12)

    @SETTINGS
    @given(input_rows())
    def test_trace_always_reproduces(self, rows):
        result = calculate(rows, gwp_set="AR6")
        assert reproduce(result.trace).equals(result.totals)
        assert all(math.isfinite(v) for v in result.totals["total_tco2e"].to_list())


def test_benchmark_reports_its_figures():
    figures = carbon.benchmark(n_rows=40_000)
    assert figures["carbon_1m_rows_s"] > 0
    assert figures["carbon_vs_loop_speedup"] > 1
    assert figures["loop_rows"] == 40_000 and figures["carbon_rows"] == 40_000
