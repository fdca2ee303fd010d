"""Printed numbers and units as reports print them."""

from decimal import Decimal

import pytest

from czesg.engine.extraction.numbers import figures, normalise, read_unit, year_of


def one(text: str):
    found = figures(normalise(text))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("１２.３４", Decimal("12.34"), ""),            # full-width digits
    ("１，２３４吨", Decimal("1234"), "吨"),          # full-width comma
    ("45,678", Decimal("45678"), ""),
    ("44 321", Decimal("44321"), ""),               # a space as thousands separator
    ("(3.5)", Decimal("-3.5"), ""),                 # a negative in brackets
    ("（1,200）", Decimal("-1200"), ""),            # full-width brackets
    ("−12", Decimal("-12"), ""),                    # the minus sign
    ("12.34万吨", Decimal("12.34"), "万吨"),         # the registry knows 万吨 itself
    ("3.5亿元", Decimal("3.5"), "亿元"),
    ("38.5%", Decimal("38.5"), "%"),
    ("123,456 m³", Decimal("123456"), "m3"),
    ("12,345吨二氧化碳当量", Decimal("12345"), "吨二氧化碳当量"),
    ("1,234 persons", Decimal("1234"), "persons"),
    ("86,420 10,000 CNY", Decimal("86420"), "10,000 CNY"),   # the registry's English names
    ("3.5 100 million CNY", Decimal("3.5"), "100 million CNY"),
    ("5 10,000 m³", Decimal("5"), "10,000 m3"),
])
def test_figure_values_and_units(text, value, unit):
    figure = one(text)
    assert (figure.value, figure.unit) == (value, unit)


def test_multipliers_without_a_unit_scale_the_value():
    assert one("1.2万").value == Decimal("12000")
    assert one("RMB 3,500 million").value == Decimal("3500000000")


def test_years_dates_codes_and_ranges_are_not_figures():
    assert figures(normalise("2024年")) == []
    assert figures(normalise("GRI 305-1")) == []
    assert figures(normalise("Scope1")) == []
    assert [f.value for f in figures(normalise("2019-2024年 共 12 项"))] == [Decimal("12")]


def test_units_come_only_from_the_registry():
    assert read_unit("m³") == "m3"
    assert read_unit("吨标准煤") == "tce"
    assert read_unit("万千瓦时") == "万千瓦时"
    assert read_unit("GH") is None       # a pint unit, never a report's
    assert read_unit("吨标油") is None    # not in the registry: shown as printed, never guessed
    assert read_unit("10,000 CNY") == "万元"  # the registry's own English name of 万元


def test_year_headers():
    assert [year_of(t) for t in ("2024", "2024年", "FY2023", "2023年度", "指标", "20245")] == [
        2024, 2024, 2023, 2023, None, None]
