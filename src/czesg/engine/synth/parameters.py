"""The generator's parameters (synthetic/parameters.toml), validated, with the carbon factor set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from czesg.engine.carbon import (
    DEFAULT_GRID_REGIONS,
    Activity,
    Factor,
    FactorSet,
    check_activities,
    default_location,
    factor_scale,
    load_activities,
    load_factor_set,
    resolve_grid_factor,
)
from czesg.engine.datafiles import DATA_DIR, TomlTable, parse_toml, read_data_file

PARAMETERS_PATH = DATA_DIR / "synthetic" / "parameters.toml"
PARAMETERS_NAME = "synthetic/parameters.toml"

SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
EXCHANGES: tuple[str, ...] = ("SSE", "SZSE", "BSE", "HKEX")
TIERS: tuple[str, ...] = ("basic", "standard")
GENERIC_MODELS = frozenset({"lognormal", "poisson", "sum_of_parts"})
SYNTHETIC_MARK = "合成数据"
_CORE_CODE_KEYS: tuple[str, ...] = (
    "revenue", "employees", "employees_female", "employees_male", "employees_under_30",
    "employees_30_to_50", "employees_over_50", "leavers", "hires", "green_electricity",
    "energy_total", "clean_energy", "scope1", "scope2_location", "scope2_market", "ghg_total",
    "water_total", "water_municipal", "water_ground", "water_surface", "water_reused",
    "hazardous_waste", "non_hazardous_waste", "waste_total", "ghg_method_text",
    "industry_code_text",
)
_RESOURCE_KEYS: tuple[str, ...] = (
    "green_electricity", "water", "water_reuse", "hazardous_waste", "non_hazardous_waste",
)
SYNTHETIC_TABLES: tuple[str, ...] = (
    "population", "exchange", "size_class", "lead_industry", "growth", "workforce", "intensity",
    "water", "completeness", "not_applicable", "generic", "percentage", "boolean", "choice",
    "text",
)
_GENERIC_OPTIONS = frozenset({"model", "scale", "ratio", "sigma", "integer", "cap", "min", "share"})
ZERO_DENOMINATOR = "分母为零，该比率不适用（合成数据）"


# The role of a carrier follows from its carbon activity's kind.
ROLE_OF_KIND: Mapping[str, str] = MappingProxyType({
    "electricity": "purchased_electricity", "own_generation": "own_renewable",
    "combustion": "fuel", "heat": "purchased_heat",
})


@dataclass(frozen=True)
class Carrier:
    """An energy carrier: its indicator, the carbon activity it is entered as, and its factors."""

    key: str
    indicator: str
    activity: Activity
    role: str
    emission_factor: Factor | None
    standard_coal: Factor
    clean: bool
    decimals: int
    tce_per_unit: float

    @property
    def unit(self) -> str:
        """The carrier's unit: the canonical unit of its carbon activity."""
        return self.activity.unit


@dataclass(frozen=True)
class FactorUse:
    """Which factor served a purpose in a year, and whether it stood in for a missing one."""

    year: int
    purpose: str
    factor: Factor
    fallback: bool

    @property
    def value(self) -> float:
        """The factor's value in its unit."""
        return self.factor.value


