"""Results: the trace, bit-exact reproduction, the rows frame, the inputs hash, recalculation."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest

from czesg.engine import carbon
from czesg.engine.carbon import (
    load_factor_set,
    recalculate,
    reproduce,
)
from tests.engine.carbon import (
    FACTORS_DIR,
    USCC,
    calculate,
    copy_factor_set,
    entries,
    row,
    totals,
)

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
        newer = copy_factor_set(tmp_path, "2026.1", supersedes="2025.1")
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


