"""The risk-based default sample of an assurance engagement, with its sizes as data.

The rule (``data/assurance/sampling.toml``): of the in-scope values, those with a validation or
plausibility warning come first, then the larger absolute values (in the indicator's canonical
unit), then the indicator code; the sample takes ``max(minimum, ceil(fraction * population))``
of them for the engagement's level (limited or reasonable). The sizes are platform choices and
are marked unconfirmed in the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.kernel.errors import CatalogueError, gettext_noop
from czesg.engine.kernel.provenance import Confidence, Provenance

_FILE = "assurance/sampling.toml"
LEVELS = ("limited", "reasonable")


@dataclass(frozen=True)
class SampleSize:
    """How much of the population a level samples: a fraction with a minimum count."""

    fraction: float
    minimum: int
    provenance: Provenance

    def of(self, population: int) -> int:
        """The number of items to sample out of ``population``."""
        return min(population, max(self.minimum, math.ceil(self.fraction * population)))


@dataclass(frozen=True)
class SamplingRule:
    """The default sampling rule of ``sampling.toml``."""

    version: str
    order: str
    order_provenance: Provenance
    sizes: dict[str, SampleSize]


@dataclass(frozen=True)
class Candidate:
    """One in-scope value offered for sampling."""

    code: str
    magnitude: float | None
    """The absolute canonical value, or ``None`` for a non-numeric answer."""
    warnings: int = 0


@lru_cache(maxsize=1)
def load_rule() -> SamplingRule:
    """Read and check ``sampling.toml`` (cached)."""
    table = parse_toml(read_data_file(Path(DATA_DIR) / _FILE, _FILE), _FILE,
                       confidences=[c.value for c in Confidence])
    order = table.child("order")
    size = table.child("size")
    sizes = {}
    for level in LEVELS:
        row = size.child(level)
        sizes[level] = SampleSize(
            fraction=row.number("fraction", low=0.0, high=1.0),
            minimum=row.integer("minimum", low=1),
            provenance=row.provenance(),
        )
    return SamplingRule(version=table.text("version"), order=order.text("rule"),
                        order_provenance=order.provenance(), sizes=sizes)


def risk_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates in the rule's order: warnings first, then larger values, then code."""
    return sorted(
        candidates,
        key=lambda c: (-(c.warnings > 0), -(c.magnitude if c.magnitude is not None else -1.0),
                       c.code),
    )


def default_sample(candidates: Iterable[Candidate], level: str) -> list[str]:
    """The codes the risk-based rule samples for an engagement of ``level``."""
    rule = load_rule()
    if level not in rule.sizes:
        raise CatalogueError(gettext_noop("Unknown assurance level “%(level)s”."), level=level)
    ordered = risk_order(candidates)
    return [c.code for c in ordered[: rule.sizes[level].of(len(ordered))]]