@dataclass(frozen=True)
class SynthParameters:
    """The validated contents of ``parameters.toml``, with the carbon factor set it names."""

    version: str
    codes: Mapping[str, str]
    factor_set: FactorSet
    carriers: tuple[Carrier, ...]
    green_activity: Activity
    electricity_basis: str
    electricity_basis_zh: str
    province: str
    grid_regions: Mapping[str, str]
    sections: Mapping[str, Any]

    @property
    def electricity_standard_coal(self) -> Factor:
        """The standard-coal coefficient of purchased electricity (the calorific equivalent)."""
        return self.carrier("electricity").standard_coal

    @property
    def heat_factor(self) -> Factor | None:
        """The emission factor of purchased heat, if a carrier is purchased heat."""
        return next((c.emission_factor for c in self.carriers if c.role == "purchased_heat"), None)

    def grid_factor(self, year: int, kind: str = "location") -> FactorUse:
        """The grid factor of ``year`` along the carbon engine's chain (location or residual).

        Where no residual factor is published for the year at any level, the location-based
        factor stands in (as in the carbon engine); a year without any grid factor is refused.
        """
        if kind not in ("location", "residual"):
            raise ValueError(f"kind must be 'location' or 'residual', not {kind!r}")
        activity = self.carrier("electricity").activity
        location = resolve_grid_factor(
            self.factor_set, activity.factor_chain, self.province, year, self.grid_regions
        )
        if location is None:
            raise ValueError(f"factor set {self.factor_set.version} has no grid factor for "
                             f"{self.province} in {year} or earlier")
        if kind == "location":
            return FactorUse(year=year, purpose="scope2_location_grid", factor=location.factor,
                             fallback=location.fallback)
        residual = resolve_grid_factor(
            self.factor_set, activity.market_factor_chain, self.province, year, self.grid_regions
        )
        chosen = residual or location
        return FactorUse(year=year, purpose="scope2_market_residual_grid", factor=chosen.factor,
                         fallback=residual is None or residual.fallback)

    def carrier(self, key: str) -> Carrier:
        """The carrier with ``key``; raises KeyError when there is none."""
        for carrier in self.carriers:
            if carrier.key == key:
                return carrier
        raise KeyError(key)

def load_parameters(
    path: str | Path | None = None, *, factors_root: str | Path | None = None
) -> SynthParameters:
    """Load and validate the generator's parameters (default: the shipped file, cached).

    ``factors_root`` is where the carbon factor sets are read (default: the shipped ones).
    """
    if path is None and factors_root is None:
        return _load_default_parameters()
    text = read_data_file(Path(path) if path is not None else PARAMETERS_PATH, PARAMETERS_NAME)
    return parse_parameters(text, factors_root=factors_root)


@lru_cache(maxsize=1)
def _load_default_parameters() -> SynthParameters:
    return parse_parameters(read_data_file(PARAMETERS_PATH, PARAMETERS_NAME))


def parse_parameters(text: str, *, factors_root: str | Path | None = None) -> SynthParameters:
    """Build :class:`SynthParameters` from the TOML text, refusing the first malformed value.

    The factor set named in ``[energy]`` is loaded (and checked) by the carbon engine.
    """
    root = parse_toml(text, PARAMETERS_NAME)
    version = root.text("version")

    code_table = root.child("indicator_codes")
    codes = {key: code_table.text(key) for key in _CORE_CODE_KEYS}

    energy = root.child("energy")
    factor_set = load_factor_set(energy.text("factor_set"), root=factors_root)
    activities = load_activities()
    check_activities(factor_set, activities)

    def activity_of(table: TomlTable, key: str) -> Activity:
        code = table.text(key)
        if code not in activities:
            table.fail(key, f"“{code}” is not an activity code of the carbon engine")
        return activities[code]

    green = activity_of(energy, "green_electricity_activity")
    if green.kind != "green_instrument":
        energy.fail("green_electricity_activity", f"“{green.code}” is not a green instrument")
    basis = energy.text("electricity_basis")
    basis_zh = energy.text("electricity_basis_zh")

    carriers: list[Carrier] = []
    for table in root.array("carrier"):
        key = table.text("key")
        indicator = table.text("indicator")
        activity = activity_of(table, "activity")
        role = ROLE_OF_KIND.get(activity.kind)
        if role is None:
            table.fail("activity", f"a {activity.kind} activity is not an energy carrier; choose "
                       f"one of kind {', '.join(ROLE_OF_KIND)}")
        if not activity.tce_factor_id:
            table.fail("activity", f"“{activity.code}” has no standard-coal coefficient, so the "
                       "carrier's energy could not be converted to tce")
        coal = factor_set.get(activity.tce_factor_id)
        carriers.append(Carrier(
            key=key, indicator=indicator, activity=activity, role=role,
            emission_factor=factor_set.get(activity.factor_id) if activity.factor_id else None,
            standard_coal=coal, clean=table.boolean("clean"),
            decimals=table.integer("decimals", low=0),
            tce_per_unit=coal.value * factor_scale(coal, activity.unit, "tce"),
        ))
    if [c.key for c in carriers].count("electricity") != 1 or not any(
        c.role == "purchased_electricity" and c.key == "electricity" for c in carriers
    ):
        root.fail("carrier", "exactly one carrier “electricity” with role purchased_electricity "
                  "is required")
    if len({c.key for c in carriers}) != len(carriers):
        root.fail("carrier", "two carriers share a key")
    electricity_coal = next(c for c in carriers if c.key == "electricity").standard_coal
    if basis != "calorific_equivalent" or basis_zh not in electricity_coal.name_zh:
        energy.fail("electricity_basis", "the generator uses the calorific-equivalent value "
                    f"(当量值); the electricity activity applies {electricity_coal.factor_id}")

    province, grid = default_location()
    sections = _parse_sections(root, carriers)
    return SynthParameters(
        version=version, codes=codes, factor_set=factor_set, carriers=tuple(carriers),
        green_activity=green, electricity_basis=basis, electricity_basis_zh=basis_zh,
        province=province, grid_regions=MappingProxyType({**DEFAULT_GRID_REGIONS, province: grid}),
        sections=sections,
    )

