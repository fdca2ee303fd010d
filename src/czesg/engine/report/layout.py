"""What the ESG report charts: ``data/reports/report.toml`` (trend and peer indicators, the peer
group), read and checked against the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from czesg.engine.catalogue import load_catalogue
from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

NAME = "report.toml"


@dataclass(frozen=True)
class Layout:
    """The report's charted indicators and peer-group rule, with the file's provenance."""

    trend: tuple[str, ...]
    trend_years: int
    peers: tuple[str, ...]
    peer_code_length: int
    min_peers: int
    provenance: Provenance


@lru_cache(maxsize=1)
def load_layout() -> Layout:
    """The shipped report layout (cached), its indicators checked against the catalogue."""
    top = parse_toml(read_data_file(DATA_DIR / "reports" / NAME, NAME), NAME,
                     confidences=(Confidence.METHODOLOGY_CHOICE.value,))
    catalogue = load_catalogue()
    lists = {}
    for key in ("trend", "peers"):
        codes = tuple(top.texts(key))
        for code in codes:
            if code not in catalogue or not catalogue.get(code).is_numeric:
                top.fail(key, f"{code!r} is not a numeric indicator of the catalogue")
        lists[key] = codes
    return Layout(trend=lists["trend"], trend_years=top.integer("trend_years", low=2),
                  peers=lists["peers"], peer_code_length=top.integer("peer_code_length", low=1),
                  min_peers=top.integer("min_peers", low=2), provenance=top.provenance())
