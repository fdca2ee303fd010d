"""Factor sets: versioned factors (factors.csv) and their metadata (factorset.toml), checked."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from czesg.engine.datafiles import (
    DATA_DIR,
    CsvRow,
    FirstSeen,
    parse_toml,
    read_csv_rows,
    read_data_file,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.kernel.provenance import Confidence, confidence_problem

FACTORS_ROOT = DATA_DIR / "factors"
FACTORS_DIR_ENV = "CZESG_FACTORS_DIR"
"""Environment variable naming another factor data directory (a copy with a new version, say)."""
ACTIVITIES_NAME = "activities.toml"
FACTORSET_NAME = "factorset.toml"
FACTORS_NAME = "factors.csv"

FACTOR_COLUMNS: tuple[str, ...] = (
    "factor_id", "category", "name_zh", "name_en", "region", "data_year", "value", "unit",
    "ncv", "ncv_unit", "carbon_content_tC_per_GJ", "oxidation_rate", "confidence", "source",
    "locator", "notes",
)
CATEGORIES: tuple[str, ...] = (
    "grid_average", "grid_residual", "grid_fossil", "grid_regional", "grid_provincial",
    "grid_carbon_footprint", "grid_ets_reporting", "fuel_combustion", "purchased_heat",
    "standard_coal_coefficient", "gwp100",
)
# Categories that a Scope 2 factor chain may name; carbon-footprint (LCA), fossil-power and
# ETS-reporting factors are kept out of Scope 2 on purpose.
SCOPE2_CATEGORIES: tuple[str, ...] = (
    "grid_provincial", "grid_regional", "grid_average", "grid_residual",
)
CHAIN_LEVELS: dict[str, str] = {
    "province": "provincial", "grid_region": "regional", "national": "national",
}
NATIONAL_REGION = "CN"
GWP_SETS: tuple[str, ...] = ("SAR", "AR4", "AR5", "AR6")
# The GWP set for the CLI and the app to offer pre-selected. The reference data does not say which
# IPCC report China's GB/T 32150-2025 requires (only that it "may refer to IPCC data"), so the
# engine never applies one silently: rows that release a gas need an explicit gwp_set. AR6 is the
# suggestion because IFRS S2 (the catalogue's ifrs_s2 mapping) asks for the latest IPCC
# assessment; an enterprise whose sector guideline prescribes another set chooses that one.
DEFAULT_GWP_SET = "AR6"
C_TO_CO2 = 44 / 12
FACTOR_CONFIDENCES: tuple[str, ...] = (
    Confidence.CONFIRMED_PRIMARY, Confidence.CONFIRMED_SECONDARY,
    Confidence.CONFIRMED_SECONDARY_CODE,
)
"""The confidences a factor may have besides ``unconfirmed-…``."""
FACTOR_ID_RE = re.compile(r"^[A-Z][A-Za-z0-9_.\-]*$")
GWP_ID_RE = re.compile(r"^GWP-(?P<gas>.+)-(?P<set>SAR|AR4|AR5|AR6)$")
VERSION_RE = re.compile(r"^\d{4}\.\d+$")
# Carbon content per GJ stays well below 0.1 tC/GJ for every fuel; a larger value is the
# "10^-2 tC/GJ" misreading that makes a fuel's factor ten times too large.
MAX_CARBON_CONTENT = 0.1
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class Factor(Bilingual):
    """One published factor: an emission factor, a fuel's parameters, a coefficient or a GWP."""

    factor_id: str
    category: str
    name_zh: str
    name_en: str
    region: str
    data_year: int | None
    value: float
    unit: str
    ncv: float | None
    ncv_unit: str
    carbon_content_tC_per_GJ: float | None
    oxidation_rate: float | None
    confidence: str
    source: str
    locator: str
    notes: str
    row: int = 0

    @property
    def numerator(self) -> str:
        """The unit of what the factor yields (e.g. ``kgCO2`` of ``kgCO2/kWh``)."""
        return self.unit.split("/", 1)[0].strip()

    @property
    def denominator(self) -> str:
        """The unit of the activity the factor applies to (e.g. ``kWh`` of ``kgCO2/kWh``)."""
        return self.unit.split("/", 1)[1].strip()

    @property
    def is_confirmed(self) -> bool:
        """Whether the value was read in at least one reprint of the primary document."""
        return self.confidence.startswith("confirmed")


