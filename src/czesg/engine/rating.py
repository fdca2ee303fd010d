"""The platform's ESG rating and green score (常绿分): versioned methodology, vectorised scoring.

The methodology is data (``czesg/data/methodology/rating-<version>.toml`` and
``green-score-<version>.toml``); this module loads and checks it, refusing a malformed file with a
:class:`~czesg.engine.kernel.errors.DataFileError` that names the file, the key path (``row``, e.g.
``pillar.E.topic.climate``), the field and the reason. Every weight, threshold, deduction and
band carries ``source`` and ``confidence``; the platform's own choices say
``confidence = "methodology-choice"``.

Scoring is columnar: :class:`RatingInput` holds one year's values as an enterprises × indicators
matrix (NaN = missing) with a status matrix and the government-record columns that drive the
deductions. :func:`rate` scores every enterprise at once with NumPy (one pass per indicator
column, never one per enterprise):

1. indicator scores 0–100: ``industry_percentile`` ranks a value among the reporters of its
   materiality group (all enterprises of the year when the group has fewer than ``min_peers``
   reporters; the level used is recorded), ``absolute`` applies fixed steps (booleans 100/0,
   choices by ``choice_scores``); missing data scores 0;
2. an indicator marked not applicable (where the methodology allows it) loses its weight, and the
   other indicators of its topic are re-weighted; a topic with nothing applicable loses its weight
   within its pillar, and a pillar within the total, likewise;
3. the total is the sum of ``effective weight × indicator score`` (pillar weights from the
   enterprise's materiality group); capped deductions from government records are subtracted
   (never below 0) and the grade is read from non-overlapping bands.

Results are deterministic and independent of row order: percentiles use exact counts of worse
and tied peers, and every per-enterprise sum runs in a fixed indicator order.
:func:`explain`, :func:`self_diagnose`, :func:`green_score`, :func:`methodology_tables` and
:func:`benchmark` build on the same core. Pure Python and NumPy; no Django.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan import CityProfile, load_city_profile

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "data" / "methodology"
DEFAULT_VERSION = "2025.1"
RATING_KIND = "esg-rating"
GREEN_KIND = "green-score"

PILLARS: tuple[str, ...] = ("E", "S", "G")
DIRECTIONS: tuple[str, ...] = ("higher_better", "lower_better")
NORMALISATIONS: tuple[str, ...] = ("industry_percentile", "absolute")
RATED_TYPES: tuple[str, ...] = ("number", "percentage", "boolean", "choice")
MATERIALITY_GROUPS: tuple[str, ...] = (
    "battery", "pv", "nev", "equipment", "materials", "manufacturing", "services", "finance",
)
PEER_FALLBACK: tuple[str, ...] = ("group", "all")
CONFIDENCES: tuple[str, ...] = (
    "methodology-choice", "confirmed-secondary", "confirmed-secondary-code", "analyst-mapping",
)
TAX_CREDIT_GRADES: tuple[str, ...] = ("A", "B", "M", "C", "D")
ENV_CREDIT_COLOURS: tuple[str, ...] = ("green", "blue", "yellow", "red", "black")
DEDUCTION_KEYS: tuple[str, ...] = ("env_penalties", "safety_accidents", "tax_credit", "env_credit")
GREEN_COMPONENTS: tuple[str, ...] = (
    "carbon_efficiency", "green_industry", "env_credit", "certifications",
)
UNKNOWN_HANDLING: tuple[str, ...] = ("zero", "drop")

# Status codes of the status matrix.
MISSING = 0
REPORTED = 1
NOT_APPLICABLE = 2
STATUS_NAMES: tuple[str, ...] = ("missing", "reported", "not_applicable")

# Peer levels recorded per enterprise and indicator.
PEER_NONE = 0
PEER_GROUP = 1
PEER_ALL = 2
PEER_LEVELS: tuple[str, ...] = ("", "group", "all")

# Government-record fields that :meth:`RatingInput.from_long` reads (per enterprise and year).
NUMERIC_RECORDS: tuple[str, ...] = (
    "env_penalty_count", "env_penalty_amount", "fatal_accidents", "serious_accidents",
)
CERTIFICATION_RECORDS: tuple[str, ...] = (
    "cert_green_factory_national", "cert_green_factory_provincial", "cert_iso14001",
    "cert_iso50001", "cert_green_supply_chain", "cert_zero_carbon_factory",
)
RECORD_FIELDS: tuple[str, ...] = (
    *NUMERIC_RECORDS, "tax_credit", "env_credit", *CERTIFICATION_RECORDS,
    "green_catalogue_category",
)

# --------------------------------------------------------------------------------------------
# The methodology model


@dataclass(frozen=True)
class RatedIndicator(Bilingual):
    """One catalogue indicator that the rating scores, with its weight within its topic."""

    code: str
    pillar: str
    topic: str
    weight: float
    direction: str
    normalisation: str
    thresholds: tuple[tuple[float, float], ...]
    choice_scores: tuple[tuple[str, float], ...]
    not_applicable_allowed: bool
    data_type: str
    choices: tuple[str, ...]
    name_zh: str
    name_en: str
    source: str
    confidence: str

    @property
    def key_path(self) -> str:
        """The indicator's key path in the TOML file."""
        return f"pillar.{self.pillar}.topic.{self.topic}.indicator.{self.code}"

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger value is better."""
        return self.direction == "higher_better"

    def absolute_scores(self, values: np.ndarray) -> np.ndarray:
        """Score values 0–100 by the fixed steps (or choice scores); NaN values score 0."""
        values = np.asarray(values, dtype=float)
        if self.data_type == "choice":
            table = np.array([score for _, score in self.choice_scores] + [0.0])
            index = np.where(np.isfinite(values), values, -1).astype(np.int64)
            index = np.where((index >= 0) & (index < len(self.choices)), index, len(self.choices))
            return table[index]
        steps = np.array([value for value, _ in self.thresholds], dtype=float)
        scores = np.array([score for _, score in self.thresholds] + [0.0], dtype=float)
        clean = np.where(np.isnan(values), np.inf if self.higher_is_better else -np.inf, values)
        if self.higher_is_better:
            index = np.searchsorted(steps, clean, side="right") - 1
            index = np.where(index < 0, len(steps), index)
        else:
            index = np.searchsorted(steps, clean, side="left")
        out = scores[index]
        return np.where(np.isnan(values), 0.0, out)

    def best_value(self) -> float:
        """The value that earns this absolute indicator's highest score with the least change."""
        if self.data_type == "choice":
            best = max(score for _, score in self.choice_scores)
            return float(next(
                i for i, (_, score) in enumerate(self.choice_scores) if score == best
            ))
        best = max(score for _, score in self.thresholds)
        candidates = [value for value, score in self.thresholds if score == best]
        return float(min(candidates) if self.higher_is_better else max(candidates))


@dataclass(frozen=True)
class RatedTopic(Bilingual):
    """A topic of a pillar, weighted within the pillar, with its rated indicators."""

    key: str
    pillar: str
    weight: float
    name_zh: str
    name_en: str
    source: str
    confidence: str
    indicators: tuple[RatedIndicator, ...]


@dataclass(frozen=True)
class Pillar(Bilingual):
    """One of the E, S and G pillars with its default weight and its topics."""

    key: str
    name_zh: str
    name_en: str
    weight: float
    source: str
    confidence: str
    topics: tuple[RatedTopic, ...]


@dataclass(frozen=True)
class MaterialityGroup(Bilingual):
    """An industry materiality group: the lead industries it covers and its pillar weights."""

    key: str
    name_zh: str
    name_en: str
    lead_industries: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    source: str
    confidence: str

    def weight(self, pillar: str) -> float:
        """The group's weight of a pillar."""
        return dict(self.weights)[pillar]


@dataclass(frozen=True)
class DeductionRule(Bilingual):
    """Points deducted for one kind of controversy in government records, with its cap."""

    key: str
    name_zh: str
    name_en: str
    cap: float
    source: str
    confidence: str
    points_per_count: float = 0.0
    count_cap: float = 0.0
    amount_steps: tuple[tuple[float, float], ...] = ()
    points_per_fatal: float = 0.0
    points_per_serious: float = 0.0
    points: tuple[tuple[str, float], ...] = ()
    scale_source: str = ""
    scale_confidence: str = ""


@dataclass(frozen=True)
class Band:
    """A grade or label band on the 0–100 score: ``min`` included, ``max`` excluded (not at 100)."""

    key: str
    min: float
    max: float
    source: str
    confidence: str
    name_zh: str = ""
    name_en: str = ""

    def name(self, lang: str = "zh-hans") -> str:
        """The band's display name (the grade itself when it has no separate name)."""
        text = self.name_en if lang.startswith("en") else self.name_zh
        return text or self.key


@dataclass(frozen=True)
class Methodology:
    """A versioned ESG rating methodology, checked against the catalogue and city profile."""

    name: str
    text: str
    version: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    catalogue_version: str
    min_peers: int
    sole_reporter_score: float
    peers_source: str
    peers_confidence: str
    neutral_score: float
    neutral_source: str
    neutral_confidence: str
    default_group: str
    default_by_section: tuple[tuple[str, str], ...]
    materiality_source: str
    materiality_confidence: str
    groups: tuple[MaterialityGroup, ...]
    pillars: tuple[Pillar, ...]
    deduction_cap: float
    deduction_source: str
    deduction_confidence: str
    deductions: tuple[DeductionRule, ...]
    grade_scale_source: str
    grade_scale_confidence: str
    bands: tuple[Band, ...]
    _index: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indicators = tuple(i for p in self.pillars for t in p.topics for i in t.indicators)
        self._index.update(
            indicators=indicators,
            by_code={i.code: n for n, i in enumerate(indicators)},
            topics=tuple(t for p in self.pillars for t in p.topics),
            groups={g.key: n for n, g in enumerate(self.groups)},
        )

    @property
    def indicators(self) -> tuple[RatedIndicator, ...]:
        """Every rated indicator, in pillar, topic and file order (the result's column order)."""
        return self._index["indicators"]

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the rated indicators, in column order."""
        return tuple(i.code for i in self.indicators)

    @property
    def topics(self) -> tuple[RatedTopic, ...]:
        """Every topic, in pillar and file order."""
        return self._index["topics"]

    @property
    def group_keys(self) -> tuple[str, ...]:
        """The keys of the materiality groups, in file order."""
        return tuple(g.key for g in self.groups)

    def indicator(self, code: str) -> RatedIndicator:
        """The rated indicator with ``code`` (KeyError when the methodology does not rate it)."""
        return self.indicators[self._index["by_code"][code]]

    def column(self, code: str) -> int:
        """The column of ``code`` in result matrices."""
        return self._index["by_code"][code]

    def group(self, key: str) -> MaterialityGroup:
        """The materiality group with ``key`` (KeyError when unknown)."""
        return self.groups[self._index["groups"][key]]

    def group_index(self, key: str) -> int:
        """The position of a materiality group (KeyError when unknown)."""
        return self._index["groups"][key]

    def deduction(self, key: str) -> DeductionRule | None:
        """The deduction rule with ``key``, or None when the methodology has none."""
        return next((d for d in self.deductions if d.key == key), None)

    def grade_of(self, score: float) -> str:
        """The grade of one score."""
        return self.bands[_band_index(self.bands, np.array([score]))[0]].key

    def title(self, lang: str = "zh-hans") -> str:
        """The methodology's title in the given language."""
        return self.title_en if lang.startswith("en") else self.title_zh


@dataclass(frozen=True)
class GreenComponent(Bilingual):
    """One component of the green score, weighted, with how unknown data is handled."""

    key: str
    name_zh: str
    name_en: str
    weight: float
    unknown: str
    source: str
    confidence: str
    indicator: str = ""
    direction: str = ""
    member_score: float = 0.0
    non_member_score: float = 0.0
    scores: tuple[tuple[str, float], ...] = ()
    cap: float = 0.0


@dataclass(frozen=True)
class Certification(Bilingual):
    """A green certification recorded as yes/no, with its points and exclusivity group."""

    key: str
    record: str
    name_zh: str
    name_en: str
    points: float
    exclusive: str
    source: str
    confidence: str


@dataclass(frozen=True)
class GreenCategory(Bilingual):
    """A first-level category of the 2024 green low-carbon transition industry catalogue."""

    key: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class GreenMapping:
    """An analyst mapping of an industry code or lead industry to a green catalogue category."""

    industry: str
    lead_industry: str
    category: str
    source: str
    confidence: str


@dataclass(frozen=True)
class GreenMethodology:
    """A versioned green score (常绿分) methodology."""

    name: str
    text: str
    version: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    materiality_from: str
    min_peers: int
    sole_reporter_score: float
    peers_source: str
    peers_confidence: str
    components: tuple[GreenComponent, ...]
    certifications: tuple[Certification, ...]
    catalogue: str
    catalogue_source: str
    catalogue_confidence: str
    categories: tuple[GreenCategory, ...]
    mappings: tuple[GreenMapping, ...]
    deduction_cap: float
    deduction_source: str
    deduction_confidence: str
    deductions: tuple[DeductionRule, ...]
    labels: tuple[Band, ...]
    names_source: str
    names_confidence: str
    label_cap: tuple[tuple[str, str], ...]
    label_cap_source: str
    label_cap_confidence: str

    def component(self, key: str) -> GreenComponent | None:
        """The component with ``key``, or None."""
        return next((c for c in self.components if c.key == key), None)

    def deduction(self, key: str) -> DeductionRule | None:
        """The deduction rule with ``key``, or None."""
        return next((d for d in self.deductions if d.key == key), None)

    def label_of(self, score: float) -> str:
        """The label key of one score (before any cap for the environmental credit colour)."""
        return self.labels[_band_index(self.labels, np.array([score]))[0]].key

    def category(self, key: str) -> GreenCategory:
        """The green catalogue category with ``key`` (KeyError when unknown)."""
        for item in self.categories:
            if item.key == key:
                return item
        raise KeyError(key)

    def title(self, lang: str = "zh-hans") -> str:
        """The methodology's title in the given language."""
        return self.title_en if lang.startswith("en") else self.title_zh


