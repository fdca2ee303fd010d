"""The form's rows: how each indicator of a draft is shown (value, unit or denominator, how
a derived value was computed, checks), and saving an intensity with its chosen denominator."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, DatapointStatus, Disclosure, Evidence
from czesg.engine.catalogue import Indicator, load_catalogue
from czesg.engine.catalogue.denominators import basis_of, output_units
from czesg.engine.catalogue.frameworks import load_frameworks, references
from czesg.engine.kernel.units import label, offered
from czesg.web.language import language


@dataclass
class Row:
    """One indicator as the form shows it."""

    indicator: Indicator
    name: str
    unit_label: str
    units: list[tuple[str, str]]
    point: Datapoint | None
    evidence: list[Evidence]
    guidance: dict[str, str]
    level: str
    error: str = ""
    saved: bool = False
    typed_value: str | None = None
    typed_unit: str = ""
    how_computed: str = ""
    findings: list[dict] | None = None
    """Checks about this field and its relatives: ``{"text", "error"}`` each, shown inline."""
    bases: list[tuple[str, str]] | None = None
    """An intensity's denominators: ``("", per revenue (calculated))`` then each output unit
    (per MW, per t of product, per m²) with its label; ``None`` where there is no choice."""
    typed_basis: str = ""
    references: list[tuple[str, str]] | None = None
    """The frameworks' references the catalogue gives for the indicator: (short name, refs)."""

    @property
    def basis(self) -> str:
        """The output unit chosen (picked now, or the one the value is stored in); "" per revenue."""
        if not self.bases:
            return ""
        admitted = {u for u, _ in self.bases if u}
        if self.typed_basis in admitted or self.typed_basis == "-":
            return "" if self.typed_basis == "-" else self.typed_basis
        p = self.point
        return p.unit if p is not None and p.unit in admitted else ""

    @property
    def value_text(self) -> str:
        if self.typed_value is not None:  # what the person typed, kept when it was refused
            return self.typed_value
        p = self.point
        if p is None or p.status != DatapointStatus.REPORTED:
            return ""
        if p.value_number is not None:
            return p.entered_value or f"{p.value_number:g}"
        if p.value_bool is not None:
            return "yes" if p.value_bool else "no"
        return p.value_choice or p.value_text

    @property
    def chosen_unit(self) -> str:
        if self.typed_unit and self.typed_unit in {u for u, _ in self.units}:
            return self.typed_unit  # the unit the person picked, even before any value
        p = self.point
        return (p.entered_unit if p is not None and p.entered_unit else self.indicator.unit) or ""

    @property
    def conversion_text(self) -> str:
        """How a value typed in another dimension was converted (the factor set's coefficient)."""
        p = self.point
        conversion = (p.derivation or {}).get("conversion") if p is not None else None
        if not conversion:
            return ""
        en = language().startswith("en")
        return gettext(
            "Converted with %(name)s, %(value)s %(unit)s (factor set %(set)s, %(id)s)."
        ) % {
            "name": conversion.get("name_en" if en else "name_zh", ""),
            "value": f"{conversion.get('coefficient', 0):g}",
            "unit": conversion.get("coefficient_unit", ""), "set": conversion.get("factor_set", ""),
            "id": conversion.get("factor_id", ""),
        }

    @property
    def prefill_text(self) -> str:
        """Where a pre-filled or copied value comes from, and whether it still needs confirming."""
        p = self.point
        if p is None or p.method == "typed":
            return ""
        prefill = (p.derivation or {}).get("prefill")
        if prefill and prefill.get("kind") == "record":
            en = language().startswith("en")
            return gettext("From: %(source)s, %(year)s annual total") % {
                "source": prefill.get("name_en" if en else "name_zh", ""),
                "year": prefill.get("year", "")}
        if p.method == "copied":
            return gettext("Last year's value, please confirm")
        return ""

    @property
    def needs_confirming(self) -> bool:
        p = self.point
        prefill = (p.derivation or {}).get("prefill") if p is not None else None
        if p is not None and p.method == "copied":
            return not (prefill or {}).get("confirmed")
        return bool(prefill) and not prefill.get("confirmed")

    @property
    def is_na(self) -> bool:
        return self.point is not None and self.point.status == DatapointStatus.NOT_APPLICABLE