def _parse_sections(root: TomlTable, carriers: Sequence[Carrier]) -> dict[str, Any]:
    """Validate the synthetic tables and return them as plain, checked dictionaries."""
    sections: dict[str, Any] = {}
    for name in SYNTHETIC_TABLES:
        table = root.child(name)
        if table.raw("synthetic") is not True:
            table.fail("synthetic", "made-up parameters must be labelled synthetic = true")
        table.text("note")

    population = root.child("population")
    district_weights = population.child("district_weight")
    sections["population"] = {
        "listed_share": population.number("listed_share", low=0.0, high=1.0),
        "state_owned_share_unlisted": population.number(
            "state_owned_share_unlisted", low=0.0, high=1.0),
        "state_owned_share_listed": population.number(
            "state_owned_share_listed", low=0.0, high=1.0),
        "in_park_share": population.number("in_park_share", low=0.0, high=1.0),
        "default_district_weight": population.number("default_district_weight", low=0.0),
        "district_weight": {
            key: district_weights.number(key, low=0.0) for key in district_weights.data
        },
        **{key: population.text(key) for key in (
            "name_prefix_zh", "name_suffix_zh", "name_prefix_en", "name_suffix_en",
            "company_zh", "company_en", "listed_company_zh", "listed_company_en",
        )},
    }
    for key in ("name_suffix_zh", "name_suffix_en"):
        suffix = sections["population"][key]
        if SYNTHETIC_MARK not in suffix and "synthetic" not in suffix.lower():
            population.fail(key, "the name suffix must say that the enterprise is synthetic")

    exchange = root.child("exchange")
    sections["exchange"] = {}
    for key in EXCHANGES:
        entry = exchange.child(key)
        digits = entry.integer("digits", low=1)
        checked: dict[str, list[tuple[int, int]]] = {
            name: _code_ranges(entry, name, digits)
            for name in ("ranges", "overflow_ranges")
            if name == "ranges" or name in entry.data}
        sections["exchange"][key] = {
            "weight": entry.number("weight", low=0.0), "digits": digits, **checked,
        }

    size = root.child("size_class")
    sections["size_class"] = {"minimum_revenue": size.number("minimum_revenue", low=0.01)}
    for key in SIZE_CLASSES:
        entry = size.child(key)
        sections["size_class"][key] = {
            "share_listed": entry.number("share_listed", low=0.0),
            "share_unlisted": entry.number("share_unlisted", low=0.0),
            "revenue_median": entry.number("revenue_median", low=0.01),
            "revenue_sigma": entry.number("revenue_sigma", low=0.0),
            "productivity": entry.number("productivity", low=0.01),
        }

    lead = root.child("lead_industry")
    sections["lead_industry"] = {}
    for key in lead.data:
        if key in ("synthetic", "note"):
            continue
        entry = lead.child(key)
        words_zh, words_en = _words(entry, "words_zh"), _words(entry, "words_en")
        if len(words_zh) != len(words_en):
            entry.fail("words_en", "needs as many words as words_zh")
        sections["lead_industry"][key] = {
            "weight": entry.number("weight", low=0.0), "words_zh": words_zh,
            "words_en": words_en, "industrial": entry.boolean("industrial"),
            "revenue_per_employee": entry.number("revenue_per_employee", low=0.01),
            "female_share": entry.number("female_share", low=0.0, high=1.0),
        }
    if "default" not in sections["lead_industry"]:
        lead.fail("default", "the value is missing")

    growth = root.child("growth")
    sections["growth"] = {
        "revenue_growth": growth.pair("revenue_growth", low=-0.99),
        "employee_elasticity": growth.number("employee_elasticity", low=0.0),
        "employee_noise": growth.number("employee_noise", low=0.0),
        "efficiency_gain": growth.pair("efficiency_gain", low=0.0, high=0.5),
    }
    workforce = root.child("workforce")
    sections["workforce"] = {
        "female_share_noise": workforce.number("female_share_noise", low=0.0),
        "productivity_sigma": workforce.number("productivity_sigma", low=0.0),
        **{key: workforce.pair(key, low=0.0, high=1.0) for key in (
            "under_30_share", "over_50_share", "turnover_rate", "first_year_hire_rate")},
    }
    if sections["workforce"]["under_30_share"][1] + sections["workforce"]["over_50_share"][1] > 1:
        workforce.fail("over_50_share", "the age shares can add up to more than 1")

    intensity = root.child("intensity")
    sections["intensity"] = {
        "sigma": intensity.number("sigma", low=0.0),
        "year_sigma": intensity.number("year_sigma", low=0.0),
    }
    for key in (*(c.key for c in carriers), *_RESOURCE_KEYS):
        entry = intensity.child(key)
        entry.text("unit")
        pairs = {}
        for lead_key in entry.data:
            if lead_key == "unit":
                continue
            share, median = entry.pair(lead_key, low=0.0, ordered=False)
            if share > 1.0:
                entry.fail(lead_key, f"the share {share:g} is above 1")
            pairs[lead_key] = (share, median)
        if "default" not in pairs:
            entry.fail("default", "the value is missing")
        sections["intensity"][key] = pairs
    if sections["intensity"]["electricity"]["default"][0] != 1.0:
        intensity.child("electricity").fail("default", "every enterprise uses electricity")

    water = root.child("water")
    sections["water"] = {
        "municipal_share": water.pair("municipal_share", low=0.0, high=1.0),
        "groundwater_use": water.number("groundwater_use", low=0.0, high=1.0),
        "surface_water_use": water.number("surface_water_use", low=0.0, high=1.0),
    }

    completeness = root.child("completeness")
    sections["completeness"] = {
        "basic": completeness.pair("basic", low=0.0, high=1.0),
        "standard": completeness.pair("standard", low=0.0, high=1.0),
        "yearly_improvement": completeness.number("yearly_improvement", low=0.0, high=1.0),
        "always_answered": _words(completeness, "always_answered"),
        "unused_carrier_not_applicable": completeness.number(
            "unused_carrier_not_applicable", low=0.0, high=1.0),
        **{key: _marked(completeness, key) for key in (
            "unused_carrier_explanation", "no_hazardous_waste_explanation",
            "no_non_hazardous_waste_explanation")},
    }

    na = root.child("not_applicable")
    rules = (na.child("rule") if na.has("rule")
             else TomlTable({}, PARAMETERS_NAME, "not_applicable.rule"))
    sections["not_applicable"] = {
        "default_share": na.number("default_share", low=0.0, high=1.0),
        "default_explanation": _marked(na, "default_explanation"),
        "rules": {},
    }
    for prefix in rules.data:
        entry = rules.child(prefix)
        sections["not_applicable"]["rules"][prefix] = {
            "industrial": entry.number("industrial", low=0.0, high=1.0),
            "other": entry.number("other", low=0.0, high=1.0),
            "explanation": _marked(entry, "explanation"),
        }

    generic = root.child("generic")
    sections["generic"] = {
        "year_sigma": generic.number("year_sigma", low=0.0),
        "part_share": generic.pair("part_share", low=0.0, high=1.0),
        "unit": {}, "code": {},
    }
    unit_table = generic.child("unit")
    for key in unit_table.data:
        sections["generic"]["unit"][key] = _generic_spec(unit_table.child(key))
    if "default" not in sections["generic"]["unit"]:
        unit_table.fail("default", "the value is missing")
    if generic.has("code"):
        code_specs = generic.child("code")
        for key in code_specs.data:
            sections["generic"]["code"][key] = _generic_spec(code_specs.child(key))

    percentage = root.child("percentage")
    sections["percentage"] = {
        key: percentage.pair(key, low=0.0, high=100.0)
        for key in percentage.data if key not in ("synthetic", "note")
    }
    if "default" not in sections["percentage"]:
        percentage.fail("default", "the value is missing")

    sections["derived_percentage"] = {}
    for entry in root.array("derived_percentage", required=False):
        code = entry.text("code")
        if code in sections["derived_percentage"]:
            entry.fail("code", "is defined twice")
        sections["derived_percentage"][code] = (
            _words(entry, "numerator"), _words(entry, "denominator"),
        )

    boolean = root.child("boolean")
    sections["boolean"] = {
        "default": boolean.number("default", low=0.0, high=1.0),
        "listed_bonus": boolean.number("listed_bonus", low=0.0, high=1.0),
        "yearly_adoption": boolean.number("yearly_adoption", low=0.0, high=1.0),
        "code": {},
    }
    for key, value in boolean.data.items():
        if key in ("synthetic", "note", "default", "listed_bonus", "yearly_adoption"):
            continue
        if isinstance(value, dict):
            sections["boolean"]["code"][key] = {
                "applicable_of": boolean.child(key).text("applicable_of"),
            }
        else:
            sections["boolean"]["code"][key] = boolean.number(key, low=0.0, high=1.0)

    choice = root.child("choice")
    sections["choice"] = {}
    for key in choice.data:
        if key in ("synthetic", "note"):
            continue
        entry = choice.child(key)
        weights = {name: entry.number(name, low=0.0) for name in entry.data}
        if not weights or sum(weights.values()) <= 0:
            entry.fail("-", "needs at least one positive weight")
        sections["choice"][key] = weights

    text = root.child("text")
    templates = _words(text, "templates")
    for template in templates:
        if SYNTHETIC_MARK not in template or "{name}" not in template:
            text.fail("templates", f"“{template}” must contain {{name}} and {SYNTHETIC_MARK}")
    sections["text"] = {"templates": templates}
    return sections


