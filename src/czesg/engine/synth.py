"""Synthetic Changzhou enterprises and their disclosure values, at any size.

The demo needs a few hundred enterprises, the benchmarks a hundred thousand; both come from here,
deterministically for a seed. Every name says that it is synthetic, every USCC comes from
:func:`czesg.engine.kernel.identifiers.synthetic_uscc` (which cannot collide with a real code), and every
text answer is marked 合成数据.

The values are internally consistent, because the derived ones are computed, never drawn:

* an economic core per enterprise (operating revenue by size class, employees, energy carriers,
  water and waste from intensities per 10,000 CNY with lognormal noise; later years follow with
  revenue growth of -10 % to +20 % and mild efficiency gains);
* Scope 1 = sum of fuel x GB/T 32151 factor; Scope 2 location-based = purchased electricity x the
  Jiangsu average grid factor of the year + purchased heat x the heat factor (the latest published
  grid factor when the year has none, recorded in :attr:`SyntheticValues.factors`); total GHG =
  Scope 1 + Scope 2 location-based (market-based Scope 2 is reported beside it, never added);
  energy in tce = sum of carrier x standard-coal coefficient, electricity at the calorific
  equivalent (当量值) 0.1229 tce/MWh;
* every intensity of the catalogue = numerator / denominator in the indicator's unit, every part
  <= its total, every percentage with counterpart values = their ratio x 100;
* the rest of the catalogue from generic rules by unit and data type, with realistic completeness
  and a few not-applicable answers with an explanation.

All real-world coefficients and all made-up distribution parameters live in
``czesg/data/synthetic/parameters.toml``; :func:`load_parameters` validates it. Work is vectorised
per indicator over all enterprises with NumPy, so 100,000 enterprises x 2 years (millions of
values) take seconds.
"""

from __future__ import annotations

import math
import tomllib
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from czesg.engine.catalogue import Catalogue, Indicator, load_catalogue
from czesg.engine.kernel import identifiers, units
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan import CityProfile, load_city_profile

PARAMETERS_PATH = Path(__file__).resolve().parent.parent / "data" / "synthetic" / "parameters.toml"
PARAMETERS_NAME = "synthetic/parameters.toml"

SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
EXCHANGES: tuple[str, ...] = ("SSE", "SZSE", "BSE", "HKEX")
TIERS: tuple[str, ...] = ("basic", "standard")
CARRIER_ROLES = frozenset({"purchased_electricity", "own_renewable", "fuel", "purchased_heat"})
GENERIC_MODELS = frozenset({"lognormal", "poisson", "sum_of_parts"})
SYNTHETIC_MARK = "合成数据"

# The generator's stream numbers: enterprises and disclosures never share random numbers.
_ENTERPRISE_STREAM = 1
_DISCLOSURE_STREAM = 2

# Multipliers taking a factor in the reference table's unit to "per unit of the carrier".
# kgCO2/kWh = tCO2/MWh; kgce/kg = tce/t; kgce/m3 x 10,000 m3 / 1,000 kg = tce per 10^4 Nm3.
_FACTOR_SCALE: dict[tuple[str, str], float] = {
    ("kgCO2/kWh", "MWh"): 1.0,
    ("tCO2/万Nm3", "万Nm3"): 1.0,
    ("tCO2/t", "t"): 1.0,
    ("tCO2/GJ", "GJ"): 1.0,
    ("kgce/kWh", "MWh"): 1.0,
    ("kgce/kg", "t"): 1.0,
    ("kgce/m3", "万Nm3"): 10.0,
    ("kgce/MJ (=tce/GJ)", "GJ"): 1.0,
}
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
_SYNTHETIC_TABLES: tuple[str, ...] = (
    "population", "exchange", "size_class", "lead_industry", "growth", "workforce", "intensity",
    "water", "completeness", "not_applicable", "generic", "percentage", "boolean", "choice",
    "text",
)
_GENERIC_OPTIONS = frozenset({"model", "scale", "ratio", "sigma", "integer", "cap", "min", "share"})
_ZERO_DENOMINATOR = "分母为零，该比率不适用（合成数据）"


# --------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Factor:
    """A real-world coefficient copied from the reference table, with its provenance."""

    factor_id: str
    category: str
    item_zh: str
    item_en: str
    region: str
    data_year: int | None
    value: float
    unit: str
    source: str
    locator: str
    confidence: str


@dataclass(frozen=True)
class Carrier:
    """An energy carrier: its indicator, role and coefficients per unit of the carrier."""

    key: str
    indicator: str
    unit: str
    role: str
    emission_factor: Factor | None
    standard_coal: Factor
    clean: bool
    decimals: int
    co2_per_unit: float
    tce_per_unit: float


@dataclass(frozen=True)
class FactorUse:
    """Which factor served a purpose in a year, and whether it stood in for a missing year."""

    year: int
    purpose: str
    factor: Factor
    fallback: bool

    @property
    def value(self) -> float:
        """The factor's value in its reference unit."""
        return self.factor.value


@dataclass(frozen=True)
class SynthParameters:
    """The validated contents of ``parameters.toml``: factors, carriers and synthetic tables."""

    version: str
    codes: Mapping[str, str]
    factors: Mapping[str, Factor]
    carriers: tuple[Carrier, ...]
    electricity_basis: str
    electricity_basis_zh: str
    electricity_standard_coal: Factor
    location_grid: tuple[Factor, ...]
    residual_grid: tuple[Factor, ...]
    heat_factor: Factor
    sections: Mapping[str, Any]

    def grid_factor(self, year: int, kind: str = "location") -> FactorUse:
        """The grid factor of ``year`` (location or residual), else that of the latest year."""
        if kind not in ("location", "residual"):
            raise ValueError(f"kind must be 'location' or 'residual', not {kind!r}")
        series = self.location_grid if kind == "location" else self.residual_grid
        purpose = "scope2_location_grid" if kind == "location" else "scope2_market_residual_grid"
        for factor in series:
            if factor.data_year == year:
                return FactorUse(year=year, purpose=purpose, factor=factor, fallback=False)
        latest = max(series, key=lambda factor: factor.data_year or 0)
        return FactorUse(year=year, purpose=purpose, factor=latest, fallback=True)

    def carrier(self, key: str) -> Carrier:
        """The carrier with ``key``; raises KeyError when there is none."""
        for carrier in self.carriers:
            if carrier.key == key:
                return carrier
        raise KeyError(key)


