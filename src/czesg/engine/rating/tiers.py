"""Tier-aware rating (methodology 2025.2 on): which rated indicators a disclosure tier is scored
on, and the highest grade a tier can earn.

A methodology file may hold a ``[tiers]`` table with one sub-table per tier other than the
standard one (the standard form asks for every indicator, so it is rated on all of them). A
tier's ``indicators`` are the rated indicators its form asks for; the others are *out of tier*
for its disclosures: their weight is removed and the rest re-normalised exactly as for a
not-applicable indicator. ``max_grade`` is the best grade a disclosure of the tier can be given
(the score itself is not changed; the cap is recorded beside the grade). A methodology without
``[tiers]`` (2025.1) rates every disclosure on every indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from czesg.engine.catalogue import Catalogue
from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.rating.bands import Band
from czesg.engine.rating.vocabulary import DEFAULT_TIER, TIERS


@dataclass(frozen=True)
class TierRule(Bilingual):
    """How a disclosure tier is rated: on its own indicators, with a highest grade."""

    key: str
    name_zh: str
    name_en: str
    indicators: tuple[str, ...]
    source: str
    confidence: str
    max_grade: str
    max_grade_source: str
    max_grade_confidence: str


@dataclass(frozen=True)
class TierSettings:
    """The ``[tiers]`` table: the rule for comparing tiers and one :class:`TierRule` per tier."""

    source: str
    confidence: str
    rules: tuple[TierRule, ...]

    def rule(self, tier: str) -> TierRule | None:
        """The rule of ``tier``, or None when the tier is rated on every indicator."""
        return next((r for r in self.rules if r.key == tier), None)


def parse_tiers(root: TomlTable, codes: Sequence[str], catalogue: Catalogue,
                bands: Sequence[Band]) -> TierSettings | None:
    """The checked ``[tiers]`` table of a rating methodology, or None when there is none.

    Every listed indicator must be rated by the methodology and belong to the tier in the
    catalogue; ``max_grade`` must be one of the bands.
    """
    if not root.has("tiers"):
        return None
    node = root.child("tiers")
    node.allow("source", "confidence", *TIERS)
    rules = []
    grades = [band.key for band in bands]
    for key in TIERS:
        if not node.has(key):
            continue
        tnode = node.child(key)
        if key == DEFAULT_TIER:
            tnode.fail("", "the standard tier is rated on every indicator; it takes no rule")
        tnode.allow("name_zh", "name_en", "indicators", "max_grade", "max_grade_source",
                    "max_grade_confidence", "source", "confidence")
        indicators = tnode.texts("indicators", empty=False)
        if not indicators:
            tnode.fail("indicators", "expected at least one rated indicator")
        for code in indicators:
            if code not in codes:
                tnode.fail("indicators", f"{code} is not rated by this methodology")
            if not catalogue.get(code).in_tier(key):
                tnode.fail("indicators", f"{code} is not in the {key} tier of the catalogue")
        max_grade = tnode.choice("max_grade", grades)
        source, confidence = tnode.provenance()
        cap_source, cap_confidence = tnode.provenance("max_grade_")
        rules.append(TierRule(
            key=key, name_zh=tnode.text("name_zh"), name_en=tnode.text("name_en"),
            indicators=tuple(c for c in codes if c in indicators), source=source,
            confidence=confidence, max_grade=max_grade, max_grade_source=cap_source,
            max_grade_confidence=cap_confidence,
        ))
    if not rules:
        node.fail("", "expected a rule for at least one tier")
    source, confidence = node.provenance()
    return TierSettings(source=source, confidence=confidence, rules=tuple(rules))


def tier_masks(settings: TierSettings | None, codes: Sequence[str], tiers: Sequence[str]
               ) -> np.ndarray:
    """k × n booleans: whether indicator ``codes[j]`` is rated for enterprise ``e``'s tier."""
    n = len(tiers)
    mask = np.ones((len(codes), n), bool)
    if settings is None or not n:
        return mask
    tier_array = np.asarray(tiers, dtype=object)
    for rule in settings.rules:
        members = tier_array == rule.key
        if not members.any():
            continue
        rated = np.array([code in rule.indicators for code in codes], bool)
        mask[np.ix_(~rated, members)] = False
    return mask


def grade_caps(settings: TierSettings | None, bands: Sequence[Band], tiers: Sequence[str]
               ) -> np.ndarray:
    """The best band index each enterprise may be given (0 = the top band) by its tier."""
    caps = np.zeros(len(tiers), np.int64)
    if settings is None:
        return caps
    grades = [band.key for band in bands]
    tier_array = np.asarray(tiers, dtype=object)
    for rule in settings.rules:
        caps[tier_array == rule.key] = grades.index(rule.max_grade)
    return caps
