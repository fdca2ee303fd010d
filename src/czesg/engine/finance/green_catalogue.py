"""The green finance project catalogue (《绿色金融支持项目目录（2025年版）》) as data, and a
keyword suggestion of its category for a project description.

The catalogue's entries come from ``data/finance/green-catalogue-2025.toml`` with their source
and confidence; each maps to a category of the 2024 transition-industry catalogue. A suggestion
is only a suggestion: a person confirms the identification (``czesg.finance.identification``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

_FILE = "finance/green-catalogue-2025.toml"


@dataclass(frozen=True)
class GreenEntry:
    """A category of the green finance project catalogue, with its suggestion keywords."""

    key: str
    official_code: str
    name_zh: str
    name_en: str
    green: bool
    transition_category: str
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]
    provenance: Provenance

    def name(self, language: str) -> str:
        """The name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh

    @property
    def confirmed(self) -> bool:
        """Whether the entry was read in the official text (not marked unconfirmed)."""
        return not self.provenance.confidence.startswith("unconfirmed")


@dataclass(frozen=True)
class GreenCatalogue:
    """The catalogue: its version, title, source and entries by key."""

    version: str
    title_zh: str
    title_en: str
    source: str
    entries: dict[str, GreenEntry]

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def get(self, key: str) -> GreenEntry:
        """The entry with ``key`` (KeyError when unknown)."""
        return self.entries[key]


@dataclass(frozen=True)
class Suggestion:
    """A category suggested for a project text and the keywords that matched."""

    key: str
    hits: tuple[str, ...]


@lru_cache(maxsize=1)
def load_green_catalogue() -> GreenCatalogue:
    """The catalogue of ``data/finance/green-catalogue-2025.toml`` (cached)."""
    root = parse_toml(read_data_file(Path(DATA_DIR) / _FILE, _FILE), _FILE,
                      confidences=[c.value for c in Confidence])
    root.allow("version", "title_zh", "title_en", "source", "entry")
    seen = FirstSeen()
    entries: dict[str, GreenEntry] = {}
    for row in root.array("entry"):
        row.allow("key", "official_code", "name_zh", "name_en", "green", "transition_category",
                  "keywords_zh", "keywords_en", "source", "confidence")
        key = row.key()
        seen.claim(row, "key", key)
        entries[key] = GreenEntry(
            key=key, official_code=row.text("official_code", empty=True),
            name_zh=row.text("name_zh"), name_en=row.text("name_en"), green=row.boolean("green"),
            transition_category=row.text("transition_category", empty=True),
            keywords_zh=row.texts("keywords_zh", empty=False),
            keywords_en=tuple(k.lower() for k in row.texts("keywords_en", empty=False)),
            provenance=row.provenance())
    return GreenCatalogue(root.text("version"), root.text("title_zh"), root.text("title_en"),
                          root.text("source"), entries)


def suggest(text: str, catalogue: GreenCatalogue | None = None) -> list[Suggestion]:
    """The green categories whose keywords occur in ``text``, most matches first (ties in the
    catalogue's order); empty when none matches."""
    catalogue = catalogue or load_green_catalogue()
    lowered = text.lower()
    found = []
    for order, entry in enumerate(catalogue.entries.values()):
        hits = tuple(k for k in (*entry.keywords_zh, *entry.keywords_en) if k.lower() in lowered)
        if hits:
            found.append((-len(hits), order, Suggestion(entry.key, hits)))
    return [s for _, _, s in sorted(found, key=lambda t: (t[0], t[1]))]
