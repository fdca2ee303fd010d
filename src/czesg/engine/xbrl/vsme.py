"""The czesg indicators that correspond to an EFRAG VSME taxonomy concept (``data/xbrl/vsme.csv``,
our own mapping; the concept names and types were read in the EFRAG converter's concept list).

No VSME taxonomy package can be had offline, so a VSME-tagged fact cannot be validated by
Arelle; instead each mapping is checked against the czesg concept: same period type, and a data
type of the same kind (the local names of the types agree, e.g. ``ghgEmissionsItemType``), and
:func:`check_fact` checks a VSME-tagged fact's name, period type and unit against the mapping.
The inline-XBRL report tags those facts in a second target document (``target="vsme"``), so
that the default target stays valid against the czesg package alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, read_csv_rows, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance
from czesg.engine.xbrl.concepts import Taxonomy

NAME = "vsme.csv"
COLUMNS = ("code", "vsme_concept", "vsme_data_type", "vsme_period_type", "source", "confidence")
VSME_NAMESPACE = "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme"
VSME_ENTRY_POINT = "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme-all.xsd"
VSME_TARGET = "vsme"
"""The inline-XBRL target document that holds the VSME-tagged facts."""
UNITS_BY_TYPE = {
    "dtr-types:areaItemType": ("utr:ha",),
    "dtr-types:energyItemType": ("utr:MWh",),
    "dtr-types:ghgEmissionsItemType": ("utr:tCO2e",),
    "dtr-types:massItemType": ("utr:t",),
    "dtr-types:percentItemType": ("xbrli:pure",),
    "dtr-types:volumeItemType": ("utr:m3",),
    "xbrli:decimalItemType": ("xbrli:pure",),
}
"""The unit a VSME data type is reported in: the converter's ``dataTypesToUnits``
(``src/mireport/data/disclosures/vsme.json``, commit 56114ee); a monetary type takes any
ISO 4217 currency (XBRL 2.1 section 5.1.1.3)."""


@dataclass(frozen=True)
class VsmeConcept:
    """The VSME concept an indicator corresponds to, with its type as the concept list gives."""

    code: str
    concept: str
    data_type: str
    period_type: str
    provenance: Provenance


def load_vsme(taxonomy: Taxonomy, directory: Path | None = None) -> dict[str, VsmeConcept]:
    """The mapping (in ``directory``, default the shipped ``data/xbrl``), each row checked
    against the czesg concept of its indicator."""
    folder = DATA_DIR / "xbrl" if directory is None else Path(directory)
    rows = read_csv_rows(read_data_file(folder / NAME, NAME), NAME, COLUMNS,
                         confidences=(Confidence.ANALYST_MAPPING.value,))
    out: dict[str, VsmeConcept] = {}
    for row in rows:
        code = row.text("code")
        if code not in taxonomy.concepts:
            row.fail("code", f"{code!r} is not a catalogue indicator")
        if code in out:
            row.fail("code", f"{code!r} is mapped twice")
        concept = taxonomy.concepts[code]
        name = row.text("vsme_concept")
        if not name.startswith("vsme:"):
            row.fail("vsme_concept", f"{name!r} is not a vsme: concept")
        period = row.choice("vsme_period_type", ("duration", "instant"))
        if period != concept.period_type:
            row.fail("vsme_period_type",
                     f"{name} is {period}, the czesg concept {code} is {concept.period_type}")
        data_type = row.text("vsme_data_type")
        if data_type.split(":")[-1] != concept.item_type.split(":")[-1]:
            row.fail("vsme_data_type",
                     f"{name} is {data_type}, the czesg concept {code} is {concept.item_type}")
        if concept.unit is not None:
            measures = concept.unit.numerator + concept.unit.denominator
            wrong = check_fact({code: VsmeConcept(code, name, data_type, period,
                                                  row.provenance())},
                               code, name, period, measures)
            if wrong:
                row.fail("vsme_data_type", "; ".join(wrong))
        out[code] = VsmeConcept(code, name, data_type, period, row.provenance())
    return out


def check_fact(mapping: dict[str, VsmeConcept], code: str, name: str, period_type: str,
               measures: tuple[str, ...]) -> list[str]:
    """What is wrong with a VSME-tagged fact of indicator ``code`` (empty when nothing): its
    concept name, its context's period type and its unit's measures against the mapping."""
    if code not in mapping:
        return [f"{code} has no VSME concept, yet {name} is tagged"]
    vsme = mapping[code]
    problems = []
    if name != vsme.concept:
        problems.append(f"{code} is tagged {name}, the mapping names {vsme.concept}")
    if period_type != vsme.period_type:
        problems.append(f"{name} is {vsme.period_type}, the fact's context is {period_type}")
    if vsme.data_type == "xbrli:monetaryItemType":
        if len(measures) != 1 or not measures[0].startswith("iso4217:"):
            problems.append(f"{name} is monetary, the fact is in {'/'.join(measures)}")
    elif vsme.data_type in UNITS_BY_TYPE:
        if measures != UNITS_BY_TYPE[vsme.data_type]:
            problems.append(f"{name} is a {vsme.data_type}, reported in "
                            f"{'/'.join(UNITS_BY_TYPE[vsme.data_type])}, the fact is in "
                            f"{'/'.join(measures) or 'no unit'}")
    elif measures:
        problems.append(f"{name} is a {vsme.data_type}, the fact has a unit")
    return problems
