"""Figures as a person reads them: significant digits, thousands separators, no exponent and no
trailing zeros, for pages, messages and exports alike (one formatter for the whole platform)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DEFAULT_DIGITS = 4


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def round_number(value: Any, digits: int = DEFAULT_DIGITS, min_places: int = 0) -> float | None:
    """A figure rounded to ``digits`` significant digits, keeping at least ``min_places``
    decimals (whole numbers are never cut: 125629.7 keeps its integer part)."""
    number = _as_decimal(value)
    if number is None:
        return None
    if number == 0:
        return 0.0
    exponent = number.adjusted()  # position of the first significant digit
    places = max(digits - 1 - exponent, min_places)
    return float(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def export_number(value: Any) -> Any:
    """A figure as a spreadsheet export stores it: a number rounded to 4 significant digits but
    never to fewer than 2 decimals (83.33333333333333 → 83.33, 125629.7 stays); other values as given."""
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        return value
    rounded = round_number(value, DEFAULT_DIGITS, min_places=2)
    return value if rounded is None else rounded


def format_number(value: Any, digits: int = DEFAULT_DIGITS, empty: str = "—") -> str:
    """A figure as a person reads it: ``digits`` significant digits (whole numbers kept whole),
    thousands separators, no exponent and no trailing zeros (6020.0 → "6,020", 3.9000 → "3.9")."""
    number = _as_decimal(value)
    if number is None:
        return empty if value is None or not isinstance(value, str) else value
    rounded = round_number(number, digits)
    assert rounded is not None
    exponent = number.adjusted()
    places = max(digits - 1 - exponent, 0)
    text = f"{Decimal(str(rounded)):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_range(low: Any, high: Any, digits: int = DEFAULT_DIGITS) -> str:
    """A range of two figures, e.g. "6,020–12,000"."""
    return f"{format_number(low, digits)}–{format_number(high, digits)}"
