"""Invariants of the calculation over random inputs (linearity, additivity, units, order)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czesg.engine.carbon import (
    reproduce,
)
from tests.engine.carbon import (
    calculate,
    row,
)

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

