"""Grade and label bands on the 0–100 score: the type, the checked parsing and the lookup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from czesg.engine.datafiles import TomlTable


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


def band_index(bands: Sequence[Band], scores: np.ndarray) -> np.ndarray:
    """The band of each score; ``bands`` run from the best (highest) down."""
    mins = np.array([band.min for band in reversed(bands)], dtype=float)
    ascending = np.searchsorted(mins, scores, side="right") - 1
    ascending = np.clip(ascending, 0, len(bands) - 1)
    return len(bands) - 1 - ascending


def parse_bands(root: TomlTable, key: str, *, named: bool) -> tuple[Band, ...]:
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

