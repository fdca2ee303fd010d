"""The activity codes users upload (activities.toml): scope, unit and the factors each uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from czesg.engine.carbon.factors import (
    ACTIVITIES_NAME,
    CHAIN_LEVELS,
    GWP_SETS,
    SCOPE2_CATEGORIES,
    VERSION_RE,
    Factor,
    FactorSet,
    factors_root,
)
from czesg.engine.datafiles import TomlLines, parse_toml, read_data_file
from czesg.engine.kernel import units
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import DataFileError, UnitError

SCOPES: tuple[str, ...] = ("1", "2", "3", "memo")
KINDS: dict[str, tuple[str, ...]] = {
    "combustion": ("1",),
    "coal_unspecified": ("1",),
    "gas": ("1",),
    "direct": ("1", "3"),
    "electricity": ("2",),
    "green_instrument": ("2",),
    "heat": ("2",),
    "own_generation": ("memo",),
}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Activity(Bilingual):
    """An activity code users upload, with its scope, canonical unit and the factors it uses."""

    code: str
    name_zh: str
    name_en: str
    scope: str
    kind: str
    unit: str
    factor_id: str = ""
    gas: str = ""
    factor_chain: tuple[str, ...] = ()
    market_factor_chain: tuple[str, ...] = ()
    tce_factor_id: str = ""
    estimate: bool = False
    reported: bool = False
    notes: str = ""
    notes_zh: str = ""
    line: int = 0

    def note(self, lang: str = "zh-hans") -> str:
        """The activity's note in ``lang`` (the English one where no Chinese is given)."""
        return self.notes if lang.startswith("en") or not self.notes_zh else self.notes_zh

    @property
    def factor_ids(self) -> tuple[str, ...]:
        """The factors (or factor rules) the activity's emissions use, as shown to users."""
        if self.kind == "gas":
            return (f"GWP-{self.gas}-<gwp_set>",)
        if self.kind == "electricity":
            return self.factor_chain + self.market_factor_chain
        return (self.factor_id,) if self.factor_id else ()


_ACTIVITY_KEYS = (
    "code", "name_zh", "name_en", "scope", "kind", "unit", "factor_id", "gas", "factor_chain",
    "market_factor_chain", "tce_factor_id", "estimate", "reported", "notes", "notes_zh",
)


class ActivityTable(Mapping[str, Activity]):
    """The activity codes of one activities file, keyed by code, read-only, with its version."""

    def __init__(self, version: str, activities: Iterable[Activity]) -> None:
        self.version = version
        self._by_code = {a.code: a for a in activities}

    def __getitem__(self, code: str) -> Activity:
        return self._by_code[code]

    def __iter__(self):
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)


def load_activities(path: str | Path | None = None) -> ActivityTable:
    """Load and check the activity codes (default: the shipped file, cached), keyed by code."""
    if path is None:
        return _load_default_activities()
    path = Path(path)
    return parse_activities(read_data_file(path, path.name), name=path.name)


def _load_default_activities() -> ActivityTable:
    return _load_activities_under(str(factors_root().resolve()))


@lru_cache(maxsize=4)
def _load_activities_under(base: str) -> ActivityTable:
    path = Path(base) / ACTIVITIES_NAME
    return parse_activities(read_data_file(path, ACTIVITIES_NAME), name=ACTIVITIES_NAME)


