"""The ESG rating methodology: its types, and loading and checking its TOML file.

The methodology is data (``czesg/data/methodology/rating-<version>.toml``); this module loads
and checks it, refusing a malformed file with a :class:`~czesg.engine.kernel.errors.DataFileError` that
names the file, the key path (``row``, e.g. ``pillar.E.topic.climate``), the field and the
reason. Every weight, threshold, deduction and band carries ``source`` and ``confidence``; the
platform's own choices say ``confidence = "methodology-choice"``. The helpers that read a
versioned methodology file, its top-level table and its peer settings serve the green score's
file as well.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypedDict, TypeVar

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.datafiles import TomlTable
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.rating.bands import Band, band_index, parse_bands
from czesg.engine.rating.deductions import DeductionRule, parse_deductions
from czesg.engine.rating.tiers import TierSettings, grade_caps, parse_tiers
from czesg.engine.rating.vocabulary import (
    CONFIDENCES,
    DEFAULT_TIER,
    DEFAULT_VERSION,
    DIRECTIONS,
    GREEN_DEFAULT_VERSION,
    MATERIALITY_GROUPS,
    METHODOLOGY_DIR,
    NORMALISATIONS,
    PEER_FALLBACK,
    PILLARS,
    RATED_TYPES,
    RATING_KIND,
)


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

class MethodologyDocument:
    """What every methodology file offers: its title by language and its deduction rules."""

    title_zh: str
    title_en: str
    deductions: tuple[DeductionRule, ...]

    def title(self, lang: str = "zh-hans") -> str:
        """The methodology's title in the given language."""
        return self.title_en if lang.startswith("en") else self.title_zh

    def deduction(self, key: str) -> DeductionRule | None:
        """The deduction rule with ``key``, or None when the methodology has none."""
        return next((d for d in self.deductions if d.key == key), None)


@dataclass(frozen=True)
class Methodology(MethodologyDocument):
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
    tiers: TierSettings | None = None
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

    def rates(self, code: str) -> bool:
        """Whether the methodology rates the indicator ``code``."""
        return code in self._index["by_code"]

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

    @property
    def tier_aware(self) -> bool:
        """Whether the methodology rates a disclosure on the indicators of its tier."""
        return self.tiers is not None

    def tier_codes(self, tier: str) -> tuple[str, ...]:
        """The codes of the rated indicators that a disclosure of ``tier`` is rated on."""
        rule = self.tiers.rule(tier) if self.tiers is not None else None
        return rule.indicators if rule is not None else self.codes

    def max_grade(self, tier: str) -> str:
        """The best grade a disclosure of ``tier`` can be given."""
        rule = self.tiers.rule(tier) if self.tiers is not None else None
        return rule.max_grade if rule is not None else self.bands[0].key

    def grade_of(self, score: float, tier: str = DEFAULT_TIER) -> str:
        """The grade of one score (for a disclosure of ``tier``, within the tier's best grade)."""
        index = band_index(self.bands, np.array([score]))[0]
        cap = grade_caps(self.tiers, self.bands, [tier])[0]
        return self.bands[max(int(index), int(cap))].key


def parse_methodology(
    text: str, *, name: str, catalogue: Catalogue | None = None,
    profile: CityProfile | None = None,
) -> Methodology:
    """Parse and check a rating methodology TOML text; ``name`` is the file name for messages."""
    catalogue = catalogue or load_catalogue()
    profile = profile or load_city_profile()
    root = methodology_root(text, name, RATING_KIND, (
        "version", "kind", "title_zh", "title_en", "catalogue_version", "description_zh",
        "description_en", "peers", "self_diagnosis", "materiality", "group", "pillar",
        "deductions", "grades", "band", "tiers",
    ))
    peers = peers_table(root)
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

    cap, dsource, dconfidence, rules = parse_deductions(root, in_green=False)
    grades = root.child("grades")
    grades.allow("scale_source", "scale_confidence")
    scale_source, scale_confidence = grades.provenance("scale_")
    bands = parse_bands(root, "band", named=False)
    codes = [i.code for p in pillars for t in p.topics for i in t.indicators]
    tiers = parse_tiers(root, codes, catalogue, bands)
    peers_source, peers_confidence = peers.provenance()
    neutral_source, neutral_confidence = diagnosis.provenance()
    materiality_source, materiality_confidence = materiality.provenance()
    return Methodology(
        **described_fields(root, name, text),
        catalogue_version=root.text("catalogue_version"),
        **peer_settings(peers),
        peers_source=peers_source, peers_confidence=peers_confidence,
        neutral_score=diagnosis.number("neutral_score", low=0, high=100),
        neutral_source=neutral_source, neutral_confidence=neutral_confidence,
        default_group=default_group,
        default_by_section=tuple(sorted(sections.items())),
        materiality_source=materiality_source, materiality_confidence=materiality_confidence,
        groups=tuple(groups), pillars=tuple(pillars), deduction_cap=cap,
        deduction_source=dsource, deduction_confidence=dconfidence, deductions=rules,
        grade_scale_source=scale_source, grade_scale_confidence=scale_confidence, bands=bands,
        tiers=tiers,
    )


