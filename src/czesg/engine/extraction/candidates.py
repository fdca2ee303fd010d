"""From printed figures to candidates: each headline figure of the reporting year in its
indicator's unit, cited (document hash, page, bounding box, exact text), checked by the same
validation as typed values, and flagged where two pages print different values.

A unit the registry cannot read, or one of another dimension, is shown as printed and never
converted by guess; the candidate then has no value until a person corrects it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.disclosure.answers import Answer, Finding, error_finding, warning_finding
from czesg.engine.disclosure.validation import validate
from czesg.engine.extraction.contents import content_index
from czesg.engine.extraction.layout import Page, image_only, no_text, read_pages
from czesg.engine.extraction.reading import ASSUMED, BOTH, UNLABELLED, Reading, read_figures
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError, gettext_noop

# Validation rules that judge extracted figures (the others concern a whole disclosure).
CHECKED_RULES = frozenset({"percentage", "range", "part_exceeds_total", "sum_of_parts",
                           "derived_mismatch", "yoy_scale", "unit"})
# Two printed figures closer than this (relative) are one figure printed twice.
SAME = 1e-6
# A mass printed where the row says CO2e is a mass of CO2 equivalent.
_CO2E_WORDS = ("二氧化碳当量", "co2e", "co2当量", "co₂e", "co2-e", "carbon dioxide equivalent")


@dataclass(frozen=True)
class Candidate:
    """A figure proposed for an indicator of the reporting year, with its citation and checks.

    ``value`` is in the indicator's canonical ``unit`` (None when the printed unit could not be
    read or converted: ``findings`` then say why); ``printed``/``unit_printed`` are as printed."""

    indicator: str
    year: int
    value: float | None
    unit: str
    printed: str
    unit_printed: str
    page: int
    bbox: tuple[float, float, float, float]
    text: str
    year_basis: str
    prior_value: float | None = None
    findings: tuple[Finding, ...] = ()
    conflicts: tuple[int, ...] = ()
    """Pages printing a different value for the same indicator and year."""
    also_on: tuple[int, ...] = ()
    """Pages printing the same value again."""
    indexed: tuple[int, ...] = ()
    """The pages the report's content index names for the indicator (empty without an index)."""


@dataclass(frozen=True)
class Extraction:
    """What was read from one report: its hash, page count and the candidates found."""

    sha256: str
    pages: int
    year: int
    candidates: tuple[Candidate, ...]
    readings: int = 0
    notes: tuple[Finding, ...] = field(default=())

    @property
    def has_figures(self) -> bool:
        """Whether any headline figure of the reporting year was found."""
        return bool(self.candidates)


def extract(data: bytes, year: int, *, catalogue: Catalogue | None = None) -> Extraction:
    """Read the report PDF ``data`` for reporting ``year``; raises ``UnreadablePdf`` for an
    encrypted, damaged or image-only file."""
    catalogue = catalogue or load_catalogue()
    pages: list[Page] = list(read_pages(data))
    if not any(line.segments for page in pages for line in page.lines):
        if any(page.images for page in pages):
            raise image_only(len(pages))
        raise no_text(len(pages))
    readings = read_figures(pages, year)
    found = candidates_of(readings, year, catalogue, index=content_index(pages))
    return Extraction(hashlib.sha256(data).hexdigest(), len(pages), year, tuple(found),
                      len(readings))


def candidates_of(readings: Iterable[Reading], year: int, catalogue: Catalogue, *,
                  index: Mapping[str, tuple[int, ...]] | None = None) -> list[Candidate]:
    """The reporting year's candidates from ``readings``: converted, deduplicated (the first
    print cited, the others in ``also_on``), conflicts flagged, checked against the pages the
    report's content ``index`` names for the indicator, then validated together."""
    chosen: dict[str, list[Candidate]] = {}
    prior: dict[str, float] = {}
    for reading in readings:
        if reading.indicator not in catalogue:
            continue
        candidate = _converted(reading, catalogue)
        if reading.year == year - 1 and candidate.value is not None:
            prior.setdefault(reading.indicator, candidate.value)
        if reading.year != year:
            continue
        held = chosen.setdefault(reading.indicator, [])
        same = next((c for c in held if _same(c.value, candidate.value)), None)
        if same is not None:
            if candidate.page != same.page and candidate.page not in same.also_on:
                held[held.index(same)] = replace(same, also_on=(*same.also_on, candidate.page))
            continue
        held.append(candidate)
    result: list[Candidate] = []
    for code, held in chosen.items():
        for candidate in held:
            others = tuple(sorted({c.page for c in held if c is not candidate}))
            conflict: tuple[Finding, ...] = ()
            if others:
                conflict = (error_finding(
                    "conflict", code, gettext_noop(
                        "The report prints another value for this indicator and year on page "
                        "%(pages)s; accept the one that is right."),
                    pages=", ".join(str(p) for p in others)),)
            indexed = (index or {}).get(code, ())
            if indexed and candidate.page not in indexed:
                conflict += (warning_finding(
                    "index_elsewhere", code, gettext_noop(
                        "The report's content index names page %(pages)s for this indicator, "
                        "not this page."), pages=", ".join(str(p) for p in indexed)),)
            result.append(replace(candidate, prior_value=prior.get(code), indexed=indexed,
                                  conflicts=others, findings=candidate.findings + conflict))
    return _checked(result, prior, catalogue)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= SAME * max(abs(a), abs(b), 1.0)


