"""Changes of state of the esgreport app: importing an xBRL-JSON or inline-XBRL report (ours,
or another producer's using the czesg concepts) into a draft disclosure, with provenance."""

from __future__ import annotations

from django.db import transaction

from czesg.audit.recording import record
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Datapoint, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.xbrl.concepts import XbrlError
from czesg.esgreport.reading import Reading, read_report


def _value(code: str, value: str) -> str:
    """A fact value as the disclosure form takes it (a choice by its key, a boolean as yes/no)."""
    indicator = load_catalogue().get(code)
    if indicator.data_type == "boolean":
        return "yes" if value == "true" else "no"
    if indicator.data_type == "choice":
        for choice in indicator.choices:
            if value in (choice.key, choice.name_zh, choice.name_en):
                return choice.key
    return value


def check_fits(disclosure: Disclosure, reading: Reading) -> None:
    """Refuse, naming the first such fact, a report about another enterprise or year."""
    uscc = disclosure.enterprise.uscc
    for fact in reading.facts:
        if fact.entity != uscc or fact.year != disclosure.year:
            raise XbrlError(gettext_noop(
                "Fact %(fact)s is about %(entity)s in %(year)s, not %(uscc)s in %(expected)s "
                "(rule: an import fills the disclosure of the same enterprise and year)."),
                fact=fact.fact_id, entity=fact.entity, year=fact.year, uscc=uscc,
                expected=disclosure.year)


def evidence_of(reading: Reading, name: str, fact_id: str) -> str:
    """The provenance an imported value keeps: format, file, its SHA-256 and the fact id."""
    producer = f", {reading.producer}" if reading.producer else ""
    text = f"{reading.format} {name[:80]} sha256:{reading.sha256[:16]}{producer}, {fact_id}"
    return text[:300]


def import_xbrl(disclosure: Disclosure, data: bytes, *, name: str, actor) -> list[Datapoint]:
    """Import the czesg facts of an xBRL-JSON or inline-XBRL report into a draft, all or
    nothing: each value keeps method "imported" and the file (hash, producer) and fact it came
    from as evidence; facts of other concepts are left aside and counted (audited)."""
    reading = read_report(data)
    check_fits(disclosure, reading)
    entries = [disclosure_actions.Entry(
        fact.code, _value(fact.code, fact.value), fact.unit, method=Method.IMPORTED,
        evidence=evidence_of(reading, name, fact.fact_id)) for fact in reading.facts]
    with transaction.atomic():
        points = disclosure_actions.set_values(disclosure, entries, actor=actor)
        record(actor, "esgreport.import_xbrl", disclosure, file=name[:200],
               format=reading.format, sha256=reading.sha256, producer=reading.producer,
               facts=len(entries), unmapped=[concept for _, concept in reading.unmapped][:50])
    return points


def import_xbrl_json(disclosure: Disclosure, text: str, *, name: str, actor) -> list[Datapoint]:
    """Import an xBRL-JSON report given as text (see :func:`import_xbrl`)."""
    return import_xbrl(disclosure, text.encode("utf-8"), name=name, actor=actor)
