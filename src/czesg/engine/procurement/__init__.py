"""Buyers' requests to suppliers: questionnaire templates (data) and the supplier score."""

from czesg.engine.procurement.questionnaires import (
    ANSWERABLE_TYPES,
    Questionnaire,
    ReminderRule,
    Section,
    load_questionnaires,
    reminder_due,
    reminder_rule,
)
from czesg.engine.procurement.scoring import (
    COMPONENTS,
    ScoreResult,
    Weighting,
    check_weights,
    default_weighting,
    score_supplier,
)

__all__ = [
    "ANSWERABLE_TYPES", "COMPONENTS", "Questionnaire", "ReminderRule", "ScoreResult", "Section",
    "Weighting", "check_weights", "default_weighting", "load_questionnaires", "reminder_due",
    "reminder_rule", "score_supplier",
]
