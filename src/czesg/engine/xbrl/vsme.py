"""The czesg indicators that correspond to an EFRAG VSME taxonomy concept (``data/xbrl/vsme.csv``,
our own mapping; the concept names and types were read in the EFRAG converter's concept list).

No VSME taxonomy package can be had offline, so a VSME-tagged fact cannot be validated by
Arelle; instead each mapping is checked against the czesg concept: same period type, and a data
type of the same kind (the local names of the types agree, e.g. ``ghgEmissionsItemType``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, read_csv_rows, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance
from czesg.engine.xbrl.concepts import Taxonomy

NAME = "vsme.csv"
COLUMNS = ("code", "vsme_concept", "vsme_data_type", "vsme_period_type", "source", "confidence")
VSME_NAMESPACE = "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme"


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
        out[code] = VsmeConcept(code, name, data_type, period, row.provenance())
    return out