@dataclass(frozen=True)
class FactorSet:
    """A versioned, immutable set of factors; every result records the version it used."""

    version: str
    published: date
    supersedes: str
    description_zh: str
    description_en: str
    factors: tuple[Factor, ...]
    _by_id: dict[str, Factor] = field(init=False, repr=False, compare=False)
    _years: dict[tuple[str, str], tuple[tuple[int, Factor], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.factor_id: f for f in self.factors})
        years: dict[tuple[str, str], list[tuple[int, Factor]]] = {}
        for f in self.factors:
            if f.data_year is not None:
                years.setdefault((f.category, f.region), []).append((f.data_year, f))
        object.__setattr__(
            self, "_years", {key: tuple(sorted(items)) for key, items in years.items()}
        )

    def __len__(self) -> int:
        return len(self.factors)

    def __iter__(self):
        return iter(self.factors)

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self._by_id

    def get(self, factor_id: str) -> Factor:
        """The factor with ``factor_id``; raises ``KeyError`` when the set has none."""
        return self._by_id[factor_id]

    def latest(self, category: str, region: str, year: int) -> Factor | None:
        """The ``category`` factor of ``region`` for ``year``, else its latest earlier year."""
        found = None
        for data_year, factor in self._years.get((category, region), ()):
            if data_year > year:
                break
            found = factor
        return found

    def gwp(self, gas: str, gwp_set: str) -> Factor | None:
        """The GWP-100 of ``gas`` in IPCC report ``gwp_set``, or ``None`` when not in the set."""
        return self._by_id.get(f"GWP-{gas}-{gwp_set}")

    def regions(self, category: str) -> frozenset[str]:
        """The regions that have at least one factor of ``category``."""
        return frozenset(region for cat, region in self._years if cat == category)


