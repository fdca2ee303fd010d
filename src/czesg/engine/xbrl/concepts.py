"""The czesg taxonomy's concepts: one per catalogue indicator, its data type, period type and
units, from the catalogue and ``data/xbrl/units.toml``.

The taxonomy's namespace carries the catalogue version, so that a report names the catalogue it
was filled against. Entities are identified by their unified social credit code under the scheme
``urn:czesg:uscc`` (:data:`ENTITY_SCHEME`): scheme + ":" + code is the same URN that the PACT API
uses as a company id (``urn:czesg:uscc:<code>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from czesg.engine.catalogue import Catalogue, Indicator
from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.footprint.pact import USCC_URN_PREFIX
from czesg.engine.kernel.errors import CzesgError, gettext_noop
from czesg.engine.kernel.provenance import Confidence, Provenance

UNITS_NAME = "units.toml"
BASE_URI = "https://xbrl.czesg.example/taxonomy"
"""Where the czesg taxonomy's files are named (an identifier: the files come in the package)."""
ENTITY_SCHEME = USCC_URN_PREFIX.rstrip(":")
"""The entity identifier scheme of a unified social credit code (``urn:czesg:uscc``)."""

NAMESPACES = {
    "xbrli": "http://www.xbrl.org/2003/instance",
    "link": "http://www.xbrl.org/2003/linkbase",
    "xlink": "http://www.w3.org/1999/xlink",
    "iso4217": "http://www.xbrl.org/2003/iso4217",
    "utr": "http://www.xbrl.org/2009/utr",
    "dtr": "http://www.xbrl.org/dtr/type/2024-01-31",
}
DTR_SCHEMA = "https://www.xbrl.org/dtr/type/2024-01-31/types.xsd"
XBRLI_SCHEMA = "http://www.xbrl.org/2003/xbrl-instance-2003-12-31.xsd"
ITEM_TYPES = {"text": "xbrli:stringItemType", "choice": "xbrli:stringItemType",
              "boolean": "xbrli:booleanItemType"}
CONFIDENCES = (Confidence.CONFIRMED_PRIMARY.value, Confidence.METHODOLOGY_CHOICE.value,
               Confidence.ANALYST_JUDGEMENT.value)


class XbrlError(CzesgError):
    """A fact cannot be written (or read) in XBRL; the parameters name the fact and the rule."""

    code = "xbrl_invalid"
    http_status = 422


@dataclass(frozen=True)
class XbrlUnit:
    """How one stored unit is written in XBRL."""

    token: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    item_type: str
    scale: int
    provenance: Provenance

    @property
    def unit_id(self) -> str:
        """The unit's id in an instance (an NCName made of its measures)."""
        def part(measures: tuple[str, ...]) -> str:
            return "_".join(m.split(":", 1)[1] for m in measures)

        text = part(self.numerator) + (("_per_" + part(self.denominator))
                                       if self.denominator else "")
        return "u_" + "".join(c if c.isalnum() or c in "_-." else "_" for c in text)

    @property
    def oim(self) -> str | None:
        """The unit as xBRL-JSON writes it (None for xbrli:pure, which xBRL-JSON leaves out)."""
        if self.numerator == ("xbrli:pure",) and not self.denominator:
            return None
        text = "*".join(self.numerator)
        return text + ("/" + "*".join(self.denominator) if self.denominator else "")


@dataclass(frozen=True)
class Concept:
    """The taxonomy concept of one indicator."""

    indicator: Indicator
    item_type: str
    period_type: str  # "duration" or "instant"
    unit: XbrlUnit | None  # the catalogue unit's XBRL form; None for a non-numeric concept

    @property
    def name(self) -> str:
        """The concept's local name (the indicator code, a valid NCName)."""
        return self.indicator.code

    @property
    def numeric(self) -> bool:
        """Whether facts of the concept are numbers with a unit."""
        return self.unit is not None


