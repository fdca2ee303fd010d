"""The green score (常绿分): its methodology (``green-score-<version>.toml``) and its scoring.

Four weighted components (carbon efficiency ranked among industry peers, membership of the
2024 green low-carbon transition industry catalogue, the environmental credit colour and green
certifications), the environmental-penalty deduction, label bands and a label cap for a red or
black environmental credit colour. It reads the same :class:`RatingInput` as the rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.plan import CityProfile, load_city_profile
from czesg.engine.rating.bands import Band, band_index, parse_bands
from czesg.engine.rating.deductions import (
    DeductionRule,
    apply_deductions,
    parse_deductions,
    points_on_scale,
)
from czesg.engine.rating.inputs import EnterpriseRows, RatingInput
from czesg.engine.rating.methodology import (
    MethodologyDocument,
    described_fields,
    load_versioned,
    methodology_root,
    peer_settings,
    peers_table,
)
from czesg.engine.rating.scoring import float_or_none, percentile_column
from czesg.engine.rating.vocabulary import (
    CERTIFICATION_RECORDS,
    DIRECTIONS,
    ENV_CREDIT_COLOURS,
    GREEN_COMPONENTS,
    GREEN_KIND,
    REPORTED,
    UNKNOWN_HANDLING,
)


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
class GreenMethodology(MethodologyDocument):
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

    def label_of(self, score: float) -> str:
        """The label key of one score (before any cap for the environmental credit colour)."""
        return self.labels[band_index(self.labels, np.array([score]))[0]].key

    def category(self, key: str) -> GreenCategory:
        """The green catalogue category with ``key`` (KeyError when unknown)."""
        for item in self.categories:
            if item.key == key:
                return item
        raise KeyError(key)


def parse_green_methodology(
    text: str, *, name: str, catalogue: Catalogue | None = None,
    profile: CityProfile | None = None,
) -> GreenMethodology:
    """Parse and check a green score methodology TOML text; ``name`` names the file in messages."""
    catalogue = catalogue or load_catalogue()
    profile = profile or load_city_profile()
    root = methodology_root(text, name, GREEN_KIND, (
        "version", "kind", "title_zh", "title_en", "materiality_from", "description_zh",
        "description_en", "peers", "component", "certification", "green_industry",
        "deductions", "labels", "label", "label_cap",
    ))
    peers = peers_table(root)

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

    cap, dsource, dconfidence, rules = parse_deductions(root, in_green=True)
    labels_node = root.child("labels")
    labels_node.allow("names_source", "names_confidence")
    names_source, names_confidence = labels_node.provenance("names_")
    labels = parse_bands(root, "label", named=True)
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
        **described_fields(root, name, text),
        materiality_from=root.text("materiality_from"),
        **peer_settings(peers),
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
    return load_versioned("green-score", version, parse_green_methodology)


@dataclass(frozen=True, eq=False)
class GreenScoreResult(EnterpriseRows):
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

    @property
    def label(self) -> np.ndarray:
        """The label key of every enterprise (an object array)."""
        return np.asarray(self.labels, dtype=object)[self.label_index]

    def row(self, enterprise: str) -> dict[str, Any]:
        """One enterprise's green score, label and component contributions as plain data."""
        e = self.index(enterprise)
        return {
            "enterprise": enterprise, "score": float(self.score[e]),
            "label": self.labels[self.label_index[e]], "label_capped": bool(self.label_capped[e]),
            "total": float(self.total[e]), "deductions": float(self.deductions[e]),
            "components": {
                key: {"score": float_or_none(self.component_scores[e, c]),
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


def carbon_values(inputs: RatingInput, component: GreenComponent) -> tuple[np.ndarray, np.ndarray]:
    """The carbon-efficiency values oriented so that larger is better (0 where unreported), and
    the mask of the enterprises that reported them."""
    n = len(inputs)
    indicator = component.indicator
    if indicator in inputs.codes:
        column = inputs.codes.index(indicator)
        values = inputs.values[:, column]
        reported = (inputs.status[:, column] == REPORTED) & np.isfinite(values)
    else:
        values, reported = np.full(n, np.nan), np.zeros(n, bool)
    x = values if component.direction == "higher_better" else -values
    return np.where(reported, x, 0.0), reported


def green_score(inputs: RatingInput, green: GreenMethodology | None = None, *,
                profile: CityProfile | None = None, percentile: Callable[..., Any] | None = None,
                inputs_hash: str | None = None) -> GreenScoreResult:
    """Compute the green score (常绿分) and label of every enterprise at once.

    A partition of a population passes ``percentile`` (in place of ``percentile_column``,
    ranking against the population's carbon-efficiency distribution) and the population's
    ``inputs_hash``; see :mod:`.partitioned`.
    """
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
            x, reported = carbon_values(inputs, component)
            scores[c], level, size, _ = (percentile or percentile_column)(
                x, reported, inputs.group_index,
                len(inputs.group_keys), green.min_peers, green.sole_reporter_score,
            )
            known[c] = reported
        elif component.key == "green_industry":
            member = category != ""
            scores[c] = np.where(member, component.member_score, component.non_member_score)
            known[c] = member | (codes != "")
        elif component.key == "env_credit":
            env_credit = inputs.env_credit
            assert env_credit is not None  # RatingInput fills every record column in
            scores[c] = points_on_scale(component.scores, env_credit)
            known[c] = env_credit >= 0
        else:
            certifications = inputs.certifications
            assert certifications is not None  # RatingInput fills every record column in
            scores[c] = _certification_points(green, certifications, component.cap)
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
    points, applied, score = apply_deductions(green.deductions, green.deduction_cap, inputs,
                                              total)
    label = band_index(green.labels, score)
    capped = label.copy()
    label_keys = [b.key for b in green.labels]
    for colour, cap in green.label_cap:
        limit = label_keys.index(cap)
        capped = np.where(inputs.env_credit == ENV_CREDIT_COLOURS.index(colour),
                          np.maximum(capped, limit), capped)
    return GreenScoreResult(
        methodology_version=green.version, inputs_hash=inputs_hash or inputs.hash(),
        year=inputs.year,
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