def version_key(version: str) -> tuple[int, ...]:
    """The numeric parts of a version (2025.1 -> (2025, 1)), for ordering versions."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def factors_root() -> Path:
    """The factor data directory in use: ``$CZESG_FACTORS_DIR`` when set, else the shipped one."""
    configured = os.environ.get(FACTORS_DIR_ENV, "").strip()
    return Path(configured) if configured else FACTORS_ROOT


def available_factor_sets(root: str | Path | None = None) -> tuple[str, ...]:
    """The factor-set versions under ``root`` (default: :func:`factors_root`), oldest first."""
    base = Path(root) if root is not None else factors_root()
    versions = [
        p.name for p in base.iterdir() if p.is_dir() and (p / FACTORSET_NAME).is_file()
    ] if base.is_dir() else []
    return tuple(sorted(versions, key=version_key))


def load_factor_set(version: str | None = None, root: str | Path | None = None) -> FactorSet:
    """Load and check a factor set (the latest when ``version`` is ``None``), cached."""
    base = str(Path(root if root is not None else factors_root()).resolve())
    if version is None:
        versions = available_factor_sets(base)
        if not versions:
            raise DataFileError(
                file=FACTORSET_NAME, row=0, field="version", reason=f"no factor set in {base}"
            )
        version = versions[-1]
    return _load_factor_set(base, version)


@lru_cache(maxsize=16)
def _load_factor_set(base: str, version: str) -> FactorSet:
    directory = Path(base) / version
    if not directory.is_dir():
        raise DataFileError(
            file=f"{version}/{FACTORSET_NAME}", row=0, field="version",
            reason=f"factor set “{version}” does not exist; available: "
            + ", ".join(available_factor_sets(base)),
        )
    toml_name = f"{version}/{FACTORSET_NAME}"
    csv_name = f"{version}/{FACTORS_NAME}"
    return parse_factor_set(
        read_data_file(directory / FACTORSET_NAME, toml_name),
        read_data_file(directory / FACTORS_NAME, csv_name),
        toml_name=toml_name, csv_name=csv_name, expected_version=version,
    )


def parse_factor_set(
    toml_text: str, csv_text: str, *, toml_name: str = FACTORSET_NAME,
    csv_name: str = FACTORS_NAME, expected_version: str | None = None,
) -> FactorSet:
    """Build a :class:`FactorSet` from the text of its two files, refusing the first bad cell."""
    meta = _parse_factorset_toml(toml_text, toml_name, expected_version)
    factors = _parse_factors_csv(csv_text, csv_name)
    return FactorSet(factors=factors, **meta)


def _parse_factorset_toml(text: str, name: str, expected: str | None) -> dict[str, Any]:
    meta = parse_toml(text, name, by_line=True)
    meta.allow("version", "published", "supersedes", "description_zh", "description_en")
    version = meta.text("version")
    if not VERSION_RE.match(version):
        meta.fail("version", "a version such as 2025.1 is required")
    if expected is not None and version != expected:
        meta.fail("version", f"“{version}” differs from its folder name “{expected}”")
    published = meta.day("published")
    supersedes = meta.text("supersedes", empty=True)
    if supersedes and (not VERSION_RE.match(supersedes) or supersedes == version):
        meta.fail("supersedes", f"“{supersedes}” is not an earlier version")
    return {
        "version": version, "published": published, "supersedes": supersedes,
        "description_zh": "".join(meta.text("description_zh").split()),
        "description_en": " ".join(meta.text("description_en").split()),
    }


_REQUIRED_TEXTS = ("factor_id", "category", "name_zh", "name_en", "region", "unit",
                   "confidence", "source", "locator")


def _positive(row: CsvRow, column: str, *, required: bool) -> float | None:
    """The number in ``column``, above zero; None when the cell is empty and not ``required``."""
    value = row.optional_number(column)
    if value is None:
        if required:
            row.fail(column, "a number is required")
        return None
    if value <= 0:
        row.fail(column, f"{row.raw(column)} must be a finite number above zero")
    return value


def _data_year(row: CsvRow) -> int | None:
    """The ``data_year`` cell as a year between MIN_YEAR and MAX_YEAR; None when empty."""
    text = row.raw("data_year")
    if not text:
        return None
    try:
        year = int(text)
    except ValueError:
        row.fail("data_year", f"“{text}” is not a year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        row.fail("data_year", f"{year} is not between {MIN_YEAR} and {MAX_YEAR}")
    return year


def _check_fuel(row: CsvRow, value: float, ncv: float, carbon: float, oxidation: float) -> None:
    """Refuse a fuel row whose NCV unit, parameters or value do not hold together."""
    ncv_unit = row.raw("ncv_unit")
    if ncv_unit.count("/") != 1 or ncv_unit.split("/")[0].strip() != "GJ":
        row.fail("ncv_unit", f"“{ncv_unit}” must be GJ per unit, e.g. GJ/t")
    if not units.is_known(ncv_unit.split("/")[1].strip()):
        row.fail("ncv_unit", f"“{ncv_unit}” has an unknown unit")
    if oxidation > 1:
        row.fail("oxidation_rate", f"{oxidation} is above 1")
    if carbon >= MAX_CARBON_CONTENT:
        row.fail("carbon_content_tC_per_GJ", f"{carbon} tC/GJ is implausibly large; "
                 "the column is tC per GJ (tC/TJ / 1000), not '10^-2 tC/GJ'")
    derived = ncv * carbon * oxidation * C_TO_CO2
    decimals = len(row.raw("value").partition(".")[2])
    if abs(derived - value) > 0.5 * 10.0 ** -decimals + 1e-12:
        row.fail("value", f"{value} disagrees with ncv x carbon content x oxidation "
                 f"rate x 44/12 = {derived:.6f}")


def _parse_factors_csv(text: str, name: str) -> tuple[Factor, ...]:
    factors: list[Factor] = []
    seen = FirstSeen()
    slots: dict[tuple[str, str, int], int] = {}
    for row in read_csv_rows(text, name, FACTOR_COLUMNS):
        for column in _REQUIRED_TEXTS:
            if not row.raw(column):
                row.fail(column, "must not be empty")
        factor_id = row.raw("factor_id")
        if not FACTOR_ID_RE.match(factor_id):
            row.fail("factor_id", f"“{factor_id}” is not an identifier (A-Z, digits, _ . -)")
        seen.claim(row, "factor_id", factor_id)
        category = row.raw("category")
        if category not in CATEGORIES:
            row.fail("category", f"“{category}” is not one of {', '.join(CATEGORIES)}")
        problem = confidence_problem(row.raw("confidence"), FACTOR_CONFIDENCES)
        if problem is not None:
            row.fail("confidence", f"not a confidence level: {problem}")
        unit = row.raw("unit")
        if unit.count("/") != 1:
            row.fail("unit", f"“{unit}” must be a ratio such as kgCO2/kWh")
        for part in (part.strip() for part in unit.split("/")):
            if not units.is_known(part):
                row.fail("unit", f"“{part}” in “{unit}” is not a known unit")
        data_year = _data_year(row)
        if category.startswith("grid_") and data_year is None:
            row.fail("data_year", "a grid factor needs the year it was published for")
        value = _positive(row, "value", required=True)
        assert value is not None  # required
        fuel = category == "fuel_combustion"
        ncv = _positive(row, "ncv", required=fuel)
        carbon = _positive(row, "carbon_content_tC_per_GJ", required=fuel)
        oxidation = _positive(row, "oxidation_rate", required=fuel)
        if ncv is not None and carbon is not None and oxidation is not None and fuel:
            _check_fuel(row, value, ncv, carbon, oxidation)
        elif row.raw("ncv_unit") or ncv is not None or carbon is not None or (
            oxidation is not None
        ):
            row.fail("ncv", "fuel parameters belong to fuel_combustion rows only")
        if category == "gwp100" and not GWP_ID_RE.match(factor_id):
            row.fail("factor_id", f"“{factor_id}” must read GWP-<gas>-<SAR|AR4|AR5|AR6>")
        if data_year is not None and category.startswith("grid_"):
            slot = (category, row.raw("region"), data_year)
            if slot in slots:
                row.fail("data_year", f"{category} for {slot[1]} {data_year} is "
                         f"already given in row {slots[slot]}")
            slots[slot] = row.row
        factors.append(Factor(
            factor_id=factor_id, category=category, name_zh=row.raw("name_zh"),
            name_en=row.raw("name_en"), region=row.raw("region"), data_year=data_year,
            value=value, unit=unit, ncv=ncv, ncv_unit=row.raw("ncv_unit"),
            carbon_content_tC_per_GJ=carbon, oxidation_rate=oxidation,
            confidence=row.raw("confidence"), source=row.raw("source"),
            locator=row.raw("locator"), notes=row.raw("notes"), row=row.row,
        ))
    if not factors:
        raise DataFileError(file=name, row=2, field="-", reason="the file has no factors")
    return tuple(factors)
