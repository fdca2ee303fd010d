"""Content indexes: each framework's disclosure requirements, where a report answers them, gaps.

``data/frameworks/frameworks.toml`` names the frameworks and the catalogue column that maps an
indicator to each framework's requirements; ``data/frameworks/requirements.csv`` lists the
requirements, limited to those the catalogue's crosswalk maps (so an index never claims a
framework's full coverage). :func:`load_frameworks` reads and checks both against the catalogue;
:func:`content_index` tells, for one report's answers, which requirements are answered (by which
indicators), which are answered only as "not applicable", and which are gaps.

Pure Python; no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from czesg.engine.catalogue.model import Catalogue, Indicator
from czesg.engine.datafiles import DATA_DIR, parse_toml, read_csv_rows, read_data_file
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.provenance import Confidence, Provenance

DIRECTORY = DATA_DIR / "frameworks"
TOML_NAME = "frameworks.toml"
CSV_NAME = "requirements.csv"
CSV_COLUMNS = ("framework", "ref", "source", "confidence")
COLUMNS = ("exchange_article", "gri", "ifrs_s2", "hkex", "sgx", "source")
CONFIDENCES = (Confidence.ANALYST_MAPPING.value, Confidence.CONFIRMED_SECONDARY.value)
VSME_RE = re.compile(r"VSME (B\d+)\b")

ANSWERED = "answered"
NOT_APPLICABLE = "not_applicable"
GAP = "gap"
STATUSES = (ANSWERED, NOT_APPLICABLE, GAP)
"""A requirement's status in a report: a mapped indicator has a value; only "not applicable"
answers; or no mapped indicator is answered."""


@dataclass(frozen=True)
class Requirement:
    """One disclosure requirement of a framework (as the catalogue's crosswalk maps it)."""

    framework: str
    ref: str
    provenance: Provenance


@dataclass(frozen=True)
class Framework(Bilingual):
    """A reporting framework whose requirements the catalogue maps to indicators."""

    key: str
    column: str
    split: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    provenance: Provenance
    requirements: tuple[Requirement, ...]

    def short(self, lang: str = "zh-hans") -> str:
        """The framework's short name (beside an indicator in the form)."""
        return self.short_en if lang.startswith("en") else self.short_zh

    def refs_of(self, indicator: Indicator) -> tuple[str, ...]:
        """The references of this framework that the catalogue gives for ``indicator``."""
        cell = getattr(indicator, self.column)
        if self.column == "source":
            return tuple(dict.fromkeys(VSME_RE.findall(cell)))
        parts = cell.split(self.split) if self.split else [cell]
        return tuple(p.strip() for p in parts if p.strip())


@dataclass(frozen=True)
class IndexRow:
    """One requirement in a report's content index: the indicators that answer it, its status."""

    requirement: Requirement
    indicators: tuple[str, ...]
    answered_by: tuple[str, ...]
    status: str


def load_frameworks(catalogue: Catalogue, directory: Path | None = None) -> tuple[Framework, ...]:
    """The frameworks with their requirements, checked against ``catalogue``'s crosswalk."""
    if directory is not None:
        return _load(catalogue, Path(directory))
    if catalogue.version not in _LOADED:
        _LOADED[catalogue.version] = _load(catalogue, DIRECTORY)
    return _LOADED[catalogue.version]


_LOADED: dict[str, tuple[Framework, ...]] = {}


def _load(catalogue: Catalogue, directory: Path) -> tuple[Framework, ...]:
    top = parse_toml(read_data_file(directory / TOML_NAME, TOML_NAME), TOML_NAME,
                     confidences=CONFIDENCES)
    rows = read_csv_rows(read_data_file(directory / CSV_NAME, CSV_NAME), CSV_NAME, CSV_COLUMNS,
                         confidences=CONFIDENCES)
    declared = []
    for table in top.array("framework"):
        column = table.choice("column", COLUMNS)
        declared.append((table, column))
    keys = [t.text("key") for t, _ in declared]
    by_framework: dict[str, list[Requirement]] = {k: [] for k in keys}
    for row in rows:
        key = row.choice("framework", keys)
        ref = row.text("ref")
        if any(r.ref == ref for r in by_framework[key]):
            row.fail("ref", f"{ref!r} is listed twice for {key}")
        by_framework[key].append(Requirement(key, ref, row.provenance()))
    frameworks = []
    for table, column in declared:
        key = table.text("key")
        framework = Framework(key=key, column=column, split=table.text("split", empty=True),
                              name_zh=table.text("name_zh"), name_en=table.text("name_en"),
                              short_zh=table.text("short_zh"), short_en=table.text("short_en"),
                              provenance=table.provenance(),
                              requirements=tuple(by_framework[key]))
        mapped = {ref for i in catalogue.indicators for ref in framework.refs_of(i)}
        listed = {r.ref for r in framework.requirements}
        if mapped - listed:
            table.fail("key", "the catalogue maps indicators to references that requirements.csv "
                       "does not list: " + ", ".join(sorted(mapped - listed)))
        if listed - mapped:
            table.fail("key", "requirements.csv lists references that no catalogue indicator "
                       "maps: " + ", ".join(sorted(listed - mapped)))
        frameworks.append(framework)
    return tuple(frameworks)


def content_index(framework: Framework, catalogue: Catalogue,
                  answers: Mapping[str, str]) -> list[IndexRow]:
    """The framework's requirements with their status in a report.

    ``answers`` maps an indicator code to ``"value"`` or ``"not_applicable"``; an indicator
    absent from it is not answered.
    """
    mapped: dict[str, list[str]] = {r.ref: [] for r in framework.requirements}
    for indicator in catalogue.indicators:
        for ref in framework.refs_of(indicator):
            mapped[ref].append(indicator.code)
    out = []
    for requirement in framework.requirements:
        codes = tuple(mapped[requirement.ref])
        valued = tuple(c for c in codes if answers.get(c) == "value")
        if valued:
            status = ANSWERED
        elif any(answers.get(c) == "not_applicable" for c in codes):
            status = NOT_APPLICABLE
        else:
            status = GAP
        out.append(IndexRow(requirement, codes, valued, status))
    return out


def references(frameworks: tuple[Framework, ...], indicator: Indicator
               ) -> list[tuple[Framework, tuple[str, ...]]]:
    """The frameworks' references that the catalogue gives for one indicator (form display)."""
    return [(f, refs) for f in frameworks if (refs := f.refs_of(indicator))]
