"""Version diff: added, removed and changed values, including unit and provenance changes."""

from czesg.engine.disclosure.diff import diff_versions


def point(value, unit="t", **extra):
    base = {"status": "reported", "value": value, "unit": unit, "entered_value": str(value),
            "entered_unit": unit, "na_explanation": "", "method": "typed", "evidence": "",
            "entered_by": "alice", "assurance": "none"}
    base.update(extra)
    return base


def test_added_removed_changed_and_unchanged():
    before = {"A": point(1.0), "B": point(2.0), "C": point(3.0)}
    after = {"A": point(1.0), "B": point(2.5), "D": point(4.0)}
    changes = {c.indicator: c for c in diff_versions(before, after)}
    assert set(changes) == {"B", "C", "D"}
    assert changes["B"].kind == "changed" and changes["B"].fields == ("value", "entered_value")
    assert changes["C"].kind == "removed" and changes["C"].after is None
    assert changes["D"].kind == "added" and changes["D"].before is None


def test_provenance_only_change_is_reported():
    before = {"A": point(1.0)}
    after = {"A": point(1.0, method="imported", entered_by="bob", evidence="invoice 7")}
    (change,) = diff_versions(before, after)
    assert change.fields == ("method", "evidence", "entered_by")


def test_same_value_typed_in_another_unit_shows_the_unit_change():
    before = {"A": point(1.5, "MWh", entered_value="1.5", entered_unit="MWh")}
    after = {"A": point(1.5, "MWh", entered_value="1500", entered_unit="kWh")}
    (change,) = diff_versions(before, after)
    assert change.fields == ("entered_value", "entered_unit")


def test_not_applicable_to_value():
    before = {"A": point(None, "", status="not_applicable", na_explanation="no boilers")}
    after = {"A": point(3.0)}
    (change,) = diff_versions(before, after)
    assert {"status", "value", "na_explanation"} <= set(change.fields)
