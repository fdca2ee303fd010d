"""The named sources of records, read from ``data/records/sources.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.datafiles.files import parse_toml, read_data_file
from czesg.engine.datafiles.table import TomlTable
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


def _table() -> TomlTable:
    name = "records/sources.toml"
    return parse_toml(read_data_file(SOURCES_FILE, name), name,
                      confidences=[c.value for c in Confidence], by_line=True)


@lru_cache(maxsize=1)
def source_precedence() -> tuple[str, ...]:
    """The source kinds in the order their figures are preferred (the file's ``[precedence]``)."""
    table = _table().child("precedence")
    table.allow("order", "source", "confidence")
    table.provenance()
    order = tuple(table.texts("order"))
    for kind in order:
        if kind not in SOURCE_KINDS:
            table.fail("order", f"{kind!r} is not one of " + ", ".join(SOURCE_KINDS))
    missing = [kind for kind in SOURCE_KINDS if kind not in order]
    if missing:
        table.fail("order", "lacks " + ", ".join(missing))
    return order


@lru_cache(maxsize=1)
def load_sources() -> dict[str, SourceSpec]:
    """Every declared source by its code, each field checked."""
    table = _table()
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
