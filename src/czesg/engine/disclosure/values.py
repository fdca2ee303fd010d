"""Turning what a person typed into a value of an indicator's type and canonical unit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from czesg.engine.carbon.factors import load_factor_set
from czesg.engine.catalogue import denominators
from czesg.engine.kernel import units
from czesg.engine.kernel.bilingual import LocalName
from czesg.engine.kernel.errors import CatalogueError, DataFileError, UnitError, gettext_noop

_TRUE = {"true", "yes", "y", "1", "是", "有", "√", "✓"}
WHOLE_UNITS = frozenset({"person", "count"})
"""Canonical units of counts: a fraction of a person or an event is refused."""
_FALSE = {"false", "no", "n", "0", "否", "无", "×"}


@dataclass(frozen=True)
class Coerced:
    """A value ready to store: one typed field set, canonical unit, and what was typed."""

    number: float | None = None
    text: str = ""
    boolean: bool | None = None
    choice: str = ""
    unit: str = ""
    entered_value: str = ""
    entered_unit: str = ""
    conversion: dict[str, Any] = field(default_factory=dict, hash=False)
    """The named coefficient a conversion across dimensions used (energy into standard coal)."""


def _number(raw: Any, code: str) -> float:
    if isinstance(raw, bool):
        raise CatalogueError(gettext_noop("%(code)s needs a number."), code=code)
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        try:
            value = float(text)
        except ValueError as exc:
            raise CatalogueError(
                gettext_noop("%(code)s needs a number, not “%(value)s”."), code=code, value=raw
            ) from exc
    if not math.isfinite(value):
        raise CatalogueError(gettext_noop("%(code)s needs a finite number."), code=code)
    return value


def _name(indicator: Any) -> LocalName:
    return LocalName(indicator.name_zh, indicator.name_en)


def _unit_name(unit: str) -> LocalName:
    zh, en = units.ALL_LABELS.get(unit, (unit, unit))
    return LocalName(zh, en)


def _typed_unit(indicator: Any, unit: str | None, canonical: str) -> str:
    """The unit the number was typed in; a blank one only where a single scale is admissible."""
    typed = (unit or "").strip()
    if typed:
        return typed
    if len(units.scales(canonical)) == 1:
        return canonical
    raise UnitError(
        gettext_noop("%(name)s: give the unit of the number (it is stored in %(expected)s); "
                     "a number without a unit is not guessed."),
        code=indicator.code, name=_name(indicator), expected=_unit_name(canonical),
    )


def conversion(typed: str, canonical: str) -> tuple[tuple[float, ...], dict[str, Any]]:
    """The multipliers, applied in order, taking a number in ``typed`` to ``canonical``, and the
    named coefficient of a bridge across dimensions (empty when the units convert directly).

    Raises :class:`UnitError` when the units are of different dimensions with no bridge.
    """
    try:
        return (units.conversion_factor(typed, canonical),), {}
    except UnitError as exc:
        failure = exc
    bridge = units.find_bridge(typed, canonical) if units.is_known(typed) else None
    if bridge is None:
        raise failure
    try:
        factor = load_factor_set(bridge.factor_set).get(bridge.factor_id)
        per_from = units.conversion_factor(typed, factor.denominator)
        to_canonical = units.conversion_factor(factor.numerator, canonical)
    except (UnitError, DataFileError, CatalogueError, KeyError) as exc:
        raise UnitError(
            gettext_noop("The coefficient %(factor)s of factor set %(set)s needed to convert "
                         "%(unit)s into %(expected)s is not available."),
            factor=bridge.factor_id, set=bridge.factor_set, unit=typed, expected=canonical,
        ) from exc
    return (per_from, factor.value, to_canonical), {
        "factor_set": bridge.factor_set, "factor_id": factor.factor_id,
        "coefficient": factor.value, "coefficient_unit": factor.unit,
        "name_zh": factor.name_zh, "name_en": factor.name_en, "source": factor.source,
    }


def _convert(indicator: Any, entered: float, typed: str, canonical: str
             ) -> tuple[float, dict[str, Any]]:
    """``entered`` in ``typed`` converted to ``canonical``, with the coefficient of a bridge."""
    if not math.isfinite(entered):
        raise UnitError(gettext_noop("The value is not a finite number."))
    try:
        steps, named = conversion(typed, canonical)
    except UnitError as exc:
        if exc.params.get("factor"):
            raise
        failure = exc
    else:
        value = float(entered)
        for step in steps:
            value = value * step
        return value, named
    bases = denominators.output_units(indicator.code)
    if bases and units.is_known(typed):
        raise UnitError(
            gettext_noop("%(name)s is reported per 10,000 CNY of revenue (%(expected)s) or per "
                         "unit of output in %(bases)s; “%(unit)s” fits neither."),
            code=indicator.code, name=_name(indicator), expected=_unit_name(canonical),
            bases=LocalName(*(" / ".join(units.ALL_LABELS[b][i] for b in bases)
                              for i in (0, 1))),
            unit=typed,
        ) from failure
    if canonical.endswith("/10k_CNY") and "/" in typed:
        raise UnitError(
            gettext_noop("%(name)s is an intensity per 10,000 CNY of revenue (%(expected)s); a "
                         "figure per “%(denominator)s” cannot be stored as one. Report it per "
                         "10,000 CNY (万元) of revenue."),
            code=indicator.code, name=_name(indicator), expected=_unit_name(canonical),
            denominator=typed.split("/", 1)[1].strip(), unit=typed,
        ) from failure
    raise UnitError(
        gettext_noop("%(code)s is measured in %(expected)s; “%(unit)s” does not fit."),
        code=indicator.code,
        expected=canonical,
        unit=typed,
    ) from failure


def coerce(indicator: Any, raw: Any, unit: str | None = None) -> Coerced:
    """Check ``raw`` against the indicator's type, bounds and unit, and convert it.

    ``indicator`` is a :class:`czesg.engine.catalogue.Indicator`. Raises :class:`CatalogueError`
    or :class:`UnitError` with a message naming the indicator.
    """
    code = indicator.code
    kind = indicator.data_type
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise CatalogueError(gettext_noop("%(code)s: no value was given."), code=code)
    if kind in ("number", "percentage"):
        entered = _number(raw, code)
        canonical = indicator.unit or "%"
        typed_unit = _typed_unit(indicator, unit, canonical)
        per_output = (denominators.to_output_unit(code, entered, typed_unit)
                      if units.is_known(typed_unit) else None)
        conversion: dict[str, Any]
        if per_output is not None:  # per MW, per t of product, per m²: kept in its own unit
            value, conversion = per_output[0], {}
            canonical = per_output[1]
        else:
            value, conversion = _convert(indicator, entered, typed_unit, canonical)
        low = 0.0 if kind == "percentage" and indicator.min is None else indicator.min
        high = 100.0 if kind == "percentage" and indicator.max is None else indicator.max
        if low is not None and value < low:
            raise CatalogueError(
                gettext_noop("%(name)s must be at least %(min)s %(unit)s; got %(value)s."),
                code=code, name=_name(indicator), min=f"{low:g}", unit=_unit_name(canonical),
                value=f"{value:g}",
            )
        if high is not None and value > high:
            raise CatalogueError(
                gettext_noop("%(name)s must be at most %(max)s %(unit)s; got %(value)s."),
                code=code, name=_name(indicator), max=f"{high:g}", unit=_unit_name(canonical),
                value=f"{value:g}",
            )
        if canonical in WHOLE_UNITS and not float(value).is_integer():
            raise CatalogueError(
                gettext_noop("%(name)s counts whole people or events; %(value)s is not a whole "
                             "number."),
                code=code, name=_name(indicator), value=f"{entered:g}",
            )
        return Coerced(
            number=value,
            unit=canonical,
            entered_value=str(raw).strip() if not isinstance(raw, float) else repr(raw),
            entered_unit=typed_unit,
            conversion=conversion,
        )
    if unit and unit.strip():
        raise UnitError(
            gettext_noop("%(code)s takes no unit; “%(unit)s” was given."), code=code, unit=unit
        )
    if kind == "boolean":
        if isinstance(raw, bool):
            flag = raw
        else:
            text = str(raw).strip().lower()
            if text in _TRUE:
                flag = True
            elif text in _FALSE:
                flag = False
            else:
                raise CatalogueError(
                    gettext_noop("%(code)s needs yes or no, not “%(value)s”."), code=code, value=raw
                )
        return Coerced(boolean=flag, entered_value=str(raw))
    if kind == "choice":
        text = str(raw).strip()
        for choice in indicator.choices:
            if text in (choice.key, choice.name_zh, choice.name_en):
                return Coerced(choice=choice.key, entered_value=text)
        allowed = ", ".join(c.key for c in indicator.choices)
        raise CatalogueError(
            gettext_noop("%(code)s must be one of %(allowed)s, not “%(value)s”."),
            code=code, allowed=allowed, value=text,
        )
    if kind == "text":
        text = str(raw).strip()
        if len(text) > 20000:
            raise CatalogueError(gettext_noop("%(code)s: the text is too long."), code=code)
        return Coerced(text=text, entered_value=text[:64])
    raise CatalogueError(
        gettext_noop("%(code)s has an unknown data type %(kind)s."), code=code, kind=kind
    )
