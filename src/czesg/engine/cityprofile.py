"""The Changzhou city profile: districts, parks, the ESG action plan, and the industry table.

Two declarative files under ``czesg/data`` hold the facts, each entry with its ``source`` and
``confidence``:

* ``city/changzhou.toml``: the city, its six county-level divisions (GB/T 2260), its parks and
  development zones, the departments, 2027 targets and 20 tasks of the city's ESG action plan
  2025-2027 (常政办发〔2025〕23号), and the plan's lead industries;
* ``industries/gbt4754_2017.csv``: GB/T 4754-2017 industry codes (sections, divisions, and the
  classes relevant to the lead industries), each optionally tagged with a lead industry.

This module only reads and checks them. Every malformed entry raises
:class:`~czesg.engine.errors.DataFileError` naming the file, the entry (``"park[3]"``, 1-based,
for the TOML file; the CSV row number, header = row 1) and the field.

Industry codes carry their section letter: ``"C"`` (section), ``"C38"`` (division), ``"C384"``
(group), ``"C3841"`` (class). Lookups also accept the bare digits (``"3841"``), because
division numbers are unique across sections.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from czesg.engine.bilingual import Bilingual
from czesg.engine.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CITY_FILE = "city/changzhou.toml"
INDUSTRIES_FILE = "industries/gbt4754_2017.csv"

CONFIDENCE_RE = re.compile(
    r"^(confirmed-primary|confirmed-secondary|confirmed-secondary-code|analyst-judgement"
    r"|unconfirmed-[a-z0-9]+(-[a-z0-9]+)*)$"
)
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


# --------------------------------------------------------------------------------------------
# Loading


def load_city_profile(directory: str | Path | None = None) -> CityProfile:
    """Load the city profile from a data directory (the package's own, cached, by default)."""
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> CityProfile:
    return _load(DATA_DIR)


def _read(directory: Path, name: str) -> str:
    try:
        return (directory / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(file=name, row="-", field="-", reason=f"cannot be read ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(file=name, row="-", field="-", reason=f"is not UTF-8 ({exc})") from exc


def _load(directory: Path) -> CityProfile:
    return parse_city_profile(
        _read(directory, CITY_FILE),
        _read(directory, INDUSTRIES_FILE),
        toml_name=CITY_FILE,
        csv_name=INDUSTRIES_FILE,
    )


# --------------------------------------------------------------------------------------------
# Parsing and validation


class _Entry:
    """Typed access to one TOML table that reports errors with file, entry and field."""

    def __init__(
        self, file: str, row: str, raw: Any, allowed: Iterable[str]
    ) -> None:
        self.file = file
        self.row = row
        if not isinstance(raw, Mapping):
            self.fail("-", "must be a table")
        self.raw = raw
        for name in raw:
            if name not in allowed:
                self.fail(name, "is not a known field")

    def fail(self, field_name: str, reason: str) -> NoReturn:
        raise DataFileError(file=self.file, row=self.row, field=field_name, reason=reason)

    def text(self, name: str, *, required: bool = True, empty: bool = False) -> str:
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, "is missing")
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be a string")
        value = value.strip()
        if not value and not empty:
            self.fail(name, "must not be empty")
        return value

    def key(self, name: str = "key") -> str:
        value = self.text(name)
        if not KEY_RE.match(value):
            self.fail(name, f"“{value}” must be an ASCII slug (a-z, 0-9, _)")
        return value

    def integer(self, name: str) -> int:
        value = self.raw.get(name)
        if value is None:
            self.fail(name, "is missing")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "must be an integer")
        return value

    def number(self, name: str) -> int | float:
        value = self.raw.get(name)
        if value is None:
            self.fail(name, "is missing")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, "must be a number")
        return value

    def choice(self, name: str, choices: frozenset[str]) -> str:
        value = self.text(name)
        if value not in choices:
            self.fail(name, f"“{value}” is not one of {', '.join(sorted(choices))}")
        return value

    def texts(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, "is missing")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "must be a list of strings")
        if len(set(value)) != len(value):
            self.fail(name, "lists an item twice")
        return tuple(value)

    def provenance(self) -> dict[str, str]:
        source = self.text("source")
        confidence = self.text("confidence")
        if not CONFIDENCE_RE.match(confidence):
            self.fail("confidence", f"“{confidence}” is not a known confidence level")
        return {"source": source, "confidence": confidence}


_PROVENANCE = ("source", "confidence", "notes")


