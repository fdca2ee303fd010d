"""Factor sets: versioned factors (factors.csv) and their metadata (factorset.toml), checked."""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.kernel import units
from czesg.engine.kernel.bilingual import Bilingual
from czesg.engine.kernel.errors import DataFileError

FACTORS_ROOT = DATA_DIR / "factors"
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
CONFIDENCE_RE = re.compile(
    r"^(confirmed-(primary|secondary|secondary-code)|unconfirmed-[a-z][a-z-]*)$"
)
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


def available_factor_sets(root: str | Path | None = None) -> tuple[str, ...]:
    """The factor-set versions under ``root`` (default: the shipped ones), oldest first."""
    base = Path(root) if root is not None else FACTORS_ROOT
    versions = [
        p.name for p in base.iterdir() if p.is_dir() and (p / FACTORSET_NAME).is_file()
    ] if base.is_dir() else []
    return tuple(sorted(versions, key=version_key))


def load_factor_set(version: str | None = None, root: str | Path | None = None) -> FactorSet:
    """Load and check a factor set (the latest when ``version`` is ``None``), cached."""
    base = str(Path(root).resolve()) if root is not None else str(FACTORS_ROOT)
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


def read_data_file(path: Path, name: str) -> str:
    """The UTF-8 text of a data file; a missing or undecodable file is refused naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(file=name, row=0, field="", reason="the file is missing") from None
    except UnicodeDecodeError:
        raise DataFileError(
            file=name, row=0, field="", reason="the file is not valid UTF-8"
        ) from None


def parse_factor_set(
    toml_text: str, csv_text: str, *, toml_name: str = FACTORSET_NAME,
    csv_name: str = FACTORS_NAME, expected_version: str | None = None,
) -> FactorSet:
    """Build a :class:`FactorSet` from the text of its two files, refusing the first bad cell."""
    meta = _parse_factorset_toml(toml_text, toml_name, expected_version)
    factors = _parse_factors_csv(csv_text, csv_name)
    return FactorSet(factors=factors, **meta)


def toml_line(text: str, key: str) -> int:
    """The line number where ``key`` is assigned in TOML ``text`` (1 when not found)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def load_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML ``text``, refusing invalid TOML with the file and line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise DataFileError(
            file=name, row=int(found.group(1)) if found else 1, field="",
            reason=f"not valid TOML: {exc}",
        ) from None


