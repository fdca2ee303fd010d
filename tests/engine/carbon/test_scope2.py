"""Scope 2: location-based factor chain with its fallbacks, market-based rules, heat."""

from __future__ import annotations

import pytest

from czesg.engine.carbon import (
    CarbonInputError,
)
from tests.engine.carbon import (
    USCC,
    calculate,
    entries,
    problems_of,
    row,
    totals,
)


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