def _entries(document: Mapping[str, Any], name: str, file: str) -> list[tuple[str, Any]]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise DataFileError(file=file, row=name, field="-", reason=f"[[{name}]] must be an array of tables")
    return [(f"{name}[{index}]", raw) for index, raw in enumerate(value, start=1)]


def _unique(seen: dict[Any, str], value: Any, entry: _Entry, field_name: str) -> None:
    if value in seen:
        entry.fail(field_name, f"“{value}” is already used by {seen[value]}")
    seen[value] = entry.row


def parse_city_profile(
    toml_text: str, industries_csv_text: str, *, toml_name: str, csv_name: str
) -> CityProfile:
    """Parse and validate the city TOML and the industry CSV into a CityProfile."""
    try:
        document = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(
            file=toml_name, row="-", field="-", reason=f"is not valid TOML ({exc})"
        ) from exc

    top = _Entry(toml_name, "-", document, (
        "version", "city", "plan", "district", "park", "department", "target", "task",
        "lead_industry",
    ))
    version = top.text("version")

    if "city" not in document:
        top.fail("city", "the [city] table is missing")
    city = _Entry(toml_name, "city", document["city"], (
        "code", "name_zh", "name_en", "province_zh", "province_en", "grid_region",
        "provincial_grid_region", *_PROVENANCE,
    ))
    city_code = city.text("code")
    if not re.fullmatch(r"\d{4}", city_code):
        city.fail("code", f"“{city_code}” must be four digits (GB/T 2260 prefecture prefix)")
    city_provenance = city.provenance()

    if "plan" not in document:
        top.fail("plan", "the [plan] table is missing")
    plan_entry = _Entry(toml_name, "plan", document["plan"], (
        "document_number", "title_zh", "title_en", "issuer_zh", "issued", "published",
        "period_start", "period_end", *_PROVENANCE,
    ))
    plan = PlanDocument(
        document_number=plan_entry.text("document_number"),
        title_zh=plan_entry.text("title_zh"),
        title_en=plan_entry.text("title_en"),
        issuer_zh=plan_entry.text("issuer_zh"),
        issued=plan_entry.text("issued"),
        published=plan_entry.text("published"),
        period_start=plan_entry.integer("period_start"),
        period_end=plan_entry.integer("period_end"),
        **plan_entry.provenance(),
    )

    districts: list[District] = []
    seen: dict[Any, str] = {}
    for row, raw in _entries(document, "district", toml_name):
        entry = _Entry(toml_name, row, raw, ("code", "name_zh", "name_en", "kind", *_PROVENANCE))
        code = entry.text("code")
        if not DISTRICT_CODE_RE.match(code):
            entry.fail("code", f"“{code}” must be a six-digit GB/T 2260 code")
        if not code.startswith(city_code):
            entry.fail("code", f"“{code}” does not lie in city {city_code}")
        _unique(seen, code, entry, "code")
        districts.append(District(
            code=code, name_zh=entry.text("name_zh"), name_en=entry.text("name_en"),
            kind=entry.choice("kind", DISTRICT_KINDS), **entry.provenance(),
            notes=entry.text("notes", required=False),
        ))
    district_codes = {d.code for d in districts}

    park_entries: list[tuple[_Entry, Park]] = []
    seen = {}
    for row, raw in _entries(document, "park", toml_name):
        entry = _Entry(toml_name, row, raw, (
            "key", "name_zh", "short_zh", "name_en", "kind", "district", "parent", *_PROVENANCE,
        ))
        key = entry.key()
        _unique(seen, key, entry, "key")
        district = entry.text("district", empty=True) or None
        if district is not None:
            if not DISTRICT_CODE_RE.match(district):
                entry.fail("district", f"“{district}” must be a six-digit GB/T 2260 code")
            if district not in district_codes:
                entry.fail("district", f"“{district}” is not a district of the city")
        parent = entry.text("parent", required=False) or None
        park_entries.append((entry, Park(
            key=key, name_zh=entry.text("name_zh"),
            short_zh=entry.text("short_zh", required=False) or entry.text("name_zh"),
            name_en=entry.text("name_en"), kind=entry.choice("kind", PARK_KINDS),
            district=district, parent=parent, **entry.provenance(),
            notes=entry.text("notes", required=False),
        )))
    park_keys = {park.key for _, park in park_entries}
    for entry, park in park_entries:
        if park.parent is not None and (park.parent not in park_keys or park.parent == park.key):
            entry.fail("parent", f"“{park.parent}” is not another park's key")
    parks = [park for _, park in park_entries]

    departments: dict[str, Department] = {}
    seen = {}
    for row, raw in _entries(document, "department", toml_name):
        entry = _Entry(toml_name, row, raw, ("key", "name_zh", "name_en", *_PROVENANCE))
        key = entry.key()
        _unique(seen, key, entry, "key")
        departments[key] = Department(
            key=key, name_zh=entry.text("name_zh"), name_en=entry.text("name_en"),
            **entry.provenance(), notes=entry.text("notes", required=False),
        )

    targets: list[Target] = []
    seen = {}
    for row, raw in _entries(document, "target", toml_name):
        entry = _Entry(toml_name, row, raw, (
            "key", "name_zh", "name_en", "value", "unit", "comparator", "year", "measured_by",
            *_PROVENANCE,
        ))
        key = entry.key()
        _unique(seen, key, entry, "key")
        targets.append(Target(
            key=key, name_zh=entry.text("name_zh"), name_en=entry.text("name_en"),
            value=entry.number("value"), unit=entry.choice("unit", TARGET_UNITS),
            comparator=entry.choice("comparator", COMPARATORS), year=entry.integer("year"),
            measured_by=entry.choice("measured_by", MEASURED_BY), **entry.provenance(),
            notes=entry.text("notes", required=False),
        ))

    def resolve(entry: _Entry, name: str, *, required: bool) -> tuple[Department, ...]:
        keys = entry.texts(name, required=required)
        if required and not keys:
            entry.fail(name, "must name at least one department")
        for key in keys:
            if key not in departments:
                entry.fail(name, f"“{key}” is not a known department")
        return tuple(departments[key] for key in keys)

    tasks: list[PlanTask] = []
    seen = {}
    for row, raw in _entries(document, "task", toml_name):
        entry = _Entry(toml_name, row, raw, (
            "number", "group", "group_zh", "group_en", "title_zh", "title_en", "summary_zh",
            "summary_en", "lead_departments", "lead_mode", "implementing_bodies",
            "platform_features", *_PROVENANCE,
        ))
        number = entry.integer("number")
        if number not in TASK_NUMBERS:
            entry.fail("number", f"{number} is not a task number from 1 to 20")
        _unique(seen, number, entry, "number")
        group = entry.integer("group")
        if group not in TASK_GROUPS:
            entry.fail("group", f"{group} is not a section number from 1 to 6")
        features = entry.texts("platform_features")
        for feature in features:
            if not KEY_RE.match(feature):
                entry.fail("platform_features", f"“{feature}” must be an ASCII tag")
        tasks.append(PlanTask(
            number=number, group=group, group_zh=entry.text("group_zh"),
            group_en=entry.text("group_en"), title_zh=entry.text("title_zh"),
            title_en=entry.text("title_en"), summary_zh=entry.text("summary_zh"),
            summary_en=entry.text("summary_en"),
            lead_departments=resolve(entry, "lead_departments", required=True),
            lead_mode=entry.choice("lead_mode", LEAD_MODES),
            implementing_bodies=resolve(entry, "implementing_bodies", required=False),
            platform_features=features, **entry.provenance(),
            notes=entry.text("notes", required=False),
        ))
    missing = sorted(TASK_NUMBERS - {task.number for task in tasks})
    if missing:
        raise DataFileError(
            file=toml_name, row="task", field="number",
            reason="the tasks must be numbered exactly 1 to 20; missing "
            + ", ".join(str(n) for n in missing),
        )
    tasks.sort(key=lambda task: task.number)

    lead_industries: list[LeadIndustry] = []
    seen = {}
    for row, raw in _entries(document, "lead_industry", toml_name):
        entry = _Entry(toml_name, row, raw, ("key", "name_zh", "name_en", *_PROVENANCE))
        key = entry.key()
        _unique(seen, key, entry, "key")
        lead_industries.append(LeadIndustry(
            key=key, name_zh=entry.text("name_zh"), name_en=entry.text("name_en"),
            **entry.provenance(), notes=entry.text("notes", required=False),
        ))

    industries = parse_industries(
        industries_csv_text, csv_name=csv_name,
        lead_industry_keys={li.key for li in lead_industries},
    )

    return CityProfile(
        version=version,
        code=city_code,
        name_zh=city.text("name_zh"),
        name_en=city.text("name_en"),
        province_zh=city.text("province_zh"),
        province_en=city.text("province_en"),
        grid_region=city.text("grid_region"),
        provincial_grid_region=city.text("provincial_grid_region"),
        **city_provenance,
        plan=plan,
        districts=tuple(districts),
        parks=tuple(parks),
        departments=tuple(departments.values()),
        targets=tuple(targets),
        tasks=tuple(tasks),
        lead_industries=tuple(lead_industries),
        industries=industries,
    )