def _words(table: TomlTable, key: str) -> tuple[str, ...]:
    """The array of non-empty texts ``key`` (an item may repeat)."""
    return table.texts(key, unique=False, empty=False)


def _marked(table: TomlTable, key: str) -> str:
    value = table.text(key)
    if SYNTHETIC_MARK not in value:
        table.fail(key, f"a synthetic explanation must be marked {SYNTHETIC_MARK}")
    return value


def _generic_spec(table: TomlTable) -> dict[str, Any]:
    for key in table.data:
        if key not in _GENERIC_OPTIONS:
            table.fail(key, f"is not one of {', '.join(sorted(_GENERIC_OPTIONS))}")
    spec: dict[str, Any] = {"model": table.text("model") if table.has("model") else "lognormal"}
    if spec["model"] not in GENERIC_MODELS:
        table.fail("model", f"“{spec['model']}” is not one of {', '.join(sorted(GENERIC_MODELS))}")
    if table.has("share"):
        spec["share"] = table.pair("share", low=0.0, high=1.0)
    elif spec["model"] != "sum_of_parts":
        spec["scale"] = table.text("scale")
        spec["ratio"] = table.number("ratio", low=0.0)
        spec["sigma"] = table.number("sigma", low=0.0) if spec["model"] == "lognormal" else 0.0
    if table.has("integer"):
        spec["integer"] = table.boolean("integer")
    if table.has("cap"):
        spec["cap"] = table.text("cap")
    if table.has("min"):
        spec["min"] = table.number("min")
    return spec




def _code_ranges(entry: TomlTable, name: str, digits: int) -> list[tuple[int, int]]:
    """An exchange's list of ``[first, last]`` stock code ranges, checked."""
    ranges = entry.raw(name)
    if not isinstance(ranges, list) or not ranges:
        entry.fail(name, "must be a list of [first, last] code ranges")
    checked = []
    for item in ranges:
        if (not isinstance(item, list) or len(item) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in item)
                or not 0 <= item[0] <= item[1]):
            entry.fail(name, f"{item!r} is not a [first, last] pair of integers")
        checked.append((item[0], item[1]))
    if any(last >= 10 ** digits for _, last in checked):
        entry.fail(name, f"a code does not fit in {digits} digits")
    return checked
