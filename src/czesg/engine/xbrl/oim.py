"""xBRL-JSON (the XBRL Open Information Model's JSON form) of a report's facts, and reading one
back into answers (ours, or another producer's using the czesg concepts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.xbrl.concepts import ENTITY_SCHEME, Taxonomy, XbrlError
from czesg.engine.xbrl.facts import Fact, oim_language

DOCUMENT_TYPE = "https://xbrl.org/2021/xbrl-json"
ENTITY_PREFIX = "uscc"


def _period(fact: Fact, year: int) -> str:
    if fact.concept.period_type == "instant":
        return f"{year + 1}-01-01T00:00:00"
    return f"{year}-01-01T00:00:00/{year + 1}-01-01T00:00:00"


def to_json(taxonomy: Taxonomy, facts: list[Fact], *, entity: str, year: int) -> dict[str, Any]:
    """The xBRL-JSON document of a report's facts (numbers exact: ``decimals`` left out)."""
    namespaces = {p: u for p, u in taxonomy.namespaces().items()
                  if p not in ("link", "xlink", "dtr")}
    namespaces[ENTITY_PREFIX] = ENTITY_SCHEME
    out: dict[str, Any] = {}
    for fact in facts:
        dimensions: dict[str, str] = {
            "concept": f"czesg:{fact.concept.name}",
            "entity": f"{ENTITY_PREFIX}:{entity}",
            "period": _period(fact, year),
        }
        if fact.unit is not None and fact.unit.oim is not None:
            dimensions["unit"] = fact.unit.oim
        if fact.lang is not None:
            dimensions["language"] = oim_language(fact.lang)
        value = ("-" + fact.value) if fact.negative and fact.value != "0" else fact.value
        out[fact.fact_id] = {"value": value, "dimensions": dimensions}
    return {
        "documentInfo": {"documentType": DOCUMENT_TYPE, "namespaces": namespaces,
                         "taxonomy": [taxonomy.entry_point]},
        "facts": out,
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class ReadFact:
    """A fact read from an xBRL-JSON document, in the catalogue's terms."""

    code: str
    entity: str
    year: int
    value: str  # the figure in the indicator's stored unit ("5000" 万元), or "true", or text
    unit: str  # the stored unit token ("" for a non-numeric fact)
    fact_id: str


def _fail(fact_id: str, rule: str, **params: Any) -> XbrlError:
    return XbrlError(rule, fact=fact_id, **params)


def read_json(taxonomy: Taxonomy, text: str) -> list[ReadFact]:
    """The facts of an xBRL-JSON document in the czesg concepts, refused (naming the fact and
    the rule) where a fact is not one the czesg taxonomy defines as given."""
    return _read(taxonomy, text, lenient=False)[0]


def read_mapped(taxonomy: Taxonomy, text: str) -> tuple[list[ReadFact], list[tuple[str, str]]]:
    """The facts of an xBRL-JSON document in the czesg concepts, and those of other concepts
    as (fact id, concept) pairs, left aside; a czesg fact that is not as the taxonomy defines it
    is refused as by :func:`read_json`."""
    return _read(taxonomy, text, lenient=True)


def _unit_text(unit: Any, prefixes: dict[str, str], ours: dict[str, str]) -> Any:
    """A unit's measures written with the czesg prefixes (another writer may name the same
    namespaces differently, e.g. Arelle's export)."""
    if not isinstance(unit, str):
        return unit

    def measure(text: str) -> str:
        prefix, colon, local = text.partition(":")
        uri = prefixes.get(prefix)
        return f"{ours[uri]}:{local}" if colon and uri in ours else text

    numerator, slash, denominator = unit.partition("/")
    written = "*".join(measure(m) for m in numerator.split("*"))
    return written + ("/" + "*".join(measure(m) for m in denominator.split("*")) if slash else "")


def _read(taxonomy: Taxonomy, text: str, *, lenient: bool
          ) -> tuple[list[ReadFact], list[tuple[str, str]]]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise XbrlError(gettext_noop("The file is not JSON: %(reason)s."), reason=str(exc)) from None
    if not isinstance(document, dict) or document.get("documentInfo", {}).get(
            "documentType") != DOCUMENT_TYPE:
        raise XbrlError(gettext_noop("The file is not an xBRL-JSON document (documentType %(type)s "
                                     "is expected)."), type=DOCUMENT_TYPE)
    prefixes = document["documentInfo"].get("namespaces", {})
    ours = {p for p, u in prefixes.items() if u == taxonomy.namespace}
    schemes = {p for p, u in prefixes.items() if u == ENTITY_SCHEME}
    by_oim = {u.oim: u for u in taxonomy.units.values()}
    our_prefixes = {u: p for p, u in taxonomy.namespaces().items()}
    read = []
    foreign: list[tuple[str, str]] = []
    for fact_id, fact in (document.get("facts") or {}).items():
        dims = fact.get("dimensions", {})
        prefix, _, name = str(dims.get("concept", "")).partition(":")
        if lenient and prefix not in ours:
            foreign.append((fact_id, str(dims.get("concept", "—"))))
            continue
        if prefix not in ours or name not in taxonomy.concepts:
            raise _fail(fact_id, gettext_noop(
                "Fact %(fact)s: concept %(concept)s is not in the czesg taxonomy %(version)s."),
                concept=dims.get("concept", "—"), version=taxonomy.version)
        concept = taxonomy.concepts[name]
        scheme, _, entity = str(dims.get("entity", "")).partition(":")
        if scheme not in schemes:
            raise _fail(fact_id, gettext_noop(
                "Fact %(fact)s: the entity %(entity)s is not named by a credit code (scheme "
                "%(scheme)s)."), entity=dims.get("entity", "—"), scheme=ENTITY_SCHEME)
        period = str(dims.get("period", ""))
        expected = "/" in period if concept.period_type == "duration" else "/" not in period
        if not period[:4].isdigit() or not expected:
            raise _fail(fact_id, gettext_noop(
                "Fact %(fact)s: period %(period)s does not match the concept's period type "
                "(rule: a duration concept has a start and an end, an instant concept one "
                "date)."), period=period or "—")
        year = int(period[:4]) if "/" in period else int(period[:4]) - 1
        value = str(fact.get("value", ""))
        unit = ""
        if concept.numeric:
            wanted = _unit_text(dims.get("unit"), prefixes, our_prefixes)
            found = (concept.unit if concept.unit is not None and concept.unit.oim == wanted
                     else by_oim.get(wanted) if wanted is not None else None)
            if found is None:
                raise _fail(fact_id, gettext_noop(
                    "Fact %(fact)s: a number without a czesg unit (unit %(unit)s; rule: every "
                    "numeric fact has a unit mapped in data/xbrl/units.toml)."),
                    unit=dims.get("unit") or "—")
            try:
                value = format(Decimal(value).scaleb(-found.scale).normalize(), "f")
            except InvalidOperation:
                raise _fail(fact_id, gettext_noop("Fact %(fact)s: %(value)s is not a number."),
                            value=value) from None
            unit = found.token
        read.append(ReadFact(name, entity, year, value, unit, fact_id))
    return read, foreign
