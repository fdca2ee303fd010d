"""Turning what a person typed into a value of an indicator's type and canonical unit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CatalogueError, UnitError, gettext_noop

_TRUE = {"true", "yes", "y", "1", "是", "有", "√", "✓"}
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
        typed_unit = (unit or "").strip() or canonical
        try:
            converted = units.to_canonical(entered, typed_unit, canonical)
        except UnitError as exc:
            raise UnitError(
                gettext_noop("%(code)s is measured in %(expected)s; “%(unit)s” does not fit."),
                code=code,
                expected=canonical,
                unit=typed_unit,
            ) from exc
        value = converted.value
        low = 0.0 if kind == "percentage" and indicator.min is None else indicator.min
        high = 100.0 if kind == "percentage" and indicator.max is None else indicator.max
        if low is not None and value < low:
            raise CatalogueError(
                gettext_noop("%(code)s must be at least %(min)s %(unit)s; got %(value)s."),
                code=code, min=f"{low:g}", unit=canonical, value=f"{value:g}",
            )
        if high is not None and value > high:
            raise CatalogueError(
                gettext_noop("%(code)s must be at most %(max)s %(unit)s; got %(value)s."),
                code=code, max=f"{high:g}", unit=canonical, value=f"{value:g}",
            )
        return Coerced(
            number=value,
            unit=canonical,
            entered_value=str(raw).strip() if not isinstance(raw, float) else repr(raw),
            entered_unit=typed_unit,
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