def _band_index(bands: Sequence[Band], scores: np.ndarray) -> np.ndarray:
    """The band of each score; ``bands`` run from the best (highest) down."""
    mins = np.array([band.min for band in reversed(bands)], dtype=float)
    ascending = np.searchsorted(mins, scores, side="right") - 1
    ascending = np.clip(ascending, 0, len(bands) - 1)
    return len(bands) - 1 - ascending


# --------------------------------------------------------------------------------------------
# Loading and checking


def _parse_bands(root: TomlTable, key: str, *, named: bool) -> tuple[Band, ...]:
    """Bands from the best down; refuse duplicates, overlaps, gaps and a range other than 0–100."""
    bands = []
    seen: set[str] = set()
    for node in root.array(key):
        allowed = ["min", "max", "source", "confidence"]
        allowed += ["key", "name_zh", "name_en"] if named else ["grade"]
        node.allow(*allowed)
        band_key = node.text("key" if named else "grade")
        node.path = f"{key}.{band_key}"
        if band_key in seen:
            node.fail("key" if named else "grade", f"{band_key!r} appears twice")
        seen.add(band_key)
        low = node.number("min", low=0, high=100)
        high = node.number("max", low=0, high=100)
        if high <= low:
            node.fail("max", f"max {high:g} is not above min {low:g}")
        source, confidence = node.provenance()
        bands.append((node, Band(
            key=band_key, min=low, max=high, source=source, confidence=confidence,
            name_zh=node.text("name_zh") if named else "",
            name_en=node.text("name_en") if named else "",
        )))
    bands.sort(key=lambda item: item[1].min)
    first_node, first = bands[0]
    if first.min != 0:
        first_node.fail("min", f"the lowest band starts at {first.min:g}, not 0: scores below "
                        "it would have no band (a gap)")
    last_node, last = bands[-1]
    if last.max != 100:
        last_node.fail("max", f"the highest band ends at {last.max:g}, not 100 (a gap)")
    for (node, lower), (_, upper) in zip(bands, bands[1:], strict=False):
        if lower.max > upper.min:
            node.fail("max", f"band {lower.key} [{lower.min:g}, {lower.max:g}) overlaps band "
                      f"{upper.key} [{upper.min:g}, {upper.max:g})")
        if lower.max < upper.min:
            node.fail("max", f"gap between band {lower.key}, which ends at {lower.max:g}, and "
                      f"band {upper.key}, which starts at {upper.min:g}")
    return tuple(band for _, band in reversed(bands))


def _parse_deduction(node: TomlTable, key: str, *, in_green: bool) -> DeductionRule:
    known = ("env_penalties",) if in_green else DEDUCTION_KEYS
    if key not in known:
        node.fail("", f"unknown deduction {key!r}; expected one of " + ", ".join(known))
    common = ("name_zh", "name_en", "cap", "source", "confidence")
    source, confidence = node.provenance()
    base: dict[str, Any] = dict(
        key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
        cap=node.number("cap", low=0, high=100), source=source, confidence=confidence,
    )
    if key == "env_penalties":
        node.allow(*common, "points_per_count", "count_cap", "amount_steps")
        base.update(
            points_per_count=node.number("points_per_count", low=0, high=100),
            count_cap=node.number("count_cap", low=0, high=100),
            amount_steps=node.pairs("amount_steps", low=0, high=100),
        )
        if any(b < a for (_, a), (_, b) in zip(base["amount_steps"], base["amount_steps"][1:],
                                               strict=False)):
            node.fail("amount_steps", "the points must not fall as the amount rises")
    elif key == "safety_accidents":
        node.allow(*common, "points_per_fatal", "points_per_serious")
        base.update(
            points_per_fatal=node.number("points_per_fatal", low=0, high=100),
            points_per_serious=node.number("points_per_serious", low=0, high=100),
        )
    else:
        scale = TAX_CREDIT_GRADES if key == "tax_credit" else ENV_CREDIT_COLOURS
        node.allow(*common, "points", "scale_source", "scale_confidence")
        scale_source, scale_confidence = node.provenance("scale_")
        base.update(points=node.mapping("points", scale, high=100), scale_source=scale_source,
                    scale_confidence=scale_confidence)
    return DeductionRule(**base)


def _parse_deductions(root: TomlTable, *, in_green: bool) -> tuple[float, str, str,
                                                              tuple[DeductionRule, ...]]:
    node = root.child("deductions")
    cap = node.number("cap", low=0, high=100)
    source, confidence = node.provenance()
    rules = []
    for key, value in node.data.items():
        if key in ("cap", "source", "confidence"):
            continue
        if not isinstance(value, dict):
            node.fail(key, "unknown key")
        rules.append(_parse_deduction(node.child(key), key, in_green=in_green))
    return cap, source, confidence, tuple(rules)


def parse_methodology(
    text: str, *, name: str, catalogue: Catalogue | None = None,
    profile: CityProfile | None = None,
) -> Methodology:
    """Parse and check a rating methodology TOML text; ``name`` is the file name for messages."""
    catalogue = catalogue or load_catalogue()
    profile = profile or load_city_profile()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(file=name, row="(syntax)", field="", reason=str(exc)) from exc
    root = TomlTable(data, name, confidences=CONFIDENCES)
    root.allow(
        "version", "kind", "title_zh", "title_en", "catalogue_version", "description_zh",
        "description_en", "peers", "self_diagnosis", "materiality", "group", "pillar",
        "deductions", "grades", "band",
    )
    if root.text("kind") != RATING_KIND:
        root.fail("kind", f"expected {RATING_KIND!r}")

    peers = root.child("peers")
    peers.allow("min_peers", "fallback", "sole_reporter_score", "source", "confidence")
    if peers.raw("fallback") != list(PEER_FALLBACK):
        peers.fail("fallback", "this engine implements the fallback [\"group\", \"all\"] only")
    diagnosis = root.child("self_diagnosis")
    diagnosis.allow("neutral_score", "source", "confidence")

    lead_keys = {lead.key for lead in profile.lead_industries}
    groups_node = root.child("group")
    groups = []
    covered: dict[str, str] = {}
    for key, node in root.children("group"):
        node.allow("name_zh", "name_en", "lead_industries", "weights", "source", "confidence")
        if key not in MATERIALITY_GROUPS:
            node.fail("", f"unknown materiality group {key!r}; expected one of "
                      + ", ".join(MATERIALITY_GROUPS))
        leads = node.raw("lead_industries")
        if not isinstance(leads, list) or not leads:
            node.fail("lead_industries", "expected a non-empty list of lead industries")
        for lead in leads:
            if lead not in lead_keys:
                node.fail("lead_industries", f"{lead!r} is not a lead industry of the city "
                          "profile")
            if lead in covered:
                node.fail("lead_industries", f"{lead!r} is already in group {covered[lead]}")
            covered[lead] = key
        weights = node.mapping("weights", PILLARS, high=1)
        node.check_sum("weights", [w for _, w in weights], f"the pillars of group {key}")
        source, confidence = node.provenance()
        groups.append(MaterialityGroup(
            key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
            lead_industries=tuple(leads), weights=weights, source=source, confidence=confidence,
        ))
    uncovered = sorted(lead_keys - set(covered))
    if uncovered:
        groups_node.fail("lead_industries", "no materiality group covers the lead industries "
                         + ", ".join(uncovered))
    group_keys = [g.key for g in groups]

    materiality = root.child("materiality")
    materiality.allow("default_group", "default_by_section", "source", "confidence")
    default_group = materiality.choice("default_group", group_keys)
    sections = materiality.raw("default_by_section")
    if not isinstance(sections, dict):
        materiality.fail("default_by_section", "expected an inline table")
    section_codes = {i.code for i in profile.industries if i.level == "section"}
    for section, group in sections.items():
        if section not in section_codes:
            materiality.fail("default_by_section", f"{section!r} is not a GB/T 4754 section")
        if group not in group_keys:
            materiality.fail("default_by_section", f"unknown materiality group {group!r} for "
                             f"section {section}")

    pillars = []
    seen_codes: dict[str, str] = {}
    pillar_root = root.child("pillar")
    pillar_root.allow(*PILLARS)
    for key in PILLARS:
        pnode = pillar_root.child(key)
        pnode.allow("name_zh", "name_en", "weight", "source", "confidence", "topic")
        topics = []
        for topic_key, tnode in pnode.children("topic"):
            topics.append(_parse_topic(tnode, key, topic_key, catalogue, seen_codes))
        pnode.check_sum("topic weights", [t.weight for t in topics], f"the topics of pillar {key}")
        source, confidence = pnode.provenance()
        pillars.append(Pillar(
            key=key, name_zh=pnode.text("name_zh"), name_en=pnode.text("name_en"),
            weight=pnode.number("weight", low=0, high=1), source=source, confidence=confidence,
            topics=tuple(topics),
        ))
    pillar_root.check_sum("weight", [p.weight for p in pillars], "the pillars")

    cap, dsource, dconfidence, rules = _parse_deductions(root, in_green=False)
    grades = root.child("grades")
    grades.allow("scale_source", "scale_confidence")
    scale_source, scale_confidence = grades.provenance("scale_")
    bands = _parse_bands(root, "band", named=False)
    peers_source, peers_confidence = peers.provenance()
    neutral_source, neutral_confidence = diagnosis.provenance()
    materiality_source, materiality_confidence = materiality.provenance()
    return Methodology(
        name=name, text=text, version=root.text("version"),
        title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        description_zh=root.text("description_zh"), description_en=root.text("description_en"),
        catalogue_version=root.text("catalogue_version"),
        min_peers=peers.integer("min_peers", low=2),
        sole_reporter_score=peers.number("sole_reporter_score", low=0, high=100),
        peers_source=peers_source, peers_confidence=peers_confidence,
        neutral_score=diagnosis.number("neutral_score", low=0, high=100),
        neutral_source=neutral_source, neutral_confidence=neutral_confidence,
        default_group=default_group,
        default_by_section=tuple(sorted(sections.items())),
        materiality_source=materiality_source, materiality_confidence=materiality_confidence,
        groups=tuple(groups), pillars=tuple(pillars), deduction_cap=cap,
        deduction_source=dsource, deduction_confidence=dconfidence, deductions=rules,
        grade_scale_source=scale_source, grade_scale_confidence=scale_confidence, bands=bands,
    )


def _parse_topic(node: TomlTable, pillar: str, key: str, catalogue: Catalogue,
                 seen_codes: dict[str, str]) -> RatedTopic:
    node.allow("weight", "source", "confidence", "indicator")
    try:
        topic = catalogue.topic(key)
    except Exception:  # noqa: BLE001 - any lookup failure means the topic is unknown
        node.fail("", f"{key!r} is not a topic of the catalogue")
    if topic.pillar != pillar:
        node.fail("", f"catalogue topic {key!r} belongs to pillar {topic.pillar}, not {pillar}")
    indicators = []
    for code, inode in node.children("indicator"):
        indicators.append(_parse_indicator(inode, pillar, key, code, catalogue, seen_codes))
    node.check_sum("indicator weights", [i.weight for i in indicators],
                   f"the indicators of topic {key}")
    source, confidence = node.provenance()
    return RatedTopic(
        key=key, pillar=pillar, weight=node.number("weight", low=0, high=1),
        name_zh=topic.name_zh, name_en=topic.name_en, source=source, confidence=confidence,
        indicators=tuple(indicators),
    )


def _parse_indicator(node: TomlTable, pillar: str, topic: str, code: str, catalogue: Catalogue,
                     seen_codes: dict[str, str]) -> RatedIndicator:
    node.allow("weight", "direction", "normalisation", "thresholds", "choice_scores",
               "not_applicable_allowed", "source", "confidence")
    if code not in catalogue:
        node.fail("", f"unknown indicator code {code!r}: the catalogue {catalogue.version} "
                  "has no such indicator")
    if code in seen_codes:
        node.fail("", f"{code} is already rated in {seen_codes[code]}")
    seen_codes[code] = node.path
    entry = catalogue.get(code)
    if entry.data_type not in RATED_TYPES:
        node.fail("", f"{code} is a {entry.data_type} indicator; only "
                  + ", ".join(RATED_TYPES) + " indicators can be rated")
    if entry.pillar != pillar or entry.topic != topic:
        node.fail("", f"{code} belongs to {entry.pillar}/{entry.topic} in the catalogue")
    direction = node.choice("direction", DIRECTIONS)
    normalisation = node.choice("normalisation", NORMALISATIONS)
    thresholds: tuple[tuple[float, float], ...] = ()
    choice_scores: tuple[tuple[str, float], ...] = ()
    choices = tuple(choice.key for choice in entry.choices)
    if normalisation == "industry_percentile":
        if entry.data_type in ("boolean", "choice"):
            node.fail("normalisation", f"a {entry.data_type} indicator must be scored "
                      "'absolute', not ranked by percentile")
        if node.has("thresholds") or node.has("choice_scores"):
            node.fail("thresholds", "thresholds apply only to 'absolute' normalisation")
    elif entry.data_type == "choice":
        if node.has("thresholds"):
            node.fail("thresholds", "a choice indicator is scored by choice_scores")
        if direction != "higher_better":
            node.fail("direction", "a choice indicator is 'higher_better' (by its scores)")
        choice_scores = node.mapping("choice_scores", choices, high=100)
    else:
        if node.has("choice_scores"):
            node.fail("choice_scores", "choice_scores apply only to choice indicators")
        thresholds = node.pairs("thresholds", low=0, high=100)
        scores = [score for _, score in thresholds]
        if direction == "higher_better" and any(b < a for a, b in zip(scores, scores[1:],
                                                                      strict=False)):
            node.fail("thresholds", "for 'higher_better' the points must not fall as the value "
                      "rises")
        if direction == "lower_better" and any(b > a for a, b in zip(scores, scores[1:],
                                                                     strict=False)):
            node.fail("thresholds", "for 'lower_better' the points must not rise as the value "
                      "rises")
        if entry.data_type == "boolean" and any(v not in (0, 1) for v, _ in thresholds):
            node.fail("thresholds", "a boolean indicator's steps are at 0 (no) or 1 (yes)")
    source, confidence = node.provenance()
    return RatedIndicator(
        code=code, pillar=pillar, topic=topic, weight=node.number("weight", low=0, high=1),
        direction=direction, normalisation=normalisation, thresholds=thresholds,
        choice_scores=choice_scores,
        not_applicable_allowed=node.boolean("not_applicable_allowed"),
        data_type=entry.data_type, choices=choices, name_zh=entry.name_zh,
        name_en=entry.name_en, source=source, confidence=confidence,
    )


