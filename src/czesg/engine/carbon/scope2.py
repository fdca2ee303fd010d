"""Scope 2 rules: the grid factor chain province → regional grid → nation, and the residual.

Market-based Scope 2 puts the purchased electricity not covered by green instruments at the
residual factor; :func:`residual_electricity` computes that residual per group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from czesg.engine.carbon.factors import CHAIN_LEVELS, NATIONAL_REGION, Factor, FactorSet
from czesg.engine.plan import load_city_profile

# The province-level divisions, spelled as in the factor table (region column).
KNOWN_PROVINCES: tuple[str, ...] = (
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin",
    "Heilongjiang", "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong",
    "Henan", "Hubei", "Hunan", "Guangdong", "Guangxi", "Hainan", "Chongqing", "Sichuan",
    "Guizhou", "Yunnan", "Tibet", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang",
)
# The provinces of the East China regional grid (华东区域电网), the only regional grid with a
# factor in the shipped set; extend through the ``grid_regions`` parameter.
DEFAULT_GRID_REGIONS: Mapping[str, str] = MappingProxyType({
    "Shanghai": "East China", "Jiangsu": "East China", "Zhejiang": "East China",
    "Anhui": "East China", "Fujian": "East China",
})


def default_location() -> tuple[str, str]:
    """The default province and its regional grid, from the city profile (Jiangsu, East China)."""
    profile = load_city_profile()
    return profile.provincial_grid_region, profile.grid_region


@dataclass(frozen=True)
class GridFactor:
    """The factor a Scope 2 chain found: the level it was found at and why it is a fallback."""

    factor: Factor
    level: str
    fallback_reason: str

    @property
    def fallback(self) -> bool:
        """Whether the factor stands in for the province's own factor of the year."""
        return bool(self.fallback_reason)


def resolve_grid_factor(
    factor_set: FactorSet, steps: Sequence[str], region: str, year: int,
    grid_regions: Mapping[str, str],
) -> GridFactor | None:
    """The first factor along ``steps`` (``<category>@<level>``) for ``region`` and ``year``.

    Each step takes its level's factor of ``year``, else of its latest earlier year; the levels
    are the province, its regional grid (``grid_regions``) and the nation. ``None`` when no step
    has a factor.
    """
    first_level = steps[0].partition("@")[2]
    for step in steps:
        category, _, level = step.partition("@")
        where = {"province": region, "grid_region": grid_regions.get(region),
                 "national": NATIONAL_REGION}[level]
        factor = factor_set.latest(category, where, year) if where else None
        if factor is None:
            continue
        reasons = []
        if level != first_level:
            reasons.append("wider_region")
        if factor.data_year != year:
            reasons.append("earlier_year")
        return GridFactor(factor, CHAIN_LEVELS[level], "_".join(reasons))
    return None


def residual_electricity(
    elec: tuple[np.ndarray, np.ndarray], green: tuple[np.ndarray, np.ndarray], size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Purchased and green electricity per group, and the residual (never below zero)."""
    electricity = np.bincount(elec[0], elec[1], minlength=size).astype(np.float64)
    covered = np.bincount(green[0], green[1], minlength=size).astype(np.float64)
    return electricity, covered, np.maximum(electricity - covered, 0.0)


