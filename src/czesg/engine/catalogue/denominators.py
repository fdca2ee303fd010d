"""Physical-output denominators of intensity indicators (per MW, per tonne of product, per m²).

An intensity of the catalogue is defined per 10,000 CNY of revenue. The data file
``data/catalogue/denominators.toml`` lists, per intensity indicator, the units of physical output
it also admits; a value in one of them is stored in that unit and never compared with
per-revenue values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import UnitError

DENOMINATORS_FILE = "catalogue/denominators.toml"
"""The data file of the admissible output denominators (under ``czesg/data``)."""

_CONFIDENCES = ("analyst-mapping", "definition")


@dataclass(frozen=True)
class Basis:
    """A physical-output denominator (the unit after "/") and its name in both languages."""

    denominator: str
    name_zh: str
    name_en: str
    source: str
    confidence: str

    def name(self, lang: str = "zh-hans") -> str:
        """The basis's name in ``lang`` (e.g. "每兆瓦装机容量")."""
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Denominators:
    """Every basis, and the output units each intensity indicator admits."""

    version: str
    bases: dict[str, Basis]
    units: dict[str, tuple[str, ...]]


def parse_denominators(text: str, name: str = DENOMINATORS_FILE) -> Denominators:
    """The denominators of the TOML ``text``; refused with file, line and field when malformed."""
    top = parse_toml(text, name, confidences=_CONFIDENCES, by_line=True)
    top.allow("version", "basis", "indicator")
    bases: dict[str, Basis] = {}
    seen = FirstSeen()
    for table in top.array("basis"):
        table.allow("denominator", "name_zh", "name_en", "source", "confidence")
        denominator = table.text("denominator")
        seen.claim(table, "denominator", denominator)
        provenance = table.provenance()
        bases[denominator] = Basis(denominator, table.text("name_zh"), table.text("name_en"),
                                   provenance.source, provenance.confidence)
    admitted: dict[str, tuple[str, ...]] = {}
    codes = FirstSeen()
    for table in top.array("indicator"):
        table.allow("code", "units", "source", "confidence")
        code = table.text("code")
        codes.claim(table, "code", code)
        table.provenance()
        listed = table.texts("units", empty=False)
        for unit in listed:
            if unit not in units.LABELS:
                table.fail("units", f"{unit} is not a canonical unit of data/units/units.toml")
            if unit.rpartition("/")[2] not in bases:
                table.fail("units", f"{unit} has no [[basis]] for its denominator")
        admitted[code] = listed
    return Denominators(top.text("version"), bases, admitted)


@lru_cache(maxsize=1)
def denominators() -> Denominators:
    """The shipped denominators (read once)."""
    return parse_denominators(read_data_file(DATA_DIR / DENOMINATORS_FILE, DENOMINATORS_FILE))


def output_units(code: str) -> tuple[str, ...]:
    """The units of physical output indicator ``code`` admits besides its catalogue unit."""
    return denominators().units.get(code, ())


@lru_cache(maxsize=1)
def all_output_units() -> frozenset[str]:
    """Every unit of physical output any indicator admits (values never ranked per revenue)."""
    return frozenset(u for listed in denominators().units.values() for u in listed)


def basis_of(unit: str) -> Basis | None:
    """The basis of an output unit (``tCO2e/MW`` → per MW of installed capacity), if any."""
    return denominators().bases.get(unit.rpartition("/")[2]) if "/" in unit else None


def to_output_unit(code: str, value: float, typed: str) -> tuple[float, str] | None:
    """``value`` typed in ``typed`` converted to the output unit of ``code`` it measures (e.g.
    kgCO2e/t → tCO2e/t), or ``None`` when ``typed`` is no output basis of the indicator."""
    for unit in output_units(code):
        try:
            return value * units.conversion_factor(typed, unit), unit
        except UnitError:
            continue
    return None
