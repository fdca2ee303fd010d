"""Questionnaire templates per industry (``data/supplychain/questionnaires.toml``) and the rule
of when a reminder is due.

A template lists catalogue indicators by section; every indicator must exist in the catalogue
and be answerable with one figure or yes/no (:data:`ANSWERABLE_TYPES`). The file is checked at
load and refused with file, path and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from czesg.engine.catalogue import load_catalogue
from czesg.engine.datafiles import DATA_DIR, FirstSeen, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

_FILE = "supplychain/questionnaires.toml"
ANSWERABLE_TYPES = ("number", "percentage", "boolean")


@dataclass(frozen=True)
class Section:
    """A section of a template: its name and indicator codes."""

    key: str
    name_zh: str
    name_en: str
    indicators: tuple[str, ...]

    def name(self, language: str) -> str:
        """The section's name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire template: the industries it suits, its sections and provenance."""

    key: str
    name_zh: str
    name_en: str
    industries: tuple[str, ...]
    sections: tuple[Section, ...]
    provenance: Provenance

    def name(self, language: str) -> str:
        """The template's name in the language (Chinese unless English is asked for)."""
        return self.name_en if language.startswith("en") else self.name_zh

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator code of the template, in section order."""
        return tuple(code for section in self.sections for code in section.indicators)

    def suits(self, industry_code: str) -> bool:
        """Whether the template is meant for an enterprise of the GB/T 4754 class."""
        return any(industry_code.startswith(prefix) for prefix in self.industries)


@dataclass(frozen=True)
class ReminderRule:
    """When a reminder of an open request is due (see :func:`reminder_due`)."""

    days_before: int
    repeat_days: int
    provenance: Provenance


def _parse(text: str) -> tuple[dict[str, Questionnaire], ReminderRule]:
    table = parse_toml(text, _FILE, confidences=[c.value for c in Confidence])
    table.allow("version", "template", "reminders")
    table.text("version")
    catalogue = load_catalogue()
    keys = FirstSeen()
    templates: dict[str, Questionnaire] = {}
    for entry in table.array("template"):
        entry.allow("key", "name_zh", "name_en", "industries", "source", "confidence", "section")
        key = entry.key()
        keys.claim(entry, "key", key)
        sections = []
        seen = FirstSeen()
        for part in entry.array("section"):
            part.allow("key", "name_zh", "name_en", "indicators")
            codes = part.texts("indicators", empty=False)
            for code in codes:
                seen.claim(part, "indicators", code)
                if code not in catalogue:
                    part.fail("indicators", f"{code!r} is not in the catalogue")
                if catalogue.get(code).data_type not in ANSWERABLE_TYPES:
                    part.fail("indicators", f"{code!r} is not answerable with one figure or "
                                            "yes/no")
            sections.append(Section(part.key(), part.text("name_zh"), part.text("name_en"),
                                    codes))
        templates[key] = Questionnaire(
            key=key, name_zh=entry.text("name_zh"), name_en=entry.text("name_en"),
            industries=entry.texts("industries", empty=False), sections=tuple(sections),
            provenance=entry.provenance())
    rule = table.child("reminders")
    rule.allow("days_before", "repeat_days", "source", "confidence")
    reminders = ReminderRule(rule.integer("days_before", low=0),
                             rule.integer("repeat_days", low=1), rule.provenance())
    return templates, reminders


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Questionnaire], ReminderRule]:
    return _parse(read_data_file(Path(DATA_DIR) / _FILE, _FILE))


def load_questionnaires() -> dict[str, Questionnaire]:
    """The questionnaire templates by key, in file order (checked, cached)."""
    return _load()[0]


def reminder_rule() -> ReminderRule:
    """The reminder rule of the questionnaire file."""
    return _load()[1]


def reminder_due(today: date, due: date, last_reminded: date | None,
                 rule: ReminderRule | None = None) -> bool:
    """Whether an open request due on ``due`` needs a reminder on ``today``: the due date is at
    most ``days_before`` days away (or past) and none went out in the last ``repeat_days``."""
    rule = rule or reminder_rule()
    if due - today > timedelta(days=rule.days_before):
        return False
    return last_reminded is None or today - last_reminded >= timedelta(days=rule.repeat_days)
