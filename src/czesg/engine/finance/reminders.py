"""When a bank is reminded of a financing request it has not answered (the rule of
``data/finance/reminders.toml``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from czesg.engine.datafiles import DATA_DIR, parse_toml, read_data_file
from czesg.engine.kernel.provenance import Confidence, Provenance

NAME = "finance/reminders.toml"


@dataclass(frozen=True)
class ReminderRule:
    """First reminder after ``first_after_days`` unanswered days, then every ``repeat_days``."""

    first_after_days: int
    repeat_days: int
    provenance: Provenance


@lru_cache(maxsize=1)
def load_reminder_rule() -> ReminderRule:
    """Read and check the reminder rule (cached)."""
    root = parse_toml(read_data_file(Path(DATA_DIR) / NAME, NAME), NAME,
                      confidences=[c.value for c in Confidence])
    table = root.child("reminder")
    return ReminderRule(table.integer("first_after_days", low=1),
                        table.integer("repeat_days", low=1), table.provenance())


def reminder_due(today: date, sent_on: date, valid_until: date, last_reminded: date | None,
                 rule: ReminderRule | None = None) -> bool:
    """Whether a request sent on ``sent_on``, whose consent runs to ``valid_until``, needs a
    reminder to a bank that has not answered, on ``today``."""
    rule = rule or load_reminder_rule()
    if today > valid_until or today - sent_on < timedelta(days=rule.first_after_days):
        return False
    return last_reminded is None or today - last_reminded >= timedelta(days=rule.repeat_days)
