"""Secondary factors of purchased materials and transport (secondary_factors.csv), checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, read_csv_rows, read_data_file
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.kernel.provenance import Confidence

SECONDARY_ROOT = DATA_DIR / "footprint"
SECONDARY_NAME = "secondary_factors.csv"
SECONDARY_COLUMNS: tuple[str, ...] = (
    "factor_id", "kind", "name_zh", "name_en", "value", "biogenic_value", "unit", "confidence",
    "source", "locator", "notes",
)
SECONDARY_KINDS: tuple[str, ...] = ("material", "transport")
_CONFIDENCES: tuple[str, ...] = (
    Confidence.CONFIRMED_PRIMARY, Confidence.CONFIRMED_SECONDARY,
    Confidence.CONFIRMED_SECONDARY_CODE,
)
_ID_RE = re.compile(r"^[A-Z][A-Z0-9_.\-]*$")


@dataclass(frozen=True)
class SecondaryFactor:
    """A cradle-to-gate factor (kgCO2e per unit) used where no supplier footprint is shared."""

    factor_id: str
    kind: str
    name_zh: str
    name_en: str
    value: float
    biogenic_value: float
    unit: str
    confidence: str
    source: str
    locator: str
    notes: str

    @property
    def denominator(self) -> str:
        """The unit of the material or service the factor applies to (``kg`` of ``kgCO2e/kg``)."""
        return self.unit.split("/", 1)[1].strip()

    @property
    def is_confirmed(self) -> bool:
        """Whether the value was read in at least one reprint of its source."""
        return self.confidence.startswith("confirmed")


def parse_secondary_factors(text: str, name: str = SECONDARY_NAME) -> dict[str, SecondaryFactor]:
    """The factors of a secondary_factors.csv text by id; refuses a bad cell by row and column."""
    found: dict[str, SecondaryFactor] = {}
    for row in read_csv_rows(text, name, SECONDARY_COLUMNS, confidences=_CONFIDENCES):
        factor_id = row.text("factor_id")
        if not _ID_RE.fullmatch(factor_id):
            row.fail("factor_id", "expected upper-case letters, digits, '_', '.' or '-'")
        if factor_id in found:
            row.fail("factor_id", f"{factor_id} appears twice")
        kind = row.text("kind")
        if kind not in SECONDARY_KINDS:
            row.fail("kind", "expected one of " + ", ".join(SECONDARY_KINDS))
        unit = row.text("unit")
        numerator, slash, denominator = unit.partition("/")
        if not slash or numerator.strip() != "kgCO2e" or not units.is_known(denominator.strip()):
            row.fail("unit", "expected kgCO2e/<a known unit>")
        source, confidence = row.provenance()
        found[factor_id] = SecondaryFactor(
            factor_id=factor_id, kind=kind, name_zh=row.text("name_zh"),
            name_en=row.text("name_en"), value=row.number("value", low=0.0),
            biogenic_value=row.number("biogenic_value", low=0.0, default=0.0), unit=unit,
            confidence=confidence, source=source, locator=row.text("locator", empty=True),
            notes=row.text("notes", empty=True),
        )
    return found


def load_secondary_factors(root: str | Path | None = None) -> dict[str, SecondaryFactor]:
    """The shipped secondary factors (or those under ``root``), checked and cached."""
    return _load(str(Path(root if root is not None else SECONDARY_ROOT).resolve()))


@lru_cache(maxsize=8)
def _load(base: str) -> dict[str, SecondaryFactor]:
    path = Path(base) / SECONDARY_NAME
    if not path.is_file():
        raise DataFileError(file=SECONDARY_NAME, row=0, field="-", reason=f"missing in {base}")
    return parse_secondary_factors(read_data_file(path, SECONDARY_NAME), SECONDARY_NAME)