def _read(file_name: str) -> str:
    path = METHODOLOGY_DIR / file_name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(file=file_name, row="(file)", field="",
                            reason="no such methodology file") from exc


@lru_cache(maxsize=8)
def load_methodology(version: str | None = None) -> Methodology:
    """Load and check the rating methodology of ``version`` (the current one by default)."""
    version = version or DEFAULT_VERSION
    name = f"rating-{version}.toml"
    methodology = parse_methodology(_read(name), name=name)
    if methodology.version != version:
        raise DataFileError(file=name, row="(top level)", field="version",
                            reason=f"the file says version {methodology.version}, not {version}")
    return methodology


def parse_green_methodology(
    text: str, *, name: str, catalogue: Catalogue | None = None,
    profile: CityProfile | None = None,
) -> GreenMethodology:
    """Parse and check a green score methodology TOML text; ``name`` names the file in messages."""
    catalogue = catalogue or load_catalogue()
    profile = profile or load_city_profile()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(file=name, row="(syntax)", field="", reason=str(exc)) from exc
    root = TomlTable(data, name, confidences=CONFIDENCES)
    root.allow(
        "version", "kind", "title_zh", "title_en", "materiality_from", "description_zh",
        "description_en", "peers", "component", "certification", "green_industry",
        "deductions", "labels", "label", "label_cap",
    )
    if root.text("kind") != GREEN_KIND:
        root.fail("kind", f"expected {GREEN_KIND!r}")
    peers = root.child("peers")
    peers.allow("min_peers", "fallback", "sole_reporter_score", "source", "confidence")
    if peers.raw("fallback") != list(PEER_FALLBACK):
        peers.fail("fallback", "this engine implements the fallback [\"group\", \"all\"] only")

    components = []
    for key, node in root.children("component"):
        if key not in GREEN_COMPONENTS:
            node.fail("", f"unknown component {key!r}; expected one of "
                      + ", ".join(GREEN_COMPONENTS))
        common = ("name_zh", "name_en", "weight", "unknown", "source", "confidence")
        extra: dict[str, Any] = {}
        if key == "carbon_efficiency":
            node.allow(*common, "indicator", "direction")
            code = node.text("indicator")
            if code not in catalogue:
                node.fail("indicator", f"unknown indicator code {code!r}")
            if not catalogue.get(code).is_numeric:
                node.fail("indicator", f"{code} is not a numeric indicator")
            extra = dict(indicator=code, direction=node.choice("direction", DIRECTIONS))
        elif key == "green_industry":
            node.allow(*common, "member_score", "non_member_score")
            extra = dict(member_score=node.number("member_score", low=0, high=100),
                         non_member_score=node.number("non_member_score", low=0, high=100))
        elif key == "env_credit":
            node.allow(*common, "scores")
            extra = dict(scores=node.mapping("scores", ENV_CREDIT_COLOURS, high=100))
        else:
            node.allow(*common, "cap")
            extra = dict(cap=node.number("cap", low=0, high=100))
        source, confidence = node.provenance()
        components.append(GreenComponent(
            key=key, name_zh=node.text("name_zh"), name_en=node.text("name_en"),
            weight=node.number("weight", low=0, high=1),
            unknown=node.choice("unknown", UNKNOWN_HANDLING), source=source,
            confidence=confidence, **extra,
        ))
    root.child("component").check_sum("weight", [c.weight for c in components], "the components")

    certifications = []
    seen: set[str] = set()
    for node in root.array("certification"):
        node.allow("key", "record", "name_zh", "name_en", "points", "exclusive", "source",
                   "confidence")
        key = node.text("key")
        node.path = f"certification.{key}"
        if key in seen:
            node.fail("key", f"{key!r} appears twice")
        seen.add(key)
        source, confidence = node.provenance()
        certifications.append(Certification(
            key=key, record=node.choice("record", CERTIFICATION_RECORDS),
            name_zh=node.text("name_zh"), name_en=node.text("name_en"),
            points=node.number("points", low=0, high=100),
            exclusive=node.text("exclusive", empty=True), source=source, confidence=confidence,
        ))

    industry = root.child("green_industry")
    industry.allow("catalogue", "catalogue_source", "catalogue_confidence", "category", "map")
    categories = []
    for node in industry.array("category"):
        node.allow("key", "name_zh", "name_en")
        categories.append(GreenCategory(
            key=node.text("key"), name_zh=node.text("name_zh"), name_en=node.text("name_en"),
        ))
    category_keys = [c.key for c in categories]
    lead_keys = [lead.key for lead in profile.lead_industries]
    mappings = []
    for node in industry.array("map"):
        node.allow("industry", "lead_industry", "category", "source", "confidence")
        code = node.text("industry", default="")
        lead = node.text("lead_industry", default="")
        if bool(code) == bool(lead):
            node.fail("industry", "give either an industry code or a lead industry")
        if code:
            try:
                code = profile.normalise_industry_code(code)
                profile.industry_lineage(code)
            except KeyError:
                node.fail("industry", f"{code!r} is not a GB/T 4754 code of the city profile")
        if lead and lead not in lead_keys:
            node.fail("lead_industry", f"{lead!r} is not a lead industry of the city profile")
        source, confidence = node.provenance()
        mappings.append(GreenMapping(
            industry=code, lead_industry=lead, category=node.choice("category", category_keys),
            source=source, confidence=confidence,
        ))

    cap, dsource, dconfidence, rules = _parse_deductions(root, in_green=True)
    labels_node = root.child("labels")
    labels_node.allow("names_source", "names_confidence")
    names_source, names_confidence = labels_node.provenance("names_")
    labels = _parse_bands(root, "label", named=True)
    label_keys = [label.key for label in labels]
    cap_node = root.child("label_cap")
    cap_node.allow(*ENV_CREDIT_COLOURS, "source", "confidence")
    label_cap = tuple(
        (colour, cap_node.choice(colour, label_keys))
        for colour in ENV_CREDIT_COLOURS if cap_node.has(colour)
    )
    peers_source, peers_confidence = peers.provenance()
    catalogue_source, catalogue_confidence = industry.provenance("catalogue_")
    cap_source, cap_confidence = cap_node.provenance()
    return GreenMethodology(
        name=name, text=text, version=root.text("version"),
        title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        description_zh=root.text("description_zh"), description_en=root.text("description_en"),
        materiality_from=root.text("materiality_from"),
        min_peers=peers.integer("min_peers", low=2),
        sole_reporter_score=peers.number("sole_reporter_score", low=0, high=100),
        peers_source=peers_source, peers_confidence=peers_confidence,
        components=tuple(components), certifications=tuple(certifications),
        catalogue=industry.text("catalogue"), catalogue_source=catalogue_source,
        catalogue_confidence=catalogue_confidence, categories=tuple(categories),
        mappings=tuple(mappings), deduction_cap=cap, deduction_source=dsource,
        deduction_confidence=dconfidence, deductions=rules, labels=labels,
        names_source=names_source, names_confidence=names_confidence, label_cap=label_cap,
        label_cap_source=cap_source, label_cap_confidence=cap_confidence,
    )


@lru_cache(maxsize=8)
def load_green_methodology(version: str | None = None) -> GreenMethodology:
    """Load and check the green score methodology of ``version`` (the current one by default)."""
    version = version or DEFAULT_VERSION
    name = f"green-score-{version}.toml"
    methodology = parse_green_methodology(_read(name), name=name)
    if methodology.version != version:
        raise DataFileError(file=name, row="(top level)", field="version",
                            reason=f"the file says version {methodology.version}, not {version}")
    return methodology


def materiality_group(
    industry_code: str, methodology: Methodology | None = None,
    profile: CityProfile | None = None,
) -> str:
    """The materiality group of a GB/T 4754 code: its lead industry's group, else the defaults."""
    methodology = methodology or load_methodology()
    profile = profile or load_city_profile()
    return _group_of(industry_code, methodology, profile)


def _group_of(industry_code: str, methodology: Methodology, profile: CityProfile) -> str:
    try:
        section = profile.normalise_industry_code(industry_code)[0]
    except KeyError:
        return methodology.default_group
    try:
        lead = profile.lead_industry_of(industry_code)
    except KeyError:
        lead = None
    if lead is not None:
        for group in methodology.groups:
            if lead.key in group.lead_industries:
                return group.key
    return dict(methodology.default_by_section).get(section, methodology.default_group)


# --------------------------------------------------------------------------------------------
# Columnar input


def _status_code(status: Any) -> int:
    if isinstance(status, int | np.integer) and int(status) in (MISSING, REPORTED, NOT_APPLICABLE):
        return int(status)
    if isinstance(status, str) and status in STATUS_NAMES:
        return STATUS_NAMES.index(status)
    raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUS_NAMES)}")


def _encode_value(value: Any, data_type: str, choices: Sequence[str], code: str) -> float:
    """A value as the float the values matrix holds: booleans 1/0, choices by position."""
    if value is None:
        return math.nan
    if data_type == "choice":
        if isinstance(value, str):
            if value not in choices:
                raise ValueError(f"{code} has no choice {value!r}")
            return float(choices.index(value))
        return float(value)
    if data_type == "boolean":
        if isinstance(value, str):
            raise ValueError(f"{code} expects a yes/no value, not {value!r}")
        return 1.0 if bool(value) else 0.0
    if isinstance(value, str):
        raise ValueError(f"{code} expects a number, not {value!r}")
    return float(value)