def parse_activities(text: str, *, name: str = ACTIVITIES_NAME) -> ActivityTable:
    """Parse ``activities.toml`` text into an :class:`ActivityTable`, refusing bad entries."""
    data = parse_toml(text, name).data
    lines = TomlLines(text)
    headers = [n for n, line in enumerate(text.splitlines(), start=1)
               if re.match(r"^\s*\[\[\s*activity\s*\]\]", line)]
    for key in data:
        if key not in ("version", "activity"):
            raise DataFileError(file=name, row=lines.line("", key), field=key,
                                reason=f"unknown key “{key}”")
    version = data.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise DataFileError(file=name, row=lines.line("", "version"), field="version",
                            reason="a version such as 2025.1 is required")
    raw_list = data.get("activity")
    if not isinstance(raw_list, list) or not raw_list:
        raise DataFileError(file=name, row=1, field="activity",
                            reason="at least one [[activity]] table is required")
    activities: dict[str, Activity] = {}
    for index, raw in enumerate(raw_list):
        line = headers[index] if index < len(headers) else 1

        def fail(key: str, reason: str, line: int = line) -> NoReturn:
            raise DataFileError(file=name, row=line, field=key, reason=reason)

        for key in raw:
            if key not in _ACTIVITY_KEYS:
                fail(key, f"unknown key “{key}”")

        def text_of(key: str, required: bool = False, raw: dict = raw, fail=fail) -> str:
            value = raw.get(key, "")
            if not isinstance(value, str):
                fail(key, "must be text")
            if required and not value.strip():
                fail(key, "a non-empty text is required")
            return value.strip()

        code = text_of("code", True)
        if not CODE_RE.match(code):
            fail("code", f"“{code}” is not a lower-case code")
        if code in activities:
            fail("code", f"“{code}” is defined twice")
        scope, kind, unit = text_of("scope", True), text_of("kind", True), text_of("unit", True)
        if kind not in KINDS:
            fail("kind", f"“{kind}” is not one of {', '.join(KINDS)}")
        if scope not in KINDS[kind]:
            fail("scope", f"a {kind} activity belongs to scope {' or '.join(KINDS[kind])}")
        if not units.is_known(unit):
            fail("unit", f"“{unit}” is not a known unit")
        chains: dict[str, tuple[str, ...]] = {}
        for key in ("factor_chain", "market_factor_chain"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                fail(key, "must be a list of texts")
            for step in value:
                category, _, level = step.partition("@")
                if category not in SCOPE2_CATEGORIES or level not in CHAIN_LEVELS:
                    fail(key, f"“{step}” must read <category>@<level> with a category of "
                         f"{', '.join(SCOPE2_CATEGORIES)} and a level of "
                         f"{', '.join(CHAIN_LEVELS)}")
            chains[key] = tuple(value)
        flags: dict[str, bool] = {}
        for key in ("estimate", "reported"):
            value = raw.get(key, False)
            if not isinstance(value, bool):
                fail(key, "must be true or false")
            flags[key] = value
        activity = Activity(
            code=code, name_zh=text_of("name_zh", True), name_en=text_of("name_en", True),
            scope=scope, kind=kind, unit=unit, factor_id=text_of("factor_id"),
            gas=text_of("gas"), tce_factor_id=text_of("tce_factor_id"),
            notes=text_of("notes"), notes_zh=text_of("notes_zh"), line=line, factor_chain=chains["factor_chain"],
            market_factor_chain=chains["market_factor_chain"], estimate=flags["estimate"],
            reported=flags["reported"],
        )
        if kind in ("combustion", "heat") and not activity.factor_id:
            fail("factor_id", f"a {kind} activity needs a factor_id")
        if kind == "gas" and not activity.gas:
            fail("gas", "a gas activity names its gas")
        if kind == "electricity" and not (activity.factor_chain and activity.market_factor_chain):
            fail("factor_chain", "an electricity activity needs factor_chain and "
                 "market_factor_chain")
        activities[code] = activity
    if sum(1 for a in activities.values() if a.kind == "electricity") > 1:
        raise DataFileError(file=name, row=1, field="kind",
                            reason="only one electricity activity is supported")
    return ActivityTable(version, activities.values())


def list_activities() -> list[dict[str, Any]]:
    """The activity codes users may upload, with names, canonical unit and scope."""
    return [
        {
            "code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "unit": a.unit,
            "scope": a.scope, "kind": a.kind, "factor_ids": list(a.factor_ids),
            "tce_factor_id": a.tce_factor_id, "estimate": a.estimate, "reported": a.reported,
            "notes": a.notes,
        }
        for a in load_activities().values()
    ]


def factor_scale(factor: Factor, activity_unit: str, result_unit: str) -> float:
    """The multiplier taking ``factor.value`` x a quantity in ``activity_unit`` to ``result_unit``.

    The factor's denominator is converted from the activity's unit and its numerator to the
    result's unit (e.g. kgce/kWh applied to MWh and read in tce: 0.001 x 1000).
    """
    return units.conversion_factor(factor.numerator, result_unit) * units.conversion_factor(
        activity_unit, factor.denominator
    )


def check_activities(factor_set: FactorSet, activities: Mapping[str, Activity]) -> None:
    """Refuse activities whose factors are missing from ``factor_set`` or do not fit their unit."""
    for a in activities.values():
        def fail(key: str, reason: str, a: Activity = a) -> NoReturn:
            raise DataFileError(file=ACTIVITIES_NAME, row=a.line, field=key,
                                reason=f"{a.code}: {reason} (factor set {factor_set.version})")

        if a.factor_id:
            if a.factor_id not in factor_set:
                fail("factor_id", f"“{a.factor_id}” is not in the factor set")
            factor = factor_set.get(a.factor_id)
            wanted = "fuel_combustion" if a.kind == "combustion" else "purchased_heat"
            if factor.category != wanted:
                fail("factor_id", f"“{a.factor_id}” is a {factor.category} factor, not {wanted}")
            denominator = factor.ncv_unit.split("/")[1].strip() if a.kind == "combustion" \
                else factor.denominator
            if a.kind == "combustion" and denominator != a.unit:
                fail("unit", f"the unit must be {denominator}, the NCV's unit of quantity")
            try:
                units.conversion_factor(a.unit, denominator)
                if a.kind == "heat":
                    units.conversion_factor(factor.numerator, "tCO2e")
            except UnitError:
                fail("unit", f"{factor.unit} does not apply to {a.unit}")
        if a.tce_factor_id:
            if a.tce_factor_id not in factor_set:
                fail("tce_factor_id", f"“{a.tce_factor_id}” is not in the factor set")
            factor = factor_set.get(a.tce_factor_id)
            if factor.category != "standard_coal_coefficient":
                fail("tce_factor_id", f"“{a.tce_factor_id}” is not a standard-coal coefficient")
            try:
                units.conversion_factor(a.unit, factor.denominator)
                units.conversion_factor(factor.numerator, "tce")
            except UnitError:
                fail("tce_factor_id", f"{factor.unit} does not apply to {a.unit}")
        if a.kind == "gas" and not any(factor_set.gwp(a.gas, s) for s in GWP_SETS):
            fail("gas", f"no GWP of {a.gas} in the factor set")


