"""Disclosure validation: the rules a set of answers must meet before it can be submitted.

:func:`validate` takes plain answers (one :class:`Answer` per indicator code, values already in
the indicator's canonical unit as :func:`czesg.engine.disclosure.values.coerce` stores them) and returns a
list of :class:`Finding`. An ``error`` blocks submission; a ``warning`` must be acknowledged by
the enterprise, which the web layer records under the finding's stable :attr:`Finding.key`.

Rules (``rule`` id, severity):

========================  ========  =========================================================
``unknown_indicator``     error     an answer names a code the catalogue does not have
``type``                  error     a stored value does not fit the indicator's data type
``na_without_explanation``  error   marked not applicable without saying why
``required``              warning   a mandatory or where-applicable indicator of the tier is
                                    neither reported nor marked not applicable; once confirmed,
                                    the disclosure can be published with it *not reported*
``percentage``            error     a percentage outside 0–100
``range``                 error     a value below the catalogue's ``min`` or above its ``max``
``part_exceeds_total``    error     a part (catalogue ``part_of``) is larger than its total,
                                    e.g. female employees above all employees
``sum_of_parts``          error     parts meant to add up (:data:`SUM_GROUPS`) exceed their
                                    total, or miss a total defined as exactly their sum
``yoy_scale``             warning   more than ten times, or less than a tenth of, last year's
                                    value; names the likely unit slip (kWh as MWh, 元 as 万元)
``industry_outlier``      warning   outside the industry range the caller gives
``intensity_mismatch``    warning   an intensity differs from numerator ÷ denominator by >5%
``derived_mismatch``      warning   a reported value of a derived indicator (catalogue
                                    ``formula``) differs from its formula by >5%; intensities
                                    and exact sums are left to the two rules above
``unit``                  error     a number stored in a unit that is neither the indicator's
                                    nor one of its physical-output denominators
========================  ========  =========================================================

An intensity reported per unit of physical output (``Answer.unit`` one of the indicator's
output units, ``data/catalogue/denominators.toml``) is checked for its sign only: it is never
compared with a per-revenue formula, last year's per-revenue value or peers' per-revenue range.

Decisions, from the catalogue's guidance text:

* Not applicable is accepted for a mandatory indicator when it is explained (the exchange
  guideline's comply-or-explain); an unexplained not-applicable is an error at every level.
* A required indicator left empty does not block publication (issue 14: a listed company that
  publishes five headline figures must not have to mark 119 others not applicable, claiming that
  it said so). It is a warning; once the enterprise confirms it, the published disclosure shows
  the indicator as *not reported* (distinct from not applicable with a reason), its completeness
  is shown as a figure, and the rating scores it as missing.
* The ``part_of`` column alone cannot tell which parts add up: S-EMP-01 has a gender split and an
  age split. :data:`SUM_GROUPS` lists the groups. A group is ``exact`` when the catalogue defines
  the total as the sum (E-GHG-01 "equal to Scope 1 plus location-based Scope 2", E-WST-04
  "= E-WST-01 + E-WST-02", E-WAT-01 "equals the sum of the source items") or says the groups
  "should add up" (S-EMP-01, S-SUP-02). E-GHG-07's split by scope is not exhaustive (Scope 3
  reductions exist), so its parts may only not exceed it. An exact check runs only when every
  part is answered; a part marked not applicable counts as zero. When one part alone exceeds
  the total, only ``part_exceeds_total`` is reported, not the sum as well.
* Totals and parts are compared with a rounding tolerance of 0.5% of the total, except for
  headcounts and counts (units ``person`` and ``count``), which must add up exactly.
* The year-on-year check skips zero or negative values and event counts (unit ``count``), where
  a tenfold change is plausible and no unit slip is possible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from czesg.engine.catalogue import Catalogue, Indicator, denominators
from czesg.engine.catalogue.formulas import derive_all
from czesg.engine.catalogue.formulas import evaluate as evaluate_formula
from czesg.engine.catalogue.formulas import parse as parse_formula
from czesg.engine.disclosure.answers import (
    Answer,
    Finding,
    error_finding,
    warning_finding,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError, gettext_noop

SUM_TOLERANCE = 0.005
INTENSITY_TOLERANCE = 0.05
YOY_FACTOR = 10.0
SLIP_CLOSENESS = 1.5  # a ratio within ×/÷1.5 of a unit factor is "near" it
EXACT_UNITS = frozenset({"person", "count"})
_EPSILON = 1e-9


@dataclass(frozen=True)
class SumGroup:
    """Parts of a total that are meant to add up to it (``exact``) or at most to it."""

    total: str
    name: str
    parts: tuple[str, ...]
    exact: bool


SUM_GROUPS: tuple[SumGroup, ...] = (
    SumGroup("E-GHG-01", "scope", ("E-GHG-02", "E-GHG-03"), exact=True),
    SumGroup("E-GHG-07", "scope", ("E-GHG-07-S1", "E-GHG-07-S2"), exact=False),
    SumGroup("E-WST-04", "hazard", ("E-WST-01", "E-WST-02"), exact=True),
    SumGroup("E-WAT-01", "source", ("E-WAT-01-MUN", "E-WAT-01-GW", "E-WAT-01-SW"), exact=True),
    SumGroup("S-SUP-02", "origin", ("S-SUP-02-DOM", "S-SUP-02-OVS"), exact=True),
    SumGroup("S-EMP-01", "gender", ("S-EMP-02-F", "S-EMP-02-M"), exact=True),
    SumGroup("S-EMP-01", "age", ("S-EMP-02-U30", "S-EMP-02-30T50", "S-EMP-02-O50"), exact=True),
)


def validate(
    answers: Mapping[str, Answer],
    catalogue: Catalogue,
    *,
    tier: str,
    previous: Mapping[str, Answer | float | None] | None = None,
    industry_ranges: Mapping[str, tuple[float, float]] | None = None,
) -> list[Finding]:
    """Check a disclosure's answers against the catalogue and return every finding.

    ``previous`` maps codes to last year's answers or canonical numbers; ``industry_ranges`` maps
    codes to the (low, high) range of the enterprise's industry peers in the canonical unit.
    Findings come errors first, then in catalogue order.
    """
    tier_indicators = catalogue.for_tier(tier)  # refuses an unknown tier
    findings: list[Finding] = []
    numbers: dict[str, float] = {}
    not_applicable: set[str] = set()

    for code, answer in answers.items():
        if code not in catalogue:
            findings.append(error_finding(
                "unknown_indicator", code,
                gettext_noop("%(code)s is not an indicator of catalogue %(version)s."),
                code=code, version=catalogue.version,
            ))
            continue
        indicator = catalogue.get(code)
        findings.extend(_check_answer(indicator, answer, numbers, not_applicable))

    computed = _derive_missing(catalogue, numbers, answers)
    numbers.update(computed)
    with_derived = {**answers, **{c: Answer(code=c, number=v) for c, v in computed.items()}}
    findings.extend(_check_required(tier_indicators, with_derived, tier))
    findings.extend(_check_parts(catalogue, numbers))
    findings.extend(_check_sums(catalogue, numbers, not_applicable))
    findings.extend(_check_intensities(catalogue, numbers))
    findings.extend(_check_derived(catalogue, numbers))
    if previous:
        findings.extend(_check_year_on_year(catalogue, numbers, previous))
    if industry_ranges:
        findings.extend(_check_industry(catalogue, numbers, industry_ranges))

    order = {code: index for index, code in enumerate(catalogue.codes)}
    findings.sort(key=lambda f: (not f.is_error, order.get(f.indicator, len(order)), f.rule))
    return findings


# --- single answers -------------------------------------------------------------------------------
def _check_answer(
    indicator: Indicator, answer: Answer, numbers: dict[str, float], not_applicable: set[str]
) -> list[Finding]:
    code = indicator.code
    if answer.status == "not_applicable":
        not_applicable.add(code)
        if not (answer.na_explanation or "").strip():
            return [error_finding(
                "na_without_explanation", code,
                gettext_noop("%(code)s is marked not applicable without an explanation; say why "
                             "it does not apply."),
                code=code,
            )]
        return []
    if answer.status != "reported":
        return [error_finding(
            "type", code,
            gettext_noop("%(code)s has an unknown status “%(status)s”."),
            code=code, status=str(answer.status),
        )]

    kind = indicator.data_type
    if kind in ("number", "percentage"):
        value = answer.number
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            return [_missing_value(code, kind)]
        value = float(value)
        if answer.unit and answer.unit != (indicator.unit or "%"):
            return _check_output_basis(indicator, answer.unit, value)
        numbers[code] = value
        return _check_bounds(indicator, value)
    if kind == "boolean":
        if not isinstance(answer.boolean, bool):
            return [_missing_value(code, kind)]
        return []
    if kind == "choice":
        if not answer.choice:
            return [_missing_value(code, kind)]
        allowed = [c.key for c in indicator.choices]
        if answer.choice not in allowed:
            return [error_finding(
                "type", code,
                gettext_noop("%(code)s must be one of %(allowed)s, not “%(value)s”."),
                code=code, allowed=", ".join(allowed), value=answer.choice,
            )]
        return []
    if not (answer.text or "").strip():
        return [_missing_value(code, kind)]
    return []


def _check_output_basis(indicator: Indicator, unit: str, value: float) -> list[Finding]:
    """A value per unit of physical output: admitted for the indicator, and not negative."""
    if unit not in denominators.output_units(indicator.code):
        return [error_finding(
            "unit", indicator.code,
            gettext_noop("%(code)s is stored in %(unit)s, which is neither its unit nor one of "
                         "its output denominators."),
            code=indicator.code, unit=unit,
        )]
    if value < 0:
        return [error_finding(
            "range", indicator.code,
            gettext_noop("%(code)s must be at least %(min)s %(unit)s; got %(value)s %(unit)s."),
            code=indicator.code, value=_fmt(value), unit=unit, min="0",
        )]
    return []


def _missing_value(code: str, kind: str) -> Finding:
    return error_finding(
        "type", code,
        gettext_noop("%(code)s is reported but holds no %(data_type)s value."),
        code=code, data_type=kind,
    )


def _check_bounds(indicator: Indicator, value: float) -> list[Finding]:
    code, unit = indicator.code, indicator.unit or "%"
    if indicator.data_type == "percentage" and not 0.0 <= value <= 100.0:
        return [error_finding(
            "percentage", code,
            gettext_noop("%(code)s is a percentage and must lie between 0 and 100; got "
                         "%(value)s."),
            code=code, value=_fmt(value),
        )]
    if indicator.min is not None and value < indicator.min:
        return [error_finding(
            "range", code,
            gettext_noop("%(code)s must be at least %(min)s %(unit)s; got %(value)s %(unit)s."),
            code=code, value=_fmt(value), min=_fmt(indicator.min), unit=unit,
        )]
    if indicator.max is not None and value > indicator.max:
        return [error_finding(
            "range", code,
            gettext_noop("%(code)s must be at most %(max)s %(unit)s; got %(value)s %(unit)s."),
            code=code, value=_fmt(value), max=_fmt(indicator.max), unit=unit,
        )]
    return []


_REQUIRED_MESSAGES = {
    "mandatory": gettext_noop("%(code)s is mandatory in the %(tier)s tier: report a value, "
                              "mark it not applicable and explain why, or confirm to publish it "
                              "as not reported."),
    "where_applicable": gettext_noop("%(code)s must be reported where it applies: report a "
                                     "value, mark it not applicable, or confirm to publish it as "
                                     "not reported."),
}
"""The message of a missing answer, by the disclosure levels that require one."""


def _check_required(
    indicators: Iterable[Indicator], answers: Mapping[str, Answer], tier: str
) -> list[Finding]:
    findings = []
    for indicator in indicators:
        message = _REQUIRED_MESSAGES.get(indicator.disclosure_level)
        if indicator.code in answers or message is None:
            continue
        findings.append(warning_finding(
            "required", indicator.code, message,
            code=indicator.code, tier=tier, level=indicator.disclosure_level,
        ))
    return findings


# --- relations between answers --------------------------------------------------------------------
def _tolerance(total: float, unit: str) -> float:
    if unit in EXACT_UNITS:
        return _EPSILON
    return SUM_TOLERANCE * abs(total) + _EPSILON


def _check_parts(catalogue: Catalogue, numbers: Mapping[str, float]) -> list[Finding]:
    findings = []
    for indicator in catalogue:
        total_code = indicator.part_of
        if not total_code or indicator.code not in numbers or total_code not in numbers:
            continue
        part, total = numbers[indicator.code], numbers[total_code]
        if part > total + _tolerance(total, indicator.unit):
            findings.append(error_finding(
                "part_exceeds_total", indicator.code,
                gettext_noop("%(code)s (%(value)s %(unit)s) is a part of %(total_code)s and "
                             "cannot exceed it (%(total)s %(unit)s)."),
                related=(total_code,),
                code=indicator.code, value=_fmt(part), total_code=total_code,
                total=_fmt(total), unit=indicator.unit or "%",
            ))
    return findings


def _check_sums(
    catalogue: Catalogue, numbers: Mapping[str, float], not_applicable: set[str]
) -> list[Finding]:
    findings = []
    for group in SUM_GROUPS:
        if group.total not in catalogue or any(p not in catalogue for p in group.parts):
            continue
        if group.total not in numbers:
            continue
        total = numbers[group.total]
        unit = catalogue.get(group.total).unit or "%"
        present = [p for p in group.parts if p in numbers]
        if not present:
            continue
        parts_sum = math.fsum(numbers[p] for p in present)
        tolerance = _tolerance(total, unit)
        common: dict[str, Any] = {
            "code": group.total, "total": _fmt(total), "sum": _fmt(parts_sum),
            "parts": " + ".join(present), "unit": unit,
        }
        if parts_sum > total + tolerance:
            if any(numbers[p] > total + tolerance for p in present):
                continue  # part_exceeds_total already names the part that is too large
            findings.append(error_finding(
                "sum_of_parts", group.total,
                gettext_noop("%(parts)s add up to %(sum)s %(unit)s, more than their total "
                             "%(code)s (%(total)s %(unit)s)."),
                related=tuple(present), group=group.name, **common,
            ))
            continue
        accounted = all(p in numbers or p in not_applicable for p in group.parts)
        if group.exact and accounted and total - parts_sum > tolerance:
            findings.append(error_finding(
                "sum_of_parts", group.total,
                gettext_noop("%(code)s (%(total)s %(unit)s) is defined as the sum of "
                             "%(parts)s, but they add up to %(sum)s %(unit)s (allowed "
                             "difference %(tolerance)s)."),
                related=tuple(present), group=group.name,
                tolerance="0" if unit in EXACT_UNITS else f"{SUM_TOLERANCE * 100:g}%",
                **common,
            ))
    return findings


@lru_cache(maxsize=256)
def _ratio_factor(numerator_unit: str, denominator_unit: str, unit: str) -> float | None:
    """The factor turning numerator ÷ denominator (in their units) into ``unit``, if it fits."""
    try:
        quantity = units.registry().Quantity
        ratio = (quantity(1, "") * units.parse_unit(numerator_unit)) / (
            quantity(1, "") * units.parse_unit(denominator_unit)
        )
        target = quantity(1, "") * units.parse_unit(unit)
        return float((ratio / target).to("dimensionless").magnitude)
    except Exception:  # pint raises several unrelated types for a dimension mismatch
        return None


def _derive_missing(catalogue: Catalogue, numbers: Mapping[str, float],
                    answers: Mapping[str, Answer]) -> dict[str, float]:
    """Derived values the platform computes from the numbers given, for the codes not answered
    (so that a derived indicator whose inputs are present is never reported missing)."""
    formulas = {i.code: i.formula for i in catalogue if i.is_derived}
    if not formulas:
        return {}
    unit_of = {i.code: i.unit or "%" for i in catalogue if i.is_numeric}
    derived = derive_all(formulas, numbers, unit_of, reported=frozenset(answers))
    return {code: d.value for code, d in derived.items()}


def _check_derived(catalogue: Catalogue, numbers: Mapping[str, float]) -> list[Finding]:
    totals = {g.total for g in SUM_GROUPS if g.exact}
    unit_of = {i.code: i.unit or "%" for i in catalogue if i.is_numeric}
    findings = []
    for indicator in catalogue:
        if (not indicator.is_derived or indicator.is_intensity or indicator.code in totals
                or indicator.code not in numbers):
            continue
        node = parse_formula(indicator.formula)
        if not all(c in numbers for c in node.codes()):
            continue
        expected = evaluate_formula(node, numbers, unit_of, unit_of[indicator.code])
        value = numbers[indicator.code]
        if expected is None or abs(value - expected) <= INTENSITY_TOLERANCE * abs(expected) + _EPSILON:
            continue
        findings.append(warning_finding(
            "derived_mismatch", indicator.code,
            gettext_noop("%(code)s is reported as %(value)s %(unit)s, but %(formula)s gives "
                         "%(expected)s %(unit)s (more than %(tolerance)s apart)."),
            related=node.codes(), code=indicator.code, value=_fmt(value),
            unit=indicator.unit or "%", formula=indicator.formula,
            expected=_fmt(_round(expected, 6)), tolerance=f"{INTENSITY_TOLERANCE * 100:g}%",
        ))
    return findings


def _check_intensities(catalogue: Catalogue, numbers: Mapping[str, float]) -> list[Finding]:
    findings = []
    for indicator in catalogue:
        if not indicator.is_intensity or indicator.code not in numbers:
            continue
        num_code, den_code = indicator.intensity_numerator, indicator.intensity_denominator
        if num_code not in numbers or den_code not in numbers or numbers[den_code] <= 0:
            continue
        if num_code not in catalogue or den_code not in catalogue:
            continue
        factor = _ratio_factor(
            catalogue.get(num_code).unit, catalogue.get(den_code).unit, indicator.unit
        )
        if factor is None:
            continue
        value = numbers[indicator.code]
        expected = numbers[num_code] / numbers[den_code] * factor
        if expected == 0:
            differs = abs(value) > _EPSILON
            difference = "—"
        else:
            relative = abs(value - expected) / abs(expected)
            differs = relative > INTENSITY_TOLERANCE + _EPSILON
            difference = f"{_fmt(_round(relative * 100, 3))}%"
        if differs:
            findings.append(warning_finding(
                "intensity_mismatch", indicator.code,
                gettext_noop("%(code)s is %(value)s %(unit)s, but %(numerator)s ÷ "
                             "%(denominator)s = %(numerator_value)s ÷ %(denominator_value)s "
                             "gives %(expected)s %(unit)s (off by %(difference)s, more than "
                             "%(tolerance)s)."),
                related=(num_code, den_code),
                code=indicator.code, value=_fmt(value), unit=indicator.unit,
                numerator=num_code, denominator=den_code,
                numerator_value=_fmt(numbers[num_code]),
                denominator_value=_fmt(numbers[den_code]),
                expected=_fmt(_round(expected, 6)), difference=difference,
                tolerance=f"{INTENSITY_TOLERANCE * 100:g}%",
            ))
    return findings


# --- comparisons with other data ------------------------------------------------------------------
def _previous_number(item: Answer | float | None) -> float | None:
    if isinstance(item, Answer):
        if item.status != "reported":
            return None
        item = item.number
    if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
        return None
    return float(item)


@lru_cache(maxsize=256)
def _slip_units(canonical: str) -> tuple[tuple[str, float], ...]:
    """Spellings that differ from ``canonical`` by a factor of ten or more, preferred first.

    The preferred spelling shares the canonical token's script (kWh beside MWh, 元 beside 万元).
    """
    ascii_canonical = canonical.isascii()
    found: list[tuple[int, int, str, float]] = []
    for index, spelling in enumerate(units.ALIASES):
        try:
            factor = units.conversion_factor(spelling, canonical)
        except UnitError:
            continue
        if factor <= 0 or abs(math.log10(factor)) < 1:
            continue
        found.append((0 if spelling.isascii() == ascii_canonical else 1, index, spelling, factor))
    found.sort()
    return tuple((spelling, factor) for _, _, spelling, factor in found)


def _near(ratio: float, factor: float) -> bool:
    return abs(math.log10(ratio) - math.log10(factor)) <= math.log10(SLIP_CLOSENESS)


def _slip(canonical: str, ratio: float) -> tuple[str, str, float] | None:
    """The likely unit slip behind ``ratio`` = this year ÷ last year: (whose, spelling, factor)."""
    candidates = _slip_units(canonical)
    # A value typed in a smaller unit (kWh, 元) is the common slip: this year's if the value rose,
    # last year's if it fell; a larger unit typed this year (GWh, 亿元) comes after.
    for spelling, factor in candidates:
        if factor < 1 and ratio > 1 and _near(ratio, 1 / factor):
            return "this_year", spelling, 1 / factor
    for spelling, factor in candidates:
        if factor < 1 and ratio < 1 and _near(ratio, factor):
            return "last_year", spelling, 1 / factor
    for spelling, factor in candidates:
        if factor > 1 and ratio < 1 and _near(ratio, 1 / factor):
            return "this_year", spelling, factor
    return None


def _check_year_on_year(
    catalogue: Catalogue, numbers: Mapping[str, float], previous: Mapping[str, Any]
) -> list[Finding]:
    findings = []
    for code, value in numbers.items():
        indicator = catalogue.get(code)
        if indicator.unit == "count":
            continue
        before = _previous_number(previous.get(code))
        if before is None or before <= 0 or value <= 0:
            continue
        ratio = value / before
        if 1 / YOY_FACTOR <= ratio <= YOY_FACTOR:
            continue
        unit = indicator.unit or "%"
        rose = ratio > 1
        common: dict[str, Any] = {
            "code": code, "value": _fmt(value), "previous": _fmt(before), "unit": unit,
            "ratio": _fmt(_round(ratio if rose else 1 / ratio, 3)),
            "direction": "up" if rose else "down",
        }
        if unit == "%" and (_near(ratio, 100) or _near(ratio, 0.01)):
            message = (
                gettext_noop("%(code)s rose from %(previous)s to %(value)s %(unit)s since last "
                             "year: ×100 looks like last year's value was a fraction (0.35) "
                             "rather than a percentage (35).")
                if rose else
                gettext_noop("%(code)s fell from %(previous)s to %(value)s %(unit)s since last "
                             "year: ÷100 looks like a fraction (0.35) entered instead of a "
                             "percentage (35).")
            )
            findings.append(warning_finding(
                "yoy_scale", code, message,
                hint="last_year" if rose else "this_year", slip_unit="fraction", factor="100",
                **common,
            ))
            continue
        slip = _slip(unit, ratio)
        if slip is None:
            message = (
                gettext_noop("%(code)s rose from %(previous)s to %(value)s %(unit)s since last "
                             "year (×%(ratio)s); check the unit and the scale.")
                if rose else
                gettext_noop("%(code)s fell from %(previous)s to %(value)s %(unit)s since last "
                             "year (÷%(ratio)s); check the unit and the scale.")
            )
            findings.append(warning_finding("yoy_scale", code, message, hint="", **common))
            continue
        whose, spelling, factor = slip
        if whose == "this_year" and rose:
            message = gettext_noop(
                "%(code)s rose from %(previous)s to %(value)s %(unit)s since last year: "
                "×%(factor)s looks like %(slip_unit)s entered as %(unit)s."
            )
        elif whose == "this_year":
            message = gettext_noop(
                "%(code)s fell from %(previous)s to %(value)s %(unit)s since last year: "
                "÷%(factor)s looks like %(slip_unit)s entered as %(unit)s."
            )
        else:
            message = gettext_noop(
                "%(code)s fell from %(previous)s to %(value)s %(unit)s since last year: "
                "÷%(factor)s looks like last year's value was %(slip_unit)s entered as "
                "%(unit)s."
            )
        findings.append(warning_finding(
            "yoy_scale", code, message,
            hint=whose, slip_unit=spelling, factor=_fmt(_round(factor, 6)), **common,
        ))
    return findings


def _check_industry(
    catalogue: Catalogue,
    numbers: Mapping[str, float],
    ranges: Mapping[str, tuple[float, float]],
) -> list[Finding]:
    findings = []
    for code, (low, high) in ranges.items():
        if low > high:
            raise ValueError(f"industry range of {code} has low {low} above high {high}")
        if code not in numbers or code not in catalogue:
            continue
        value = numbers[code]
        unit = catalogue.get(code).unit or "%"
        params: dict[str, Any] = {
            "code": code, "value": _fmt(value), "low": _fmt(low), "high": _fmt(high),
            "unit": unit,
        }
        if value < low:
            findings.append(warning_finding(
                "industry_outlier", code,
                gettext_noop("%(code)s is %(value)s %(unit)s, below the range of the industry "
                             "(%(low)s–%(high)s %(unit)s); check the value and its unit."),
                direction="below", **params,
            ))
        elif value > high:
            findings.append(warning_finding(
                "industry_outlier", code,
                gettext_noop("%(code)s is %(value)s %(unit)s, above the range of the industry "
                             "(%(low)s–%(high)s %(unit)s); check the value and its unit."),
                direction="above", **params,
            ))
    return findings



def _round(value: float, significant: int) -> float:
    """``value`` rounded to ``significant`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{significant}g}")


def _fmt(value: float) -> str:
    """A number as people read it: no trailing .0, no exponent for everyday magnitudes."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = int(math.floor(math.log10(abs(value)))) + 1
    if magnitude < -3:
        return f"{value:.{min(6 - magnitude, 24)}f}".rstrip("0").rstrip(".")
    return f"{value:.{max(6, magnitude)}g}"
