"""Plain-language wording of a calculation's trace and problems, for pages and the command line.

Every sentence is an English template marked for translation; callers pass a ``translate``
function (Django's ``gettext`` on pages, none on the command line, which speaks English).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from czesg.engine.kernel.errors import gettext_noop
from czesg.web.display import PROVINCES
from czesg.web.problems import problem_text

Translate = Callable[[str], str]


def _same(message: str) -> str:
    return message


BASIS_LABELS: dict[str, str] = {
    "scope1": gettext_noop("Scope 1"),
    "scope2_location": gettext_noop("Scope 2 (location-based)"),
    "scope2_market": gettext_noop("Scope 2 (market-based)"),
    "scope3": gettext_noop("Scope 3"),
    "energy": gettext_noop("Energy"),
    "memo": gettext_noop("Memo item"),
}

LEVEL_LABELS: dict[str, str] = {
    "provincial": gettext_noop("Provincial average (%(region)s)"),
    "regional": gettext_noop("Regional grid average"),
    "national": gettext_noop("National value"),
    "default": gettext_noop("Default factor"),
    "global": gettext_noop("IPCC %(gwp_set)s GWP-100"),
    "direct": gettext_noop("Entered directly in tCO2e"),
    "contractual_instrument": gettext_noop(
        "Green certificate or green-power contract: zero in market-based Scope 2"),
    "own_generation": gettext_noop("Own renewable generation: zero emissions"),
    "no_coefficient": gettext_noop("No sourced standard-coal coefficient: energy not converted"),
    "measured": gettext_noop("Measured factor given by the enterprise"),
}

FALLBACK_LABELS: dict[str, str] = {
    "earlier_year": gettext_noop("%(factor_year)s factor used for %(year)s (latest published)"),
    "wider_region": gettext_noop("no factor published for %(region)s; wider region used"),
    "no_residual_published": gettext_noop(
        "no residual factor published; the location-based average is used"),
}

# The column names of the input, as a person reads them.
COLUMN_LABELS: dict[str, str] = {
    "uscc": gettext_noop("Credit code"),
    "year": gettext_noop("Year"),
    "activity": gettext_noop("Activity"),
    "quantity": gettext_noop("Quantity"),
    "unit": gettext_noop("Unit"),
    "facility": gettext_noop("Facility"),
    "region": gettext_noop("Region"),
    "measured_factor": gettext_noop("Measured factor"),
    "gwp_set": gettext_noop("GWP set"),
    "factor_set": gettext_noop("Factor set"),
    "": gettext_noop("File"),
}

# The totals a person sees, in order, with their unit.
TOTALS: tuple[tuple[str, str, str], ...] = (
    ("scope1_tco2e", gettext_noop("Scope 1"), "tCO2e"),
    ("scope2_location_tco2e", gettext_noop("Scope 2 (location-based)"), "tCO2e"),
    ("scope2_market_tco2e", gettext_noop("Scope 2 (market-based)"), "tCO2e"),
    ("scope3_tco2e", gettext_noop("Scope 3"), "tCO2e"),
    ("total_tco2e", gettext_noop("Total (Scope 1 + Scope 2 location-based)"), "tCO2e"),
    ("energy_tce", gettext_noop("Energy"), "tce"),
)


def _fill(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template


def number(value: Any, decimals: int = 4) -> str:
    """A figure with up to ``decimals`` decimals and no trailing zeros ("—" when absent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def basis_label(basis: str, translate: Translate = _same) -> str:
    """The scope or energy basis of a trace entry, in words."""
    return translate(BASIS_LABELS.get(basis, basis))


def column_label(column: str, translate: Translate = _same) -> str:
    """An input column's name as a person reads it."""
    return translate(COLUMN_LABELS.get(column, column))


def level_text(entry: Mapping[str, Any], translate: Translate = _same) -> str:
    """The level of the factor a trace entry used and any fallback, e.g. a year's gap, plainly."""
    level = entry.get("level") or ""
    region = entry.get("region") or ""
    entry = {**entry, "region": translate(PROVINCES[region]) if region in PROVINCES else region}
    parts = []
    if level in LEVEL_LABELS:
        parts.append(_fill(translate(LEVEL_LABELS[level]), entry))
    elif level:
        parts.append(level)
    reason = entry.get("fallback_reason") or ""
    # The engine joins reasons: "wider_region", "earlier_year", "wider_region_earlier_year".
    found = ["no_residual_published"] if reason == "no_residual_published" else [
        key for key, present in (("wider_region", reason.startswith("wider_region")),
                                 ("earlier_year", reason.endswith("earlier_year"))) if present
    ]
    parts += [_fill(translate(FALLBACK_LABELS[key]), entry) for key in found]
    return " · ".join(parts)


def factor_text(entry: Mapping[str, Any]) -> str:
    """The factor a trace entry applied: its value and unit, or the fuel's parameters."""
    if entry.get("method") == "fuel_parameters":
        return (f"{number(entry.get('ncv'), 6)} {entry.get('ncv_unit', '')} × "
                f"{number(entry.get('carbon_content_tC_per_GJ'), 6)} tC/GJ × "
                f"{number(entry.get('oxidation_rate'), 6)} × 44/12")
    value = entry.get("factor_value")
    if value is None:
        return "—"
    return f"{number(value, 6)} {entry.get('factor_unit') or ''}".strip()


def problem_rows(exc: Any, translate: Translate = _same) -> list[dict[str, Any]]:
    """The problems of a :class:`~czesg.engine.carbon.CarbonInputError`, ready to list (their text
    in the active language; ``translate`` words the column labels)."""
    return [
        {"row": p.row, "column": p.column, "column_label": column_label(p.column, translate),
         "table": p.table, "text": problem_text(p)}
        for p in exc.problems
    ]