@dataclass(frozen=True)
class Taxonomy:
    """The czesg taxonomy of one catalogue version: its URIs, units and concepts."""

    version: str
    units: dict[str, XbrlUnit]
    concepts: dict[str, Concept]
    instant: tuple[str, ...]

    @property
    def namespace(self) -> str:
        """The concepts' namespace."""
        return f"{BASE_URI}/{self.version}"

    @property
    def unit_namespace(self) -> str:
        """The namespace of the platform's own unit measures (prefix ``czesg-u``)."""
        return f"{BASE_URI}/{self.version}/units"

    @property
    def entry_point(self) -> str:
        """The schema a report refers to (rewritten to the package's file by its catalog)."""
        return f"{BASE_URI}/{self.version}/czesg.xsd"

    def namespaces(self) -> dict[str, str]:
        """Every prefix a czesg report uses, with its namespace."""
        return {**NAMESPACES, "czesg": self.namespace, "czesg-u": self.unit_namespace}

    def concept(self, code: str) -> Concept:
        """The concept of an indicator, refused when the catalogue version has none."""
        if code not in self.concepts:
            raise XbrlError(gettext_noop(
                "Indicator %(code)s has no concept in the czesg taxonomy %(version)s (rule: one "
                "concept per catalogue indicator)."), code=code, version=self.version)
        return self.concepts[code]

    def unit(self, token: str, code: str) -> XbrlUnit:
        """The XBRL form of a stored unit, refused (naming the fact) when it has none."""
        if token not in self.units:
            raise XbrlError(gettext_noop(
                "The value of %(code)s is in %(unit)s, which has no XBRL unit (rule: every "
                "numeric fact has a unit mapped in data/xbrl/units.toml)."), code=code,
                unit=token or "—")
        return self.units[token]


def _load_units() -> tuple[dict[str, XbrlUnit], tuple[str, ...]]:
    top = parse_toml(read_data_file(DATA_DIR / "xbrl" / UNITS_NAME, UNITS_NAME), UNITS_NAME,
                     confidences=CONFIDENCES)
    units: dict[str, XbrlUnit] = {}
    for table in top.array("unit"):
        token = table.text("token")
        if token in units:
            table.fail("token", f"{token!r} is listed twice")
        measures = {}
        for key in ("numerator", "denominator"):
            values = tuple(table.texts(key, required=key == "numerator"))
            for value in values:
                prefix = value.split(":", 1)[0]
                if prefix not in ("utr", "iso4217", "xbrli", "czesg-u") or ":" not in value:
                    table.fail(key, f"{value!r} is not prefixed utr:, iso4217:, xbrli: or czesg-u:")
            measures[key] = values
        item_type = table.text("item_type", empty=True)
        if item_type and item_type.split(":", 1)[0] not in ("xbrli", "dtr"):
            table.fail("item_type", f"{item_type!r} is not an xbrli: or dtr: type")
        units[token] = XbrlUnit(token, measures["numerator"], measures["denominator"], item_type,
                                int(table.integer("scale", low=-12)), table.provenance())
    instant: list[str] = []
    for table in top.array("instant"):
        table.provenance()
        instant.extend(table.texts("codes"))
    return units, tuple(instant)


def build_taxonomy(catalogue: Catalogue) -> Taxonomy:
    """The taxonomy of a catalogue: every indicator a concept, refused naming the first
    indicator whose unit has no XBRL form."""
    units, instant = _load_units()
    concepts = {}
    for indicator in catalogue.indicators:
        if indicator.data_type in ITEM_TYPES:
            concepts[indicator.code] = Concept(indicator, ITEM_TYPES[indicator.data_type],
                                               _period(indicator, instant), None)
            continue
        unit = units.get(indicator.unit)
        if unit is None or not unit.item_type:
            raise XbrlError(gettext_noop(
                "Indicator %(code)s is in %(unit)s, which has no XBRL unit and type (rule: every "
                "numeric concept has a unit mapped in data/xbrl/units.toml)."),
                code=indicator.code, unit=indicator.unit or "—")
        concepts[indicator.code] = Concept(indicator, unit.item_type,
                                           _period(indicator, instant), unit)
    unknown = [code for code in instant if code not in concepts]
    if unknown:
        raise XbrlError(gettext_noop("%(file)s names indicators the catalogue lacks: %(codes)s."),
                        file=UNITS_NAME, codes=", ".join(unknown))
    return Taxonomy(catalogue.version, units, concepts, instant)


def _period(indicator: Indicator, instant: tuple[str, ...]) -> str:
    return "instant" if indicator.code in instant else "duration"


_BUILT: dict[str, Taxonomy] = {}


def taxonomy_for(catalogue: Catalogue) -> Taxonomy:
    """The taxonomy of a catalogue (built once per catalogue version)."""
    if catalogue.version not in _BUILT:
        _BUILT[catalogue.version] = build_taxonomy(catalogue)
    return _BUILT[catalogue.version]
