"""One unit registry: conversions to canonical units, and refusals of units that do not fit."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError


@pytest.mark.parametrize(
    ("typed", "canonical", "factor"),
    [
        ("kWh", "MWh", 0.001),
        ("千瓦时", "MWh", 0.001),
        ("万千瓦时", "MWh", 10.0),
        ("GWh", "MWh", 1000.0),
        ("MWh", "GJ", 3.6),
        ("元", "万元", 0.0001),
        ("亿元", "万元", 10000.0),
        ("kg", "t", 0.001),
        ("万吨", "t", 10000.0),
        ("kgCO2e", "tCO2e", 0.001),
        ("万吨二氧化碳当量", "tCO2e", 10000.0),
        ("kgce", "tce", 0.001),
        ("万吨标准煤", "tce", 10000.0),
        ("万m³", "m3", 10000.0),
        ("立方米", "m3", 1.0),
        ("万Nm³", "万Nm3", 1.0),
        ("Nm3", "万Nm3", 0.0001),
        ("人", "person", 1.0),
        ("小时", "hour", 1.0),
        ("%", "%", 1.0),
        ("吨标准煤/万元", "tce/10k_CNY", 1.0),
        ("kgCO2e", "kgCO2e", 1.0),
    ],
)
def test_conversion_factor_to_canonical(typed, canonical, factor):
    assert units.conversion_factor(typed, canonical) == pytest.approx(factor, rel=1e-12)


def test_to_canonical_keeps_what_was_typed():
    converted = units.to_canonical(1500, "千瓦时", "MWh")
    assert converted.value == pytest.approx(1.5)
    assert converted.unit == "MWh"
    assert converted.entered_value == 1500.0
    assert converted.entered_unit == "千瓦时"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("MWh", "tce"),  # needs a named coefficient (当量值 or 等价值), never silent
        ("m3", "万Nm3"),  # normal cubic metres of gas are not geometric volume
        ("t", "tCO2e"),
        ("person", "count"),
        ("万元", "t"),
        ("%", "t"),
    ],
)
def test_incompatible_units_are_refused_naming_both(typed, canonical):
    with pytest.raises(UnitError) as caught:
        units.conversion_factor(typed, canonical)
    assert caught.value.params == {"unit": typed, "expected": canonical}
    assert typed in str(caught.value) and canonical in str(caught.value)


@pytest.mark.parametrize("typed", ["", "furlongs", "吨吨", "kWh*"])
def test_unknown_units_are_refused(typed):
    with pytest.raises(UnitError):
        units.conversion_factor(typed, "MWh")


def test_every_labelled_canonical_unit_is_known():
    for token in units.LABELS:
        assert units.is_known(token), token
        assert units.label(token, "zh-hans") and units.label(token, "en")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_round_trip_through_another_unit_returns_the_value(value):
    there = units.to_canonical(value, "MWh", "kWh").value
    back = units.to_canonical(there, "kWh", "MWh").value
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-9)


def test_non_finite_values_are_refused():
    with pytest.raises(UnitError):
        units.to_canonical(float("nan"), "MWh", "MWh")
