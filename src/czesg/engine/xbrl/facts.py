"""A report's XBRL facts: each answered indicator as a fact of its concept, with the value that
the printed figure means (its unit's scale applied), the period and the unit; refused, naming
the fact and the rule, where a fact cannot be written validly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.xbrl.concepts import Concept, Taxonomy, XbrlError, XbrlUnit

IXT_NS = "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12"
"""Inline XBRL Transformation Registry 4 (num-dot-decimal, fixed-true, fixed-false)."""


@dataclass(frozen=True)
class Answer:
    """One indicator's answer as the report prints it (plain data from the disclosure)."""

    code: str
    shown: str  # the printed text: a figure as "1,234.5", a name, "是"/"Yes", a text
    unit: str = ""  # the stored unit token (numeric answers)
    number: float | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class Fact:
    """One XBRL fact of a report."""

    concept: Concept
    value: str  # the fact's XBRL value: "50000000", "0.085", "true", a text
    shown: str  # what the document prints (a figure without its sign)
    unit: XbrlUnit | None
    negative: bool = False
    lang: str | None = None  # the language of a text fact

    @property
    def context_id(self) -> str:
        """The id of the fact's context (duration or instant of the reporting year)."""
        return "I" if self.concept.period_type == "instant" else "D"

    @property
    def fact_id(self) -> str:
        """The fact's id in the document and in xBRL-JSON."""
        return f"f-{self.concept.name}"


def _numeric_value(answer: Answer, unit: XbrlUnit) -> tuple[str, bool]:
    """The fact value of a printed figure ("1,234.5" with scale 4 → "12345000"), and its sign."""
    text = answer.shown.replace(",", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise XbrlError(gettext_noop(
            "The value of %(code)s, %(value)s, is not a number (rule: a numeric fact is written "
            "with ixt:num-dot-decimal)."), code=answer.code, value=answer.shown) from None
    if answer.number is not None and abs(float(number) - answer.number) > abs(answer.number) * 1e-12:
        raise XbrlError(gettext_noop(
            "The printed value of %(code)s, %(value)s, differs from the stored value (rule: a "
            "fact is exactly the figure the report prints)."), code=answer.code,
            value=answer.shown)
    scaled = number.scaleb(unit.scale)
    value = format(scaled.normalize(), "f") if scaled != 0 else "0"
    return value.removeprefix("-"), number < 0


def fact_of(taxonomy: Taxonomy, answer: Answer, lang: str) -> Fact:
    """The fact of one answer, refused when its value or unit cannot be written validly."""
    concept = taxonomy.concept(answer.code)
    if concept.numeric:
        if not answer.unit:
            raise XbrlError(gettext_noop(
                "The value of %(code)s has no unit (rule: a numeric fact has a unit, XBRL 2.1 "
                "section 4.6.2)."), code=answer.code)
        unit = taxonomy.unit(answer.unit, answer.code)
        value, negative = _numeric_value(answer, unit)
        return Fact(concept, value, answer.shown.lstrip("-"), unit, negative=negative)
    if concept.item_type == "xbrli:booleanItemType":
        if answer.boolean is None:
            raise XbrlError(gettext_noop(
                "The value of %(code)s is not yes or no (rule: a boolean fact is true or "
                "false)."), code=answer.code)
        return Fact(concept, "true" if answer.boolean else "false", answer.shown, None)
    if not answer.shown.strip():
        raise XbrlError(gettext_noop("The value of %(code)s is empty (rule: a text fact has "
                                     "text)."), code=answer.code)
    return Fact(concept, answer.shown, answer.shown, None, lang=lang)


def facts_of(taxonomy: Taxonomy, answers: list[Answer], lang: str) -> list[Fact]:
    """The facts of a report's answers, in order; the first invalid one is refused."""
    return [fact_of(taxonomy, answer, lang) for answer in answers]


def oim_language(lang: str) -> str:
    """The lower-case language tag of a text fact (``zh-cn`` or ``en``; xBRL-JSON refuses
    upper case)."""
    return "en" if lang.startswith("en") else "zh-cn"
