"""Questionnaire templates, the reminder rule and the supplier score."""

from __future__ import annotations

from datetime import date

import pytest

from czesg.engine.kernel.errors import DataFileError
from czesg.engine.kernel.provenance import Provenance
from czesg.engine.procurement import (
    check_weights,
    default_weighting,
    load_questionnaires,
    reminder_due,
    reminder_rule,
    score_supplier,
)
from czesg.engine.procurement.questionnaires import ReminderRule, _parse
from czesg.engine.procurement.scoring import WeightingInvalid


def test_battery_template_covers_the_asked_topics():
    battery = load_questionnaires()["battery"]
    assert [s.key for s in battery.sections] == [
        "energy", "scope12", "renewable", "water", "waste", "labour", "governance"]
    assert "E-GHG-02" in battery.indicators and "G-GOV-06" in battery.indicators
    assert battery.suits("C3841") and not battery.suits("C2614")
    assert battery.provenance.confidence == "analyst-judgement"
    assert battery.name("en") == "Battery supply chain" and battery.name("zh-hans") == "动力电池供应链"


def _template(indicators: str) -> str:
    return f"""
version = "x"
[[template]]
key = "t"
name_zh = "甲"
name_en = "A"
industries = []
source = "s"
confidence = "analyst-judgement"
[[template.section]]
key = "a"
name_zh = "甲"
name_en = "A"
indicators = [{indicators}]
[reminders]
days_before = 7
repeat_days = 7
source = "s"
confidence = "unconfirmed-platform-choice"
"""


def test_a_template_naming_an_unknown_indicator_is_refused_with_its_field():
    with pytest.raises(DataFileError) as refused:
        _parse(_template('"E-NOPE-01"'))
    assert refused.value.params["field"] == "indicators"
    assert "E-NOPE-01" in refused.value.params["reason"]


def test_a_template_naming_a_text_indicator_is_refused():
    with pytest.raises(DataFileError) as refused:
        _parse(_template('"G-GOV-01"'))
    assert "not answerable" in refused.value.params["reason"]


def test_reminder_rule():
    rule = ReminderRule(7, 7, Provenance("s", "unconfirmed-platform-choice"))
    due = date(2026, 6, 30)
    assert not reminder_due(date(2026, 6, 22), due, None, rule)  # 8 days before
    assert reminder_due(date(2026, 6, 23), due, None, rule)  # 7 days before
    assert not reminder_due(date(2026, 6, 29), due, date(2026, 6, 23), rule)  # 6 days since last
    assert reminder_due(date(2026, 6, 30), due, date(2026, 6, 23), rule)
    assert reminder_due(date(2026, 8, 1), due, date(2026, 7, 20), rule)  # overdue, repeated
    assert reminder_rule().days_before == 7


def test_default_weighting_is_data_and_sums_to_one():
    weighting = default_weighting()
    assert weighting.version == "2026.1"
    assert dict(weighting.weights) == {"rating": 0.3, "green": 0.2, "data": 0.2,
                                       "assured": 0.15, "footprint": 0.15}
    assert weighting.provenance.confidence == "unconfirmed-platform-choice"


def test_score_weights_components_and_missing_scores_zero():
    result = score_supplier({"rating": 72.5, "green": None, "data": 100.0, "assured": 50.0,
                             "footprint": 0.0}, default_weighting())
    # 0.3 * 72.5 + 0.2 * 100 + 0.15 * 50 = 21.75 + 20 + 7.5
    assert result.score == 49.25
    assert result.missing == ("green",)
    assert dict((name, points) for name, _, points in result.parts)["rating"] == 21.75


def test_buyer_weights_are_checked():
    assert dict(check_weights({"rating": "0.5", "data": 0.5})) == {
        "rating": 0.5, "green": 0.0, "data": 0.5, "assured": 0.0, "footprint": 0.0}
    with pytest.raises(WeightingInvalid) as refused:
        check_weights({"rating": 0.5, "data": 0.4})
    assert refused.value.params == {"field": "weights", "total": "0.9"}
    with pytest.raises(WeightingInvalid) as refused:
        check_weights({"rating": 1.5})
    assert refused.value.params["field"] == "rating"
    with pytest.raises(WeightingInvalid) as refused:
        check_weights({"price": 1.0})
    assert refused.value.params["field"] == "price"