_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")


def _how_computed(indicator: Indicator, point: Datapoint | None, lang: str) -> str:
    """The formula of a derived indicator in words, with the inputs used (or still missing)."""
    if not indicator.is_derived:
        return ""
    catalogue = load_catalogue()
    derivation = (point.derivation or {}) if point is not None else {}
    inputs = derivation.get("inputs", {}) if point is not None and point.method == "calculated" else {}

    def name(match: re.Match) -> str:
        code = match.group(0)
        text = catalogue.get(code).name(lang)
        return f"{text} ({inputs[code]:.12g})" if code in inputs else text

    formula = _CODE.sub(name, indicator.formula).replace("*", "×").replace("/", "÷")
    if inputs:
        return gettext("Calculated by the platform: %(formula)s.") % {"formula": formula}
    return gettext("Calculated by the platform once its inputs are entered: %(formula)s.") % {
        "formula": formula}


def row_of(indicator: Indicator, point: Datapoint | None, evidence: list[Evidence], lang: str) -> Row:
    en = lang.startswith("en")
    units, shown = [], set()
    for spelling in offered(indicator.unit):
        text = label(spelling, lang) if spelling == indicator.unit else spelling
        if text not in shown:  # the canonical unit's label may equal an alias (兆瓦时)
            shown.add(text)
            units.append((spelling, text))
    return Row(
        indicator=indicator,
        name=indicator.name(lang),
        unit_label=label(indicator.unit, lang) if indicator.unit else "",
        units=units,
        point=point,
        evidence=evidence,
        guidance={
            "what": indicator.what_en if en else indicator.what_zh,
            "how": indicator.how_en if en else indicator.how_zh,
            "mistakes": indicator.mistakes_en if en else indicator.mistakes_zh,
        },
        level=indicator.disclosure_level,
        how_computed=_how_computed(indicator, point, lang),
        bases=_bases(indicator, lang),
        references=[(f.short(lang), " / ".join(refs))
                    for f, refs in references(load_frameworks(load_catalogue()), indicator)],
    )


def _bases(indicator: Indicator, lang: str) -> list[tuple[str, str]] | None:
    """The denominators an intensity may be reported in, as the form's choice (``-`` is the
    per-revenue one the platform calculates), or ``None`` where the indicator has no choice."""
    admitted = output_units(indicator.code)
    if not admitted:
        return None
    choices = [("-", gettext("%(unit)s, calculated by the platform") % {
        "unit": label(indicator.unit, lang)})]
    for unit in admitted:
        basis = basis_of(unit)
        choices.append((unit, f"{label(unit, lang)}（{basis.name(lang)}）" if basis and not
                        lang.startswith("en") else f"{label(unit, lang)} ({basis.name(lang)})"
                        if basis else label(unit, lang)))
    return choices


def answer_basis(disclosure: Disclosure, code: str, raw: str, basis: str, *, actor,
                  evidence: str) -> bool:
    """Save a derived intensity's answer with its denominator: per unit of output the value
    typed, kept in that unit; per revenue ("-") the platform's calculation. Returns whether
    something changed (picking a denominator before typing its value changes nothing)."""
    point = disclosure.datapoints.filter(indicator_code=code).first()
    per_output = point is not None and point.unit in output_units(code)
    if basis in output_units(code):
        calculated = point is not None and point.method == "calculated"
        if raw and not (calculated and raw == point.entered_value):
            actions.set_value(disclosure, code, raw, basis, evidence=evidence, actor=actor)
            return True
        if not raw and per_output:
            return actions.clear_value(disclosure, code, actor=actor)
        return False  # the calculated per-revenue figure still in the field is not this value
    if per_output:  # back to per revenue: the platform calculates it again
        return actions.clear_value(disclosure, code, actor=actor)
    return False