def _converted(reading: Reading, catalogue: Catalogue) -> Candidate:
    """The reading in its indicator's canonical unit, or without a value and a finding saying
    why the unit could not be used."""
    indicator = catalogue.get(reading.indicator)
    canonical = indicator.unit
    base = Candidate(
        indicator=reading.indicator, year=reading.year, value=None, unit=canonical,
        printed=reading.printed, unit_printed=reading.unit_printed, page=reading.page,
        bbox=tuple(round(v, 1) for v in reading.bbox),  # type: ignore[arg-type]
        text=reading.text, year_basis=reading.year_basis)
    notes: list[Finding] = []
    if reading.year_basis == ASSUMED:
        notes.append(warning_finding("year_assumed", reading.indicator, gettext_noop(
            "Neither a year column nor the sentence names the year; the figure was taken as the "
            "reporting year's.")))
    if reading.basis == BOTH:
        notes.append(error_finding("scope2_both_bases", reading.indicator, gettext_noop(
            "The label names both location-based and market-based Scope 2; say which this "
            "figure is.")))
    elif reading.basis == UNLABELLED:
        notes.append(warning_finding("scope2_unlabelled", reading.indicator, gettext_noop(
            "The label does not say location-based or market-based; the figure was taken as "
            "location-based Scope 2 (never as market-based).")))
    unit = reading.unit
    if not unit:
        if reading.unit_printed:
            return replace(base, findings=(*notes, error_finding(
                "unit_unparsed", reading.indicator, gettext_noop(
                    "The unit “%(unit)s” is not one the platform knows; the figure was not "
                    "converted. Correct it with its unit."), unit=reading.unit_printed),))
        if len(units.scales(canonical)) != 1:
            return replace(base, findings=(*notes, error_finding(
                "unit_missing", reading.indicator, gettext_noop(
                    "No unit is printed with the figure; it was not converted. Correct it with "
                    "its unit (%(expected)s)."), expected=canonical),))
        unit = canonical
    factor = _factor(unit, canonical, reading.context)
    if factor is None:
        return replace(base, findings=(*notes, error_finding(
            "unit_dimension", reading.indicator, gettext_noop(
                "The printed unit “%(unit)s” does not measure %(expected)s; the figure was not "
                "converted."), unit=reading.unit_printed or unit, expected=canonical),))
    value = float(reading.value * Decimal(repr(factor)))
    if not math.isfinite(value):
        return replace(base, findings=tuple(notes))
    return replace(base, value=value, findings=tuple(notes))


def _factor(unit: str, canonical: str, context: str) -> float | None:
    try:
        return units.conversion_factor(unit, canonical)
    except UnitError:
        pass
    # "万吨" in a row that says 二氧化碳当量 is 万吨二氧化碳当量: the row names what is weighed.
    if canonical == "tCO2e" and any(w in context.lower() for w in _CO2E_WORDS):
        try:
            return units.conversion_factor(unit, "t")
        except UnitError:
            return None
    return None


def _checked(found: list[Candidate], prior: dict[str, float],
             catalogue: Catalogue) -> list[Candidate]:
    """Each candidate with the validation findings about its indicator (sums, parts of a whole,
    year-on-year scale against the prior-year column, ranges), judged on the first value of
    each indicator."""
    answers: dict[str, Answer] = {}
    for candidate in found:
        if candidate.value is not None and candidate.indicator not in answers:
            answers[candidate.indicator] = Answer(code=candidate.indicator, number=candidate.value)
    findings = [f for f in validate(answers, catalogue, tier="standard", previous=prior)
                if f.rule in CHECKED_RULES]
    out = []
    for candidate in found:
        own = tuple(f for f in findings
                    if candidate.indicator == f.indicator or candidate.indicator in f.related)
        out.append(replace(candidate, findings=candidate.findings + own))
    order = {code: i for i, code in enumerate(catalogue.codes)}
    out.sort(key=lambda c: (order.get(c.indicator, len(order)), c.page, c.bbox[1]))
    return out
