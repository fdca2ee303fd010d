"""Changes of state of the esgreport app: importing an xBRL-JSON report (ours, or another
producer's using the czesg concepts) into a draft disclosure, with provenance."""

from __future__ import annotations

from django.db import transaction

from czesg.audit.recording import record
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Datapoint, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.xbrl import oim
from czesg.engine.xbrl.concepts import XbrlError
from czesg.esgreport.xbrl import taxonomy


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


def import_xbrl_json(disclosure: Disclosure, text: str, *, name: str, actor) -> list[Datapoint]:
    """Import the czesg facts of an xBRL-JSON report into a draft, all or nothing: each value
    keeps method "imported" and the file and fact it came from as evidence (audited)."""
    facts = oim.read_json(taxonomy(), text)
    uscc = disclosure.enterprise.uscc
    for fact in facts:
        if fact.entity != uscc or fact.year != disclosure.year:
            raise XbrlError(gettext_noop(
                "Fact %(fact)s is about %(entity)s in %(year)s, not %(uscc)s in %(expected)s "
                "(rule: an import fills the disclosure of the same enterprise and year)."),
                fact=fact.fact_id, entity=fact.entity, year=fact.year, uscc=uscc,
                expected=disclosure.year)
    if not facts:
        raise XbrlError(gettext_noop("The file holds no czesg fact."))
    entries = [disclosure_actions.Entry(
        fact.code, _value(fact.code, fact.value), fact.unit, method=Method.IMPORTED,
        evidence=f"xBRL-JSON {name}, {fact.fact_id}") for fact in facts]
    with transaction.atomic():
        points = disclosure_actions.set_values(disclosure, entries, actor=actor)
        record(actor, "esgreport.import_xbrl_json", disclosure, file=name, facts=len(entries))
    return points
