"""The Changzhou city profile as data: districts, parks, departments, targets, tasks and industries.

:class:`CityProfile` holds the entries that :mod:`czesg.engine.plan.loading` reads from the data
files, with lookups by code and key. Industry codes carry their section letter: ``"C"``
(section), ``"C38"`` (division), ``"C384"`` (group), ``"C3841"`` (class). Lookups also accept the
bare digits (``"3841"``), because division numbers are unique across sections.

Pure Python; no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.provenance import Confidence

CITY_FILE = "city/changzhou.toml"
INDUSTRIES_FILE = "industries/gbt4754_2017.csv"

CONFIDENCES: tuple[Confidence, ...] = (
    Confidence.CONFIRMED_PRIMARY, Confidence.CONFIRMED_SECONDARY,
    Confidence.CONFIRMED_SECONDARY_CODE, Confidence.ANALYST_JUDGEMENT,
)
"""The confidence codes the city and industry files accept (besides ``unconfirmed-…``)."""
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DISTRICT_CODE_RE = re.compile(r"^\d{6}$")

DISTRICT_KINDS = frozenset({"district", "county_city"})
PARK_KINDS = frozenset({
    "national_high_tech_zone", "national_etdz", "provincial_high_tech_zone",
    "provincial_development_zone", "municipal_functional_zone", "industrial_park",
})
TARGET_UNITS = frozenset({"%", "count", "count/year", "persons/year"})
COMPARATORS = frozenset({">=", "<="})
MEASURED_BY = frozenset({"platform", "registry"})
LEAD_MODES = frozenset({"joint", "lead"})
TASK_NUMBERS = frozenset(range(1, 21))
TASK_GROUPS = frozenset(range(1, 7))

INDUSTRY_LEVELS = ("section", "division", "group", "class")
INDUSTRY_CODE_RE = {
    "section": re.compile(r"^[A-T]$"),
    "division": re.compile(r"^[A-T]\d{2}$"),
    "group": re.compile(r"^[A-T]\d{3}$"),
    "class": re.compile(r"^[A-T]\d{4}$"),
}
INDUSTRY_COLUMNS = (
    "code", "level", "name_zh", "name_en", "parent", "lead_industry", "source", "confidence",
)
_LEVEL_BY_DIGITS = {0: "section", 2: "division", 3: "group", 4: "class"}


# --------------------------------------------------------------------------------------------
# Entries


@dataclass(frozen=True)
class District(Bilingual):
    """A county-level division of the city (a district or a county-level city)."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    source: str
    confidence: str
    notes: str = ""


@dataclass(frozen=True)
class Park(Bilingual):
    """A development zone or industrial park; ``district`` is None where it is unconfirmed."""

    key: str
    name_zh: str
    short_zh: str
    name_en: str
    kind: str
    district: str | None
    parent: str | None
    source: str
    confidence: str
    notes: str = ""


@dataclass(frozen=True)
class Department(Bilingual):
    """A department or body that the action plan names as responsible for tasks."""

    key: str
    name_zh: str
    name_en: str
    source: str
    confidence: str
    notes: str = ""


@dataclass(frozen=True)
class Target(Bilingual):
    """A 2027 target of the action plan, compared as ``actual <comparator> value``."""

    key: str
    name_zh: str
    name_en: str
    value: int | float
    unit: str
    comparator: str
    year: int
    measured_by: str
    source: str
    confidence: str
    notes: str = ""

    def is_met(self, actual: float) -> bool:
        """Tell whether an actual figure meets the target."""
        if self.comparator == ">=":
            return actual >= self.value
        return actual <= self.value


@dataclass(frozen=True)
class PlanTask:
    """One of the action plan's 20 tasks, with its departments resolved."""

    number: int
    group: int
    group_zh: str
    group_en: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    lead_departments: tuple[Department, ...]
    lead_mode: str
    implementing_bodies: tuple[Department, ...]
    platform_features: tuple[str, ...]
    source: str
    confidence: str
    notes: str = ""

    @property
    def lead_department_keys(self) -> tuple[str, ...]:
        """The keys of the lead departments, in the plan's order."""
        return tuple(department.key for department in self.lead_departments)


@dataclass(frozen=True)
class LeadIndustry(Bilingual):
    """A lead-industry bucket that enterprises and industry codes are grouped into."""

    key: str
    name_zh: str
    name_en: str
    source: str
    confidence: str
    notes: str = ""


@dataclass(frozen=True)
class Industry(Bilingual):
    """A GB/T 4754-2017 section, division, group or class."""

    code: str
    level: str
    name_zh: str
    name_en: str
    parent: str | None
    lead_industry: str | None
    source: str
    confidence: str

    @property
    def section_code(self) -> str:
        """The section letter of this code."""
        return self.code[0]

    @property
    def division_code(self) -> str | None:
        """The division code (letter and two digits), or None for a section."""
        return self.code[:3] if len(self.code) >= 3 else None


@dataclass(frozen=True)
class PlanDocument:
    """The action plan document that the targets and tasks come from."""

    document_number: str
    title_zh: str
    title_en: str
    issuer_zh: str
    issued: str
    published: str
    period_start: int
    period_end: int
    source: str
    confidence: str