@dataclass(frozen=True, eq=False)
class RatingInput:
    """One year's rating inputs: enterprises × indicators values, statuses and government records.

    ``values[e, j]`` is enterprise ``enterprises[e]``'s value of indicator ``codes[j]`` in the
    catalogue's canonical unit (booleans 1/0, a choice by its position in the catalogue's
    choices), NaN when there is none; ``status[e, j]`` is :data:`MISSING`, :data:`REPORTED` or
    :data:`NOT_APPLICABLE`. The materiality group of enterprise ``e`` is
    ``group_keys[group_index[e]]``. The record columns hold environmental penalties (count and
    amount in 万元), work-safety accidents (fatal, serious), the tax credit grade and the
    environmental credit colour (positions in :data:`TAX_CREDIT_GRADES` and
    :data:`ENV_CREDIT_COLOURS`, -1 when there is none), certifications (one boolean column per
    :data:`CERTIFICATION_RECORDS`), a confirmed green catalogue category and the GB/T 4754 code.
    """

    enterprises: tuple[str, ...]
    year: int
    group_keys: tuple[str, ...]
    group_index: np.ndarray
    codes: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray
    env_penalty_count: np.ndarray | None = None
    env_penalty_amount: np.ndarray | None = None
    fatal_accidents: np.ndarray | None = None
    serious_accidents: np.ndarray | None = None
    tax_credit: np.ndarray | None = None
    env_credit: np.ndarray | None = None
    certifications: np.ndarray | None = None
    industry_codes: tuple[str, ...] = ()
    green_category: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        n, k = len(self.enterprises), len(self.codes)
        if len(set(self.enterprises)) != n:
            raise ValueError("the enterprise ids must be unique")
        if len(set(self.codes)) != k:
            raise ValueError("the indicator codes must be unique")
        values = np.asarray(self.values, dtype=np.float64).reshape(n, k)
        status = np.asarray(self.status, dtype=np.int8).reshape(n, k)
        if status.size and (status.min() < MISSING or status.max() > NOT_APPLICABLE):
            raise ValueError("a status must be 0 (missing), 1 (reported) or 2 (not applicable)")
        index = np.asarray(self.group_index, dtype=np.int64).reshape(n)
        if n and (index.min() < 0 or index.max() >= len(self.group_keys)):
            raise ValueError("a group index is outside group_keys")
        sets = dict(values=values, status=status, group_index=index)
        for name in NUMERIC_RECORDS:
            column = getattr(self, name)
            column = np.zeros(n) if column is None else np.asarray(column, dtype=np.float64)
            if column.shape != (n,) or np.any(~np.isfinite(column)) or np.any(column < 0):
                raise ValueError(f"{name} must hold one non-negative number per enterprise")
            sets[name] = column
        for name, scale in (("tax_credit", TAX_CREDIT_GRADES), ("env_credit", ENV_CREDIT_COLOURS)):
            column = getattr(self, name)
            column = np.full(n, -1, np.int8) if column is None else np.asarray(column, np.int8)
            if column.shape != (n,) or np.any(column < -1) or np.any(column >= len(scale)):
                raise ValueError(f"{name} must hold one position in {scale} (or -1) each")
            sets[name] = column
        certs = self.certifications
        certs = (np.zeros((n, len(CERTIFICATION_RECORDS)), bool) if certs is None
                 else np.asarray(certs, dtype=bool).reshape(n, len(CERTIFICATION_RECORDS)))
        sets["certifications"] = certs
        for name in ("industry_codes", "green_category"):
            column = tuple(getattr(self, name)) or ("",) * n
            if len(column) != n:
                raise ValueError(f"{name} must have one entry per enterprise")
            sets[name] = column
        for name, value in sets.items():
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.enterprises)

    @property
    def groups(self) -> tuple[str, ...]:
        """The materiality group key of every enterprise."""
        return tuple(np.asarray(self.group_keys, dtype=object)[self.group_index])

    def index(self, enterprise: str) -> int:
        """The row of an enterprise (KeyError when it is not in the input)."""
        rows = self._cache.get("rows")
        if rows is None:
            rows = {e: n for n, e in enumerate(self.enterprises)}
            self._cache["rows"] = rows
        return rows[enterprise]

    def hash(self) -> str:
        """The sha256 of the canonical inputs (enterprises and indicators sorted, values only
        where reported), so that equal inputs in any row or column order hash alike."""
        cached = self._cache.get("hash")
        if cached is None:
            cached = _inputs_hash(self)
            self._cache["hash"] = cached
        return cached

    def take(self, rows: Sequence[int] | np.ndarray) -> RatingInput:
        """A new input with the given rows (a subset or a reordering)."""
        rows = np.asarray(rows, dtype=np.int64)
        pick = rows.tolist()
        return RatingInput(
            enterprises=tuple(self.enterprises[r] for r in pick), year=self.year,
            group_keys=self.group_keys, group_index=self.group_index[rows], codes=self.codes,
            values=self.values[rows], status=self.status[rows],
            **{name: getattr(self, name)[rows] for name in _ARRAY_RECORDS},
            industry_codes=tuple(self.industry_codes[r] for r in pick),
            green_category=tuple(self.green_category[r] for r in pick),
        )

    def with_value(self, enterprise: str, code: str, value: float,
                   status: int = REPORTED) -> RatingInput:
        """A copy in which one enterprise's value of ``code`` is replaced."""
        row, column = self.index(enterprise), self.codes.index(code)
        values, statuses = self.values.copy(), self.status.copy()
        values[row, column] = value
        statuses[row, column] = status
        return self._replace(values=values, status=statuses)

    def _replace(self, **changes: Any) -> RatingInput:
        fields = dict(
            enterprises=self.enterprises, year=self.year, group_keys=self.group_keys,
            group_index=self.group_index, codes=self.codes, values=self.values,
            status=self.status, industry_codes=self.industry_codes,
            green_category=self.green_category,
            **{name: getattr(self, name) for name in _ARRAY_RECORDS},
        )
        fields.update(changes)
        return RatingInput(**fields)

    @classmethod
    def from_long(
        cls, rows: Iterable[tuple[str, str, Any, Any]], groups: Mapping[str, str],
        records: Mapping[str, Mapping[str, Any]] | None = None, *, year: int = 0,
        methodology: Methodology | None = None, industries: Mapping[str, str] | None = None,
    ) -> RatingInput:
        """Build the input from long rows ``(enterprise, indicator, value, status)``.

        ``groups`` maps every enterprise to its materiality group; ``records`` maps an
        enterprise to its government records (keys of :data:`RECORD_FIELDS`: counts, amounts,
        ``tax_credit`` "A"–"D", ``env_credit`` "green"–"black", ``cert_*`` booleans,
        ``green_catalogue_category``); ``industries`` maps an enterprise to its GB/T 4754 code.
        Rows of indicators that the methodology does not rate are ignored; a choice value is
        its key; a status is "reported", "not_applicable", "missing" or its code.
        """
        methodology = methodology or load_methodology()
        records = records or {}
        industries = industries or {}
        rows = list(rows)
        names = set(groups) | {row[0] for row in rows}
        unknown = sorted(names - set(groups))
        if unknown:
            raise ValueError(f"no materiality group for {unknown[0]!r}")
        enterprises = tuple(sorted(names))
        position = {e: n for n, e in enumerate(enterprises)}
        codes = methodology.codes
        n, k = len(enterprises), len(codes)
        values = np.full((n, k), np.nan)
        status = np.zeros((n, k), np.int8)
        seen: set[tuple[str, str]] = set()
        for enterprise, code, value, state in rows:
            if code not in methodology._index["by_code"]:
                continue
            if (enterprise, code) in seen:
                raise ValueError(f"{enterprise} has two rows for {code}")
            seen.add((enterprise, code))
            indicator = methodology.indicator(code)
            column = methodology.column(code)
            row = position[enterprise]
            state = _status_code(state)
            status[row, column] = state
            if state == REPORTED:
                values[row, column] = _encode_value(
                    value, indicator.data_type, indicator.choices, code
                )
        group_keys = tuple(sorted(set(groups.values())))
        for key in group_keys:
            methodology.group(key)  # KeyError for an unknown group
        group_position = {key: n for n, key in enumerate(group_keys)}
        arrays = _records_arrays(enterprises, records)
        return cls(
            enterprises=enterprises, year=int(year), group_keys=group_keys,
            group_index=np.array([group_position[groups[e]] for e in enterprises], np.int64),
            codes=codes, values=values, status=status,
            industry_codes=tuple(industries.get(e, "") for e in enterprises), **arrays,
        )

    @classmethod
    def from_synthetic(
        cls, values: Any, year: int, *, methodology: Methodology | None = None,
        records: Mapping[str, np.ndarray] | None = None, profile: CityProfile | None = None,
    ) -> RatingInput:
        """Build the input for one year from :class:`czesg.engine.synth.SyntheticValues`.

        ``records`` optionally gives whole record columns (``env_penalty_count`` etc., as
        arrays in enterprise order); without them every enterprise has a clean record.
        """
        methodology = methodology or load_methodology()
        profile = profile or load_city_profile()
        enterprises = values.enterprises
        n, codes = len(enterprises), methodology.codes
        column_of = np.full(len(values.codes), -1, np.int64)
        for column, code in enumerate(codes):
            if code in values.codes:
                column_of[values.codes.index(code)] = column
        matrix = np.full((n, len(codes)), np.nan)
        status = np.zeros((n, len(codes)), np.int8)
        kinds = np.array([{"boolean": 1, "choice": 2}.get(t, 0) for t in values.data_types])
        rows = (values.year == year) & (column_of[values.indicator] >= 0)
        indicator = values.indicator[rows]
        kind = kinds[indicator]
        cell = np.where(kind == 1, values.boolean[rows].astype(float),
                        np.where(kind == 2, values.choice[rows].astype(float), values.number[rows]))
        matrix[values.enterprise_index[rows], column_of[indicator]] = cell
        status[values.enterprise_index[rows], column_of[indicator]] = REPORTED
        na = (values.na_year == year) & (column_of[values.na_indicator] >= 0)
        status[values.na_enterprise_index[na], column_of[values.na_indicator[na]]] = NOT_APPLICABLE
        industry_codes = tuple(e.industry_code for e in enterprises)
        unique = sorted(set(industry_codes))
        group_of_code = {code: _group_of(code, methodology, profile) for code in unique}
        group_keys = tuple(sorted(set(group_of_code.values())))
        lookup = np.array([group_keys.index(group_of_code[c]) for c in unique], np.int64)
        _, inverse = np.unique(np.asarray(industry_codes), return_inverse=True)
        arrays = {name: (records or {}).get(name) for name in _ARRAY_RECORDS}
        return cls(
            enterprises=tuple(e.uscc for e in enterprises), year=int(year),
            group_keys=group_keys, group_index=lookup[inverse], codes=codes, values=matrix,
            status=status, industry_codes=industry_codes, **arrays,
        )


_ARRAY_RECORDS: tuple[str, ...] = (*NUMERIC_RECORDS, "tax_credit", "env_credit", "certifications")


def _records_arrays(enterprises: Sequence[str], records: Mapping[str, Mapping[str, Any]]
                    ) -> dict[str, Any]:
    """Record columns from per-enterprise mappings (absent = a clean record)."""
    n = len(enterprises)
    out: dict[str, Any] = {name: np.zeros(n) for name in NUMERIC_RECORDS}
    out["tax_credit"] = np.full(n, -1, np.int8)
    out["env_credit"] = np.full(n, -1, np.int8)
    out["certifications"] = np.zeros((n, len(CERTIFICATION_RECORDS)), bool)
    category = [""] * n
    for row, enterprise in enumerate(enterprises):
        record = records.get(enterprise)
        if not record:
            continue
        unknown = sorted(set(record) - set(RECORD_FIELDS))
        if unknown:
            raise ValueError(f"unknown record field {unknown[0]!r} for {enterprise}")
        for name in NUMERIC_RECORDS:
            if record.get(name) is not None:
                out[name][row] = float(record[name])
        for name, scale in (("tax_credit", TAX_CREDIT_GRADES), ("env_credit", ENV_CREDIT_COLOURS)):
            value = record.get(name) or ""
            if value:
                if value not in scale:
                    raise ValueError(f"{enterprise}: {name} {value!r} is not one of {scale}")
                out[name][row] = scale.index(value)
        for column, name in enumerate(CERTIFICATION_RECORDS):
            out["certifications"][row, column] = bool(record.get(name, False))
        category[row] = str(record.get("green_catalogue_category") or "")
    out["green_category"] = tuple(category)
    return out


