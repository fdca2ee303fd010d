"""Plausibility checks beyond the catalogue's rules, with their bounds as data
(``data/plausibility/bounds.toml``):

========================  ========  =========================================================
``exceeds_workforce``     error     a count of people (deaths, R&D staff) above the headcount
``energy_ceiling``        error     total energy, or one energy component converted into tce,
                                    above what an enterprise of its size class and industry
                                    could use (an unconfirmed platform bound, said so)
``energy_components``     warning   the energy components converted into tce (lowest
                                    coefficients) exceed the reported total energy
========================  ========  =========================================================

:func:`check` takes the canonical numbers of a disclosure and the enterprise's size class and
GB/T 4754 industry code, and returns :class:`~czesg.engine.disclosure.answers.Finding` objects
like :func:`czesg.engine.disclosure.validation.validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.carbon.factors import load_factor_set
from czesg.engine.catalogue import Catalogue, load_catalogue
from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.disclosure.answers import Finding, error_finding, warning_finding
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import gettext_noop

_FILE = "plausibility/bounds.toml"


@dataclass(frozen=True)
class Bounds:
    """The plausibility bounds of ``bounds.toml``."""

    at_most: tuple[tuple[str, str], ...]
    energy_total: str
    energy_tolerance: float
    tce_per_unit: dict[str, float]
    """Component code → tce per unit of its canonical unit (lowest coefficient)."""
    ceilings: dict[str, float]
    intensive_divisions: tuple[str, ...]
    intensive_factor: float
    ceiling_source: str
    ceiling_confidence: str

    def ceiling(self, size_class: str, industry_code: str) -> float | None:
        """The energy ceiling in tce for a size class and industry; ``None`` when unknown."""
        base = self.ceilings.get(size_class)
        if base is None:
            return None
        if (industry_code or "")[1:3] in self.intensive_divisions or (
            industry_code or ""
        )[:2] in self.intensive_divisions:
            return base * self.intensive_factor
        return base


@lru_cache(maxsize=1)
def load_bounds() -> Bounds:
    """Read and check ``bounds.toml`` against the catalogue and the factor set (cached)."""
    catalogue = load_catalogue()
    path = Path(DATA_DIR) / _FILE
    table = parse_toml(read_data_file(path, _FILE), _FILE)
    at_most = []
    for row in table.array("at_most"):
        part, whole = row.text("part"), row.text("whole")
        for field_name, code in (("part", part), ("whole", whole)):
            if code not in catalogue:
                row.fail(field_name, f"unknown indicator {code}")
        at_most.append((part, whole))
    energy = table.child("energy")
    factors = load_factor_set(energy.text("factor_set"))
    tce_per_unit = {}
    for row in energy.array("component"):
        code = row.text("code")
        if code not in catalogue:
            row.fail("code", f"unknown indicator {code}")
        try:
            factor = factors.get(row.text("factor_id"))
        except KeyError:
            row.fail("factor_id", "not in the factor set")
        per = units.conversion_factor(catalogue.get(code).unit, factor.denominator)
        tce_per_unit[code] = per * factor.value * units.conversion_factor(factor.numerator, "tce")
    ceiling = table.child("ceiling")
    limits = ceiling.child("tce")
    return Bounds(
        at_most=tuple(at_most),
        energy_total=energy.text("total"),
        energy_tolerance=energy.number("tolerance", low=0.0, high=1.0),
        tce_per_unit=tce_per_unit,
        ceilings={k: limits.number(k, low=0.0) for k in ("micro", "small", "medium", "large")},
        intensive_divisions=tuple(ceiling.texts("energy_intensive_divisions")),
        intensive_factor=ceiling.number("energy_intensive_factor", low=1.0),
        ceiling_source=ceiling.text("source"),
        ceiling_confidence=ceiling.text("confidence"),
    )


def _fmt(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.3g}"


def check(numbers: Mapping[str, float], catalogue: Catalogue, *, size_class: str = "",
          industry_code: str = "") -> list[Finding]:
    """Every plausibility finding of a disclosure's canonical ``numbers``."""
    del catalogue  # the bounds are checked against the shipped catalogue
    bounds = load_bounds()
    findings: list[Finding] = []
    for part, whole in bounds.at_most:
        if part in numbers and whole in numbers and numbers[part] > numbers[whole]:
            findings.append(error_finding(
                "exceeds_workforce", part,
                gettext_noop("%(code)s (%(value)s) cannot exceed %(total)s (%(total_value)s)."),
                related=(whole,), code=part, value=_fmt(numbers[part]), total=whole,
                total_value=_fmt(numbers[whole]),
            ))
    ceiling = bounds.ceiling(size_class, industry_code)
    if ceiling is not None:
        in_tce = {c: numbers[c] * k for c, k in bounds.tce_per_unit.items() if c in numbers}
        if bounds.energy_total in numbers:
            in_tce[bounds.energy_total] = numbers[bounds.energy_total]
        for code, tce in in_tce.items():
            if tce > ceiling:
                findings.append(error_finding(
                    "energy_ceiling", code,
                    gettext_noop("%(code)s is implausibly high: %(value)s tce of standard coal is "
                                 "more than an enterprise of this size and industry could use "
                                 "(platform bound %(ceiling)s tce, not an official figure). "
                                 "Check the unit and the number of digits."),
                    code=code, value=_fmt(tce), ceiling=_fmt(ceiling),
                ))
    total = numbers.get(bounds.energy_total)
    parts = {c: numbers[c] * k for c, k in bounds.tce_per_unit.items() if c in numbers}
    if total is not None and parts:
        parts_tce = sum(parts.values())
        if parts_tce > total * (1 + bounds.energy_tolerance) + 1e-9:
            findings.append(warning_finding(
                "energy_components", bounds.energy_total,
                gettext_noop("%(code)s (%(value)s tce) is less than its components converted into "
                             "standard coal (at least %(parts)s tce); check the total or the "
                             "components."),
                related=tuple(sorted(parts)), code=bounds.energy_total, value=_fmt(total),
                parts=_fmt(parts_tce),
            ))
    return findings