def _parse_topic(node: TomlTable, pillar: str, key: str, catalogue: Catalogue,
                 seen_codes: dict[str, str]) -> RatedTopic:
    """One checked topic of a pillar with its rated indicators."""
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
    """One checked rated indicator, matched against the catalogue."""
    node.allow("weight", "direction", "normalisation", "thresholds", "choice_scores",
               "not_applicable_allowed", "source", "confidence")
    if code not in catalogue:
        node.fail("", f"unknown indicator code {code!r}: the catalogue {catalogue.version} "
                  "has no such indicator")
    if code in seen_codes:
        node.fail("", f"{code} is already rated in {seen_codes[code]}")
    seen_codes[code] = str(node.path)
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


@lru_cache(maxsize=8)
def load_methodology(version: str | None = None) -> Methodology:
    """Load and check the rating methodology of ``version`` (the current one by default)."""
    return load_versioned("rating", version, parse_methodology)


def materiality_group(
    industry_code: str, methodology: Methodology | None = None,
    profile: CityProfile | None = None,
) -> str:
    """The materiality group of a GB/T 4754 code: its lead industry's group, else the defaults."""
    methodology = methodology or load_methodology()
    profile = profile or load_city_profile()
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
# What the rating and green score files share


def methodology_root(text: str, name: str, kind: str, allowed: Iterable[str]) -> TomlTable:
    """The checked top-level table of a methodology text of ``kind`` with only ``allowed`` keys
    (a TOML syntax error is refused as row "(syntax)")."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(file=name, row="(syntax)", field="", reason=str(exc)) from exc
    root = TomlTable(data, name, confidences=CONFIDENCES)
    root.allow(*allowed)
    if root.text("kind") != kind:
        root.fail("kind", f"expected {kind!r}")
    return root


class DescribedFields(TypedDict):
    """The fields that name and describe a methodology document."""

    name: str
    text: str
    version: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str


def described_fields(root: TomlTable, name: str, text: str) -> DescribedFields:
    """The fields that name and describe a methodology: file name, text, version, titles and
    descriptions (read in this order, so that the first refusal is always the same)."""
    return DescribedFields(
        name=name, text=text, version=root.text("version"),
        title_zh=root.text("title_zh"), title_en=root.text("title_en"),
        description_zh=root.text("description_zh"), description_en=root.text("description_en"),
    )


def peer_settings(peers: TomlTable) -> dict[str, Any]:
    """The checked minimum number of peers and the score of a sole reporter."""
    return dict(min_peers=peers.integer("min_peers", low=2),
                sole_reporter_score=peers.number("sole_reporter_score", low=0, high=100))


def peers_table(root: TomlTable) -> TomlTable:
    """The checked ``[peers]`` table (this engine implements the group → all fallback only)."""
    peers = root.child("peers")
    peers.allow("min_peers", "fallback", "sole_reporter_score", "source", "confidence")
    if peers.raw("fallback") != list(PEER_FALLBACK):
        peers.fail("fallback", "this engine implements the fallback [\"group\", \"all\"] only")
    return peers


def read_methodology_file(file_name: str) -> str:
    """The text of a file in the methodology folder (refused when there is no such file)."""
    path = METHODOLOGY_DIR / file_name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(file=file_name, row="(file)", field="",
                            reason="no such methodology file") from exc


class _Versioned(Protocol):
    @property
    def version(self) -> str:
        """The version that the file states."""


Parsed = TypeVar("Parsed", bound=_Versioned)


def load_versioned(prefix: str, version: str | None,
                   parse: Callable[..., Parsed]) -> Parsed:
    """Parse ``<prefix>-<version>.toml`` (the current version of its kind by default) and refuse
    a file whose own version differs from its name."""
    version = version or (GREEN_DEFAULT_VERSION if prefix == "green-score" else DEFAULT_VERSION)
    name = f"{prefix}-{version}.toml"
    methodology = parse(read_methodology_file(name), name=name)
    if methodology.version != version:
        raise DataFileError(file=name, row="(top level)", field="version",
                            reason=f"the file says version {methodology.version}, not {version}")
    return methodology
