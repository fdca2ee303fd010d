"""The one number formatter: exact strings a person reads and exact values an export holds."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from czesg.engine.kernel.numbers import format_number, number_range, round_number


@pytest.mark.parametrize(("value", "shown"), [
    (6020.0, "6,020"),
    (12000.0, "12,000"),
    (125629.7, "125,630"),
    (3.9, "3.9"),
    (Decimal("3.9000"), "3.9"),
    (Decimal("12.5000"), "12.5"),
    (44, "44"),
    (83.33333333333333, "83.33"),
    (0.00567244, "0.005672"),
    (0.000351127, "0.0003511"),
    (1e-7, "0.0000001"),
    (2.5e12, "2,500,000,000,000"),
    (-1234.5, "-1,235"),
    (0, "0"),
    (-0.0, "0"),
    (100.0, "100"),
])
def test_figures_read_without_exponent_or_trailing_zeros(value, shown):
    assert format_number(value) == shown


def test_significant_digits_can_be_chosen():
    assert format_number(3.14159, 2) == "3.1"
    assert format_number(3.14159, 6) == "3.14159"
    assert format_number(0.123456, 3) == "0.123"


def test_absent_figures_read_as_a_dash_and_text_stays_text():
    assert format_number(None) == "—"
    assert format_number(math.nan) == "—"
    assert format_number("n/a") == "n/a"


def test_a_histogram_range_reads_like_the_page():
    assert number_range(6.02e3, 1.2e4, 3) == "6,020–12,000"


def test_exports_hold_rounded_numbers():
    assert round_number(83.33333333333333) == 83.33
    assert round_number(0.00567244) == 0.005672
    assert round_number(125629.7) == 125630.0
    assert round_number(None) is None
    assert round_number(0) == 0.0


def test_spreadsheet_exports_keep_whole_numbers_and_two_decimals():
    from czesg.engine.kernel.numbers import export_number

    assert export_number(83.33333333333333) == 83.33
    assert export_number(125629.7) == 125629.7
    assert export_number(12345.6789) == 12345.68
    assert export_number(0.00567244) == 0.005672
    assert export_number(Decimal("3.9000")) == 3.9
    assert export_number(44) == 44 and export_number("text") == "text" and export_number(True) is True
