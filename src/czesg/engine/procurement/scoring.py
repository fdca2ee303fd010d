"""A supplier's score by a buyer's weighting: components scored 0-100, weighted and summed.

The components (:data:`COMPONENTS`) are the supplier's rating score, its green score, the share
of asked indicators answered, the share of answered values assured and the share of asked
products with a footprint. A component without data scores 0 (no data earns no credit), and the
result says which ones had none. The default weighting is data
(``data/supplychain/weighting.toml``, an unconfirmed platform choice); a buyer's own weighting is
checked by :func:`check_weights`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, WEIGHT_TOLERANCE, parse_toml, read_data_file
from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.provenance import Confidence, Provenance

_FILE = "supplychain/weighting.toml"
COMPONENTS = ("rating", "green", "data", "assured", "footprint")


class WeightingInvalid(CzesgError):
    """A buyer's weighting is not acceptable; ``params['field']`` names the component."""

    code = "weighting_invalid"
    http_status = 422


@dataclass(frozen=True)
class Weighting:
    """Weights of the components (summing to 1), with the version and where they come from."""

    version: str
    weights: tuple[tuple[str, float], ...]
    provenance: Provenance

    def weight(self, component: str) -> float:
        """The weight of a component."""
        return dict(self.weights)[component]


@dataclass(frozen=True)
class ScoreResult:
    """The score (0-100), each component's score and points, and the components without data."""

    score: float
    parts: tuple[tuple[str, float | None, float], ...]
    """``(component, its 0-100 score or None without data, points contributed)``."""
    missing: tuple[str, ...]


@lru_cache(maxsize=1)
def default_weighting() -> Weighting:
    """The platform's default weighting (checked, cached)."""
    table = parse_toml(read_data_file(Path(DATA_DIR) / _FILE, _FILE), _FILE,
                       confidences=[c.value for c in Confidence])
    table.allow("version", "source", "confidence", "weights")
    weights = table.mapping("weights", COMPONENTS, low=0.0, high=1.0)
    table.check_sum("weights", [w for _, w in weights], "the supplier score")
    return Weighting(table.text("version"), weights, table.provenance())


def check_weights(raw: Mapping[str, object]) -> tuple[tuple[str, float], ...]:
    """A buyer's weights as ``(component, weight)`` pairs, each 0-1 and summing to 1; refused
    with the component at fault."""
    unknown = sorted(set(raw) - set(COMPONENTS))
    if unknown:
        raise WeightingInvalid(gettext_noop("“%(field)s” is not a component of the score."),
                               field=unknown[0])
    out = []
    for name in COMPONENTS:
        value = raw.get(name, 0.0)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise WeightingInvalid(gettext_noop("The weight of %(field)s is not a number."),
                                   field=name) from None
        if not math.isfinite(number) or not 0.0 <= number <= 1.0:
            raise WeightingInvalid(gettext_noop("The weight of %(field)s must lie between 0 "
                                                "and 1."), field=name)
        out.append((name, number))
    total = math.fsum(w for _, w in out)
    if abs(total - 1.0) > max(WEIGHT_TOLERANCE, 1e-6):
        raise WeightingInvalid(gettext_noop("The weights sum to %(total)s, not 1."),
                               field="weights", total=f"{total:.4g}")
    return tuple(out)


def score_supplier(components: Mapping[str, float | None], weighting: Weighting) -> ScoreResult:
    """The weighted score of one supplier; ``components`` maps each component to its 0-100
    score or None (no data, which scores 0)."""
    parts: list[tuple[str, float | None, float]] = []
    missing: list[str] = []
    for name, weight in weighting.weights:
        value = components.get(name)
        if value is None:
            missing.append(name)
            parts.append((name, None, 0.0))
            continue
        bounded = min(100.0, max(0.0, float(value)))
        parts.append((name, bounded, bounded * weight))
    return ScoreResult(round(math.fsum(p for _, _, p in parts), 2), tuple(parts),
                       tuple(missing))
