"""Template filters of the translated display layer, available in every template (a builtin)."""

from __future__ import annotations

from typing import Any

from django import template

from czesg.web import display

register = template.Library()


@register.filter
def unit(value: Any) -> str:
    """A unit token in the active language: ``{{ indicator.unit|unit }}``."""
    return display.unit_label(value)


@register.filter
def tier(value: Any) -> str:
    """A disclosure tier in the active language."""
    return display.tier_label(value)


@register.filter
def level(value: Any) -> str:
    """A disclosure level in the active language."""
    return display.level_label(value)


@register.filter
def data_type(value: Any) -> str:
    """An indicator's data type in the active language."""
    return display.data_type_label(value)


@register.filter
def confidence(value: Any) -> str:
    """A confidence code in the active language."""
    return display.confidence_label(value)


@register.filter
def province(value: Any) -> str:
    """A province or region name in the active language."""
    return display.province_label(value)


@register.filter
def log_entry(value: Any) -> str:
    """A platform-written log entry or access channel in the active language."""
    return display.log_label(value)


@register.filter
def num(value: Any, digits: Any = 4) -> str:
    """A figure with significant digits, thousands separators and no exponent: ``{{ x|num }}``."""
    try:
        places = int(digits)
    except (TypeError, ValueError):
        places = 4
    return display.format_number(value, places)


@register.filter
def choice(value: Any, code: Any) -> str:
    """A choice indicator's answer by its name: ``{{ point.value_choice|choice:indicator.code }}``."""
    return display.choice_label(code, value)


@register.filter
def display_name(value: Any) -> str:
    """An enterprise's name in the active language: ``{{ enterprise|display_name }}``."""
    return display.display_name(value)


@register.filter
def num_for(value: Any, code: Any) -> str:
    """A figure with the digits its indicator calls for: ``{{ v|num_for:indicator.code }}``."""
    return display.indicator_number(value, code)


@register.simple_tag
def basis(kind: Any, source: Any = "", document: Any = "", page: Any = "") -> str:
    """Where a shown value comes from: ``{% basis "record" source document page %}``."""
    return display.basis_label(kind, source, document, page)
