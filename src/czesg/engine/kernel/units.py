"""One unit registry for the whole platform.

Quantities in ESG data go wrong most often through units and scale (kWh typed for MWh, 元 for
万元). Every value passes through this registry: it is stored in its indicator's canonical unit,
and the unit the user typed is kept beside it. The registry knows the units of Chinese ESG
reporting: tCO2e, standard coal (tce), MWh, GJ, tonnes, m³, 万Nm³ of gas, 万元, persons, hours.

Standard coal is deliberately a dimension of its own, not an energy unit: turning MWh of
electricity into tce needs a named coefficient (the calorific-equivalent 当量值 or the
generation-equivalent 等价值), which the carbon engine applies with its source. Likewise
normal cubic metres of gas are not geometric m³, and money is only convertible within CNY.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pint

from czesg.engine.kernel.errors import UnitError, gettext_noop

_DEFINITIONS = """
CO2e_kilogram = [co2e] = kgCO2e
tCO2e = 1000 * kgCO2e
ktCO2e = 1000 * tCO2e
MtCO2e = 1000000 * tCO2e
kilogram_coal_equivalent = [standard_coal] = kgce
tce = 1000 * kgce
ktce = 1000 * tce
normal_cubic_meter = [normal_volume] = Nm3
wan_Nm3 = 10000 * Nm3
yuan = [currency] = CNY
wan_yuan = 10000 * CNY
yi_yuan = 100000000 * CNY
person = [headcount]
wan_person = 10000 * person
occurrence = [occurrence]
wan_m3 = 10000 * meter ** 3
"""

# Spellings users type (Chinese and English) mapped to the registry's expressions.
ALIASES: dict[str, str] = {
    "tCO2e": "tCO2e", "tco2e": "tCO2e", "tCO2": "tCO2e", "吨二氧化碳当量": "tCO2e",
    "吨CO2e": "tCO2e", "kgCO2e": "kgCO2e", "kgCO2": "kgCO2e", "ktCO2e": "ktCO2e",
    "万吨二氧化碳当量": "10 * ktCO2e", "万tCO2e": "10 * ktCO2e",
    "tce": "tce", "吨标准煤": "tce", "吨标煤": "tce", "kgce": "kgce", "千克标准煤": "kgce",
    "万吨标准煤": "10 * ktce", "万tce": "10 * ktce",
    "MWh": "megawatt_hour", "兆瓦时": "megawatt_hour", "kWh": "kilowatt_hour",
    "千瓦时": "kilowatt_hour", "度": "kilowatt_hour", "万千瓦时": "10000 * kilowatt_hour",
    "GWh": "gigawatt_hour", "GJ": "gigajoule", "吉焦": "gigajoule", "MJ": "megajoule",
    "TJ": "terajoule",
    "t": "tonne", "吨": "tonne", "kg": "kilogram", "千克": "kilogram", "公斤": "kilogram",
    "万吨": "10000 * tonne",
    "m3": "meter ** 3", "m³": "meter ** 3", "立方米": "meter ** 3", "万m3": "wan_m3",
    "万m³": "wan_m3", "万立方米": "wan_m3", "ML": "megaliter",
    "Nm3": "Nm3", "Nm³": "Nm3", "标准立方米": "Nm3", "万Nm3": "wan_Nm3", "万Nm³": "wan_Nm3",
    "万标准立方米": "wan_Nm3",
    "CNY": "CNY", "元": "CNY", "万元": "wan_yuan", "10k_CNY": "wan_yuan", "亿元": "yi_yuan",
    "%": "percent", "percent": "percent", "百分比": "percent",
    "person": "person", "persons": "person", "人": "person", "万人": "wan_person",
    "hour": "hour", "hours": "hour", "h": "hour", "小时": "hour",
    "day": "day", "days": "day", "天": "day", "日": "day",
    "count": "occurrence", "次": "occurrence", "个": "occurrence", "件": "occurrence",
    "项": "occurrence", "家": "occurrence",
    "hour/person": "hour / person", "小时/人": "hour / person",
    "tCO2e/10k_CNY": "tCO2e / wan_yuan", "吨二氧化碳当量/万元": "tCO2e / wan_yuan",
    "tce/10k_CNY": "tce / wan_yuan", "吨标准煤/万元": "tce / wan_yuan",
    "m3/10k_CNY": "meter ** 3 / wan_yuan", "立方米/万元": "meter ** 3 / wan_yuan",
    "t/10k_CNY": "tonne / wan_yuan", "吨/万元": "tonne / wan_yuan",
    "CNY/tCO2e": "CNY / tCO2e", "元/吨二氧化碳当量": "CNY / tCO2e",
}

# How each canonical unit token is shown, in Chinese and English.
LABELS: dict[str, tuple[str, str]] = {
    "tCO2e": ("吨二氧化碳当量", "tCO2e"),
    "tce": ("吨标准煤", "tce"),
    "MWh": ("兆瓦时", "MWh"),
    "kWh": ("千瓦时", "kWh"),
    "GJ": ("吉焦", "GJ"),
    "t": ("吨", "t"),
    "m3": ("立方米", "m³"),
    "万m3": ("万立方米", "10,000 m³"),
    "万Nm3": ("万标准立方米", "10,000 Nm³"),
    "CNY": ("元", "CNY"),
    "万元": ("万元", "10,000 CNY"),
    "%": ("%", "%"),
    "person": ("人", "persons"),
    "hour": ("小时", "hours"),
    "day": ("天", "days"),
    "count": ("个/次", "count"),
    "hour/person": ("小时/人", "hours per person"),
    "tCO2e/10k_CNY": ("吨二氧化碳当量/万元", "tCO2e per 10,000 CNY"),
    "tce/10k_CNY": ("吨标准煤/万元", "tce per 10,000 CNY"),
    "m3/10k_CNY": ("立方米/万元", "m³ per 10,000 CNY"),
    "t/10k_CNY": ("吨/万元", "t per 10,000 CNY"),
    "CNY/tCO2e": ("元/吨二氧化碳当量", "CNY per tCO2e"),
}


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The process-wide pint registry with czesg's units defined (built once)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


@lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit | pint.Quantity:
    """Resolve a unit spelling (Chinese or English, with alias) to a registry expression.

    Raises :class:`UnitError` naming the spelling when it is unknown.
    """
    spelled = (text or "").strip()
    if not spelled:
        raise UnitError(gettext_noop("No unit was given."))
    expression = ALIASES.get(spelled, spelled)
    try:
        parsed = registry().parse_expression(expression)
    except Exception as exc:  # pint raises several unrelated types for bad input
        raise UnitError(gettext_noop("Unknown unit “%(unit)s”."), unit=spelled) from exc
    if isinstance(parsed, (int, float)):
        raise UnitError(gettext_noop("Unknown unit “%(unit)s”."), unit=spelled)
    return parsed


@dataclass(frozen=True)
class Converted:
    """A value converted into a canonical unit, with what the user typed kept beside it."""

    value: float
    unit: str
    entered_value: float
    entered_unit: str


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The multiplier taking a value in ``from_unit`` to ``to_unit``.

    Raises :class:`UnitError` when either unit is unknown or they measure different things.
    """
    return _factor(from_unit.strip(), to_unit.strip())