def _allowed_parents(code: str, level: str) -> tuple[str, ...]:
    """The codes an entry may name as parent: its division or group, or its section."""
    if level == "division":
        return (code[0],)
    if level == "group":
        return (code[:3],)
    return (code[:4], code[:3])


def parse_industries(
    csv_text: str, *, csv_name: str, lead_industry_keys: Iterable[str]
) -> tuple[Industry, ...]:
    """Parse and validate the GB/T 4754 industry CSV (header = row 1)."""
    lead_keys = set(lead_industry_keys)
    rows = list(csv.reader(io.StringIO(csv_text)))

    def fail(row: int | str, field_name: str, reason: str) -> NoReturn:
        raise DataFileError(file=csv_name, row=row, field=field_name, reason=reason)

    if not rows:
        fail(1, "-", "the file is empty")
    header = tuple(name.strip().lstrip("\ufeff") for name in rows[0])
    if header != INDUSTRY_COLUMNS:
        for position, expected in enumerate(INDUSTRY_COLUMNS):
            if position >= len(header) or header[position] != expected:
                fail(1, expected, f"the header must be {','.join(INDUSTRY_COLUMNS)}")
        fail(1, header[len(INDUSTRY_COLUMNS)], "is not a known column")

    industries: list[tuple[int, Industry]] = []
    by_code: dict[str, int] = {}
    division_digits: dict[str, str] = {}
    for number, values in enumerate(rows[1:], start=2):
        if not values or all(not value.strip() for value in values):
            continue
        if len(values) != len(INDUSTRY_COLUMNS):
            fail(number, "-", f"has {len(values)} fields, not {len(INDUSTRY_COLUMNS)}")
        record = dict(zip(INDUSTRY_COLUMNS, (value.strip() for value in values), strict=True))
        for name in ("code", "level", "name_zh", "name_en", "source", "confidence"):
            if not record[name]:
                fail(number, name, "must not be empty")
        code, level = record["code"], record["level"]
        if level not in INDUSTRY_LEVELS:
            fail(number, "level", f"“{level}” is not one of {', '.join(INDUSTRY_LEVELS)}")
        if not INDUSTRY_CODE_RE[level].match(code):
            fail(number, "code", f"“{code}” is not a GB/T 4754 {level} code "
                 "(a section letter A-T followed by 0, 2, 3 or 4 digits by level)")
        if code in by_code:
            fail(number, "code", f"“{code}” is already used in row {by_code[code]}")
        by_code[code] = number
        if level == "division":
            digits = code[1:]
            if digits in division_digits:
                fail(number, "code", f"division number {digits} is already used by "
                     f"{division_digits[digits]}")
            division_digits[digits] = code
        if not CONFIDENCE_RE.match(record["confidence"]):
            fail(number, "confidence",
                 f"“{record['confidence']}” is not a known confidence level")
        parent = record["parent"] or None
        if level == "section":
            if parent is not None:
                fail(number, "parent", "a section has no parent")
        elif parent is None:
            fail(number, "parent", f"a {level} needs a parent")
        elif parent not in _allowed_parents(code, level):
            fail(number, "parent", f"“{parent}” is not a code that the {level} “{code}” falls "
                 f"directly under (expected {' or '.join(_allowed_parents(code, level))})")
        lead = record["lead_industry"] or None
        if lead is not None and lead not in lead_keys:
            fail(number, "lead_industry", f"“{lead}” is not a known lead industry")
        industries.append((number, Industry(
            code=code, level=level, name_zh=record["name_zh"], name_en=record["name_en"],
            parent=parent, lead_industry=lead, source=record["source"],
            confidence=record["confidence"],
        )))

    levels = {industry.code: industry.level for _, industry in industries}
    for number, industry in industries:
        if industry.parent is None:
            continue
        if industry.parent not in levels:
            fail(number, "parent", f"“{industry.parent}” is not listed in the table")
        if INDUSTRY_LEVELS.index(levels[industry.parent]) >= INDUSTRY_LEVELS.index(
            industry.level
        ):
            fail(number, "parent", f"“{industry.parent}” is not a coarser level than "
                 f"“{industry.code}”")
    return tuple(industry for _, industry in industries)