class _Table:
    """One TOML table being validated; every refusal names the file, the table and the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise DataFileError(
                file=PARAMETERS_NAME, row=where, field="-", reason="must be a table"
            )
        self.data = data
        self.where = where

    def fail(self, field: str, reason: str) -> NoReturn:
        raise DataFileError(file=PARAMETERS_NAME, row=self.where, field=field, reason=reason)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str) -> Any:
        if key not in self.data:
            self.fail(key, "the value is missing")
        return self.data[key]

    def number(self, key: str, *, low: float | None = None, high: float | None = None) -> float:
        value = self.get(key)
        return self._check_number(key, value, low, high)

    def _check_number(self, key: str, value: Any, low: float | None, high: float | None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, f"must be a number, not {value!r}")
        value = float(value)
        if not math.isfinite(value):
            self.fail(key, "must be a finite number")
        if low is not None and value < low:
            self.fail(key, f"must be at least {low:g}, not {value:g}")
        if high is not None and value > high:
            self.fail(key, f"must be at most {high:g}, not {value:g}")
        return value

    def integer(self, key: str, *, low: int | None = None) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be an integer, not {value!r}")
        if low is not None and value < low:
            self.fail(key, f"must be at least {low}, not {value}")
        return value

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.get(key)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(key, "must be a non-empty text")
        return value.strip()

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, not {value!r}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key, "must be a list of non-empty texts")
        return tuple(value)

    def pair(
        self, key: str, *, low: float | None = None, high: float | None = None,
        ordered: bool = True,
    ) -> tuple[float, float]:
        value = self.get(key)
        if not isinstance(value, list) or len(value) != 2:
            self.fail(key, f"must be a list of two numbers, not {value!r}")
        first = self._check_number(key, value[0], low, high)
        second = self._check_number(key, value[1], low, high)
        if ordered and first > second:
            self.fail(key, f"the first number {first:g} is greater than the second {second:g}")
        return first, second

    def table(self, key: str) -> _Table:
        return _Table(self.get(key), f"{self.where}.{key}" if self.where else key)


def load_parameters(path: str | Path | None = None) -> SynthParameters:
    """Load and validate the generator's parameters (default: the shipped file, cached)."""
    if path is None:
        return _load_default_parameters()
    return parse_parameters(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _load_default_parameters() -> SynthParameters:
    return parse_parameters(PARAMETERS_PATH.read_text(encoding="utf-8"))


def parse_parameters(text: str) -> SynthParameters:
    """Build :class:`SynthParameters` from the TOML text, refusing the first malformed value."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(
            file=PARAMETERS_NAME, row="-", field="-", reason=f"not valid TOML: {exc}"
        ) from None
    root = _Table(document, "")
    version = root.text("version")

    code_table = root.table("indicator_codes")
    codes = {key: code_table.text(key) for key in _CORE_CODE_KEYS}

    factors: dict[str, Factor] = {}
    raw_factors = root.get("factor")
    if not isinstance(raw_factors, list) or not raw_factors:
        root.fail("factor", "at least one [[factor]] is required")
    for number, raw in enumerate(raw_factors, start=1):
        factor = _parse_factor(_Table(raw, f"factor[{number}]"))
        if factor.factor_id in factors:
            _Table(raw, f"factor[{number}]").fail("factor_id", "is used twice")
        factors[factor.factor_id] = factor

    energy = root.table("energy")

    def factor_ref(table: _Table, key: str) -> Factor:
        factor_id = table.text(key)
        if factor_id not in factors:
            table.fail(key, f"“{factor_id}” is not a [[factor]] of this file")
        return factors[factor_id]

    electricity_tce = factor_ref(energy, "electricity_standard_coal")
    heat_factor = factor_ref(energy, "heat_factor")
    basis = energy.text("electricity_basis")
    if basis != "calorific_equivalent" or electricity_tce.category != "standard_coal_coefficient":
        energy.fail("electricity_basis", "the generator uses the calorific-equivalent value "
                    "(当量值) from a standard_coal_coefficient factor")

    def grid_series(category_key: str, region_key: str) -> tuple[Factor, ...]:
        category, region = energy.text(category_key), energy.text(region_key)
        series = tuple(sorted(
            (f for f in factors.values() if f.category == category and f.region == region),
            key=lambda f: f.data_year or 0,
        ))
        if not series:
            energy.fail(region_key, f"no [[factor]] has category {category} and region {region}")
        for factor in series:
            if factor.data_year is None:
                raise DataFileError(
                    file=PARAMETERS_NAME, row=f"factor {factor.factor_id}", field="data_year",
                    reason="a grid factor needs its data year",
                )
            if factor.unit != "kgCO2/kWh":
                raise DataFileError(
                    file=PARAMETERS_NAME, row=f"factor {factor.factor_id}", field="unit",
                    reason="a grid factor must be in kgCO2/kWh",
                )
        years = [f.data_year for f in series]
        if len(set(years)) != len(years):
            energy.fail(region_key, f"two {category} factors for {region} share a year")
        return series

    location = grid_series("location_grid_category", "location_grid_region")
    residual = grid_series("residual_grid_category", "residual_grid_region")

    carriers: list[Carrier] = []
    raw_carriers = root.get("carrier")
    if not isinstance(raw_carriers, list) or not raw_carriers:
        root.fail("carrier", "at least one [[carrier]] is required")
    for number, raw in enumerate(raw_carriers, start=1):
        table = _Table(raw, f"carrier[{number}]")
        key = table.text("key")
        role = table.text("role")
        if role not in CARRIER_ROLES:
            table.fail("role", f"“{role}” is not one of {', '.join(sorted(CARRIER_ROLES))}")
        unit = table.text("unit")
        if not units.is_known(unit):
            table.fail("unit", f"“{unit}” is not a unit of the registry")
        emission = None
        if role in ("fuel", "purchased_heat"):
            emission = factor_ref(table, "emission_factor")
        elif table.text("emission_factor", allow_empty=True):
            table.fail("emission_factor", f"a {role} carrier takes its factor elsewhere")
        coal = factor_ref(table, "standard_coal")
        co2 = _scaled(table, "emission_factor", emission, unit) if emission else 0.0
        carriers.append(Carrier(
            key=key, indicator=table.text("indicator"), unit=unit, role=role,
            emission_factor=emission, standard_coal=coal, clean=table.boolean("clean"),
            decimals=table.integer("decimals", low=0), co2_per_unit=co2,
            tce_per_unit=_scaled(table, "standard_coal", coal, unit),
        ))
    if [c.key for c in carriers].count("electricity") != 1 or not any(
        c.role == "purchased_electricity" and c.key == "electricity" for c in carriers
    ):
        root.fail("carrier", "exactly one carrier “electricity” with role purchased_electricity "
                  "is required")
    if len({c.key for c in carriers}) != len(carriers):
        root.fail("carrier", "two carriers share a key")

    sections = _parse_sections(root, carriers)
    return SynthParameters(
        version=version, codes=codes, factors=factors, carriers=tuple(carriers),
        electricity_basis=basis, electricity_basis_zh=energy.text("electricity_basis_zh"),
        electricity_standard_coal=electricity_tce, location_grid=location,
        residual_grid=residual, heat_factor=heat_factor, sections=sections,
    )


def _parse_factor(table: _Table) -> Factor:
    data_year = table.integer("data_year") if table.has("data_year") else None
    factor = Factor(
        factor_id=table.text("factor_id"), category=table.text("category"),
        item_zh=table.text("item_zh"), item_en=table.text("item_en"),
        region=table.text("region"), data_year=data_year,
        value=table.number("value", low=0.0), unit=table.text("unit"),
        source=table.text("source"), locator=table.text("locator"),
        confidence=table.text("confidence"),
    )
    if table.has("ncv"):
        # The trap of the reference README: carbon content per GJ, not "10^-2 tC/GJ".
        derived = (
            table.number("ncv", low=0.0) * table.number("carbon_content_tC_per_GJ", low=0.0)
            * table.number("oxidation_rate", low=0.0, high=1.0) * 44.0 / 12.0
        )
        if abs(derived - factor.value) > 1e-3 * factor.value:
            table.fail("value", f"{factor.value:g} is not NCV x carbon content x oxidation rate "
                       f"x 44/12 = {derived:.4f}; check the carbon-content unit (tC/GJ)")
    return factor


def _scaled(table: _Table, field: str, factor: Factor, carrier_unit: str) -> float:
    scale = _FACTOR_SCALE.get((factor.unit, carrier_unit))
    if scale is None:
        table.fail(field, f"{factor.factor_id} is in {factor.unit}, which the generator cannot "
                   f"apply to a quantity in {carrier_unit}")
    return factor.value * scale


def _parse_sections(root: _Table, carriers: Sequence[Carrier]) -> dict[str, Any]:
    """Validate the synthetic tables and return them as plain, checked dictionaries."""
    sections: dict[str, Any] = {}
    for name in _SYNTHETIC_TABLES:
        table = root.table(name)
        if table.get("synthetic") is not True:
            table.fail("synthetic", "made-up parameters must be labelled synthetic = true")
        table.text("note")

    population = root.table("population")
    weights = population.table("district_weight")
    sections["population"] = {
        "listed_share": population.number("listed_share", low=0.0, high=1.0),
        "state_owned_share_unlisted": population.number(
            "state_owned_share_unlisted", low=0.0, high=1.0),
        "state_owned_share_listed": population.number(
            "state_owned_share_listed", low=0.0, high=1.0),
        "in_park_share": population.number("in_park_share", low=0.0, high=1.0),
        "default_district_weight": population.number("default_district_weight", low=0.0),
        "district_weight": {key: weights.number(key, low=0.0) for key in weights.data},
        **{key: population.text(key) for key in (
            "name_prefix_zh", "name_suffix_zh", "name_prefix_en", "name_suffix_en",
            "company_zh", "company_en", "listed_company_zh", "listed_company_en",
        )},
    }
    for key in ("name_suffix_zh", "name_suffix_en"):
        suffix = sections["population"][key]
        if SYNTHETIC_MARK not in suffix and "synthetic" not in suffix.lower():
            population.fail(key, "the name suffix must say that the enterprise is synthetic")

    exchange = root.table("exchange")
    sections["exchange"] = {}
    for key in EXCHANGES:
        entry = exchange.table(key)
        ranges = entry.get("ranges")
        if not isinstance(ranges, list) or not ranges:
            entry.fail("ranges", "must be a list of [first, last] code ranges")
        checked = []
        for item in ranges:
            if (not isinstance(item, list) or len(item) != 2
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in item)
                    or not 0 <= item[0] <= item[1]):
                entry.fail("ranges", f"{item!r} is not a [first, last] pair of integers")
            checked.append((item[0], item[1]))
        digits = entry.integer("digits", low=1)
        if any(last >= 10 ** digits for _, last in checked):
            entry.fail("ranges", f"a code does not fit in {digits} digits")
        sections["exchange"][key] = {
            "weight": entry.number("weight", low=0.0), "digits": digits, "ranges": checked,
        }

    size = root.table("size_class")
    sections["size_class"] = {"minimum_revenue": size.number("minimum_revenue", low=0.01)}
    for key in SIZE_CLASSES:
        entry = size.table(key)
        sections["size_class"][key] = {
            "share_listed": entry.number("share_listed", low=0.0),
            "share_unlisted": entry.number("share_unlisted", low=0.0),
            "revenue_median": entry.number("revenue_median", low=0.01),
            "revenue_sigma": entry.number("revenue_sigma", low=0.0),
            "productivity": entry.number("productivity", low=0.01),
        }

    lead = root.table("lead_industry")
    sections["lead_industry"] = {}
    for key, value in lead.data.items():
        if key in ("synthetic", "note"):
            continue
        entry = _Table(value, f"lead_industry.{key}")
        words_zh, words_en = entry.texts("words_zh"), entry.texts("words_en")
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

    growth = root.table("growth")
    sections["growth"] = {
        "revenue_growth": growth.pair("revenue_growth", low=-0.99),
        "employee_elasticity": growth.number("employee_elasticity", low=0.0),
        "employee_noise": growth.number("employee_noise", low=0.0),
        "efficiency_gain": growth.pair("efficiency_gain", low=0.0, high=0.5),
    }
    workforce = root.table("workforce")
    sections["workforce"] = {
        "female_share_noise": workforce.number("female_share_noise", low=0.0),
        "productivity_sigma": workforce.number("productivity_sigma", low=0.0),
        **{key: workforce.pair(key, low=0.0, high=1.0) for key in (
            "under_30_share", "over_50_share", "turnover_rate", "first_year_hire_rate")},
    }
    if sections["workforce"]["under_30_share"][1] + sections["workforce"]["over_50_share"][1] > 1:
        workforce.fail("over_50_share", "the age shares can add up to more than 1")

    intensity = root.table("intensity")
    sections["intensity"] = {
        "sigma": intensity.number("sigma", low=0.0),
        "year_sigma": intensity.number("year_sigma", low=0.0),
    }
    for key in (*(c.key for c in carriers), *_RESOURCE_KEYS):
        entry = intensity.table(key)
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
        intensity.table("electricity").fail("default", "every enterprise uses electricity")

    water = root.table("water")
    sections["water"] = {
        "municipal_share": water.pair("municipal_share", low=0.0, high=1.0),
        "groundwater_use": water.number("groundwater_use", low=0.0, high=1.0),
        "surface_water_use": water.number("surface_water_use", low=0.0, high=1.0),
    }

    completeness = root.table("completeness")
    sections["completeness"] = {
        "basic": completeness.pair("basic", low=0.0, high=1.0),
        "standard": completeness.pair("standard", low=0.0, high=1.0),
        "yearly_improvement": completeness.number("yearly_improvement", low=0.0, high=1.0),
        "always_answered": completeness.texts("always_answered"),
        "unused_carrier_not_applicable": completeness.number(
            "unused_carrier_not_applicable", low=0.0, high=1.0),
        **{key: _marked(completeness, key) for key in (
            "unused_carrier_explanation", "no_hazardous_waste_explanation",
            "no_non_hazardous_waste_explanation")},
    }

    na = root.table("not_applicable")
    rules = na.table("rule") if na.has("rule") else _Table({}, "not_applicable.rule")
    sections["not_applicable"] = {
        "default_share": na.number("default_share", low=0.0, high=1.0),
        "default_explanation": _marked(na, "default_explanation"),
        "rules": {},
    }
    for prefix in rules.data:
        entry = rules.table(prefix)
        sections["not_applicable"]["rules"][prefix] = {
            "industrial": entry.number("industrial", low=0.0, high=1.0),
            "other": entry.number("other", low=0.0, high=1.0),
            "explanation": _marked(entry, "explanation"),
        }

    generic = root.table("generic")
    sections["generic"] = {
        "year_sigma": generic.number("year_sigma", low=0.0),
        "part_share": generic.pair("part_share", low=0.0, high=1.0),
        "unit": {}, "code": {},
    }
    unit_table = generic.table("unit")
    for key in unit_table.data:
        sections["generic"]["unit"][key] = _generic_spec(unit_table.table(key))
    if "default" not in sections["generic"]["unit"]:
        unit_table.fail("default", "the value is missing")
    if generic.has("code"):
        code_specs = generic.table("code")
        for key in code_specs.data:
            sections["generic"]["code"][key] = _generic_spec(code_specs.table(key))

    percentage = root.table("percentage")
    sections["percentage"] = {
        key: percentage.pair(key, low=0.0, high=100.0)
        for key in percentage.data if key not in ("synthetic", "note")
    }
    if "default" not in sections["percentage"]:
        percentage.fail("default", "the value is missing")

    derived = root.get("derived_percentage") if root.has("derived_percentage") else []
    if not isinstance(derived, list):
        root.fail("derived_percentage", "must be an array of tables")
    sections["derived_percentage"] = {}
    for number, raw in enumerate(derived, start=1):
        entry = _Table(raw, f"derived_percentage[{number}]")
        code = entry.text("code")
        if code in sections["derived_percentage"]:
            entry.fail("code", "is defined twice")
        sections["derived_percentage"][code] = (
            entry.texts("numerator"), entry.texts("denominator"),
        )

    boolean = root.table("boolean")
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
                "applicable_of": _Table(value, f"boolean.{key}").text("applicable_of"),
            }
        else:
            sections["boolean"]["code"][key] = boolean.number(key, low=0.0, high=1.0)

    choice = root.table("choice")
    sections["choice"] = {}
    for key in choice.data:
        if key in ("synthetic", "note"):
            continue
        entry = choice.table(key)
        weights = {name: entry.number(name, low=0.0) for name in entry.data}
        if not weights or sum(weights.values()) <= 0:
            entry.fail("-", "needs at least one positive weight")
        sections["choice"][key] = weights

    text = root.table("text")
    templates = text.texts("templates")
    for template in templates:
        if SYNTHETIC_MARK not in template or "{name}" not in template:
            text.fail("templates", f"“{template}” must contain {{name}} and {SYNTHETIC_MARK}")
    sections["text"] = {"templates": templates}
    return sections


def _marked(table: _Table, key: str) -> str:
    value = table.text(key)
    if SYNTHETIC_MARK not in value:
        table.fail(key, f"a synthetic explanation must be marked {SYNTHETIC_MARK}")
    return value


def _generic_spec(table: _Table) -> dict[str, Any]:
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


# --------------------------------------------------------------------------------------------
# Enterprises


@dataclass(frozen=True)
class SyntheticEnterprise:
    """A made-up Changzhou enterprise; its names and USCC say that it is synthetic."""

    uscc: str
    name: str
    name_en: str
    industry_code: str
    division_code: str
    park_key: str
    size_class: str
    listed: bool
    exchange: str
    stock_code: str
    state_owned: bool
    lead_industry: str

    @property
    def tier(self) -> str:
        """The disclosure tier: standard for a listed company, basic otherwise."""
        return "standard" if self.listed else "basic"


def _rng(seed: int, stream: int, *labels: str) -> np.random.Generator:
    """A generator of its own for each (seed, stream, label) so that draws never shift."""
    label = zlib.crc32("|".join(labels).encode("utf-8"))
    return np.random.default_rng([seed, stream, label])


def _normalised(weights: Sequence[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    total = array.sum()
    if total <= 0:
        raise ValueError("the weights must not all be zero")
    return array / total


def generate_enterprises(
    n: int, *, seed: int = 2025, profile: CityProfile | None = None,
    parameters: SynthParameters | None = None,
) -> list[SyntheticEnterprise]:
    """Make ``n`` synthetic enterprises spread over the city's districts, parks and industries."""
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    profile = profile or load_city_profile()
    params = parameters or load_parameters()
    population = params.sections["population"]
    leads = params.sections["lead_industry"]

    districts = [district.code for district in profile.districts]
    parks = [park for park in profile.parks if park.district in districts]
    parks_by_district = {code: [p.key for p in parks if p.district == code] for code in districts}
    classes: dict[str, list[str]] = {}
    for industry in profile.industries:
        if industry.level != "class":
            continue
        lead = profile.lead_industry_of(industry.code)
        if lead is not None:
            classes.setdefault(lead.key, []).append(industry.code)
    lead_keys = [li.key for li in profile.lead_industries if li.key in classes]
    if not lead_keys:
        raise ValueError("the city profile tags no industry class with a lead industry")

    rng = _rng(seed, _ENTERPRISE_STREAM, "enterprises")
    district_weights = _normalised([
        population["district_weight"].get(code, population["default_district_weight"])
        for code in districts
    ])
    lead_weights = _normalised([leads.get(key, leads["default"])["weight"] for key in lead_keys])
    district_index = rng.choice(len(districts), size=n, p=district_weights)
    lead_index = rng.choice(len(lead_keys), size=n, p=lead_weights)
    in_park = rng.random(n) < population["in_park_share"]
    park_draw = rng.random(n)
    class_draw = rng.random(n)
    word_draw = rng.random(n)

    # A prefix of the population covers every park, every district and every lead industry, so
    # that even a small demo shows all of them.
    prefix = [(districts.index(park.district), park.key) for park in parks]
    prefix += [(index, "") for index in range(len(districts))]
    prefix_length = min(n, max(len(prefix), len(lead_keys)))
    park_keys = [""] * n
    for position in range(prefix_length):
        district, park = prefix[position % len(prefix)]
        district_index[position] = district
        park_keys[position] = park
        lead_index[position] = position % len(lead_keys)
    for position in range(prefix_length, n):
        options = parks_by_district[districts[district_index[position]]]
        if options and in_park[position]:
            park_keys[position] = options[int(park_draw[position] * len(options))]

    listed = rng.random(n) < population["listed_share"]
    sizes = params.sections["size_class"]
    size_listed = _normalised([sizes[s]["share_listed"] for s in SIZE_CLASSES])
    size_unlisted = _normalised([sizes[s]["share_unlisted"] for s in SIZE_CLASSES])
    size_index = np.where(
        listed,
        rng.choice(len(SIZE_CLASSES), size=n, p=size_listed),
        rng.choice(len(SIZE_CLASSES), size=n, p=size_unlisted),
    )
    state_owned = rng.random(n) < np.where(
        listed, population["state_owned_share_listed"], population["state_owned_share_unlisted"]
    )
    exchanges = params.sections["exchange"]
    exchange_index = rng.choice(
        len(EXCHANGES), size=n, p=_normalised([exchanges[e]["weight"] for e in EXCHANGES])
    )
    stock_codes = [""] * n
    for number, exchange in enumerate(EXCHANGES):
        holders = np.flatnonzero(listed & (exchange_index == number))
        for holder, code in zip(
            holders, _stock_codes(exchanges[exchange], len(holders), rng, exchange), strict=True
        ):
            stock_codes[int(holder)] = code

    width = max(6, len(str(n)))
    enterprises = []
    for position in range(n):
        lead_key = lead_keys[lead_index[position]]
        lead = leads.get(lead_key, leads["default"])
        options = classes[lead_key]
        industry_code = options[int(class_draw[position] * len(options))]
        word = int(word_draw[position] * len(lead["words_zh"]))
        is_listed = bool(listed[position])
        serial = f"{position + 1:0{width}d}"
        company_zh = population["listed_company_zh" if is_listed else "company_zh"]
        company_en = population["listed_company_en" if is_listed else "company_en"]
        division = districts[district_index[position]]
        enterprises.append(SyntheticEnterprise(
            uscc=identifiers.synthetic_uscc(division, position),
            name=(f"{population['name_prefix_zh']}{serial}{lead['words_zh'][word]}"
                  f"{company_zh}{population['name_suffix_zh']}"),
            name_en=(f"{population['name_prefix_en']} {serial} {lead['words_en'][word]} "
                     f"{company_en} {population['name_suffix_en']}"),
            industry_code=industry_code,
            division_code=division,
            park_key=park_keys[position],
            size_class=SIZE_CLASSES[size_index[position]],
            listed=is_listed,
            exchange=EXCHANGES[exchange_index[position]] if is_listed else "",
            stock_code=stock_codes[position],
            state_owned=bool(state_owned[position]),
            lead_industry=lead_key,
        ))
    return enterprises


def _stock_codes(
    spec: Mapping[str, Any], count: int, rng: np.random.Generator, exchange: str
) -> list[str]:
    """Draw ``count`` distinct codes from the exchange's synthetic ranges."""
    if count == 0:
        return []
    sizes = [last - first + 1 for first, last in spec["ranges"]]
    capacity = sum(sizes)
    if count > capacity:
        raise ValueError(f"{count} listed companies on {exchange} exceed the {capacity} synthetic "
                         f"stock codes of its ranges in {PARAMETERS_NAME}")
    picks = rng.choice(capacity, size=count, replace=False)
    starts = np.cumsum([0, *sizes[:-1]])
    which = np.searchsorted(starts, picks, side="right") - 1
    firsts = np.array([first for first, _ in spec["ranges"]])
    numbers = firsts[which] + (picks - starts[which])
    return [f"{int(number):0{spec['digits']}d}" for number in numbers]


# --------------------------------------------------------------------------------------------
# Disclosure values


@dataclass(frozen=True, eq=False)
class SyntheticValues:
    """Columnar disclosure values of synthetic enterprises, sorted by enterprise, year, indicator.

    Row ``i`` is one disclosed value: enterprise ``enterprises[enterprise_index[i]]``, year
    ``year[i]``, indicator ``codes[indicator[i]]``. Exactly one value column is set per row, as
    the indicator's data type says: ``number`` (float, NaN otherwise), ``boolean`` (1/0, -1
    otherwise), ``choice`` (index into the indicator's choices, -1 otherwise) or ``text`` (index
    into ``text_pool``, -1 otherwise). Numbers are in the indicator's canonical unit
    (``units``). Not-applicable answers are in the ``na_*`` columns with an index into
    ``explanations``. ``tier`` holds the tier of every enterprise-year.
    """

    enterprises: tuple[SyntheticEnterprise, ...]
    years: tuple[int, ...]
    codes: tuple[str, ...]
    data_types: tuple[str, ...]
    units: tuple[str, ...]
    choice_keys: tuple[tuple[str, ...], ...]
    tier: np.ndarray
    enterprise_index: np.ndarray
    year: np.ndarray
    indicator: np.ndarray
    number: np.ndarray
    boolean: np.ndarray
    choice: np.ndarray
    text: np.ndarray
    text_pool: tuple[str, ...]
    na_enterprise_index: np.ndarray
    na_year: np.ndarray
    na_indicator: np.ndarray
    na_explanation: np.ndarray
    explanations: tuple[str, ...]
    factors: tuple[FactorUse, ...]
    catalogue_version: str
    parameters_version: str
    seed: int

    def __len__(self) -> int:
        return int(self.indicator.shape[0])

    @property
    def indicator_code(self) -> np.ndarray:
        """The indicator code of every row (an object array, built on demand)."""
        return np.asarray(self.codes, dtype=object)[self.indicator]

    def value(self, row: int) -> float | bool | str:
        """The value of one row as a Python float, bool or str (a choice gives its key)."""
        kind = self.data_types[self.indicator[row]]
        if kind in ("number", "percentage"):
            return float(self.number[row])
        if kind == "boolean":
            return bool(self.boolean[row])
        if kind == "choice":
            return self.choice_keys[self.indicator[row]][self.choice[row]]
        return self.text_pool[self.text[row]]

    def rows(self) -> Iterator[tuple[str, int, str, str, float | bool | str, str]]:
        """Yield ``(uscc, year, tier, code, value, unit)`` for every value (for small sizes)."""
        year_position = {year: index for index, year in enumerate(self.years)}
        columns = zip(
            self.enterprise_index.tolist(), self.year.tolist(), self.indicator.tolist(),
            self.number.tolist(), self.boolean.tolist(), self.choice.tolist(),
            self.text.tolist(), strict=True,
        )
        for enterprise, year, indicator, number, flag, choice, text in columns:
            kind = self.data_types[indicator]
            value: float | bool | str
            if kind in ("number", "percentage"):
                value = number
            elif kind == "boolean":
                value = bool(flag)
            elif kind == "choice":
                value = self.choice_keys[indicator][choice]
            else:
                value = self.text_pool[text]
            yield (
                self.enterprises[enterprise].uscc, year,
                str(self.tier[enterprise, year_position[year]]), self.codes[indicator], value,
                self.units[indicator],
            )

    def not_applicable_rows(self) -> Iterator[tuple[str, int, str, str, str]]:
        """Yield ``(uscc, year, tier, code, explanation)`` for every not-applicable answer."""
        year_position = {year: index for index, year in enumerate(self.years)}
        columns = zip(
            self.na_enterprise_index.tolist(), self.na_year.tolist(), self.na_indicator.tolist(),
            self.na_explanation.tolist(), strict=True,
        )
        for enterprise, year, indicator, explanation in columns:
            yield (
                self.enterprises[enterprise].uscc, year,
                str(self.tier[enterprise, year_position[year]]), self.codes[indicator],
                self.explanations[explanation],
            )

    def numbers(self, code: str) -> np.ndarray:
        """An (enterprises x years) array of a numeric indicator, NaN where not disclosed."""
        column = self.codes.index(code)
        out = np.full((len(self.enterprises), len(self.years)), np.nan)
        rows = self.indicator == column
        positions = np.searchsorted(np.asarray(self.years), self.year[rows])
        out[self.enterprise_index[rows], positions] = self.number[rows]
        return out

    def completeness(self, catalogue: Catalogue | None = None) -> np.ndarray:
        """The share of its tier that each enterprise-year answered (not applicable counts)."""
        catalogue = catalogue or load_catalogue()
        n, years = len(self.enterprises), len(self.years)
        counts = np.zeros(n * years)
        for enterprise, year in (
            (self.enterprise_index, self.year), (self.na_enterprise_index, self.na_year),
        ):
            positions = np.searchsorted(np.asarray(self.years), year)
            counts += np.bincount(
                enterprise.astype(np.int64) * years + positions, minlength=n * years
            )
        sizes = {tier: len(catalogue.for_tier(tier)) for tier in TIERS}
        denominator = np.vectorize(sizes.__getitem__, otypes=[float])(self.tier).ravel()
        return (counts / denominator).reshape(n, years)


def generate_disclosures(
    enterprises: Sequence[SyntheticEnterprise], years: Sequence[int], *, seed: int = 2025,
    catalogue: Catalogue | None = None, parameters: SynthParameters | None = None,
    submittable: bool = False,
) -> SyntheticValues:
    """Generate consistent disclosure values of ``enterprises`` for ``years`` (vectorised).

    With ``submittable`` every mandatory and where-applicable indicator of the tier is answered
    (a value or an explained not-applicable), so that each disclosure passes validation; only
    encouraged indicators are left out. Otherwise completeness follows parameters.toml.
    The values of an enterprise depend on the whole population passed in (draws are vectorised).
    """
    ordered = sorted({int(year) for year in years})
    if not ordered:
        raise ValueError("at least one year is needed")
    if len(ordered) != len(list(years)):
        raise ValueError(f"the years must not repeat: {list(years)}")
    builder = _Disclosures(
        list(enterprises), ordered, seed, catalogue or load_catalogue(),
        parameters or load_parameters(), submittable=submittable,
    )
    return builder.build()


class _Disclosures:
    """Computes the true value of every indicator for all enterprise-years, then samples them."""

    def __init__(
        self, enterprises: list[SyntheticEnterprise], years: list[int], seed: int,
        catalogue: Catalogue, params: SynthParameters, *, submittable: bool = False,
    ) -> None:
        self.submittable = submittable
        self.enterprises = enterprises
        self.years = years
        self.seed = seed
        self.catalogue = catalogue
        self.params = params
        self.sections = params.sections
        self.n = len(enterprises)
        self.y = len(years)
        self.listed = np.array([e.listed for e in enterprises], dtype=bool)
        size_of = {size: index for index, size in enumerate(SIZE_CLASSES)}
        self.size = np.array([size_of[e.size_class] for e in enterprises], dtype=np.int64)
        self.lead_keys = sorted({e.lead_industry for e in enterprises})
        lead_of = {key: index for index, key in enumerate(self.lead_keys)}
        self.lead = np.array([lead_of[e.lead_industry] for e in enterprises], dtype=np.int64)
        leads = self.sections["lead_industry"]
        self.lead_params = [leads.get(key, leads["default"]) for key in self.lead_keys]
        self.industrial = np.array(
            [p["industrial"] for p in self.lead_params], dtype=bool
        )[self.lead] if self.n else np.zeros(0, dtype=bool)
        self.codes = params.codes
        self.number: dict[str, np.ndarray] = {}
        self.flag: dict[str, np.ndarray] = {}
        self.pick: dict[str, np.ndarray] = {}
        self.words: dict[str, np.ndarray] = {}
        self.na: dict[str, np.ndarray] = {}
        self.explanations: list[str] = []
        self.explanation_index: dict[str, int] = {}
        self.text_pool: list[str] = []
        self.text_index: dict[str, int] = {}
        self.busy: set[str] = set()
        self.factor_uses: list[FactorUse] = []
        self.location_uses: list[FactorUse] = []
        self.efficiency = np.ones((self.n, self.y))

    # -- helpers ------------------------------------------------------------------------------
    def rng(self, *labels: str) -> np.random.Generator:
        return _rng(self.seed, _DISCLOSURE_STREAM, *labels)

    def explanation(self, text: str) -> int:
        if text not in self.explanation_index:
            self.explanation_index[text] = len(self.explanations)
            self.explanations.append(text)
        return self.explanation_index[text]

    def pooled(self, text: str) -> int:
        if text not in self.text_index:
            self.text_index[text] = len(self.text_pool)
            self.text_pool.append(text)
        return self.text_index[text]

    def by_lead(self, values: Sequence[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[self.lead] if self.n else np.zeros(0)

    def in_tier(self, code: str) -> np.ndarray:
        """Which enterprises disclose ``code`` in their tier (none when it is not catalogued)."""
        if code not in self.catalogue:
            return np.zeros(self.n, dtype=bool)
        if self.catalogue.get(code).tier == "basic":
            return np.ones(self.n, dtype=bool)
        return self.listed.copy()

    def set_na(self, code: str, mask: np.ndarray, explanation: str | np.ndarray) -> None:
        """Mark enterprise-years (mask (n, years) or (n,)) of ``code`` as not applicable."""
        mask = np.broadcast_to(mask.reshape(self.n, -1), (self.n, self.y))
        if not mask.any():
            return
        current = self.na.get(code)
        if current is None:
            current = np.full((self.n, self.y), -1, dtype=np.int16)
            self.na[code] = current
        index = self.explanation(explanation) if isinstance(explanation, str) else explanation
        current[mask & (current < 0)] = np.broadcast_to(index, (self.n, self.y))[
            mask & (current < 0)
        ]

    def na_of(self, code: str) -> np.ndarray | None:
        self.ensure(code)
        return self.na.get(code)

    def inherit_na(self, code: str, sources: Sequence[str], *, all_of: bool = False) -> None:
        """Make ``code`` not applicable where a source is (or where all sources are)."""
        marks = [self.na_of(source) for source in sources]
        if all_of:
            if any(mark is None for mark in marks) or not marks:
                return
            mask = np.logical_and.reduce([mark >= 0 for mark in marks])
            self.set_na(code, mask, marks[0])
            return
        for mark in marks:
            if mark is not None:
                self.set_na(code, mark >= 0, mark)

    def value(self, name: str) -> np.ndarray:
        """The truth of a core key, an indicator code, or "one", as an (n, years) array."""
        if name == "one":
            return np.ones((self.n, self.y))
        code = self.codes.get(name, name)
        self.ensure(code)
        if code not in self.number:
            raise DataFileError(
                file=PARAMETERS_NAME, row="generic", field=name,
                reason=f"“{name}” is neither a key of [indicator_codes] nor a numeric indicator",
            )
        return self.number[code]

    def resource(
        self, key: str, base: np.ndarray, *, efficiency: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whether each enterprise uses a resource, and its quantity = base x own intensity."""
        table = self.sections["intensity"][key]
        pairs = [table.get(lead, table["default"]) for lead in self.lead_keys]
        share = self.by_lead([pair[0] for pair in pairs])
        median = self.by_lead([pair[1] for pair in pairs])
        rng = self.rng("core", "intensity", key)
        uses = rng.random(self.n) < share
        level = median * np.exp(self.sections["intensity"]["sigma"] * rng.standard_normal(self.n))
        noise = np.exp(
            self.sections["intensity"]["year_sigma"] * rng.standard_normal((self.n, self.y))
        )
        quantity = base * level[:, None] * noise
        if efficiency:
            quantity = quantity * self.efficiency
        quantity[~uses] = 0.0
        return uses, quantity

    # -- the economic core --------------------------------------------------------------------
    def core(self) -> None:
        n, y, codes = self.n, self.y, self.codes
        sizes, growth = self.sections["size_class"], self.sections["growth"]
        workforce = self.sections["workforce"]
        rng = self.rng("core", "revenue")
        median = np.array([sizes[s]["revenue_median"] for s in SIZE_CLASSES])[self.size]
        sigma = np.array([sizes[s]["revenue_sigma"] for s in SIZE_CLASSES])[self.size]
        revenue = np.empty((n, y))
        revenue[:, 0] = np.round(np.maximum(
            median * np.exp(sigma * rng.standard_normal(n)), sizes["minimum_revenue"]
        ), 2)
        low, high = growth["revenue_growth"]
        change = rng.uniform(low, high, size=(n, y))
        for t in range(1, y):
            revenue[:, t] = np.round(revenue[:, t - 1] * (1.0 + change[:, t]), 2)
        self.number[codes["revenue"]] = revenue

        rng = self.rng("core", "efficiency")
        gain = rng.uniform(*growth["efficiency_gain"], size=(n, y))
        gain[:, 0] = 0.0
        self.efficiency = np.cumprod(1.0 - gain, axis=1)

        # Employees: revenue / productivity, then following revenue growth.
        rng = self.rng("core", "employees")
        productivity = (
            self.by_lead([p["revenue_per_employee"] for p in self.lead_params])
            * np.array([sizes[s]["productivity"] for s in SIZE_CLASSES])[self.size]
            * np.exp(workforce["productivity_sigma"] * rng.standard_normal(n))
        )
        employees = np.empty((n, y))
        employees[:, 0] = np.maximum(1.0, np.round(revenue[:, 0] / productivity))
        noise = rng.standard_normal((n, y)) * growth["employee_noise"]
        for t in range(1, y):
            employees[:, t] = np.maximum(1.0, np.round(
                employees[:, t - 1] * (1.0 + growth["employee_elasticity"] * change[:, t]
                                       + noise[:, t])
            ))
        self.number[codes["employees"]] = employees
        female_share = np.clip(
            self.by_lead([p["female_share"] for p in self.lead_params])
            + workforce["female_share_noise"] * rng.standard_normal(n), 0.02, 0.9,
        )
        female = np.round(employees * female_share[:, None])
        self.number[codes["employees_female"]] = female
        self.number[codes["employees_male"]] = employees - female
        under_30 = np.floor(employees * rng.uniform(*workforce["under_30_share"], n)[:, None])
        over_50 = np.floor(employees * rng.uniform(*workforce["over_50_share"], n)[:, None])
        self.number[codes["employees_under_30"]] = under_30
        self.number[codes["employees_over_50"]] = over_50
        self.number[codes["employees_30_to_50"]] = employees - under_30 - over_50
        # Flows that reconcile the headcounts: employees(t) = employees(t-1) + hires - leavers.
        turnover = rng.uniform(*workforce["turnover_rate"], size=(n, y))
        leavers = np.empty((n, y))
        hires = np.empty((n, y))
        leavers[:, 0] = np.round(turnover[:, 0] * employees[:, 0])
        hires[:, 0] = np.round(rng.uniform(*workforce["first_year_hire_rate"], n) * employees[:, 0])
        for t in range(1, y):
            leavers[:, t] = np.round(turnover[:, t] * employees[:, t - 1])
            hires[:, t] = employees[:, t] - employees[:, t - 1] + leavers[:, t]
            short = hires[:, t] < 0
            leavers[short, t] -= hires[short, t]
            hires[short, t] = 0.0
        self.number[codes["leavers"]] = leavers
        self.number[codes["hires"]] = hires

        self.energy_and_emissions(revenue)
        self.water_and_waste(revenue)
        self.core_texts()

    def energy_and_emissions(self, revenue: np.ndarray) -> None:
        n, y, codes = self.n, self.y, self.codes
        completeness = self.sections["completeness"]
        quantities: dict[str, np.ndarray] = {}
        electricity_carrier = self.params.carrier("electricity")
        for carrier in self.params.carriers:
            if carrier.role == "own_renewable":
                continue
            uses, quantity = self.resource(carrier.key, revenue)
            uses &= self.in_tier(carrier.indicator)
            quantity[~uses] = 0.0
            quantity = np.round(quantity, carrier.decimals)
            if carrier.key == "electricity":
                quantity = np.maximum(quantity, 10.0 ** -carrier.decimals)
            quantities[carrier.key] = quantity
            self.number[carrier.indicator] = quantity
            self.unused_carrier(carrier, uses, completeness)
        electricity = quantities["electricity"]
        for carrier in self.params.carriers:
            if carrier.role != "own_renewable":
                continue
            uses, share = self.resource(carrier.key, np.ones((n, y)), efficiency=False)
            uses &= self.in_tier(carrier.indicator)
            quantity = np.round(electricity * np.minimum(share, 1.0), carrier.decimals)
            quantity[~uses] = 0.0
            quantities[carrier.key] = quantity
            self.number[carrier.indicator] = quantity
            self.unused_carrier(carrier, uses, completeness)
        uses, share = self.resource("green_electricity", np.ones((n, y)), efficiency=False)
        uses &= self.in_tier(codes["green_electricity"])
        green = np.round(electricity * np.minimum(share, 0.95), electricity_carrier.decimals)
        green[~uses] = 0.0
        self.number[codes["green_electricity"]] = green

        location = [self.params.grid_factor(year, "location") for year in self.years]
        residual = [self.params.grid_factor(year, "residual") for year in self.years]
        self.location_uses = location
        self.factor_uses += location + residual
        grid = np.array([use.factor.value for use in location])  # kgCO2/kWh = tCO2/MWh
        residual_grid = np.array([use.factor.value for use in residual])
        scope1 = np.zeros((n, y))
        heat_emissions = np.zeros((n, y))
        energy = np.zeros((n, y))
        clean = np.zeros((n, y))
        # Energy in tce: the calorific-equivalent (当量值) coefficient for electricity, 0.1229
        # tce/MWh (factor TCE-ELECTRICITY); carriers summed in the order of parameters.toml.
        for carrier in self.params.carriers:
            quantity = quantities[carrier.key]
            energy += quantity * carrier.tce_per_unit
            if carrier.clean:
                clean += quantity * carrier.tce_per_unit
            if carrier.key == "electricity":
                clean += green * carrier.tce_per_unit
            if carrier.role == "fuel":
                scope1 += quantity * carrier.co2_per_unit
            elif carrier.role == "purchased_heat":
                heat_emissions += quantity * carrier.co2_per_unit
            for purpose, factor in (
                ("standard_coal", carrier.standard_coal), ("emission", carrier.emission_factor),
            ):
                if factor is not None:
                    self.factor_uses += [
                        FactorUse(year=year, purpose=f"{carrier.key}_{purpose}", factor=factor,
                                  fallback=False) for year in self.years
                    ]
        scope2 = electricity * grid + heat_emissions
        self.number[codes["scope1"]] = scope1
        self.number[codes["scope2_location"]] = scope2
        self.number[codes["scope2_market"]] = (electricity - green) * residual_grid + heat_emissions
        self.number[codes["ghg_total"]] = scope1 + scope2
        self.number[codes["energy_total"]] = energy
        self.number[codes["clean_energy"]] = clean

    def unused_carrier(
        self, carrier: Carrier, uses: np.ndarray, completeness: Mapping[str, Any]
    ) -> None:
        coin = self.rng("core", "unused", carrier.key).random(self.n)
        self.set_na(
            carrier.indicator, ~uses & (coin < completeness["unused_carrier_not_applicable"]),
            completeness["unused_carrier_explanation"],
        )

    def water_and_waste(self, revenue: np.ndarray) -> None:
        n, codes = self.n, self.codes
        water_mix = self.sections["water"]
        _, water = self.resource("water", revenue)
        water = np.maximum(np.round(water, 1), 0.1)
        rng = self.rng("core", "water sources")
        municipal = rng.uniform(*water_mix["municipal_share"], n)
        ground = rng.random(n) < water_mix["groundwater_use"]
        surface = rng.random(n) < water_mix["surface_water_use"]
        split = rng.random(n)
        rest = 1.0 - municipal
        ground_share = np.where(ground, np.where(surface, rest * split, rest), 0.0)
        surface_share = np.where(surface, np.where(ground, rest * (1.0 - split), rest), 0.0)
        groundwater = np.round(water * ground_share[:, None], 1)
        surface_water = np.round(water * surface_share[:, None], 1)
        self.number[codes["water_total"]] = water
        self.number[codes["water_ground"]] = groundwater
        self.number[codes["water_surface"]] = surface_water
        self.number[codes["water_municipal"]] = np.clip(
            np.round(water - groundwater - surface_water, 1), 0.0, water
        )
        uses, reuse = self.resource("water_reuse", water, efficiency=False)
        self.number[codes["water_reused"]] = np.round(reuse, 1)

        completeness = self.sections["completeness"]
        parts = []
        for key, explanation in (
            ("hazardous_waste", "no_hazardous_waste_explanation"),
            ("non_hazardous_waste", "no_non_hazardous_waste_explanation"),
        ):
            uses, waste = self.resource(key, revenue)
            waste = np.round(waste, 3)
            self.number[codes[key]] = waste
            self.set_na(codes[key], ~uses, completeness[explanation])
            parts.append(codes[key])
        self.number[codes["waste_total"]] = sum(self.number[code] for code in parts)
        self.inherit_na(codes["waste_total"], parts, all_of=True)

    def core_texts(self) -> None:
        codes = self.codes
        industry = np.array([self.pooled(e.industry_code) for e in self.enterprises],
                            dtype=np.int32)
        self.words[codes["industry_code_text"]] = np.repeat(industry[:, None], self.y, axis=1)
        heat = self.params.heat_factor
        electricity = self.params.electricity_standard_coal
        per_year = []
        for use in self.location_uses:
            factor = use.factor
            late = (f"，{use.year}年因子尚未发布，沿用最近发布的{factor.data_year}年因子"
                    if use.fallback else "")
            per_year.append(self.pooled(
                f"范围1按GB/T 32151系列缺省参数核算化石燃料燃烧排放；范围2（基于位置）采用"
                f"{factor.data_year}年{factor.item_zh}{factor.value:g} {factor.unit}"
                f"（{factor.factor_id}）{late}，外购热力采用{heat.value:g} {heat.unit}"
                f"（{heat.factor_id}）；综合能耗中电力按{self.params.electricity_basis_zh}"
                f"{electricity.value:g} {electricity.unit}折算标准煤（合成数据）"
            ))
        self.words[codes["ghg_method_text"]] = np.broadcast_to(
            np.array(per_year, dtype=np.int32), (self.n, self.y)
        ).copy()

    # -- generic rules ------------------------------------------------------------------------
    def ensure(self, code: str) -> None:
        if code in self.number or code in self.flag or code in self.pick or code in self.words:
            return
        if code not in self.catalogue:
            return
        if code in self.busy:
            raise DataFileError(
                file=PARAMETERS_NAME, row="generic", field=code,
                reason="the rules for this indicator refer back to it (a cycle)",
            )
        self.busy.add(code)
        try:
            indicator = self.catalogue.get(code)
            self.rule_na(indicator)
            kind = indicator.data_type
            if kind == "number":
                self.generic_number(indicator)
            elif kind == "percentage":
                self.generic_percentage(indicator)
            elif kind == "boolean":
                self.generic_boolean(indicator)
            elif kind == "choice":
                self.generic_choice(indicator)
            else:
                self.generic_text(indicator)
        finally:
            self.busy.discard(code)

    def rule_na(self, indicator: Indicator) -> None:
        """Apply a not-applicable rule (or the where-applicable default) to a generic code."""
        settings = self.sections["not_applicable"]
        match = None
        for prefix in settings["rules"]:
            if indicator.code == prefix or indicator.code.startswith(prefix + "-"):
                if match is None or len(prefix) > len(match):
                    match = prefix
        if match is not None:
            rule = settings["rules"][match]
            share = np.where(self.industrial, rule["industrial"], rule["other"])
            draw = self.rng("not applicable", match).random(self.n)
            self.set_na(indicator.code, draw < share, rule["explanation"])
        elif indicator.disclosure_level == "where_applicable" and not (
            # Ratios and parts follow the values they are built on; only a leaf is drawn.
            indicator.is_intensity or indicator.part_of
            or indicator.code in self.sections["derived_percentage"]
        ):
            draw = self.rng("not applicable", indicator.code).random(self.n)
            self.set_na(
                indicator.code, draw < settings["default_share"], settings["default_explanation"]
            )

    def spec(self, indicator: Indicator) -> dict[str, Any]:
        generic = self.sections["generic"]
        if indicator.code in generic["code"]:
            return generic["code"][indicator.code]
        return generic["unit"].get(indicator.unit, generic["unit"]["default"])

    def finish_number(self, indicator: Indicator, values: np.ndarray, spec: Mapping[str, Any]):
        integer = spec.get("integer", indicator.unit in ("count", "person"))
        values = np.floor(values + 0.5) if integer else np.round(values, 2)
        if "min" in spec:
            values = np.maximum(values, spec["min"])
        if "cap" in spec:
            values = np.minimum(values, self.value(spec["cap"]))
            self.inherit_na(indicator.code, [self.codes.get(spec["cap"], spec["cap"])])
        if indicator.min is not None:
            values = np.maximum(values, indicator.min)
        if indicator.max is not None:
            values = np.minimum(values, indicator.max)
        return values

    def store_number(self, code: str, values: np.ndarray) -> None:
        mark = self.na.get(code)
        if mark is not None:
            values = np.where(mark >= 0, 0.0, values)
        self.number[code] = values

    def generic_number(self, indicator: Indicator) -> None:
        code = indicator.code
        if indicator.is_intensity:
            self.intensity(indicator)
            return
        spec = self.spec(indicator)
        total_spec = None
        if indicator.part_of:
            total = self.catalogue.get(indicator.part_of)
            total_spec = self.spec(total)
        if indicator.part_of and (
            "share" in spec or (total_spec is not None and total_spec["model"] != "sum_of_parts"
                                and code not in self.sections["generic"]["code"])
        ):
            self.part_by_share(indicator, spec)
            return
        if spec["model"] == "sum_of_parts":
            parts = [i.code for i in self.catalogue.indicators if i.part_of == code]
            if not parts:
                raise DataFileError(
                    file=PARAMETERS_NAME, row="generic.code", field=code,
                    reason="sum_of_parts needs indicators that are part_of it",
                )
            for part in parts:
                self.ensure(part)
            self.inherit_na(code, parts, all_of=True)
            self.store_number(code, sum(self.number[part] for part in parts))
            return
        scale_name = spec["scale"]
        scale = self.value(scale_name)
        if scale_name != "one":
            self.inherit_na(code, [self.codes.get(scale_name, scale_name)])
        rng = self.rng("generic", code)
        if spec["model"] == "poisson":
            values = rng.poisson(np.maximum(scale * spec["ratio"], 0.0)).astype(float)
        else:
            persistent = spec["sigma"] * rng.standard_normal(self.n)[:, None]
            yearly = self.sections["generic"]["year_sigma"] * rng.standard_normal((self.n, self.y))
            values = scale * spec["ratio"] * np.exp(persistent + yearly)
        values = self.finish_number(indicator, values, spec)
        if total_spec is not None and total_spec["model"] != "sum_of_parts":
            values = np.minimum(values, self.value(indicator.part_of))
            self.inherit_na(code, [indicator.part_of])
        self.store_number(code, values)

    def part_by_share(self, indicator: Indicator, spec: Mapping[str, Any]) -> None:
        total = self.value(indicator.part_of)
        self.inherit_na(indicator.code, [indicator.part_of])
        low, high = spec.get("share", self.sections["generic"]["part_share"])
        share = self.rng("part", indicator.code).uniform(low, high, self.n)[:, None]
        integer = spec.get("integer", indicator.unit in ("count", "person"))
        values = np.floor(total * share) if integer else np.round(total * share, 2)
        self.store_number(indicator.code, np.minimum(values, total))

    def intensity(self, indicator: Indicator) -> None:
        numerator_code = indicator.intensity_numerator
        denominator_code = indicator.intensity_denominator
        numerator = self.value(numerator_code)
        denominator = self.value(denominator_code)
        self.inherit_na(indicator.code, [numerator_code, denominator_code])
        factor = _ratio_factor(
            self.catalogue.get(numerator_code).unit, self.catalogue.get(denominator_code).unit,
            indicator.unit,
        )
        zero = denominator <= 0
        self.set_na(indicator.code, zero, _ZERO_DENOMINATOR)
        safe = np.where(zero, 1.0, denominator)
        values = numerator / safe
        if factor != 1.0:
            values = values * factor
        self.store_number(indicator.code, values)

    def generic_percentage(self, indicator: Indicator) -> None:
        code = indicator.code
        derived = self.sections["derived_percentage"].get(code)
        low = 0.0 if indicator.min is None else indicator.min
        high = 100.0 if indicator.max is None else indicator.max
        if derived is not None:
            numerator_codes, denominator_codes = derived
            numerator = sum(self.value(c) for c in numerator_codes)
            denominator = sum(self.value(c) for c in denominator_codes)
            self.inherit_na(code, denominator_codes, all_of=True)
            zero = denominator <= 0
            self.set_na(code, zero, _ZERO_DENOMINATOR)
            values = 100.0 * numerator / np.where(zero, 1.0, denominator)
            self.store_number(code, np.clip(values, low, high))
            return
        ranges = self.sections["percentage"]
        first, last = ranges.get(code, ranges["default"])
        first, last = max(first, low), min(last, high)
        rng = self.rng("percentage", code)
        level = rng.uniform(first, last, self.n)[:, None]
        noise = np.exp(0.05 * rng.standard_normal((self.n, self.y)))
        self.store_number(code, np.round(np.clip(level * noise, first, last), 2))

    def generic_boolean(self, indicator: Indicator) -> None:
        settings = self.sections["boolean"]
        rule = settings["code"].get(indicator.code, settings["default"])
        if isinstance(rule, dict):
            other = rule["applicable_of"]
            mark = self.na_of(other)
            if other not in self.catalogue:
                raise DataFileError(file=PARAMETERS_NAME, row="boolean", field=indicator.code,
                                    reason=f"“{other}” is not an indicator of the catalogue")
            applicable = np.ones((self.n, self.y), dtype=bool) if mark is None else mark < 0
            self.flag[indicator.code] = applicable
            return
        rng = self.rng("boolean", indicator.code)
        chance = np.minimum(rule + settings["listed_bonus"] * self.listed, 0.98)
        steps = settings["yearly_adoption"] * np.arange(self.y)
        self.flag[indicator.code] = rng.random(self.n)[:, None] < chance[:, None] + steps

    def generic_choice(self, indicator: Indicator) -> None:
        keys = [choice.key for choice in indicator.choices]
        weights = self.sections["choice"].get(indicator.code)
        if weights is None:
            p = np.full(len(keys), 1.0 / len(keys))
        else:
            unknown = sorted(set(weights) - set(keys))
            if unknown:
                raise DataFileError(
                    file=PARAMETERS_NAME, row=f"choice.{indicator.code}", field=unknown[0],
                    reason=f"is not a choice of {indicator.code} ({', '.join(keys)})",
                )
            p = _normalised([weights.get(key, 0.0) for key in keys])
        picks = self.rng("choice", indicator.code).choice(len(keys), size=self.n, p=p)
        self.pick[indicator.code] = np.repeat(picks.astype(np.int16)[:, None], self.y, axis=1)

    def generic_text(self, indicator: Indicator) -> None:
        templates = self.sections["text"]["templates"]
        pool = np.array(
            [self.pooled(template.format(name=indicator.name_zh)) for template in templates],
            dtype=np.int32,
        )
        picks = self.rng("text", indicator.code).integers(0, len(templates), self.n)
        self.words[indicator.code] = np.repeat(pool[picks][:, None], self.y, axis=1)

    # -- sampling and assembly ----------------------------------------------------------------
    def answered(self) -> dict[str, np.ndarray]:
        """Which enterprise-years answer each indicator, meeting each one's completeness target.

        Each enterprise draws a target share of its tier and a random priority for every
        indicator that is not always answered; it answers exactly as many of them, highest
        priority first, as the target needs, and a few more each later year.
        """
        n, y = self.n, self.y
        completeness = self.sections["completeness"]
        always = set(completeness["always_answered"])
        if self.submittable:
            always |= {
                i.code for i in self.catalogue.indicators if i.disclosure_level != "encouraged"
            }
        answered = {
            i.code: np.full((n, y), i.code in always, dtype=bool)
            for i in self.catalogue.indicators
        }
        for tier, members in (("basic", ~self.listed), ("standard", self.listed)):
            rows = np.flatnonzero(members)
            chosen = self.catalogue.for_tier(tier)
            free = [i.code for i in chosen if i.code not in always]
            if not rows.size or not free:
                continue
            fixed = len(chosen) - len(free)
            rng = self.rng("completeness", tier)
            target = rng.uniform(*completeness[tier], rows.size) * len(chosen)
            rank = rng.random((rows.size, len(free))).argsort(axis=1).argsort(axis=1)
            for t in range(y):
                wanted = target + completeness["yearly_improvement"] * t * len(chosen)
                quota = np.clip(np.round(wanted - fixed), 0, len(free))
                chosen_now = rank < quota[:, None]
                for column, code in enumerate(free):
                    answered[code][rows, t] = chosen_now[:, column]
        return answered

    def build(self) -> SyntheticValues:
        catalogue = self.catalogue
        indicators = catalogue.indicators
        if self.n:
            self.core()
            for indicator in indicators:
                self.ensure(indicator.code)
        y, count = self.y, len(indicators)
        answered = self.answered()
        parts: dict[str, list[np.ndarray]] = {
            name: [] for name in (
                "number_key", "number", "flag_key", "flag", "pick_key", "pick", "word_key",
                "word", "na_key", "na",
            )
        }
        for column, indicator in enumerate(indicators):
            code = indicator.code
            present = answered[code] & self.in_tier(code)[:, None]
            mark = self.na.get(code)
            shown = present if mark is None else present & (mark < 0)
            rows, years = np.nonzero(shown)
            keys = (rows.astype(np.int64) * y + years) * count + column
            kind = indicator.data_type
            if not rows.size:
                pass
            elif kind in ("number", "percentage"):
                parts["number_key"].append(keys)
                parts["number"].append(self.number[code][rows, years])
            elif kind == "boolean":
                parts["flag_key"].append(keys)
                parts["flag"].append(self.flag[code][rows, years].astype(np.int8))
            elif kind == "choice":
                parts["pick_key"].append(keys)
                parts["pick"].append(self.pick[code][rows, years])
            else:
                parts["word_key"].append(keys)
                parts["word"].append(self.words[code][rows, years])
            if mark is not None:
                hidden = present & (mark >= 0)
                rows, years = np.nonzero(hidden)
                parts["na_key"].append((rows.astype(np.int64) * y + years) * count + column)
                parts["na"].append(mark[rows, years])

        def joined(name: str, dtype: Any) -> np.ndarray:
            chunks = parts[name]
            return np.concatenate(chunks).astype(dtype) if chunks else np.zeros(0, dtype=dtype)

        blocks = [
            (joined("number_key", np.int64), joined("number", np.float64), "number"),
            (joined("flag_key", np.int64), joined("flag", np.int8), "boolean"),
            (joined("pick_key", np.int64), joined("pick", np.int16), "choice"),
            (joined("word_key", np.int64), joined("word", np.int32), "text"),
        ]
        keys = np.concatenate([block[0] for block in blocks])
        order = np.argsort(keys, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        total = keys.shape[0]
        columns = {
            "number": np.full(total, np.nan),
            "boolean": np.full(total, -1, dtype=np.int8),
            "choice": np.full(total, -1, dtype=np.int16),
            "text": np.full(total, -1, dtype=np.int32),
        }
        start = 0
        for block_keys, block_values, name in blocks:
            stop = start + block_keys.shape[0]
            columns[name][rank[start:stop]] = block_values
            start = stop
        sorted_keys = keys[order]
        na_keys = joined("na_key", np.int64)
        na_order = np.argsort(na_keys, kind="stable")
        na_sorted = na_keys[na_order]
        year_values = np.asarray(self.years, dtype=np.int16)
        tiers = np.where(self.listed, "standard", "basic").astype("<U8")

        return SyntheticValues(
            enterprises=tuple(self.enterprises),
            years=tuple(self.years),
            codes=tuple(i.code for i in indicators),
            data_types=tuple(i.data_type for i in indicators),
            units=tuple(i.unit if i.is_numeric else "" for i in indicators),
            choice_keys=tuple(tuple(c.key for c in i.choices) for i in indicators),
            tier=np.repeat(tiers[:, None], y, axis=1),
            enterprise_index=(sorted_keys // count // y).astype(np.int32),
            year=year_values[(sorted_keys // count) % y],
            indicator=(sorted_keys % count).astype(np.int16),
            number=columns["number"],
            boolean=columns["boolean"],
            choice=columns["choice"],
            text=columns["text"],
            text_pool=tuple(self.text_pool),
            na_enterprise_index=(na_sorted // count // y).astype(np.int32),
            na_year=year_values[(na_sorted // count) % y],
            na_indicator=(na_sorted % count).astype(np.int16),
            na_explanation=joined("na", np.int16)[na_order],
            explanations=tuple(self.explanations),
            factors=tuple(self.factor_uses),
            catalogue_version=catalogue.version,
            parameters_version=self.params.version,
            seed=self.seed,
        )


@lru_cache(maxsize=256)
def _ratio_factor(numerator: str, denominator: str, unit: str) -> float:
    """The multiplier taking numerator / denominator (in their units) into ``unit``."""
    quantity = units.registry().Quantity
    ratio = (quantity(1, "") * units.parse_unit(numerator)) / (
        quantity(1, "") * units.parse_unit(denominator)
    )
    target = quantity(1, "") * units.parse_unit(unit)
    factor = float((ratio / target).to("dimensionless").magnitude)
    return 1.0 if math.isclose(factor, 1.0, rel_tol=1e-12) else factor