def _parse_factorset_toml(text: str, name: str, expected: str | None) -> dict[str, Any]:
    data = load_toml(text, name)

    def fail(key: str, reason: str) -> NoReturn:
        raise DataFileError(file=name, row=toml_line(text, key), field=key, reason=reason)

    allowed = ("version", "published", "supersedes", "description_zh", "description_en")
    for key in data:
        if key not in allowed:
            fail(key, f"unknown key “{key}”")
    version = data.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        fail("version", "a version such as 2025.1 is required")
    if expected is not None and version != expected:
        fail("version", f"“{version}” differs from its folder name “{expected}”")
    published = data.get("published")
    if not isinstance(published, date) or hasattr(published, "hour"):
        fail("published", "a date such as 2025-01-31 is required")
    supersedes = data.get("supersedes")
    if not isinstance(supersedes, str):
        fail("supersedes", "a text is required (\"\" for the first set)")
    if supersedes and (not VERSION_RE.match(supersedes) or supersedes == version):
        fail("supersedes", f"“{supersedes}” is not an earlier version")
    descriptions = {}
    for key in ("description_zh", "description_en"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            fail(key, "a non-empty text is required")
        descriptions[key] = " ".join(value.split()) if key.endswith("en") else "".join(
            value.split()
        )
    return {
        "version": version, "published": published, "supersedes": supersedes, **descriptions,
    }


def _parse_factors_csv(text: str, name: str) -> tuple[Factor, ...]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))

    def fail(row: int, column: str, reason: str) -> NoReturn:
        raise DataFileError(file=name, row=row, field=column, reason=reason)

    if not rows:
        fail(1, "-", "the file is empty")
    header = tuple(cell.strip() for cell in rows[0])
    if header != FACTOR_COLUMNS:
        for position, expected in enumerate(FACTOR_COLUMNS):
            if position >= len(header) or header[position] != expected:
                fail(1, expected, "the header must be " + ",".join(FACTOR_COLUMNS))
        fail(1, header[len(FACTOR_COLUMNS)], "is not a known column")

    factors: list[Factor] = []
    seen: dict[str, int] = {}
    slots: dict[tuple[str, str, int], int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not cells or all(not cell.strip() for cell in cells):
            continue
        if len(cells) != len(FACTOR_COLUMNS):
            fail(number, "-", f"has {len(cells)} fields, not {len(FACTOR_COLUMNS)}")
        record = dict(zip(FACTOR_COLUMNS, (cell.strip() for cell in cells), strict=True))

        def number_of(column: str, *, required: bool, row: int = number,
                      record: dict[str, str] = record) -> float | None:
            raw = record[column]
            if not raw:
                if required:
                    fail(row, column, "a number is required")
                return None
            try:
                value = float(raw)
            except ValueError:
                fail(row, column, f"“{raw}” is not a number")
            if not math.isfinite(value) or value <= 0:
                fail(row, column, f"{raw} must be a finite number above zero")
            return value

        for column in ("factor_id", "category", "name_zh", "name_en", "region", "unit",
                       "confidence", "source", "locator"):
            if not record[column]:
                fail(number, column, "must not be empty")
        factor_id = record["factor_id"]
        if not FACTOR_ID_RE.match(factor_id):
            fail(number, "factor_id", f"“{factor_id}” is not an identifier (A-Z, digits, _ . -)")
        if factor_id in seen:
            fail(number, "factor_id", f"“{factor_id}” is already used in row {seen[factor_id]}")
        seen[factor_id] = number
        category = record["category"]
        if category not in CATEGORIES:
            fail(number, "category", f"“{category}” is not one of {', '.join(CATEGORIES)}")
        if not CONFIDENCE_RE.match(record["confidence"]):
            fail(number, "confidence", f"“{record['confidence']}” is not a confidence level")
        unit = record["unit"]
        if unit.count("/") != 1:
            fail(number, "unit", f"“{unit}” must be a ratio such as kgCO2/kWh")
        numerator, denominator = (part.strip() for part in unit.split("/"))
        for part in (numerator, denominator):
            if not units.is_known(part):
                fail(number, "unit", f"“{part}” in “{unit}” is not a known unit")
        data_year = None
        if record["data_year"]:
            try:
                data_year = int(record["data_year"])
            except ValueError:
                fail(number, "data_year", f"“{record['data_year']}” is not a year")
            if not MIN_YEAR <= data_year <= MAX_YEAR:
                fail(number, "data_year", f"{data_year} is not between {MIN_YEAR} and {MAX_YEAR}")
        if category.startswith("grid_") and data_year is None:
            fail(number, "data_year", "a grid factor needs the year it was published for")
        value = number_of("value", required=True)
        fuel = category == "fuel_combustion"
        ncv = number_of("ncv", required=fuel)
        carbon = number_of("carbon_content_tC_per_GJ", required=fuel)
        oxidation = number_of("oxidation_rate", required=fuel)
        if fuel:
            ncv_unit = record["ncv_unit"]
            if ncv_unit.count("/") != 1 or ncv_unit.split("/")[0].strip() != "GJ":
                fail(number, "ncv_unit", f"“{ncv_unit}” must be GJ per unit, e.g. GJ/t")
            if not units.is_known(ncv_unit.split("/")[1].strip()):
                fail(number, "ncv_unit", f"“{ncv_unit}” has an unknown unit")
            if oxidation > 1:
                fail(number, "oxidation_rate", f"{oxidation} is above 1")
            if carbon >= MAX_CARBON_CONTENT:
                fail(number, "carbon_content_tC_per_GJ", f"{carbon} tC/GJ is implausibly large; "
                     "the column is tC per GJ (tC/TJ / 1000), not '10^-2 tC/GJ'")
            derived = ncv * carbon * oxidation * C_TO_CO2
            decimals = len(record["value"].partition(".")[2])
            if abs(derived - value) > 0.5 * 10.0 ** -decimals + 1e-12:
                fail(number, "value", f"{value} disagrees with ncv x carbon content x oxidation "
                     f"rate x 44/12 = {derived:.6f}")
        elif record["ncv_unit"] or ncv is not None or carbon is not None or oxidation is not None:
            fail(number, "ncv", "fuel parameters belong to fuel_combustion rows only")
        if category == "gwp100":
            if not GWP_ID_RE.match(factor_id):
                fail(number, "factor_id", f"“{factor_id}” must read GWP-<gas>-<SAR|AR4|AR5|AR6>")
        if data_year is not None and category.startswith("grid_"):
            slot = (category, record["region"], data_year)
            if slot in slots:
                fail(number, "data_year", f"{category} for {record['region']} {data_year} is "
                     f"already given in row {slots[slot]}")
            slots[slot] = number
        factors.append(Factor(
            factor_id=factor_id, category=category, name_zh=record["name_zh"],
            name_en=record["name_en"], region=record["region"], data_year=data_year,
            value=value, unit=unit, ncv=ncv, ncv_unit=record["ncv_unit"],
            carbon_content_tC_per_GJ=carbon, oxidation_rate=oxidation,
            confidence=record["confidence"], source=record["source"], locator=record["locator"],
            notes=record["notes"], row=number,
        ))
    if not factors:
        fail(2, "-", "the file has no factors")
    return tuple(factors)