@lru_cache(maxsize=1024)
def _factor(from_unit: str, to_unit: str) -> float:
    if from_unit == to_unit:
        return 1.0
    source = registry().Quantity(1, "") * parse_unit(from_unit)
    target = registry().Quantity(1, "") * parse_unit(to_unit)
    try:
        factor = float((source / target).to("dimensionless").magnitude)
    except pint.DimensionalityError as exc:
        raise UnitError(
            gettext_noop("Unit “%(unit)s” cannot be converted to “%(expected)s”."),
            unit=from_unit,
            expected=to_unit,
        ) from exc
    return factor


def to_canonical(value: float, unit: str, canonical: str) -> Converted:
    """Convert ``value`` typed in ``unit`` to the indicator's ``canonical`` unit."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        raise UnitError(gettext_noop("The value is not a finite number."))
    factor = conversion_factor(unit, canonical)
    return Converted(
        value=float(value) * factor, unit=canonical, entered_value=float(value), entered_unit=unit
    )


def is_known(unit: str) -> bool:
    """Whether ``unit`` is a spelling the registry understands."""
    try:
        parse_unit(unit)
    except UnitError:
        return False
    return True


def label(unit: str, language: str = "zh-hans") -> str:
    """The display label of a canonical unit token in the given language."""
    pair = LABELS.get(unit)
    if pair is None:
        return unit
    return pair[1] if language.startswith("en") else pair[0]


# Conversions that are exact but mislead in ESG reporting: a training "day" is not 24 hours.
_NOT_OFFERED = {("day", "hour"), ("hour", "day")}


@lru_cache(maxsize=128)
def alternatives(canonical: str) -> tuple[str, ...]:
    """Spellings a person may choose for a canonical unit: itself first, then every distinct
    scale that converts to it, each scale once in Latin and once in Chinese spelling where both
    exist (e.g. MWh: 兆瓦时, kWh, 千瓦时, 万千瓦时, GWh, GJ …)."""
    if not canonical:
        return ()
    def latin(text: str) -> bool:
        return text.replace("³", "3").isascii()

    chosen = [canonical]
    seen = {(1.0, latin(canonical))}
    for spelling in ALIASES:
        if (ALIASES[spelling], canonical) in _NOT_OFFERED or "_" in spelling:
            continue
        try:
            factor = conversion_factor(spelling, canonical)
        except UnitError:
            continue
        key = (round(factor, 12), latin(spelling))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(spelling)
    return tuple(chosen)