@dataclass(frozen=True)
class CityProfile:
    """The whole city profile with lookups by code and key."""

    version: str
    code: str
    name_zh: str
    name_en: str
    province_zh: str
    province_en: str
    grid_region: str
    provincial_grid_region: str
    source: str
    confidence: str
    plan: PlanDocument
    districts: tuple[District, ...]
    parks: tuple[Park, ...]
    departments: tuple[Department, ...]
    targets: tuple[Target, ...]
    tasks: tuple[PlanTask, ...]
    lead_industries: tuple[LeadIndustry, ...]
    industries: tuple[Industry, ...]
    _index: dict[str, dict[Any, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index = {
            "district": {d.code: d for d in self.districts},
            "park": {p.key: p for p in self.parks},
            "department": {d.key: d for d in self.departments},
            "target": {t.key: t for t in self.targets},
            "task": {t.number: t for t in self.tasks},
            "lead_industry": {li.key: li for li in self.lead_industries},
            "industry": {i.code: i for i in self.industries},
            "division_digits": {
                i.code[1:]: i.code for i in self.industries if i.level == "division"
            },
        }
        object.__setattr__(self, "_index", index)

    def _get(self, kind: str, key: Any) -> Any:
        try:
            return self._index[kind][key]
        except KeyError:
            raise KeyError(f"unknown {kind.replace('_', ' ')}: {key!r}") from None

    def district(self, code: str) -> District:
        """Return the district with this GB/T 2260 code (KeyError if unknown)."""
        return self._get("district", code)

    def park(self, key: str) -> Park:
        """Return the park with this key (KeyError if unknown)."""
        return self._get("park", key)

    def department(self, key: str) -> Department:
        """Return the department with this key (KeyError if unknown)."""
        return self._get("department", key)

    def target(self, key: str) -> Target:
        """Return the target with this key (KeyError if unknown)."""
        return self._get("target", key)

    def task(self, number: int) -> PlanTask:
        """Return the plan task with this number, 1 to 20 (KeyError if unknown)."""
        return self._get("task", number)

    def lead_industry(self, key: str) -> LeadIndustry:
        """Return the lead industry with this key (KeyError if unknown)."""
        return self._get("lead_industry", key)

    def parks_in(self, district_code: str) -> tuple[Park, ...]:
        """Return the parks located in a district."""
        self.district(district_code)
        return tuple(p for p in self.parks if p.district == district_code)

    def targets_measured_by(self, measured_by: str) -> tuple[Target, ...]:
        """Return the targets measured by "platform" or by "registry"."""
        return tuple(t for t in self.targets if t.measured_by == measured_by)

    def tasks_with_feature(self, feature: str) -> tuple[PlanTask, ...]:
        """Return the tasks that a platform feature tag serves."""
        return tuple(t for t in self.tasks if feature in t.platform_features)

    def tasks_of_department(self, key: str) -> tuple[PlanTask, ...]:
        """Return the tasks a department leads (alone or jointly)."""
        self.department(key)
        return tuple(t for t in self.tasks if key in t.lead_department_keys)

    def normalise_industry_code(self, code: str) -> str:
        """Return an industry code in canonical form ("3841" and "c3841" become "C3841")."""
        text = code.strip().upper()
        if text.isdigit() and len(text) in (2, 3, 4):
            section = self._index["division_digits"].get(text[:2])
            if section is None:
                raise KeyError(f"unknown industry division: {text[:2]!r}")
            text = section[0] + text
        digits = len(text) - 1
        level = _LEVEL_BY_DIGITS.get(digits)
        if level is None or not INDUSTRY_CODE_RE[level].match(text):
            raise KeyError(f"malformed industry code: {code!r}")
        return text

    def industry(self, code: str) -> Industry:
        """Return the industry entry for a code listed in the table (KeyError if not listed)."""
        return self._get("industry", self.normalise_industry_code(code))

    def industry_lineage(self, code: str) -> tuple[Industry, ...]:
        """Return the listed entries from the section down to ``code`` (or its nearest listed
        ancestor, for a well-formed class that the table does not list)."""
        text = self.normalise_industry_code(code)
        known = self._index["industry"]
        lineage = tuple(
            known[text[:length]] for length in (1, 3, 4, 5)
            if length <= len(text) and text[:length] in known
        )
        if not lineage or (len(text) >= 3 and text[:3] not in known):
            raise KeyError(f"unknown industry code: {code!r}")
        return lineage

    def section_of(self, code: str) -> Industry:
        """Return the section an industry code belongs to."""
        return self.industry_lineage(code)[0]

    def division_of(self, code: str) -> Industry | None:
        """Return the division an industry code belongs to (None for a section code)."""
        lineage = self.industry_lineage(code)
        return lineage[1] if len(lineage) > 1 else None

    def lead_industry_of(self, industry_code: str) -> LeadIndustry | None:
        """Return the lead industry of a code, walking class, group, division, then section."""
        for entry in reversed(self.industry_lineage(industry_code)):
            if entry.lead_industry:
                return self.lead_industry(entry.lead_industry)
        return None
