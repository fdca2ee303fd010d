"""Issue 12 (item 7): every note the carbon calculator shows about an activity has its Chinese
text, so a Chinese page never falls back to the English note."""

from __future__ import annotations

import re

from czesg.engine.carbon import load_activities


def test_every_activity_note_has_a_chinese_text_without_unit_symbols():
    activities = load_activities()
    noted = [a for a in activities.values() if a.notes]
    assert len(noted) >= 40
    for activity in noted:
        assert re.search(r"[\u4e00-\u9fff]", activity.notes_zh), activity.code
        assert activity.note("zh-hans") == activity.notes_zh
        assert activity.note("en") == activity.notes
        assert not re.search(r"(?<![\w/.-])(tCO2e|tce|MWh|kWh|GJ|Nm3|kgce)(?![\w-])",
                             activity.notes_zh), activity.code
    gas = activities["natural_gas"]
    assert gas.note("zh-hans").startswith("管道天然气及气化后的液化天然气，以万标准立方米填报")
