"""Reading and checking the city profile's data files into a :class:`CityProfile`.

Two declarative files under ``czesg/data`` hold the facts, each entry with its ``source`` and
``confidence``:

* ``city/changzhou.toml``: the city, its six county-level divisions (GB/T 2260), its parks and
  development zones, the departments, 2027 targets and 20 tasks of the city's ESG action plan
  2025-2027 (常政办发〔2025〕23号), and the plan's lead industries;
* ``industries/gbt4754_2017.csv``: GB/T 4754-2017 industry codes (read by
  :mod:`czesg.engine.plan.industries`).

Both are read through :mod:`czesg.engine.datafiles`: every malformed entry raises
:class:`~czesg.engine.kernel.errors.DataFileError` naming the file, the entry (``"park[3]"``,
1-based, for the TOML file; the CSV row number, header = row 1) and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from czesg.engine.datafiles import (
    DATA_DIR,
    FirstSeen,
    TomlTable,
    parse_toml,
    read_data_file,
)
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan.industries import parse_industries
from czesg.engine.plan.profile import (
    CITY_FILE,
    COMPARATORS,
    CONFIDENCES,
    DISTRICT_CODE_RE,
    DISTRICT_KINDS,
    INDUSTRIES_FILE,
    KEY_RE,
    LEAD_MODES,
    MEASURED_BY,
    PARK_KINDS,
    TARGET_UNITS,
    TASK_GROUPS,
    TASK_NUMBERS,
    CityProfile,
    Department,
    District,
    LeadIndustry,
    Park,
    PlanDocument,
    PlanTask,
    Target,
)

Entry = TypeVar("Entry")

_PROVENANCE = ("source", "confidence", "notes")
_TOP_KEYS = (
    "version", "city", "plan", "district", "park", "department", "target", "task",
    "lead_industry",
)


def load_city_profile(directory: str | Path | None = None) -> CityProfile:
    """Load the city profile from a data directory (the package's own, cached, by default)."""
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> CityProfile:
    return _load(DATA_DIR)


def _load(directory: Path) -> CityProfile:
    return parse_city_profile(
        read_data_file(directory / CITY_FILE, CITY_FILE),
        read_data_file(directory / INDUSTRIES_FILE, INDUSTRIES_FILE),
        toml_name=CITY_FILE,
        csv_name=INDUSTRIES_FILE,
    )


# --------------------------------------------------------------------------------------------
# One entry of each kind


def _key(table: TomlTable) -> str:
    value = table.text("key")
    if not KEY_RE.match(value):
        table.fail("key", f"“{value}” must be an ASCII slug (a-z, 0-9, _)")
    return value


def _choice(table: TomlTable, key: str, options: frozenset[str]) -> str:
    return table.choice(key, sorted(options))


def _notes(table: TomlTable) -> str:
    return table.text("notes", empty=True, default="")


def _district(table: TomlTable, city_code: str) -> District:
    table.allow("code", "name_zh", "name_en", "kind", *_PROVENANCE)
    code = table.text("code")
    if not DISTRICT_CODE_RE.match(code):
        table.fail("code", f"“{code}” must be a six-digit GB/T 2260 code")
    if not code.startswith(city_code):
        table.fail("code", f"“{code}” does not lie in city {city_code}")
    return District(
        code=code, name_zh=table.text("name_zh"), name_en=table.text("name_en"),
        kind=_choice(table, "kind", DISTRICT_KINDS), **table.provenance().fields(),
        notes=_notes(table),
    )


def _park(table: TomlTable, district_codes: set[str]) -> Park:
    table.allow("key", "name_zh", "short_zh", "name_en", "kind", "district", "parent",
                *_PROVENANCE)
    district = table.text("district", empty=True) or None
    if district is not None:
        if not DISTRICT_CODE_RE.match(district):
            table.fail("district", f"“{district}” must be a six-digit GB/T 2260 code")
        if district not in district_codes:
            table.fail("district", f"“{district}” is not a district of the city")
    return Park(
        key=_key(table), name_zh=table.text("name_zh"),
        short_zh=table.text("short_zh", empty=True, default="") or table.text("name_zh"),
        name_en=table.text("name_en"), kind=_choice(table, "kind", PARK_KINDS),
        district=district, parent=table.text("parent", empty=True, default="") or None,
        **table.provenance().fields(), notes=_notes(table),
    )


def _named(table: TomlTable, kind: type[Entry]) -> Entry:
    """A department or lead industry: a key, two names and provenance."""
    table.allow("key", "name_zh", "name_en", *_PROVENANCE)
    return kind(  # type: ignore[call-arg]
        key=_key(table), name_zh=table.text("name_zh"), name_en=table.text("name_en"),
        **table.provenance().fields(), notes=_notes(table),
    )


def _target(table: TomlTable) -> Target:
    table.allow("key", "name_zh", "name_en", "value", "unit", "comparator", "year", "measured_by",
                *_PROVENANCE)
    value = table.raw("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        table.fail("value", "expected a number")
    return Target(
        key=_key(table), name_zh=table.text("name_zh"), name_en=table.text("name_en"),
        value=value, unit=_choice(table, "unit", TARGET_UNITS),
        comparator=_choice(table, "comparator", COMPARATORS), year=table.integer("year"),
        measured_by=_choice(table, "measured_by", MEASURED_BY),
        **table.provenance().fields(), notes=_notes(table),
    )


def _task(table: TomlTable, departments: dict[str, Department]) -> PlanTask:
    table.allow("number", "group", "group_zh", "group_en", "title_zh", "title_en", "summary_zh",
                "summary_en", "lead_departments", "lead_mode", "implementing_bodies",
                "platform_features", *_PROVENANCE)
    number = table.integer("number")
    if number not in TASK_NUMBERS:
        table.fail("number", f"{number} is not a task number from 1 to 20")
    group = table.integer("group")
    if group not in TASK_GROUPS:
        table.fail("group", f"{group} is not a section number from 1 to 6")
    features = table.texts("platform_features")
    for feature in features:
        if not KEY_RE.match(feature):
            table.fail("platform_features", f"“{feature}” must be an ASCII tag")

    def resolve(key: str, *, required: bool) -> tuple[Department, ...]:
        keys = table.texts(key, required=required)
        if required and not keys:
            table.fail(key, "must name at least one department")
        for name in keys:
            if name not in departments:
                table.fail(key, f"“{name}” is not a known department")
        return tuple(departments[name] for name in keys)

    return PlanTask(
        number=number, group=group, group_zh=table.text("group_zh"),
        group_en=table.text("group_en"), title_zh=table.text("title_zh"),
        title_en=table.text("title_en"), summary_zh=table.text("summary_zh"),
        summary_en=table.text("summary_en"),
        lead_departments=resolve("lead_departments", required=True),
        lead_mode=_choice(table, "lead_mode", LEAD_MODES),
        implementing_bodies=resolve("implementing_bodies", required=False),
        platform_features=features, **table.provenance().fields(), notes=_notes(table),
    )


def _entries(top: TomlTable, name: str, read: Callable[[TomlTable], Entry],
             unique: Callable[[TomlTable], object], field_name: str) -> list[Entry]:
    """The ``[[name]]`` entries read by ``read``, refusing a second use of ``unique(table)``."""
    seen = FirstSeen()
    entries = []
    for table in top.array(name, required=False):
        seen.claim(table, field_name, unique(table))
        entries.append(read(table))
    return entries


# --------------------------------------------------------------------------------------------
# The whole profile


def parse_city_profile(
    toml_text: str, industries_csv_text: str, *, toml_name: str, csv_name: str
) -> CityProfile:
    """Parse and validate the city TOML and the industry CSV into a CityProfile."""
    top = parse_toml(toml_text, toml_name, confidences=CONFIDENCES)
    top.allow(*_TOP_KEYS)
    version = top.text("version")

    city = top.child("city")
    city.allow("code", "name_zh", "name_en", "province_zh", "province_en", "grid_region",
               "provincial_grid_region", *_PROVENANCE)
    city_code = city.text("code")
    if not re.fullmatch(r"\d{4}", city_code):
        city.fail("code", f"“{city_code}” must be four digits (GB/T 2260 prefecture prefix)")
    city_provenance = city.provenance()

    plan_table = top.child("plan")
    plan_table.allow("document_number", "title_zh", "title_en", "issuer_zh", "issued",
                     "published", "period_start", "period_end", *_PROVENANCE)
    plan = PlanDocument(
        **{key: plan_table.text(key) for key in (
            "document_number", "title_zh", "title_en", "issuer_zh", "issued", "published")},
        period_start=plan_table.integer("period_start"),
        period_end=plan_table.integer("period_end"),
        **plan_table.provenance().fields(),
    )

    districts = _entries(top, "district", lambda t: _district(t, city_code),
                         lambda t: t.text("code"), "code")
    district_codes = {d.code for d in districts}
    park_tables = top.array("park", required=False)
    parks = _entries(top, "park", lambda t: _park(t, district_codes), _key, "key")
    park_keys = {park.key for park in parks}
    for table, park in zip(park_tables, parks, strict=True):
        if park.parent is not None and (park.parent not in park_keys or park.parent == park.key):
            table.fail("parent", f"“{park.parent}” is not another park's key")

    departments = {
        department.key: department
        for department in _entries(top, "department", lambda t: _named(t, Department),
                                   _key, "key")
    }
    targets = _entries(top, "target", _target, _key, "key")
    tasks = _entries(top, "task", lambda t: _task(t, departments), lambda t: t.integer("number"), "number")
    missing = sorted(TASK_NUMBERS - {task.number for task in tasks})
    if missing:
        raise DataFileError(
            file=toml_name, row="task", field="number",
            reason="the tasks must be numbered exactly 1 to 20; missing "
            + ", ".join(str(n) for n in missing),
        )
    tasks.sort(key=lambda task: task.number)
    lead_industries = _entries(top, "lead_industry", lambda t: _named(t, LeadIndustry),
                               _key, "key")

    industries = parse_industries(
        industries_csv_text, csv_name=csv_name,
        lead_industry_keys={li.key for li in lead_industries},
    )
    return CityProfile(
        version=version,
        code=city_code,
        **{key: city.text(key) for key in (
            "name_zh", "name_en", "province_zh", "province_en", "grid_region",
            "provincial_grid_region")},
        **city_provenance.fields(),
        plan=plan,
        districts=tuple(districts),
        parks=tuple(parks),
        departments=tuple(departments.values()),
        targets=tuple(targets),
        tasks=tuple(tasks),
        lead_industries=tuple(lead_industries),
        industries=industries,
    )