def _inputs_hash(inputs: RatingInput) -> str:
    """sha256 over the canonical, enterprise-sorted and code-sorted inputs."""
    rows = np.argsort(np.asarray(inputs.enterprises, dtype=str), kind="stable")
    columns = np.argsort(np.asarray(inputs.codes, dtype=str), kind="stable")
    digest = hashlib.sha256()
    header = {
        "format": "czesg-rating-input/1", "year": inputs.year,
        "codes": [inputs.codes[c] for c in columns.tolist()],
        "certifications": list(CERTIFICATION_RECORDS),
    }
    digest.update(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    groups = np.asarray(inputs.group_keys, dtype=object)[inputs.group_index]
    for column in (inputs.enterprises, groups, inputs.industry_codes, inputs.green_category):
        texts = np.asarray(column, dtype=object)[rows].tolist()
        digest.update(b"\x1e" + "\x1f".join(texts).encode("utf-8"))
    cells = np.ix_(rows, columns)
    status = inputs.status[cells]
    values = inputs.values[cells]
    values = np.where((status == REPORTED) & np.isfinite(values), values + 0.0, np.nan)
    digest.update(np.ascontiguousarray(status, dtype="<i1").tobytes())
    digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    for name in _ARRAY_RECORDS:
        column = getattr(inputs, name)[rows]
        digest.update(np.ascontiguousarray(column, dtype="<f8").tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# The scoring core (indicator-major arrays: one row per indicator, one column per enterprise)


def _percent(less: np.ndarray, tied: np.ndarray, size: np.ndarray, sole: float) -> np.ndarray:
    """100 × (worse + ½ × tied) ÷ (size − 1), or ``sole`` for a sole reporter (shared by every
    path so that a re-scored candidate equals a full re-run bit for bit)."""
    less = np.asarray(less, dtype=np.float64)
    tied = np.asarray(tied, dtype=np.float64)
    denominator = np.asarray(size, dtype=np.float64) - 1.0
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, 100.0 * (less + 0.5 * tied) / safe, sole)


def _runs(change: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a sorted sequence with ``change`` marking run starts: each element's run start and
    run length."""
    starts = np.flatnonzero(change)
    run = np.cumsum(change) - 1
    lengths = np.diff(np.append(starts, change.size))
    return starts[run], lengths[run]


def _percentile_column(
    x: np.ndarray, reported: np.ndarray, group: np.ndarray, n_groups: int, min_peers: int,
    sole: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile scores of one indicator (``x`` oriented so that larger is better).

    Returns score, peer level, peer size and rank (1 = best) for every enterprise; zeros where
    the enterprise did not report.
    """
    n = x.size
    score = np.zeros(n)
    level = np.zeros(n, np.int8)
    size = np.zeros(n, np.int32)
    rank = np.zeros(n, np.int32)
    where = np.flatnonzero(reported)
    m = where.size
    if m == 0:
        return score, level, size, rank
    xs, gs = x[where], group[where]
    order = np.argsort(xs, kind="stable")
    sorted_x = xs[order]
    change = np.empty(m, bool)
    change[0] = True
    np.not_equal(sorted_x[1:], sorted_x[:-1], out=change[1:])
    start, length = _runs(change)
    less_all = np.empty(m, np.int64)
    tied_all = np.empty(m, np.int64)
    less_all[order] = start
    tied_all[order] = length - 1

    sorted_g = gs[order]
    order2 = np.argsort(sorted_g, kind="stable")
    both = order[order2]
    gx, gg = sorted_x[order2], sorted_g[order2]
    counts = np.bincount(gs, minlength=n_groups)
    first = np.cumsum(counts) - counts
    change[1:] = (gx[1:] != gx[:-1]) | (gg[1:] != gg[:-1])
    start, length = _runs(change)
    less_group = np.empty(m, np.int64)
    tied_group = np.empty(m, np.int64)
    less_group[both] = start - first[gg]
    tied_group[both] = length - 1

    in_group = counts[gs]
    use_group = in_group >= min_peers
    less = np.where(use_group, less_group, less_all)
    tied = np.where(use_group, tied_group, tied_all)
    peers = np.where(use_group, in_group, m)
    score[where] = _percent(less, tied, peers, sole)
    level[where] = np.where(use_group, PEER_GROUP, PEER_ALL)
    size[where] = peers
    rank[where] = peers - less - tied
    return score, level, size, rank


@dataclass
class _Prepared:
    """Inputs aligned to the methodology's columns (indicator-major)."""

    values: np.ndarray      # k × n, NaN where not reported
    reported: np.ndarray    # k × n bool
    dropped: np.ndarray     # k × n bool: not applicable where allowed (weight removed)
    group: np.ndarray       # n, index into methodology.groups
    inputs: RatingInput


def _prepare(inputs: RatingInput, methodology: Methodology) -> _Prepared:
    codes = methodology.codes
    k, n = len(codes), len(inputs)
    position = {code: column for column, code in enumerate(inputs.codes)}
    targets = [j for j, code in enumerate(codes) if code in position]
    sources = [position[codes[j]] for j in targets]
    values = np.full((k, n), np.nan)
    status = np.zeros((k, n), np.int8)
    if targets:
        values[targets] = inputs.values[:, sources].T
        status[targets] = inputs.status[:, sources].T
    reported = (status == REPORTED) & np.isfinite(values)
    values[~reported] = np.nan
    allowed = np.array([i.not_applicable_allowed for i in methodology.indicators], bool)
    dropped = (status == NOT_APPLICABLE) & allowed[:, None]
    lookup = np.array([methodology.group_index(key) for key in inputs.group_keys], np.int64)
    group = lookup[inputs.group_index] if n else np.zeros(0, np.int64)
    return _Prepared(values=values, reported=reported, dropped=dropped, group=group,
                     inputs=inputs)


def _oriented(indicator: RatedIndicator, values: np.ndarray) -> np.ndarray:
    return values if indicator.higher_is_better else -values


def _indicator_scores(prepared: _Prepared, methodology: Methodology, *, neutral: bool = False
                      ) -> dict[str, np.ndarray]:
    """Scores 0–100 of every indicator and enterprise, with the peer level, size and rank."""
    k, n = prepared.values.shape
    scores = np.zeros((k, n))
    level = np.zeros((k, n), np.int8)
    size = np.zeros((k, n), np.int32)
    rank = np.zeros((k, n), np.int32)
    n_groups = len(methodology.groups)
    for j, indicator in enumerate(methodology.indicators):
        reported = prepared.reported[j]
        if indicator.normalisation == "absolute":
            scores[j] = np.where(reported, indicator.absolute_scores(prepared.values[j]), 0.0)
        elif neutral:
            scores[j] = np.where(reported, methodology.neutral_score, 0.0)
        else:
            scores[j], level[j], size[j], rank[j] = _percentile_column(
                _oriented(indicator, prepared.values[j]), reported, prepared.group, n_groups,
                methodology.min_peers, methodology.sole_reporter_score,
            )
    return dict(scores=scores, level=level, size=size, rank=rank)


def _topic_spans(methodology: Methodology) -> list[tuple[int, int, int]]:
    """(first column, end column, pillar position) of every topic, in column order."""
    spans, column = [], 0
    for p, pillar in enumerate(methodology.pillars):
        for topic in pillar.topics:
            spans.append((column, column + len(topic.indicators), p))
            column += len(topic.indicators)
    return spans


def _aggregate(scores: np.ndarray, dropped: np.ndarray, group: np.ndarray,
               methodology: Methodology) -> dict[str, np.ndarray]:
    """Topic, pillar and total scores with each indicator's effective weight in the total.

    Every sum runs over indicators in a fixed order, column by column, so that an enterprise's
    result never depends on the other rows.
    """
    k, n = scores.shape
    applicable = ~dropped
    weight = np.array([i.weight for i in methodology.indicators])
    raw = np.where(applicable, weight[:, None], 0.0)
    spans = _topic_spans(methodology)
    t = len(spans)
    topic_weight = np.zeros((t, n))
    topic_sum = np.zeros((t, n))
    for index, (first, end, _) in enumerate(spans):
        for j in range(first, end):
            topic_weight[index] += raw[j]
            topic_sum[index] += raw[j] * scores[j]
    present = topic_weight > 0
    safe_weight = np.where(present, topic_weight, 1.0)
    topic_scores = np.where(present, topic_sum / safe_weight, np.nan)

    n_pillars = len(methodology.pillars)
    topic_raw = np.zeros((t, n))
    pillar_weight = np.zeros((n_pillars, n))
    for index, (_, _, p) in enumerate(spans):
        topic_raw[index] = np.where(present[index], methodology.topics[index].weight, 0.0)
        pillar_weight[p] += topic_raw[index]
    pillar_present = pillar_weight > 0
    safe_pillar = np.where(pillar_present, pillar_weight, 1.0)
    topic_share = np.zeros((t, n))
    pillar_scores = np.zeros((n_pillars, n))
    for index, (_, _, p) in enumerate(spans):
        topic_share[index] = topic_raw[index] / safe_pillar[p]
        pillar_scores[p] += topic_share[index] * np.where(present[index], topic_scores[index], 0)
    pillar_scores = np.where(pillar_present, pillar_scores, np.nan)

    group_weights = np.array([[g.weight(p.key) for p in methodology.pillars]
                              for g in methodology.groups]).reshape(-1, n_pillars)
    default = group_weights[group].T if n else np.zeros((n_pillars, 0))
    pillar_raw = np.where(pillar_present, default, 0.0)
    total_weight = np.zeros(n)
    for p in range(n_pillars):
        total_weight += pillar_raw[p]
    safe_total = np.where(total_weight > 0, total_weight, 1.0)
    pillar_share = pillar_raw / safe_total

    effective = np.zeros((k, n))
    total = np.zeros(n)
    for index, (first, end, p) in enumerate(spans):
        outer = topic_share[index] * pillar_share[p]
        for j in range(first, end):
            effective[j] = raw[j] / safe_weight[index] * outer
            total += effective[j] * scores[j]
    return dict(effective=effective, topic_scores=topic_scores, pillar_scores=pillar_scores,
                pillar_weights=pillar_share, total=total)


def _step_points(steps: Sequence[tuple[float, float]], amounts: np.ndarray) -> np.ndarray:
    """Points of the last step whose threshold the amount reaches (0 below the first)."""
    if not steps:
        return np.zeros(amounts.shape)
    thresholds = np.array([a for a, _ in steps])
    points = np.array([0.0] + [p for _, p in steps])
    return points[np.searchsorted(thresholds, amounts, side="right")]


def _deduction_points(rules: Sequence[DeductionRule], cap: float, records: Any
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Points of each deduction rule (capped per rule) and their capped sum, per enterprise."""
    n = records.env_penalty_count.shape[0]
    points = np.zeros((len(rules), n))
    for r, rule in enumerate(rules):
        if rule.key == "env_penalties":
            value = (np.minimum(records.env_penalty_count * rule.points_per_count, rule.count_cap)
                     + _step_points(rule.amount_steps, records.env_penalty_amount))
        elif rule.key == "safety_accidents":
            value = (records.fatal_accidents * rule.points_per_fatal
                     + records.serious_accidents * rule.points_per_serious)
        else:
            column = records.tax_credit if rule.key == "tax_credit" else records.env_credit
            table = np.array([p for _, p in rule.points] + [0.0])
            value = table[np.where(column < 0, len(rule.points), column)]
        points[r] = np.minimum(value, rule.cap)
    total = np.zeros(n)
    for r in range(len(rules)):
        total += points[r]
    return points, np.minimum(total, cap)


@dataclass(frozen=True, eq=False)
class RatingResult:
    """The rating of every enterprise of a :class:`RatingInput` (rows in the input's order).

    Matrices are enterprises × indicators (``codes``), topics (``topic_keys``, "E.climate"),
    pillars (``pillar_keys``) or deductions (``deduction_keys``). ``indicator_scores`` is NaN
    where an indicator was not applicable (its weight removed) and 0 where data is missing;
    ``weights`` is each indicator's effective weight in the total, so ``total`` is the sum of
    ``weights × indicator_scores``. ``peer_level`` says which peer set ranked a percentile
    indicator (:data:`PEER_LEVELS`: 1 the materiality group, 2 all enterprises after fallback,
    0 not ranked); ``peer_size`` and ``peer_rank`` (1 = best) place the enterprise in it.
    ``deductions`` is what was actually subtracted (never more than the total), and
    ``score = total − deductions``.
    """

    methodology_version: str
    inputs_hash: str
    year: int
    enterprises: tuple[str, ...]
    groups: tuple[str, ...]
    codes: tuple[str, ...]
    topic_keys: tuple[str, ...]
    pillar_keys: tuple[str, ...]
    deduction_keys: tuple[str, ...]
    status: np.ndarray
    indicator_scores: np.ndarray
    weights: np.ndarray
    peer_level: np.ndarray
    peer_size: np.ndarray
    peer_rank: np.ndarray
    topic_scores: np.ndarray
    pillar_scores: np.ndarray
    pillar_weights: np.ndarray
    total: np.ndarray
    deduction_points: np.ndarray
    deductions: np.ndarray
    score: np.ndarray
    grade_index: np.ndarray
    grades: tuple[str, ...]
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.enterprises)

    @property
    def grade(self) -> np.ndarray:
        """The grade of every enterprise (an object array of "AAA" … "C")."""
        return np.asarray(self.grades, dtype=object)[self.grade_index]

    def index(self, enterprise: str) -> int:
        """The row of an enterprise (KeyError when it was not rated)."""
        if not self._rows:
            self._rows.update({e: n for n, e in enumerate(self.enterprises)})
        return self._rows[enterprise]

    def row(self, enterprise: str) -> dict[str, Any]:
        """One enterprise's score, grade, total, deductions and pillar scores as plain data."""
        e = self.index(enterprise)
        return {
            "enterprise": enterprise, "group": self.groups[e],
            "score": float(self.score[e]), "grade": self.grades[self.grade_index[e]],
            "total": float(self.total[e]), "deductions": float(self.deductions[e]),
            "pillars": {p: _float(self.pillar_scores[e, n]) for n, p in enumerate(self.pillar_keys)},
            "methodology_version": self.methodology_version, "inputs_hash": self.inputs_hash,
        }

    def fingerprint(self) -> str:
        """A sha256 over every output array, to compare two runs bit for bit."""
        digest = hashlib.sha256()
        digest.update(json.dumps([
            self.methodology_version, self.inputs_hash, self.year, list(self.enterprises),
            list(self.groups), list(self.codes), list(self.grades),
        ]).encode("utf-8"))
        for name in _RESULT_ARRAYS:
            digest.update(np.ascontiguousarray(getattr(self, name)).tobytes())
        return digest.hexdigest()


_RESULT_ARRAYS: tuple[str, ...] = (
    "status", "indicator_scores", "weights", "peer_level", "peer_size", "peer_rank",
    "topic_scores", "pillar_scores", "pillar_weights", "total", "deduction_points",
    "deductions", "score", "grade_index",
)


def _float(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _finish(prepared: _Prepared, methodology: Methodology, parts: dict[str, np.ndarray],
            inputs_hash: str) -> RatingResult:
    """Aggregate indicator scores, subtract deductions, grade, and package the result."""
    inputs = prepared.inputs
    totals = _aggregate(parts["scores"], prepared.dropped, prepared.group, methodology)
    points, deduction = _deduction_points(methodology.deductions, methodology.deduction_cap,
                                          inputs)
    total = totals["total"]
    applied = np.minimum(deduction, total)
    score = total - applied
    status = np.where(prepared.reported, REPORTED, np.where(prepared.dropped, NOT_APPLICABLE,
                                                             MISSING)).astype(np.int8)
    shown = np.where(prepared.dropped, np.nan, parts["scores"])
    return RatingResult(
        methodology_version=methodology.version, inputs_hash=inputs_hash, year=inputs.year,
        enterprises=inputs.enterprises,
        groups=tuple(np.asarray(methodology.group_keys, dtype=object)[prepared.group].tolist()),
        codes=methodology.codes,
        topic_keys=tuple(f"{t.pillar}.{t.key}" for t in methodology.topics),
        pillar_keys=tuple(p.key for p in methodology.pillars),
        deduction_keys=tuple(d.key for d in methodology.deductions),
        status=status.T, indicator_scores=shown.T, weights=totals["effective"].T,
        peer_level=parts["level"].T, peer_size=parts["size"].T, peer_rank=parts["rank"].T,
        topic_scores=totals["topic_scores"].T, pillar_scores=totals["pillar_scores"].T,
        pillar_weights=totals["pillar_weights"].T, total=total, deduction_points=points.T,
        deductions=applied, score=score,
        grade_index=_band_index(methodology.bands, score),
        grades=tuple(b.key for b in methodology.bands),
    )


def rate(inputs: RatingInput, methodology: Methodology | None = None) -> RatingResult:
    """Rate every enterprise of ``inputs`` at once (vectorised over enterprises)."""
    methodology = methodology or load_methodology()
    prepared = _prepare(inputs, methodology)
    parts = _indicator_scores(prepared, methodology)
    return _finish(prepared, methodology, parts, inputs.hash())


def reproduce(inputs: RatingInput, methodology: Methodology | None = None, *,
              expected_hash: str | None = None) -> RatingResult:
    """Re-run a rating from its inputs and the methodology's own text; with ``expected_hash``
    refuse inputs that differ from those the stored rating used."""
    methodology = methodology or load_methodology()
    if expected_hash is not None and inputs.hash() != expected_hash:
        raise ValueError(f"the inputs hash {inputs.hash()} differs from the stored "
                         f"{expected_hash}: these are not the inputs that were rated")
    fresh = parse_methodology(methodology.text, name=methodology.name)
    return rate(inputs, fresh)


# --------------------------------------------------------------------------------------------
# Explanation: contributions, position among peers, and re-scored improvements


@dataclass(frozen=True)
class Contribution:
    """One indicator's part in an enterprise's score: its weight, score and weighted points."""

    code: str
    pillar: str
    topic: str
    name_zh: str
    name_en: str
    status: str
    value: float | None
    score: float | None
    weight: float
    points: float
    normalisation: str
    peer_level: str
    peer_rank: int | None
    peer_size: int | None


@dataclass(frozen=True)
class DeductionLine:
    """Points subtracted for one kind of controversy (after its own cap)."""

    key: str
    name_zh: str
    name_en: str
    points: float


@dataclass(frozen=True)
class Improvement:
    """A change that raises the score, with the points it gains, found by re-scoring."""

    code: str
    name_zh: str
    name_en: str
    action: str
    target: str
    current_value: float | None
    target_value: float
    points: float
    new_score: float
    new_grade: str


@dataclass(frozen=True)
class Explanation:
    """Why an enterprise has its score: contributions, deductions, peers and what would help.

    ``sum(c.points for c in contributions) - sum(d.points for d in deductions) + adjustment``
    equals ``score``; ``adjustment`` gives back deductions beyond the overall cap or the total.
    """

    enterprise: str
    methodology_version: str
    inputs_hash: str
    group: str
    score: float
    grade: str
    total: float
    contributions: tuple[Contribution, ...]
    deductions: tuple[DeductionLine, ...]
    adjustment: float
    percentile: float
    rank: int
    peer_size: int
    improvements: tuple[Improvement, ...]


class _Rescorer:
    """Re-scores one enterprise with one indicator changed, exactly as a full re-run would."""

    def __init__(self, inputs: RatingInput, methodology: Methodology, *, neutral: bool = False
                 ) -> None:
        self.methodology = methodology
        self.prepared = _prepare(inputs, methodology)
        self.parts = _indicator_scores(self.prepared, methodology, neutral=neutral)
        self.neutral = neutral
        _, self.raw_deduction = _deduction_points(methodology.deductions,
                                                  methodology.deduction_cap, inputs)

    def final(self, e: int, scores: np.ndarray, dropped: np.ndarray) -> tuple[float, float]:
        """(total, score) of enterprise ``e`` with the given indicator scores and drops."""
        totals = _aggregate(scores[:, None], dropped[:, None], self.prepared.group[e:e + 1],
                            self.methodology)
        total = totals["total"]
        deduction = self.raw_deduction[e:e + 1]
        return float(total[0]), float((total - np.minimum(deduction, total))[0])

    def peers(self, e: int, j: int) -> tuple[np.ndarray, int]:
        """The values of ``e``'s peers for indicator ``j`` (excluding ``e``) if ``e`` reports, and
        the peer-set size counting ``e``."""
        others = self.prepared.reported[j].copy()
        others[e] = False
        same = others & (self.prepared.group == self.prepared.group[e])
        in_group = int(np.count_nonzero(same)) + 1
        if in_group >= self.methodology.min_peers:
            return self.prepared.values[j][same], in_group
        return self.prepared.values[j][others], int(np.count_nonzero(others)) + 1

    def indicator_score(self, e: int, j: int, value: float) -> float:
        """The score ``e`` would get for indicator ``j`` if it reported ``value``."""
        indicator = self.methodology.indicators[j]
        if indicator.normalisation == "absolute":
            return float(indicator.absolute_scores(np.array([value]))[0])
        if self.neutral:
            return float(self.methodology.neutral_score)
        peers, size = self.peers(e, j)
        x = _oriented(indicator, peers)
        target = value if indicator.higher_is_better else -value
        less = np.array([np.count_nonzero(x < target)])
        tied = np.array([np.count_nonzero(x == target)])
        return float(_percent(less, tied, np.array([size]),
                              self.methodology.sole_reporter_score)[0])

    def with_value(self, e: int, j: int, value: float) -> tuple[float, float]:
        """(total, score) of ``e`` after reporting ``value`` for indicator ``j``."""
        scores = self.parts["scores"][:, e].copy()
        dropped = self.prepared.dropped[:, e].copy()
        scores[j] = self.indicator_score(e, j, value)
        dropped[j] = False
        return self.final(e, scores, dropped)

    def key(self, indicator: RatedIndicator, values: np.ndarray) -> np.ndarray:
        """How good values are (larger is better): the choice score, else the oriented value."""
        if indicator.data_type == "choice":
            return indicator.absolute_scores(values)
        return _oriented(indicator, values)

    def targets(self, e: int, j: int) -> list[tuple[str, float]]:
        """Peer median and top-quartile values (observed peer values) for indicator ``j``."""
        indicator = self.methodology.indicators[j]
        peers, _ = self.peers(e, j)
        if peers.size == 0:
            return []
        order = np.argsort(self.key(indicator, peers), kind="stable")
        out = []
        for name, q in (("peer_median", 0.5), ("peer_top_quartile", 0.75)):
            position = max(int(math.ceil(q * peers.size)) - 1, 0)
            out.append((name, float(peers[order[position]])))
        return out

    def candidates(self, e: int, base: float, *, best_step: bool = False
                   ) -> list[tuple[int, str, str, float, float, float, float]]:
        """Every improving change for ``e``: (column, action, target, from, to, gain, new score)."""
        out = []
        for j, indicator in enumerate(self.methodology.indicators):
            if self.prepared.dropped[j, e]:
                continue
            reported = bool(self.prepared.reported[j, e])
            current = float(self.prepared.values[j, e]) if reported else math.nan
            targets = [] if self.neutral else self.targets(e, j)
            if best_step and indicator.normalisation == "absolute":
                targets.append(("best_step", indicator.best_value()))
            if self.neutral and indicator.normalisation == "industry_percentile" and not reported:
                targets.append(("report", math.nan))
            for target, value in targets:
                if reported:
                    now = self.key(indicator, np.array([current]))[0]
                    then = self.key(indicator, np.array([value]))[0]
                    if not then > now:
                        continue
                _, score = self.with_value(e, j, value)
                gain = score - base
                if gain > 0:
                    out.append((j, "improve" if reported else "report", target, current, value,
                                gain, score))
        return out


def _best_per_indicator(candidates: list[tuple[int, str, str, float, float, float, float]]
                        ) -> list[tuple[int, str, str, float, float, float, float]]:
    """The best candidate of each indicator, best first (ties: the smaller change, then column)."""
    best: dict[int, tuple[int, str, str, float, float, float, float]] = {}
    for item in candidates:
        held = best.get(item[0])
        if held is None or item[5] > held[5]:
            best[item[0]] = item
    return sorted(best.values(), key=lambda item: (-item[5], item[0]))


def _improvement(methodology: Methodology, item: tuple[int, str, str, float, float, float, float]
                 ) -> Improvement:
    j, action, target, current, value, gain, score = item
    indicator = methodology.indicators[j]
    return Improvement(
        code=indicator.code, name_zh=indicator.name_zh, name_en=indicator.name_en,
        action=action, target=target, current_value=None if math.isnan(current) else current,
        target_value=value, points=gain, new_score=score, new_grade=methodology.grade_of(score),
    )


def explain(result: RatingResult, inputs: RatingInput, methodology: Methodology | None,
            enterprise: str) -> Explanation:
    """Explain one enterprise's rating: weighted contributions, deductions, peer position and
    the three changes (re-scored, not guessed) that would raise its score most."""
    methodology = methodology or load_methodology()
    if result.methodology_version != methodology.version or result.inputs_hash != inputs.hash():
        raise ValueError("the result was not computed from these inputs and this methodology")
    e = result.index(enterprise)
    rescorer = _Rescorer(inputs, methodology)
    contributions = []
    for j, indicator in enumerate(methodology.indicators):
        status = int(result.status[e, j])
        score = _float(result.indicator_scores[e, j])
        level = int(result.peer_level[e, j])
        value = _float(rescorer.prepared.values[j, e])
        contributions.append(Contribution(
            code=indicator.code, pillar=indicator.pillar, topic=indicator.topic,
            name_zh=indicator.name_zh, name_en=indicator.name_en, status=STATUS_NAMES[status],
            value=value, score=score, weight=float(result.weights[e, j]),
            points=float(result.weights[e, j] * (score or 0.0)),
            normalisation=indicator.normalisation, peer_level=PEER_LEVELS[level],
            peer_rank=int(result.peer_rank[e, j]) if level else None,
            peer_size=int(result.peer_size[e, j]) if level else None,
        ))
    deductions = tuple(
        DeductionLine(key=rule.key, name_zh=rule.name_zh, name_en=rule.name_en,
                      points=float(result.deduction_points[e, r]))
        for r, rule in enumerate(methodology.deductions)
    )
    adjustment = math.fsum(d.points for d in deductions) - float(result.deductions[e])

    groups = np.asarray(result.groups, dtype=object)
    peers = result.score[groups == result.groups[e]]
    mine = result.score[e]
    less = np.count_nonzero(peers < mine)
    tied = np.count_nonzero(peers == mine) - 1
    percentile = float(_percent(np.array([less]), np.array([tied]), np.array([peers.size]),
                                methodology.sole_reporter_score)[0])
    rank = int(np.count_nonzero(peers > mine)) + 1

    base = rescorer.final(e, rescorer.parts["scores"][:, e], rescorer.prepared.dropped[:, e])[1]
    ranked = _best_per_indicator(rescorer.candidates(e, base))[:3]
    return Explanation(
        enterprise=enterprise, methodology_version=result.methodology_version,
        inputs_hash=result.inputs_hash, group=result.groups[e], score=float(result.score[e]),
        grade=result.grades[result.grade_index[e]], total=float(result.total[e]),
        contributions=tuple(contributions), deductions=deductions, adjustment=adjustment,
        percentile=percentile, rank=rank, peer_size=int(peers.size),
        improvements=tuple(_improvement(methodology, item) for item in ranked),
    )


# --------------------------------------------------------------------------------------------
# Self-diagnosis: an enterprise checks itself before it discloses

SELF_ID = "(self-diagnosis)"
BASIS_NOTES: dict[str, tuple[str, str]] = {
    "peers": (
        "估算：行业相对指标按所给同行群体（同一重要性分组，不足最少同行数时为全部企业）计算百分位。",
        "Estimate: industry-relative indicators are ranked against the peers supplied (the same "
        "materiality group, or all enterprises when the group has too few reporters).",
    ),
    "neutral": (
        "估算：未提供同行数据，已填报的行业相对指标按方法文件中的中性分计分，绝对指标按其阈值计分。",
        "Estimate: without peer data, each reported industry-relative indicator takes the "
        "methodology's neutral score; absolute indicators score by their thresholds.",
    ),
}


@dataclass(frozen=True)
class Gap:
    """A mandatory indicator of the exchange guideline that the answers leave open."""

    code: str
    name_zh: str
    name_en: str
    exchange_article: str
    rated: bool


@dataclass(frozen=True)
class Action:
    """One step of an improvement plan, with the catalogue's guidance and the points it gains."""

    code: str
    name_zh: str
    name_en: str
    action: str
    target: str
    target_value: float | None
    points: float
    guidance_zh: str
    guidance_en: str


@dataclass(frozen=True)
class Diagnosis:
    """A self-diagnosis: an estimated score and grade, the disclosure gaps and a plan."""

    industry_code: str
    group: str
    methodology_version: str
    estimate: bool
    basis: str
    basis_note_zh: str
    basis_note_en: str
    score: float
    grade: str
    total: float
    deductions: float
    pillar_scores: dict[str, float | None]
    gaps: tuple[Gap, ...]
    plan: tuple[Action, ...]


def _answer_cell(answer: Any, code: str, methodology: Methodology) -> tuple[int, float]:
    """(status, value) of one answer: an Answer or a bare number."""
    indicator = methodology.indicator(code)
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        value = float(answer)
        return (REPORTED, value) if math.isfinite(value) else (MISSING, math.nan)
    status = getattr(answer, "status", "reported")
    if status == "not_applicable":
        return (NOT_APPLICABLE if answer.na_explanation.strip() else MISSING), math.nan
    if indicator.data_type == "choice":
        value = answer.choice
    elif indicator.data_type == "boolean":
        value = answer.boolean
    else:
        value = answer.number
    if value is None or value == "":
        return MISSING, math.nan
    return REPORTED, _encode_value(value, indicator.data_type, indicator.choices, code)


def _answered(answer: Any) -> bool:
    if answer is None:
        return False
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return math.isfinite(float(answer))
    if getattr(answer, "status", "reported") == "not_applicable":
        return bool(answer.na_explanation.strip())
    return (answer.number is not None or answer.boolean is not None or bool(answer.choice)
            or bool(answer.text.strip()))


def _aligned(inputs: RatingInput, codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The input's values and statuses in the column order of ``codes`` (absent = missing)."""
    n = len(inputs)
    values = np.full((n, len(codes)), np.nan)
    status = np.zeros((n, len(codes)), np.int8)
    position = {code: column for column, code in enumerate(inputs.codes)}
    for column, code in enumerate(codes):
        if code in position:
            values[:, column] = inputs.values[:, position[code]]
            status[:, column] = inputs.status[:, position[code]]
    return values, status


def _concat(first: RatingInput, second: RatingInput, codes: Sequence[str]) -> RatingInput:
    """Two inputs of the same year as one, aligned to ``codes``."""
    keys = tuple(sorted(set(first.group_keys) | set(second.group_keys)))
    remap = [np.array([keys.index(k) for k in part.group_keys], np.int64)
             for part in (first, second)]
    v1, s1 = _aligned(first, codes)
    v2, s2 = _aligned(second, codes)
    return RatingInput(
        enterprises=first.enterprises + second.enterprises, year=first.year, group_keys=keys,
        group_index=np.concatenate([remap[0][first.group_index],
                                    remap[1][second.group_index]]),
        codes=tuple(codes), values=np.vstack([v1, v2]), status=np.vstack([s1, s2]),
        industry_codes=first.industry_codes + second.industry_codes,
        green_category=first.green_category + second.green_category,
        **{name: np.concatenate([getattr(first, name), getattr(second, name)])
           for name in _ARRAY_RECORDS},
    )


def self_diagnose(
    answers: Mapping[str, Any], industry_code: str, methodology: Methodology | None = None,
    catalogue: Catalogue | None = None, peers: RatingInput | None = None, *,
    tier: str = "standard", records: Mapping[str, Any] | None = None,
) -> Diagnosis:
    """Estimate an enterprise's score and grade from its own answers, list the mandatory gaps
    against the exchange guideline and plan the improvements that gain the most points.

    ``answers`` maps indicator codes to :class:`czesg.engine.disclosure.answers.Answer` objects or bare
    numbers. With ``peers`` (a rated population of the same year) industry-relative indicators
    are ranked against them; without, a reported industry-relative indicator takes the
    methodology's ``[self_diagnosis] neutral_score``. Both are labelled estimates.
    """
    methodology = methodology or load_methodology()
    catalogue = catalogue or load_catalogue()
    group = materiality_group(industry_code, methodology)
    codes = methodology.codes
    values = np.full((1, len(codes)), np.nan)
    status = np.zeros((1, len(codes)), np.int8)
    for code, answer in answers.items():
        if code in methodology._index["by_code"]:
            column = methodology.column(code)
            status[0, column], values[0, column] = _answer_cell(answer, code, methodology)
    arrays = _records_arrays((SELF_ID,), {SELF_ID: records} if records else {})
    own = RatingInput(
        enterprises=(SELF_ID,), year=peers.year if peers is not None else 0,
        group_keys=(group,), group_index=np.zeros(1, np.int64), codes=codes, values=values,
        status=status, industry_codes=(industry_code,), **arrays,
    )
    if peers is not None:
        if SELF_ID in peers.enterprises:
            raise ValueError(f"the peers must not contain the reserved id {SELF_ID!r}")
        population = _concat(peers, own, codes)
        basis = "peers"
    else:
        population = own
        basis = "neutral"
    neutral = peers is None
    rescorer = _Rescorer(population, methodology, neutral=neutral)
    result = _finish(rescorer.prepared, methodology, rescorer.parts, "")
    e = len(population) - 1
    base = float(result.score[e])
    plan = []
    for item in _best_per_indicator(rescorer.candidates(e, base, best_step=True)):
        indicator = catalogue.get(methodology.indicators[item[0]].code)
        improvement = _improvement(methodology, item)
        plan.append(Action(
            code=improvement.code, name_zh=indicator.name_zh, name_en=indicator.name_en,
            action=improvement.action, target=improvement.target,
            target_value=None if math.isnan(improvement.target_value)
            else improvement.target_value,
            points=improvement.points,
            guidance_zh=f"{indicator.what_zh}\n{indicator.how_zh}",
            guidance_en=f"{indicator.what_en}\n{indicator.how_en}",
        ))
    rated = set(codes)
    gaps = tuple(
        Gap(code=i.code, name_zh=i.name_zh, name_en=i.name_en,
            exchange_article=i.exchange_article, rated=i.code in rated)
        for i in catalogue.for_tier(tier)
        if i.disclosure_level == "mandatory" and not _answered(answers.get(i.code))
    )
    note_zh, note_en = BASIS_NOTES[basis]
    return Diagnosis(
        industry_code=industry_code, group=group, methodology_version=methodology.version,
        estimate=True, basis=basis, basis_note_zh=note_zh, basis_note_en=note_en, score=base,
        grade=result.grades[result.grade_index[e]], total=float(result.total[e]),
        deductions=float(result.deductions[e]),
        pillar_scores={p: _float(result.pillar_scores[e, n])
                       for n, p in enumerate(result.pillar_keys)},
        gaps=gaps, plan=tuple(plan),
    )


# --------------------------------------------------------------------------------------------
# Green score (常绿分)


@dataclass(frozen=True, eq=False)
class GreenScoreResult:
    """The green score of every enterprise: components, deductions, score and label.

    ``component_scores`` is NaN where a component was dropped for want of data (its weight
    re-normalised over the others); ``contributions = component_weights × component_scores``
    and ``score = total − deductions``. ``label_capped`` marks labels lowered because of a red
    or black environmental credit colour. ``green_category_basis`` says where the 2024 green
    catalogue category came from: "record" (confirmed), "industry" or "lead_industry" (the
    platform's analyst mapping), or "" (not a member).
    """

    methodology_version: str
    inputs_hash: str
    year: int
    enterprises: tuple[str, ...]
    component_keys: tuple[str, ...]
    component_scores: np.ndarray
    component_weights: np.ndarray
    contributions: np.ndarray
    total: np.ndarray
    deduction_keys: tuple[str, ...]
    deduction_points: np.ndarray
    deductions: np.ndarray
    score: np.ndarray
    label_index: np.ndarray
    labels: tuple[str, ...]
    label_capped: np.ndarray
    green_category: tuple[str, ...]
    green_category_basis: tuple[str, ...]
    carbon_peer_level: np.ndarray
    carbon_peer_size: np.ndarray
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.enterprises)

    @property
    def label(self) -> np.ndarray:
        """The label key of every enterprise (an object array)."""
        return np.asarray(self.labels, dtype=object)[self.label_index]

    def index(self, enterprise: str) -> int:
        """The row of an enterprise (KeyError when it was not scored)."""
        if not self._rows:
            self._rows.update({e: n for n, e in enumerate(self.enterprises)})
        return self._rows[enterprise]

    def row(self, enterprise: str) -> dict[str, Any]:
        """One enterprise's green score, label and component contributions as plain data."""
        e = self.index(enterprise)
        return {
            "enterprise": enterprise, "score": float(self.score[e]),
            "label": self.labels[self.label_index[e]], "label_capped": bool(self.label_capped[e]),
            "total": float(self.total[e]), "deductions": float(self.deductions[e]),
            "components": {
                key: {"score": _float(self.component_scores[e, c]),
                      "weight": float(self.component_weights[e, c]),
                      "points": float(self.contributions[e, c])}
                for c, key in enumerate(self.component_keys)
            },
            "green_category": self.green_category[e],
            "green_category_basis": self.green_category_basis[e],
            "methodology_version": self.methodology_version, "inputs_hash": self.inputs_hash,
        }


def green_category_of(industry_code: str, green: GreenMethodology | None = None,
                      profile: CityProfile | None = None) -> tuple[str, str]:
    """(category, basis) of a GB/T 4754 code by the analyst mapping: the most specific mapped
    code wins, then the lead industry; ("", "") when the code maps to no category."""
    green = green or load_green_methodology()
    profile = profile or load_city_profile()
    try:
        code = profile.normalise_industry_code(industry_code)
    except KeyError:
        return "", ""
    matches = [m for m in green.mappings if m.industry and code.startswith(m.industry)]
    if matches:
        return max(matches, key=lambda m: len(m.industry)).category, "industry"
    try:
        lead = profile.lead_industry_of(code)
    except KeyError:
        lead = None
    if lead is not None:
        for mapping in green.mappings:
            if mapping.lead_industry == lead.key:
                return mapping.category, "lead_industry"
    return "", ""


def green_score(inputs: RatingInput, green: GreenMethodology | None = None, *,
                profile: CityProfile | None = None) -> GreenScoreResult:
    """Compute the green score (常绿分) and label of every enterprise at once."""
    green = green or load_green_methodology()
    profile = profile or load_city_profile()
    n = len(inputs)
    keys = tuple(c.key for c in green.components)
    scores = np.zeros((len(keys), n))
    known = np.ones((len(keys), n), bool)
    level = np.zeros(n, np.int8)
    size = np.zeros(n, np.int32)

    codes = np.asarray(inputs.industry_codes, dtype=str) if n else np.zeros(0, str)
    unique, inverse = np.unique(codes, return_inverse=True)
    mapped = [green_category_of(code, green, profile) if code else ("", "") for code in unique]
    category = np.asarray([c for c, _ in mapped] + [""], dtype=object)[inverse]
    basis = np.asarray([b for _, b in mapped] + [""], dtype=object)[inverse]
    record = np.asarray(inputs.green_category, dtype=object)
    for key in set(record.tolist()) - {""}:
        green.category(key)  # KeyError for a category the catalogue does not have
    confirmed = record != ""
    category = np.where(confirmed, record, category)
    basis = np.where(confirmed, "record", basis)

    for c, component in enumerate(green.components):
        if component.key == "carbon_efficiency":
            indicator = component.indicator
            if indicator in inputs.codes:
                column = inputs.codes.index(indicator)
                values = inputs.values[:, column]
                reported = (inputs.status[:, column] == REPORTED) & np.isfinite(values)
            else:
                values, reported = np.full(n, np.nan), np.zeros(n, bool)
            x = values if component.direction == "higher_better" else -values
            scores[c], level, size, _ = _percentile_column(
                np.where(reported, x, 0.0), reported, inputs.group_index,
                len(inputs.group_keys), green.min_peers, green.sole_reporter_score,
            )
            known[c] = reported
        elif component.key == "green_industry":
            member = category != ""
            scores[c] = np.where(member, component.member_score, component.non_member_score)
            known[c] = member | (codes != "")
        elif component.key == "env_credit":
            table = np.array([p for _, p in component.scores] + [0.0])
            colour = inputs.env_credit
            scores[c] = table[np.where(colour < 0, len(component.scores), colour)]
            known[c] = colour >= 0
        else:
            scores[c] = _certification_points(green, inputs.certifications, component.cap)
    drop = np.array([c.unknown == "drop" for c in green.components], bool)
    present = known | ~drop[:, None]
    scores = np.where(known, scores, 0.0)
    raw = np.where(present, np.array([c.weight for c in green.components])[:, None], 0.0)
    weight_sum = np.zeros(n)
    for c in range(len(keys)):
        weight_sum += raw[c]
    safe = np.where(weight_sum > 0, weight_sum, 1.0)
    weights = raw / safe
    contributions = weights * scores
    total = np.zeros(n)
    for c in range(len(keys)):
        total += contributions[c]
    points, deduction = _deduction_points(green.deductions, green.deduction_cap, inputs)
    applied = np.minimum(deduction, total)
    score = total - applied
    label = _band_index(green.labels, score)
    capped = label.copy()
    label_keys = [b.key for b in green.labels]
    for colour, cap in green.label_cap:
        limit = label_keys.index(cap)
        capped = np.where(inputs.env_credit == ENV_CREDIT_COLOURS.index(colour),
                          np.maximum(capped, limit), capped)
    return GreenScoreResult(
        methodology_version=green.version, inputs_hash=inputs.hash(), year=inputs.year,
        enterprises=inputs.enterprises, component_keys=keys,
        component_scores=np.where(present, scores, np.nan).T, component_weights=weights.T,
        contributions=contributions.T, total=total,
        deduction_keys=tuple(d.key for d in green.deductions), deduction_points=points.T,
        deductions=applied, score=score, label_index=capped, labels=tuple(label_keys),
        label_capped=capped != label, green_category=tuple(category.tolist()),
        green_category_basis=tuple(basis.tolist()), carbon_peer_level=level,
        carbon_peer_size=size,
    )


def _certification_points(green: GreenMethodology, certifications: np.ndarray, cap: float
                          ) -> np.ndarray:
    """Points of the recorded certifications: the best of each exclusive group, capped."""
    n = certifications.shape[0]
    best: dict[str, np.ndarray] = {}
    total = np.zeros(n)
    for cert in green.certifications:
        held = certifications[:, CERTIFICATION_RECORDS.index(cert.record)]
        points = np.where(held, cert.points, 0.0)
        if cert.exclusive:
            best[cert.exclusive] = np.maximum(best.get(cert.exclusive, np.zeros(n)), points)
        else:
            total += points
    for group in sorted(best):
        total += best[group]
    return np.minimum(total, cap)


# --------------------------------------------------------------------------------------------
# Tables for the published methodology page (generated from the TOML, never hand-copied)

_WORDS: dict[str, tuple[str, str]] = {
    "higher_better": ("越高越好", "higher is better"),
    "lower_better": ("越低越好", "lower is better"),
    "industry_percentile": ("行业内百分位", "percentile among industry peers"),
    "absolute": ("绝对阈值", "absolute thresholds"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "otherwise": ("其他", "otherwise"),
    "drop": ("剔除该项并重新分配权重", "dropped, weight re-normalised"),
    "zero": ("计0分", "scores 0"),
    "default": ("默认", "default"),
    "group": ("重要性分组", "materiality group"),
    "all": ("全部企业", "all enterprises"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "pillar": ("维度", "Pillar"), "name": ("名称", "Name"), "weight": ("权重", "Weight"),
    "group": ("行业重要性分组", "Materiality group"),
    "lead_industries": ("重点产业", "Lead industries"),
    "topic": ("议题", "Topic"), "code": ("指标代码", "Code"), "indicator": ("指标", "Indicator"),
    "direction": ("方向", "Direction"), "normalisation": ("标准化方法", "Normalisation"),
    "scoring": ("计分规则", "Scoring"), "not_applicable": ("可标注不适用", "May be N/A"),
    "setting": ("设置", "Setting"), "value": ("取值", "Value"), "rule": ("规则", "Rule"),
    "cap": ("上限（分）", "Cap (points)"), "grade": ("等级", "Grade"),
    "label": ("标签", "Label"), "min": ("下限（含）", "From (incl.)"),
    "max": ("上限（不含，100除外）", "To (excl., except 100)"),
    "points": ("分值", "Points"), "exclusive": ("互斥组", "Exclusive group"),
    "industry": ("行业代码或重点产业", "Industry code or lead industry"),
    "category": ("目录类别", "Catalogue category"), "unknown": ("数据缺失时", "When unknown"),
    "colour": ("环保信用颜色", "Environmental credit colour"),
    "source": ("依据", "Source"), "confidence": ("可信度", "Confidence"),
    "E": ("环境（E）", "Environmental (E)"), "S": ("社会（S）", "Social (S)"),
    "G": ("治理（G）", "Governance (G)"),
}

_TITLES: dict[str, tuple[str, str]] = {
    "pillars": ("维度默认权重", "Default pillar weights"),
    "groups": ("行业重要性分组及维度权重", "Industry materiality groups and pillar weights"),
    "topics": ("议题权重（维度内）", "Topic weights within pillars"),
    "indicators": ("评级指标、权重（议题内）与计分规则",
                   "Rated indicators, weights within topics and scoring"),
    "settings": ("同行群体与其他设置", "Peer groups and other settings"),
    "deductions": ("争议事项扣分（政府记录）", "Deductions for controversies (government records)"),
    "bands": ("等级区间", "Grade bands"),
    "components": ("常绿分构成", "Green score components"),
    "certifications": ("绿色认证分值", "Points for green certifications"),
    "green_industry": ("绿色低碳转型产业映射（分析师映射）",
                       "Green low-carbon transition industry mapping (analyst mapping)"),
    "labels": ("常绿分标签区间", "Green score label bands"),
    "label_cap": ("环保信用颜色对标签的限制", "Label limits by environmental credit colour"),
}


def _word(key: str, en: bool) -> str:
    pair = _WORDS.get(key)
    return (pair[1] if en else pair[0]) if pair else key


def _number(value: float) -> str:
    return f"{value:g}"


def _scoring_text(indicator: RatedIndicator, en: bool) -> str:
    """The scoring rule of one indicator in words."""
    sep = "; " if en else "；"
    if indicator.normalisation == "industry_percentile":
        return ("100 × share of peers it beats (ties count half)" if en
                else "100 × 优于同行的比例（并列计一半）")
    if indicator.data_type == "choice":
        return sep.join(f"{key}: {_number(score)}" for key, score in indicator.choice_scores)
    if indicator.data_type == "boolean":
        yes = indicator.absolute_scores(np.array([1.0]))[0]
        no = indicator.absolute_scores(np.array([0.0]))[0]
        return f"{_word('yes', en)} = {_number(yes)}{sep}{_word('no', en)} = {_number(no)}"
    sign = "≥" if indicator.higher_is_better else "≤"
    steps = [f"{sign} {_number(v)}: {_number(p)}" for v, p in indicator.thresholds]
    ordered = steps if not indicator.higher_is_better else list(reversed(steps))
    return sep.join([*ordered, f"{_word('otherwise', en)}: 0"])


def _deduction_text(rule: DeductionRule, en: bool) -> str:
    sep = "; " if en else "；"
    if rule.key == "env_penalties":
        steps = sep.join(f"≥ {_number(a)}: +{_number(p)}" for a, p in rule.amount_steps)
        if en:
            return (f"{_number(rule.points_per_count)} per penalty (at most "
                    f"{_number(rule.count_cap)}){sep}by total amount in 万元: {steps}")
        return (f"每次处罚 {_number(rule.points_per_count)} 分（最多 {_number(rule.count_cap)} 分）"
                f"{sep}按罚款总额（万元）：{steps}")
    if rule.key == "safety_accidents":
        if en:
            return (f"{_number(rule.points_per_fatal)} per fatal accident{sep}"
                    f"{_number(rule.points_per_serious)} per other serious accident")
        return (f"每起死亡事故 {_number(rule.points_per_fatal)} 分{sep}"
                f"每起其他较大事故 {_number(rule.points_per_serious)} 分")
    return sep.join(f"{key}: {_number(points)}" for key, points in rule.points)


def _table(key: str, columns: Sequence[str], rows: list[dict[str, Any]], en: bool,
           note: str = "") -> dict[str, Any]:
    return {
        "key": key, "title": _TITLES[key][1 if en else 0], "note": note,
        "columns": [{"key": c, "label": _COLUMNS[c][1 if en else 0]} for c in columns],
        "rows": rows,
    }


def methodology_tables(methodology: Methodology | GreenMethodology, language: str = "zh-hans"
                       ) -> list[dict[str, Any]]:
    """The methodology's tables for the web page, generated from the loaded TOML.

    Each table is ``{"key", "title", "note", "columns": [{"key", "label"}], "rows": [dict]}``
    with rows keyed by column key; ``language`` "en…" gives English, anything else Chinese.
    """
    en = language.lower().startswith("en")
    if isinstance(methodology, GreenMethodology):
        return _green_tables(methodology, en)
    m = methodology
    tables = [
        _table("pillars", ("pillar", "name", "weight", "source", "confidence"), [
            {"pillar": p.key, "name": p.name("en" if en else "zh"), "weight": p.weight,
             "source": p.source, "confidence": p.confidence} for p in m.pillars
        ], en),
        _table("groups", ("group", "name", "lead_industries", *PILLARS, "source", "confidence"), [
            {"group": g.key, "name": g.name("en" if en else "zh"),
             "lead_industries": ", ".join(g.lead_industries), **dict(g.weights),
             "source": g.source, "confidence": g.confidence} for g in m.groups
        ], en, note=m.materiality_source),
        _table("topics", ("pillar", "topic", "name", "weight", "source", "confidence"), [
            {"pillar": t.pillar, "topic": t.key, "name": t.name("en" if en else "zh"),
             "weight": t.weight, "source": t.source, "confidence": t.confidence}
            for t in m.topics
        ], en),
        _table("indicators", ("pillar", "topic", "code", "indicator", "weight", "direction",
                              "normalisation", "scoring", "not_applicable", "source",
                              "confidence"), [
            {"pillar": i.pillar, "topic": i.topic, "code": i.code,
             "indicator": i.name("en" if en else "zh"), "weight": i.weight,
             "direction": _word(i.direction, en), "normalisation": _word(i.normalisation, en),
             "scoring": _scoring_text(i, en),
             "not_applicable": _word("yes" if i.not_applicable_allowed else "no", en),
             "source": i.source, "confidence": i.confidence} for i in m.indicators
        ], en),
        _table("settings", ("setting", "value", "source", "confidence"), [
            {"setting": "min_peers", "value": m.min_peers, "source": m.peers_source,
             "confidence": m.peers_confidence},
            {"setting": "fallback", "value": " → ".join(_word(x, en) for x in PEER_FALLBACK),
             "source": m.peers_source, "confidence": m.peers_confidence},
            {"setting": "sole_reporter_score", "value": m.sole_reporter_score,
             "source": m.peers_source, "confidence": m.peers_confidence},
            {"setting": "self_diagnosis.neutral_score", "value": m.neutral_score,
             "source": m.neutral_source, "confidence": m.neutral_confidence},
            {"setting": "deductions.cap", "value": m.deduction_cap,
             "source": m.deduction_source, "confidence": m.deduction_confidence},
        ], en),
        _table("deductions", ("name", "rule", "cap", "source", "confidence"), [
            {"name": d.name("en" if en else "zh"), "rule": _deduction_text(d, en), "cap": d.cap,
             "source": d.source + (f" — {d.scale_source}" if d.scale_source else ""),
             "confidence": d.confidence
             + (f" / {d.scale_confidence}" if d.scale_confidence else "")}
            for d in m.deductions
        ], en),
        _table("bands", ("grade", "min", "max", "source", "confidence"), [
            {"grade": b.key, "min": b.min, "max": b.max, "source": b.source,
             "confidence": b.confidence} for b in m.bands
        ], en, note=f"{m.grade_scale_source} ({m.grade_scale_confidence})"),
    ]
    return tables


def _green_tables(g: GreenMethodology, en: bool) -> list[dict[str, Any]]:
    lang = "en" if en else "zh"
    categories = {c.key: c.name(lang) for c in g.categories}
    return [
        _table("components", ("name", "weight", "unknown", "rule", "source", "confidence"), [
            {"name": c.name(lang), "weight": c.weight, "unknown": _word(c.unknown, en),
             "rule": _component_text(c, en), "source": c.source, "confidence": c.confidence}
            for c in g.components
        ], en),
        _table("certifications", ("name", "points", "exclusive", "source", "confidence"), [
            {"name": c.name(lang), "points": c.points, "exclusive": c.exclusive,
             "source": c.source, "confidence": c.confidence} for c in g.certifications
        ], en),
        _table("green_industry", ("industry", "category", "source", "confidence"), [
            {"industry": m.industry or m.lead_industry, "category": categories[m.category],
             "source": m.source, "confidence": m.confidence} for m in g.mappings
        ], en, note=f"{g.catalogue_source} ({g.catalogue_confidence})"),
        _table("deductions", ("name", "rule", "cap", "source", "confidence"), [
            {"name": d.name(lang), "rule": _deduction_text(d, en), "cap": d.cap,
             "source": d.source, "confidence": d.confidence} for d in g.deductions
        ], en, note=f"{g.deduction_source} ({g.deduction_confidence})"),
        _table("labels", ("label", "name", "min", "max", "source", "confidence"), [
            {"label": b.key, "name": b.name(lang), "min": b.min, "max": b.max,
             "source": b.source, "confidence": b.confidence} for b in g.labels
        ], en, note=f"{g.names_source} ({g.names_confidence})"),
        _table("label_cap", ("colour", "label", "source", "confidence"), [
            {"colour": colour, "label": next(b.name(lang) for b in g.labels if b.key == label),
             "source": g.label_cap_source, "confidence": g.label_cap_confidence}
            for colour, label in g.label_cap
        ], en),
    ]


def _component_text(component: GreenComponent, en: bool) -> str:
    sep = "; " if en else "；"
    if component.key == "carbon_efficiency":
        return (f"percentile of {component.indicator} among industry peers "
                f"({_word(component.direction, en)})" if en else
                f"{component.indicator} 在行业同行中的百分位（{_word(component.direction, en)}）")
    if component.key == "green_industry":
        return (f"member: {_number(component.member_score)}{sep}"
                f"non-member: {_number(component.non_member_score)}" if en else
                f"属于目录：{_number(component.member_score)}{sep}"
                f"不属于：{_number(component.non_member_score)}")
    if component.key == "env_credit":
        return sep.join(f"{key}: {_number(points)}" for key, points in component.scores)
    return (f"sum of certification points, at most {_number(component.cap)}" if en else
            f"认证分值之和，最多 {_number(component.cap)} 分")


# --------------------------------------------------------------------------------------------
# Benchmark


def _median_time(function: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def benchmark(n: int = 100_000, seed: int = 0, repeat: int = 3) -> dict[str, Any]:
    """Time the rating's compute step on ``n`` synthetic enterprises × all rated indicators.

    The inputs come from :mod:`czesg.engine.synth` (realistic completeness and not-applicable
    answers); the government-record columns are random draws that only give the arrays their
    shape and are no statistic. ``rating_100k_compute_s`` is the median time of :func:`rate`
    (including the inputs hash) and ``rating_compute_vs_numpy_floor`` divides it by one plain
    NumPy pass over the same values (``np.nansum(values, axis=1)``).
    """
    from czesg.engine.synth import generate_disclosures, generate_enterprises

    methodology = load_methodology()
    green = load_green_methodology()
    enterprises = generate_enterprises(n, seed=seed)
    values = generate_disclosures(enterprises, [2024], seed=seed, submittable=True)
    rng = np.random.default_rng([seed, 7])
    records = {
        "env_penalty_count": rng.poisson(0.05, n).astype(float),
        "env_penalty_amount": np.round(rng.exponential(5.0, n) * (rng.random(n) < 0.05), 2),
        "fatal_accidents": rng.poisson(0.002, n).astype(float),
        "serious_accidents": rng.poisson(0.01, n).astype(float),
        "tax_credit": rng.integers(-1, len(TAX_CREDIT_GRADES), n).astype(np.int8),
        "env_credit": rng.integers(-1, len(ENV_CREDIT_COLOURS), n).astype(np.int8),
        "certifications": rng.random((n, len(CERTIFICATION_RECORDS))) < 0.1,
    }
    inputs = RatingInput.from_synthetic(values, 2024, methodology=methodology, records=records)

    hash_s = _median_time(lambda: inputs._replace().hash(), repeat)
    compute_s = _median_time(lambda: rate(inputs._replace(), methodology), repeat)
    result = rate(inputs, methodology)
    floor_s = _median_time(lambda: np.nansum(inputs.values, axis=1), max(repeat, 5))
    green_s = _median_time(lambda: green_score(inputs._replace(), green), repeat)
    explain_s = _median_time(
        lambda: explain(result, inputs, methodology, inputs.enterprises[0]), 1
    )
    return {
        "rating_enterprises": n,
        "rating_indicators": len(methodology.indicators),
        "rating_100k_compute_s": round(compute_s, 4),
        "rating_inputs_hash_s": round(hash_s, 4),
        "rating_numpy_floor_s": round(floor_s, 5),
        "rating_compute_vs_numpy_floor": round(compute_s / floor_s, 1) if floor_s else None,
        "green_score_100k_compute_s": round(green_s, 4),
        "rating_explain_one_s": round(explain_s, 4),
    }
