"""The catalogue's model: topics, indicators and their lookups, with the vocabulary of its columns.

Pure Python; no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import CatalogueError, gettext_noop
from czesg.engine.kernel.provenance import Confidence

TOML_NAME = "catalogue.toml"
CSV_NAME = "indicators.csv"
DEFAULT_DIRECTORY = DATA_DIR / "catalogue"

COLUMNS: tuple[str, ...] = (
    "code", "pillar", "topic", "name_zh", "name_en", "data_type", "unit", "min", "max",
    "choices", "disclosure_level", "tier", "part_of", "intensity_numerator",
    "intensity_denominator", "formula", "exchange_article", "gri", "ifrs_s2", "hkex", "sgx",
    "what_zh", "what_en", "how_zh", "how_en", "mistakes_zh", "mistakes_en", "source",
    "confidence",
)
REQUIRED_TEXT: tuple[str, ...] = (
    "name_zh", "name_en", "what_zh", "what_en", "how_zh", "how_en", "mistakes_zh",
    "mistakes_en", "source", "confidence",
)
GUIDANCE: tuple[str, ...] = (
    "what_zh", "what_en", "how_zh", "how_en", "mistakes_zh", "mistakes_en",
)

PILLARS: tuple[str, ...] = ("E", "S", "G")
DATA_TYPES: tuple[str, ...] = ("number", "percentage", "boolean", "choice", "text")
NUMERIC_TYPES: tuple[str, ...] = ("number", "percentage")
DISCLOSURE_LEVELS: tuple[str, ...] = ("mandatory", "where_applicable", "encouraged")
TIERS: tuple[str, ...] = ("basic", "standard")
CONFIDENCE_LEVELS: tuple[Confidence, ...] = (
    Confidence.CONFIRMED_SECONDARY, Confidence.CONFIRMED_SECONDARY_CODE, Confidence.ANALYST_MAPPING,
)

CODE_PATTERN = re.compile(r"^[EGS]-[A-Z]{2,4}-\d{2}(-[A-Z0-9]{1,6})?$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

TOPIC_KEYS = ("key", "pillar", "name_zh", "name_en", "exchange_article", "order")
TOP_KEYS = (
    "version", "title_zh", "title_en", "published", "description_zh", "description_en", "topic",
)


@dataclass(frozen=True)
class Topic(Bilingual):
    """A disclosure topic (议题) of the catalogue, such as climate change or employees."""

    key: str
    pillar: str
    name_zh: str
    name_en: str
    exchange_article: str
    order: int


@dataclass(frozen=True)
class Choice(Bilingual):
    """One allowed answer of a choice indicator."""

    key: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Indicator(Bilingual):
    """One atomic datapoint of the catalogue: a single value with a single unit.

    ``min`` and ``max`` are logical bounds in the canonical ``unit``; a percentage without
    explicit bounds is implicitly 0–100. ``part_of`` names the total this value is a part of (same
    unit); ``intensity_numerator``/``intensity_denominator`` name the codes whose ratio it is.
    """

    code: str
    pillar: str
    topic: str
    name_zh: str
    name_en: str
    data_type: str
    unit: str
    min: float | None
    max: float | None
    choices: tuple[Choice, ...]
    disclosure_level: str
    tier: str
    part_of: str
    intensity_numerator: str
    intensity_denominator: str
    formula: str
    exchange_article: str
    gri: str
    ifrs_s2: str
    hkex: str
    sgx: str
    what_zh: str
    what_en: str
    how_zh: str
    how_en: str
    mistakes_zh: str
    mistakes_en: str
    source: str
    confidence: str

    def what(self, lang: str = "zh-hans") -> str:
        """What to report, in the given language."""
        return self.what_en if lang.startswith("en") else self.what_zh

    def how(self, lang: str = "zh-hans") -> str:
        """How to compute the value, in the given language."""
        return self.how_en if lang.startswith("en") else self.how_zh

    def mistakes(self, lang: str = "zh-hans") -> str:
        """Common mistakes to avoid, in the given language."""
        return self.mistakes_en if lang.startswith("en") else self.mistakes_zh

    def in_tier(self, tier: str) -> bool:
        """Whether the indicator belongs to ``tier``; the basic set is part of the standard set."""
        _check_tier(tier)
        return tier == "standard" or self.tier == "basic"

    @property
    def is_numeric(self) -> bool:
        """Whether the value is a number (a quantity or a percentage)."""
        return self.data_type in NUMERIC_TYPES

    @property
    def is_derived(self) -> bool:
        """Whether the platform computes the value from others (the ``formula`` column)."""
        return bool(self.formula)

    @property
    def is_intensity(self) -> bool:
        """Whether the value is the ratio of two other indicators."""
        return bool(self.intensity_numerator)

    def choice(self, key: str) -> Choice:
        """The allowed answer with ``key``; raises :class:`CatalogueError` when there is none."""
        for item in self.choices:
            if item.key == key:
                return item
        raise CatalogueError(
            gettext_noop("%(code)s has no choice “%(choice)s”."), code=self.code, choice=key
        )


@dataclass(frozen=True)
class Catalogue:
    """A versioned set of topics and indicators, with lookups by code, tier and topic."""

    version: str
    title_zh: str
    title_en: str
    topics: tuple[Topic, ...]
    indicators: tuple[Indicator, ...]
    published: date | None = None
    description_zh: str = ""
    description_en: str = ""
    _by_code: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _topics_by_key: dict[str, Topic] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {i.code: i for i in self.indicators})
        object.__setattr__(self, "_topics_by_key", {t.key: t for t in self.topics})

    def __len__(self) -> int:
        return len(self.indicators)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        """Every indicator code, in catalogue order."""
        return tuple(i.code for i in self.indicators)

    def title(self, lang: str = "zh-hans") -> str:
        """The catalogue's title in the given language."""
        return self.title_en if lang.startswith("en") else self.title_zh

    def get(self, code: str) -> Indicator:
        """The indicator with ``code``; raises :class:`CatalogueError` when it is unknown."""
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise CatalogueError(gettext_noop("Unknown indicator “%(code)s”."), code=code) from None

    def topic(self, key: str) -> Topic:
        """The topic with ``key``; raises :class:`CatalogueError` when it is unknown."""
        try:
            return self._topics_by_key[key]
        except (KeyError, TypeError):
            raise CatalogueError(gettext_noop("Unknown topic “%(topic)s”."), topic=key) from None

    def for_tier(self, tier: str) -> tuple[Indicator, ...]:
        """The indicators of a tier: ``basic`` is the SME set, ``standard`` is everything."""
        _check_tier(tier)
        return tuple(i for i in self.indicators if i.in_tier(tier))

    def by_topic(self, tier: str = "standard") -> dict[Topic, tuple[Indicator, ...]]:
        """The indicators of a tier grouped by topic, topics in their order (empty ones kept)."""
        chosen = self.for_tier(tier)
        return {
            t: tuple(i for i in chosen if i.topic == t.key)
            for t in sorted(self.topics, key=lambda t: (t.order, t.key))
        }


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise CatalogueError(
            gettext_noop("Unknown tier “%(tier)s”; use basic or standard."), tier=tier
        )
