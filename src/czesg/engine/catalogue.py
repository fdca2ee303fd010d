"""The versioned indicator catalogue: topics and atomic indicators, loaded from data files.

The catalogue lives as data in ``czesg/data/catalogue``: ``catalogue.toml`` holds the version,
titles and topics, ``indicators.csv`` one row per atomic datapoint (one value, one unit). This
module reads both, checks every cell, and refuses a malformed file with a
:class:`~czesg.engine.errors.DataFileError` that names the file, the row as a person sees it in a
spreadsheet (the header is row 1) and the column at fault.

Pure Python: the standard library plus the unit registry; no Django.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from czesg.engine import units
from czesg.engine.bilingual import Bilingual
from czesg.engine.errors import CatalogueError, DataFileError, gettext_noop

TOML_NAME = "catalogue.toml"
CSV_NAME = "indicators.csv"
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "catalogue"

COLUMNS: tuple[str, ...] = (
    "code", "pillar", "topic", "name_zh", "name_en", "data_type", "unit", "min", "max",
    "choices", "disclosure_level", "tier", "part_of", "intensity_numerator",
    "intensity_denominator", "exchange_article", "gri", "ifrs_s2", "hkex", "sgx",
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
CONFIDENCE_LEVELS: tuple[str, ...] = (
    "confirmed-secondary", "confirmed-secondary-code", "analyst-mapping",
)

CODE_PATTERN = re.compile(r"^[EGS]-[A-Z]{2,4}-\d{2}(-[A-Z0-9]{1,6})?$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_TOPIC_KEYS = ("key", "pillar", "name_zh", "name_en", "exchange_article", "order")
_TOP_KEYS = (
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


# --- loading --------------------------------------------------------------------------------------
def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and check the catalogue in ``directory`` (default: the shipped one, cached)."""
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> Catalogue:
    return parse_catalogue(
        _read(directory / TOML_NAME),
        _read(directory / CSV_NAME),
        toml_name=TOML_NAME,
        csv_name=CSV_NAME,
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(file=path.name, row=0, field="", reason="the file is missing") from None
    except UnicodeDecodeError:
        raise DataFileError(
            file=path.name, row=0, field="", reason="the file is not valid UTF-8"
        ) from None


def parse_catalogue(
    toml_text: str, csv_text: str, *, toml_name: str = TOML_NAME, csv_name: str = CSV_NAME
) -> Catalogue:
    """Build a :class:`Catalogue` from the two files' text, refusing the first malformed cell."""
    meta, topics = _parse_toml(toml_text, toml_name)
    indicators = _parse_csv(csv_text, csv_name, {t.key: t for t in topics})
    return Catalogue(
        version=meta["version"],
        title_zh=meta["title_zh"],
        title_en=meta["title_en"],
        topics=tuple(sorted(topics, key=lambda t: (t.order, t.key))),
        indicators=indicators,
        published=meta.get("published"),
        description_zh=meta.get("description_zh", ""),
        description_en=meta.get("description_en", ""),
    )


# --- catalogue.toml -------------------------------------------------------------------------------
class _TomlLines:
    """Finds the line of a key in the TOML text, so that errors name a line a person can find."""

    _HEADER = re.compile(r"^\s*\[\[\s*topic\s*\]\]\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [n for n, line in enumerate(self.lines, start=1) if self._HEADER.match(line)]

    def _key_line(self, key: str, start: int, stop: int) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, stop + 1):
            if pattern.match(self.lines[n - 1]):
                return n
        return None

    def top(self, key: str) -> int:
        stop = (self.headers[0] - 1) if self.headers else len(self.lines)
        return self._key_line(key, 1, stop) or 1

    def topic(self, index: int, key: str | None = None) -> int:
        if index >= len(self.headers):
            return self.top("topic")
        start = self.headers[index]
        stop = self.headers[index + 1] - 1 if index + 1 < len(self.headers) else len(self.lines)
        if key is None:
            return start
        return self._key_line(key, start, stop) or start


def _parse_toml(text: str, name: str) -> tuple[dict[str, Any], list[Topic]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise DataFileError(
            file=name, row=int(found.group(1)) if found else 1, field="",
            reason=f"not valid TOML: {exc}",
        ) from None
    lines = _TomlLines(text)

    def fail(key: str, reason: str, line: int | None = None) -> DataFileError:
        return DataFileError(file=name, row=line or lines.top(key), field=key, reason=reason)

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(key, f"unknown key “{key}”")
    meta: dict[str, Any] = {}
    for key in ("version", "title_zh", "title_en"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "a non-empty text is required")
        meta[key] = value.strip()
    if "published" in data:
        if not isinstance(data["published"], date) or hasattr(data["published"], "hour"):
            raise fail("published", "must be a date such as 2025-01-31")
        meta["published"] = data["published"]
    for key in ("description_zh", "description_en"):
        if key in data:
            if not isinstance(data[key], str):
                raise fail(key, "must be text")
            meta[key] = data[key].strip()

    raw_topics = data.get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise fail("topic", "at least one [[topic]] table is required")
    topics: list[Topic] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_topics):
        def tfail(key: str, reason: str, index: int = index) -> DataFileError:
            return DataFileError(
                file=name, row=lines.topic(index, key), field=f"topic.{key}", reason=reason
            )

        if not isinstance(raw, dict):
            raise tfail("key", "each topic must be a [[topic]] table")
        for key in raw:
            if key not in _TOPIC_KEYS:
                raise tfail(key, f"unknown key “{key}”")
        for key in ("key", "pillar", "name_zh", "name_en"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise tfail(key, "a non-empty text is required")
        key = raw["key"].strip()
        if not SLUG_PATTERN.match(key):
            raise tfail("key", f"“{key}” is not a slug (lower-case letters, digits, underscores)")
        if key in seen:
            raise tfail("key", f"topic “{key}” is defined twice")
        seen.add(key)
        pillar = raw["pillar"].strip()
        if pillar not in PILLARS:
            raise tfail("pillar", f"“{pillar}” is not one of E, S, G")
        article = raw.get("exchange_article", "")
        if not isinstance(article, str):
            raise tfail("exchange_article", "must be text")
        order = raw.get("order")
        if not isinstance(order, int) or isinstance(order, bool):
            raise tfail("order", "an integer is required")
        topics.append(
            Topic(
                key=key, pillar=pillar, name_zh=raw["name_zh"].strip(),
                name_en=raw["name_en"].strip(), exchange_article=article.strip(), order=order,
            )
        )
    return meta, topics


# --- indicators.csv -------------------------------------------------------------------------------
def _parse_csv(text: str, name: str, topics: dict[str, Topic]) -> tuple[Indicator, ...]:
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(file=name, row=1, field="", reason="the file is empty") from None
    except csv.Error as exc:
        raise DataFileError(file=name, row=1, field="", reason=f"not valid CSV: {exc}") from None
    _check_header([h.strip() for h in header], name)

    indicators: list[Indicator] = []
    rows: dict[str, int] = {}
    spreadsheet_row = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataFileError(
                file=name, row=spreadsheet_row + 1, field="", reason=f"not valid CSV: {exc}"
            ) from None
        spreadsheet_row += 1
        if not any(c.strip() for c in cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(cells) != len(COLUMNS):
            column = COLUMNS[len(cells)] if len(cells) < len(COLUMNS) else COLUMNS[-1]
            raise DataFileError(
                file=name, row=spreadsheet_row, field=column,
                reason=f"the row has {len(cells)} cells; {len(COLUMNS)} are expected",
            )
        row = dict(zip(COLUMNS, (c.strip() for c in cells), strict=True))
        indicator = _parse_row(row, name, spreadsheet_row, topics)
        if indicator.code in rows:
            raise DataFileError(
                file=name, row=spreadsheet_row, field="code",
                reason=f"code {indicator.code} is already used in row {rows[indicator.code]}",
            )
        rows[indicator.code] = spreadsheet_row
        indicators.append(indicator)
    if not indicators:
        raise DataFileError(file=name, row=2, field="code", reason="the file has no indicators")
    _check_references(indicators, rows, name)
    return tuple(indicators)


def _check_header(header: list[str], name: str) -> None:
    for column in COLUMNS:
        if column not in header:
            raise DataFileError(file=name, row=1, field=column, reason="the column is missing")
    for column in header:
        if column not in COLUMNS:
            raise DataFileError(
                file=name, row=1, field=column or "(empty)", reason="the column is not expected"
            )
    if len(header) != len(set(header)):
        twice = next(c for c in header if header.count(c) > 1)
        raise DataFileError(file=name, row=1, field=twice, reason="the column appears twice")
    if tuple(header) != COLUMNS:
        column = next(c for c, expected in zip(header, COLUMNS, strict=True) if c != expected)
        raise DataFileError(
            file=name, row=1, field=column,
            reason="the columns are out of order; expected " + ",".join(COLUMNS),
        )


def _parse_row(row: dict[str, str], name: str, line: int, topics: dict[str, Topic]) -> Indicator:
    def fail(column: str, reason: str) -> DataFileError:
        return DataFileError(file=name, row=line, field=column, reason=reason)

    code = row["code"]
    if not CODE_PATTERN.match(code):
        raise fail("code", f"“{code}” does not match {CODE_PATTERN.pattern}")
    pillar = row["pillar"]
    if pillar not in PILLARS:
        raise fail("pillar", f"“{pillar}” is not one of E, S, G")
    if code[0] != pillar:
        raise fail("code", f"code {code} does not start with its pillar {pillar}")
    topic = topics.get(row["topic"])
    if topic is None:
        raise fail("topic", f"unknown topic “{row['topic']}”")
    if topic.pillar != pillar:
        raise fail("pillar", f"topic {topic.key} belongs to pillar {topic.pillar}, not {pillar}")
    for column in REQUIRED_TEXT:
        if not row[column]:
            raise fail(column, "the cell is empty")
    if row["confidence"] not in CONFIDENCE_LEVELS and not row["confidence"].startswith(
        "unconfirmed-"
    ):
        raise fail(
            "confidence",
            f"“{row['confidence']}” is not one of {', '.join(CONFIDENCE_LEVELS)} or unconfirmed-*",
        )

    data_type = row["data_type"]
    if data_type not in DATA_TYPES:
        raise fail("data_type", f"“{data_type}” is not one of {', '.join(DATA_TYPES)}")
    unit = row["unit"]
    if data_type == "number":
        if not unit:
            raise fail("unit", "a number needs a unit")
        if unit not in units.LABELS or not units.is_known(unit):
            raise fail("unit", f"“{unit}” is not a canonical unit of the registry")
    elif data_type == "percentage":
        if unit != "%":
            raise fail("unit", f"a percentage has the unit %, not “{unit}”")
    elif unit:
        raise fail("unit", f"a {data_type} takes no unit; “{unit}” was given")

    low = _bound(row, "min", data_type, fail)
    high = _bound(row, "max", data_type, fail)
    if low is not None and high is not None and low > high:
        raise fail("min", f"min {low:g} is greater than max {high:g}")
    if data_type == "percentage":
        for column, value in (("min", low), ("max", high)):
            if value is not None and not 0 <= value <= 100:
                raise fail(column, f"{value:g} lies outside 0–100 for a percentage")

    choices = _choices(row["choices"], data_type, fail)
    if row["disclosure_level"] not in DISCLOSURE_LEVELS:
        raise fail(
            "disclosure_level",
            f"“{row['disclosure_level']}” is not one of {', '.join(DISCLOSURE_LEVELS)}",
        )
    if row["tier"] not in TIERS:
        raise fail("tier", f"“{row['tier']}” is not one of {', '.join(TIERS)}")
    for column in ("part_of", "intensity_numerator", "intensity_denominator"):
        if row[column] and not CODE_PATTERN.match(row[column]):
            raise fail(column, f"“{row[column]}” is not an indicator code")
        if row[column] == code:
            raise fail(column, "an indicator cannot refer to itself")
    if bool(row["intensity_numerator"]) != bool(row["intensity_denominator"]):
        missing = "intensity_denominator" if row["intensity_numerator"] else "intensity_numerator"
        raise fail(missing, "an intensity needs both a numerator and a denominator")
    if row["intensity_numerator"] and data_type != "number":
        raise fail("intensity_numerator", f"only a number can be an intensity, not a {data_type}")
    if row["part_of"] and data_type not in NUMERIC_TYPES:
        raise fail("part_of", f"only a number can be part of a total, not a {data_type}")

    return Indicator(
        code=code, pillar=pillar, topic=topic.key, name_zh=row["name_zh"],
        name_en=row["name_en"], data_type=data_type, unit=unit, min=low, max=high,
        choices=choices, disclosure_level=row["disclosure_level"], tier=row["tier"],
        part_of=row["part_of"], intensity_numerator=row["intensity_numerator"],
        intensity_denominator=row["intensity_denominator"],
        exchange_article=row["exchange_article"], gri=row["gri"], ifrs_s2=row["ifrs_s2"],
        hkex=row["hkex"], sgx=row["sgx"], what_zh=row["what_zh"], what_en=row["what_en"],
        how_zh=row["how_zh"], how_en=row["how_en"], mistakes_zh=row["mistakes_zh"],
        mistakes_en=row["mistakes_en"], source=row["source"], confidence=row["confidence"],
    )


def _bound(row: dict[str, str], column: str, data_type: str, fail: Any) -> float | None:
    text = row[column]
    if not text:
        return None
    if data_type not in NUMERIC_TYPES:
        raise fail(column, f"a {data_type} takes no bounds")
    try:
        value = float(text)
    except ValueError:
        raise fail(column, f"“{text}” is not a number") from None
    if not math.isfinite(value):
        raise fail(column, f"“{text}” is not a finite number")
    return value


def _choices(text: str, data_type: str, fail: Any) -> tuple[Choice, ...]:
    if data_type != "choice":
        if text:
            raise fail("choices", f"a {data_type} takes no choices")
        return ()
    if not text:
        raise fail("choices", "a choice indicator needs its choices (key:中文:English|...)")
    items: list[Choice] = []
    for part in text.split("|"):
        pieces = [p.strip() for p in part.split(":", 2)]
        if len(pieces) != 3 or not all(pieces):
            raise fail("choices", f"“{part.strip()}” is not key:中文:English")
        key, zh, en = pieces
        if not SLUG_PATTERN.match(key):
            raise fail("choices", f"choice key “{key}” is not an ascii slug")
        if any(c.key == key for c in items):
            raise fail("choices", f"choice key “{key}” appears twice")
        items.append(Choice(key=key, name_zh=zh, name_en=en))
    if len(items) < 2:
        raise fail("choices", "a choice indicator needs at least two choices")
    return tuple(items)


def _check_references(indicators: list[Indicator], rows: dict[str, int], name: str) -> None:
    by_code = {i.code: i for i in indicators}
    for ind in indicators:
        def fail(column: str, reason: str, ind: Indicator = ind) -> DataFileError:
            return DataFileError(file=name, row=rows[ind.code], field=column, reason=reason)

        if ind.part_of:
            total = by_code.get(ind.part_of)
            if total is None:
                raise fail("part_of", f"unknown indicator “{ind.part_of}”")
            if total.data_type != ind.data_type or total.unit != ind.unit:
                raise fail(
                    "part_of",
                    f"{ind.part_of} is measured in {total.unit or total.data_type}, "
                    f"not {ind.unit or ind.data_type}; a part must share its total's unit",
                )
        if ind.intensity_numerator:
            ends = {}
            for column in ("intensity_numerator", "intensity_denominator"):
                other = by_code.get(getattr(ind, column))
                if other is None:
                    raise fail(column, f"unknown indicator “{getattr(ind, column)}”")
                if other.data_type != "number":
                    raise fail(column, f"{other.code} is a {other.data_type}, not a number")
                ends[column] = other
            if not _ratio_fits(
                ends["intensity_numerator"].unit, ends["intensity_denominator"].unit, ind.unit
            ):
                raise fail(
                    "unit",
                    f"{ind.unit} is not {ends['intensity_numerator'].unit} per "
                    f"{ends['intensity_denominator'].unit}",
                )
    # A part_of chain must end at a total, never loop back.
    for ind in indicators:
        seen = {ind.code}
        current = ind
        while current.part_of:
            if current.part_of in seen:
                raise DataFileError(
                    file=name, row=rows[ind.code], field="part_of",
                    reason=f"the part_of chain of {ind.code} loops back to {current.part_of}",
                )
            seen.add(current.part_of)
            current = by_code[current.part_of]


def _ratio_fits(numerator: str, denominator: str, unit: str) -> bool:
    """Whether ``unit`` measures the same thing as ``numerator`` per ``denominator``."""
    try:
        quantity = units.registry().Quantity
        ratio = (quantity(1, "") * units.parse_unit(numerator)) / (
            quantity(1, "") * units.parse_unit(denominator)
        )
        target = quantity(1, "") * units.parse_unit(unit)
        (ratio / target).to("dimensionless")
    except Exception:  # pint raises several unrelated types for a dimension mismatch
        return False
    return True


# --- export ---------------------------------------------------------------------------------------
def export_rows(catalogue: Catalogue) -> list[dict[str, Any]]:
    """The indicators as flat JSON-serialisable dicts in column order, choices as a list of dicts."""
    rows: list[dict[str, Any]] = []
    for ind in catalogue.indicators:
        row: dict[str, Any] = {}
        for column in COLUMNS:
            value = getattr(ind, column)
            if column == "choices":
                value = [
                    {"key": c.key, "name_zh": c.name_zh, "name_en": c.name_en} for c in value
                ]
            row[column] = value
        rows.append(row)
    return rows


def export_csv_text(catalogue: Catalogue) -> str:
    """The indicators as ``indicators.csv`` text, which :func:`parse_catalogue` reads back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in export_rows(catalogue):
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column == "choices":
                value = "|".join(f"{c['key']}:{c['name_zh']}:{c['name_en']}" for c in value)
            elif column in ("min", "max"):
                value = "" if value is None else _format_number(value)
            cells.append(value)
        writer.writerow(cells)
    return buffer.getvalue()


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
