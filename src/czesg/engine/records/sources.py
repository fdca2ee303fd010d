"""The named sources of records, read from ``data/records/sources.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.datafiles.files import parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

SOURCE_KINDS = ("published_report", "exchange_filing", "government_register", "utility",
                "calculation")
VISIBILITIES = ("public", "restricted")
SOURCES_FILE = DATA_DIR / "records" / "sources.toml"


@dataclass(frozen=True)
class SourceSpec:
    """A source as the data file declares it."""

    code: str
    kind: str
    name_zh: str
    name_en: str
    licence: str
    url: str
    visibility: str
    provenance: Provenance
    adapters: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def load_sources() -> dict[str, SourceSpec]:
    """Every declared source by its code, each field checked."""
    name = "records/sources.toml"
    table = parse_toml(read_data_file(SOURCES_FILE, name), name,
                       confidences=[c.value for c in Confidence], by_line=True)
    specs = {}
    for code, entry in table.children("source"):
        entry.allow("kind", "name_zh", "name_en", "licence", "url", "visibility", "adapters",
                    "source", "confidence")
        specs[code] = SourceSpec(
            code=code, kind=entry.choice("kind", SOURCE_KINDS), name_zh=entry.text("name_zh"),
            name_en=entry.text("name_en"), licence=entry.text("licence", empty=True),
            url=entry.text("url", empty=True), visibility=entry.choice("visibility", VISIBILITIES),
            provenance=entry.provenance(),
            adapters=tuple(entry.texts("adapters", required=False)))
    return specs
