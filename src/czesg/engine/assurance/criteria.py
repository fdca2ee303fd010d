"""The criteria an assurance engagement may name, and the standard its statement is issued
under (``data/assurance/criteria.toml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

_FILE = "assurance/criteria.toml"
GROUPS = ("guideline", "ghg")


@dataclass(frozen=True)
class Criterion:
    """One criterion: a reporting guideline or a GHG accounting standard, named in zh and en."""

    key: str
    group: str
    zh: str
    en: str
    provenance: Provenance


@dataclass(frozen=True)
class Criteria:
    """The criteria of ``criteria.toml`` and the assurance standard statements name."""

    version: str
    items: dict[str, Criterion]
    standard_zh: str
    standard_en: str
    international: str
    standard_provenance: Provenance


@lru_cache(maxsize=1)
def load_criteria() -> Criteria:
    """Read and check ``criteria.toml`` (cached)."""
    table = parse_toml(read_data_file(Path(DATA_DIR) / _FILE, _FILE), _FILE,
                       confidences=[c.value for c in Confidence])
    seen = FirstSeen()
    items = {}
    for row in table.array("criterion"):
        key = row.text("key")
        seen.claim(row, "key", key)
        items[key] = Criterion(key=key, group=row.choice("group", GROUPS), zh=row.text("zh"),
                               en=row.text("en"), provenance=row.provenance())
    standard = table.child("standard")
    return Criteria(version=table.text("version"), items=items, standard_zh=standard.text("zh"),
                    standard_en=standard.text("en"),
                    international=standard.text("international"),
                    standard_provenance=standard.provenance())
