"""One unit registry for the whole platform.

Quantities in ESG data go wrong most often through units and scale (kWh typed for MWh, 元 for
万元). Every value passes through this registry: it is stored in its indicator's canonical unit,
and the unit the user typed is kept beside it. The registry knows the units of Chinese ESG
reporting: tCO2e, standard coal (tce), MWh, GJ, tonnes, m³, 万Nm³ of gas, 万元, persons, hours.
They are defined in a data file (``data/units/units.toml``): adding a unit is a data edit.

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

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.errors import UnitError, gettext_noop

UNITS_FILE = "units/units.toml"
"""The data file defining every unit, its spellings, labels and sources (under ``czesg/data``)."""

_CONFIDENCES = ("definition", "convention", "confirmed-secondary-code", "confirmed-primary")


@dataclass(frozen=True)
class UnitDef:
    """One unit a person may type: symbol, pint expression, labels, spellings and source."""

    symbol: str
    expression: str
    zh: str
    en: str
    aliases: tuple[str, ...]
    canonical: bool
    source: str
    confidence: str


@dataclass(frozen=True)
class Bridge:
    """A conversion between two dimensions that needs a named coefficient of a factor set."""

    from_unit: str
    to_unit: str
    factor_set: str
    factor_id: str
    source: str
    confidence: str


@dataclass(frozen=True)
class UnitTable:
    """Everything the units data file defines."""

    version: str
    definitions: tuple[str, ...]
    units: tuple[UnitDef, ...]
    bridges: tuple[Bridge, ...]


def parse_units(text: str, name: str = UNITS_FILE) -> UnitTable:
    """The unit table of the TOML ``text``; refused with file, line and field when malformed."""
    top = parse_toml(text, name, confidences=_CONFIDENCES, by_line=True)
    top.allow("version", "define", "unit", "bridge")
    definitions = []
    for table in top.array("define"):
        table.allow("line", "source", "confidence")
        table.provenance()
        definitions.append(table.text("line"))
    seen = FirstSeen()
    defined: list[UnitDef] = []
    for table in top.array("unit"):
        table.allow("symbol", "expression", "zh", "en", "aliases", "canonical", "source",
                    "confidence")
        symbol = table.text("symbol")
        aliases = tuple(table.texts("aliases", required=False)) if table.has("aliases") else ()
        seen.claim(table, "symbol", symbol)
        for alias in aliases:
            seen.claim(table, "aliases", alias)
        source = confidence = ""
        if table.has("source") or table.has("confidence"):
            provenance = table.provenance()
            source, confidence = provenance.source, provenance.confidence
        defined.append(UnitDef(
            symbol=symbol, expression=table.text("expression"), zh=table.text("zh"),
            en=table.text("en"), aliases=aliases,
            canonical=table.boolean("canonical") if table.has("canonical") else False,
            source=source, confidence=confidence,
        ))
    bridges = []
    for table in top.array("bridge", required=False):
        table.allow("from", "to", "factor_set", "factor_id", "source", "confidence")
        provenance = table.provenance()
        bridges.append(Bridge(
            from_unit=table.text("from"), to_unit=table.text("to"),
            factor_set=table.text("factor_set"), factor_id=table.text("factor_id"),
            source=provenance.source, confidence=provenance.confidence,
        ))
    return UnitTable(top.text("version"), tuple(definitions), tuple(defined), tuple(bridges))


@lru_cache(maxsize=1)
def unit_table() -> UnitTable:
    """The shipped unit table (read once)."""
    return parse_units(read_data_file(DATA_DIR / UNITS_FILE, UNITS_FILE))


def _aliases(table: UnitTable) -> dict[str, str]:
    spellings: dict[str, str] = {}
    for unit in table.units:
        spellings.setdefault(unit.symbol, unit.expression)
        for alias in unit.aliases:
            spellings.setdefault(alias, unit.expression)
    return spellings


# Spellings users type (Chinese and English) mapped to the registry's expressions, in the
# data file's order (a form offers them in that order).
ALIASES: dict[str, str] = _aliases(unit_table())

# How each canonical unit token is shown, in Chinese and English.
LABELS: dict[str, tuple[str, str]] = {
    u.symbol: (u.zh, u.en) for u in unit_table().units if u.canonical
}

# How every unit symbol is shown, in Chinese and English (canonical or not).
ALL_LABELS: dict[str, tuple[str, str]] = {u.symbol: (u.zh, u.en) for u in unit_table().units}


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The process-wide pint registry with czesg's units defined (built once)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    for line in unit_table().definitions:
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


@lru_cache(maxsize=128)
def scales(canonical: str) -> tuple[str, ...]:
    """One spelling per distinct scale a value of ``canonical`` may be typed in (e.g. 人, 万人).

    A number typed without a unit is taken in the canonical unit only where this is one scale.
    """
    chosen: list[str] = []
    seen: set[float] = set()
    for spelling in alternatives(canonical):
        factor = round(conversion_factor(spelling, canonical), 12)
        if factor not in seen:
            seen.add(factor)
            chosen.append(spelling)
    return tuple(chosen)


def find_bridge(from_unit: str, to_unit: str) -> Bridge | None:
    """The data file's bridge (a named coefficient) taking ``from_unit`` to ``to_unit``, if any."""
    for bridge in unit_table().bridges:
        try:
            conversion_factor(from_unit, bridge.from_unit)
            conversion_factor(bridge.to_unit, to_unit)
        except UnitError:
            continue
        return bridge
    return None


@lru_cache(maxsize=128)
def offered(canonical: str) -> tuple[str, ...]:
    """What a form offers for ``canonical``: :func:`alternatives`, then the spellings that reach
    it only through a bridge's named coefficient (e.g. MWh, kWh, GJ for tce)."""
    chosen = list(alternatives(canonical))
    for bridge in unit_table().bridges:
        try:
            conversion_factor(bridge.to_unit, canonical)
        except UnitError:
            continue
        chosen.extend(s for s in alternatives(bridge.from_unit) if s not in chosen)
    return tuple(chosen)
