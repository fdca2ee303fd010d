"""Issue 12 items 1–2 for the long-format bulk import: derived values computed for every
disclosure the import touches, with the form's provenance, and energy converted into tce
through the factor set's named coefficient (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from czesg.audit.models import AuditEvent
from czesg.disclosures import actions
from czesg.disclosures.bulk import import_checked
from czesg.disclosures.derivations import recompute
from czesg.disclosures.models import Datapoint, Disclosure, Method
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.bulk import check_long, long_frame

pytestmark = pytest.mark.django_db

ENTRIES = [  # (code, value, unit) as a file and a form both give them
    ("E-GHG-02", "300", "tCO2e"), ("E-GHG-03", "700", "吨二氧化碳当量"),
    ("G-GEN-01", "50", "百万元"), ("S-TRN-04", "2400", "hour"), ("S-EMP-01", "120", "person"),
    ("E-ENG-01", "6500", "kWh"), ("E-WST-01", "3", "t"),
]
PROVENANCE = ("value_number", "unit", "entered_value", "entered_unit", "method", "derivation",
              "status", "assurance")


def points(disclosure):
    return {p.indicator_code: p for p in Datapoint.objects.filter(disclosure=disclosure)}


def bulk(rows, system):
    return import_checked(check_long(long_frame(rows), load_catalogue()), actor=system)


def test_bulk_import_computes_the_derived_values_exactly_as_the_form(
    firm_a, firm_b, bob, draft_b, system
):
    summary = bulk([(firm_a.uscc, 2024, c, v, u) for c, v, u in ENTRIES], system)
    assert (summary.imported_values, summary.problems) == (7, [])
    imported = points(Disclosure.objects.get(enterprise=firm_a, year=2024))
    # Exact numbers: 300 + 700 t; 1000 t ÷ 5000 万元; 2400 h ÷ 120 persons; 6500 kWh × 0.1229
    # kgce/kWh = 0.79885 tce, ÷ 5000 万元. E-WST-01-INT is of the standard tier only: not derived.
    total, intensity = imported["E-GHG-01"], imported["E-GHG-05"]
    assert (total.value_number, total.unit, total.method) == (1000.0, "tCO2e", Method.CALCULATED)
    assert total.derivation == {"formula": "E-GHG-02 + E-GHG-03",
                                "inputs": {"E-GHG-02": 300.0, "E-GHG-03": 700.0}}
    assert (intensity.value_number, intensity.derivation["inputs"]) == (
        0.2, {"E-GHG-01": 1000.0, "G-GEN-01": 5000.0})
    assert imported["S-TRN-02"].value_number == 20.0
    assert imported["S-TRN-02"].entered_value == "20" and imported["S-TRN-02"].entered_by == system
    assert imported["E-ENG-01"].value_number == pytest.approx(0.79885, rel=1e-12)
    assert imported["E-ENG-02"].value_number == pytest.approx(0.79885 / 5000, rel=1e-12)
    assert "E-WST-01-INT" not in imported
    assert {c for c, p in imported.items() if p.method == Method.CALCULATED} == {
        "E-GHG-01", "E-GHG-05", "S-TRN-02", "E-ENG-02"}
    event = AuditEvent.objects.get(action="disclosure.import", target_id=str(total.disclosure_id))
    assert event.payload["values"] == 7
    assert event.payload["derived"] == {"E-GHG-01": 1000.0, "E-GHG-05": 0.2, "S-TRN-02": 20.0,
                                       "E-ENG-02": imported["E-ENG-02"].value_number}

    # The same entries typed into a form give the same numbers and provenance, field for field.
    actions.set_values(draft_b, [actions.Entry(c, v, u) for c, v, u in ENTRIES], actor=bob)
    typed = points(draft_b)
    assert set(typed) == set(imported)
    for code in ("E-GHG-01", "E-GHG-05", "S-TRN-02", "E-ENG-02", "E-ENG-01"):
        fields = [f for f in PROVENANCE if code != "E-ENG-01" or f != "method"]  # typed/imported
        assert [getattr(imported[code], f) for f in fields] == [
            getattr(typed[code], f) for f in fields], code
    # And the form path's recompute finds nothing to change in the imported disclosure.
    assert recompute(total.disclosure, actor=system) == {}


def test_bulk_import_into_an_open_draft_recomputes_keeps_reported_and_removes_stale(
    firm_a, alice, draft_a, system
):
    actions.set_values(draft_a, [
        actions.Entry("E-GHG-02", 300, "tCO2e"), actions.Entry("E-GHG-03", 700, "tCO2e"),
        actions.Entry("G-GEN-01", 5000, "万元"), actions.Entry("S-TRN-04", 2400, "hour"),
        actions.Entry("S-EMP-01", 120, "person"),
    ], actor=alice)
    assert points(draft_a)["S-TRN-02"].value_number == 20.0
    summary = bulk([
        (firm_a.uscc, 2024, "E-GHG-03", "900", "tCO2e"),  # an input changes
        (firm_a.uscc, 2024, "S-TRN-04", None, "", "本年度未组织培训"),  # an input goes away
        (firm_a.uscc, 2024, "E-GHG-05", "0.5", "tCO2e/10k_CNY"),  # a derived one is reported
    ], system)
    assert (summary.disclosures_updated, summary.imported_values) == (1, 3)
    saved = points(draft_a)
    assert saved["E-GHG-01"].value_number == 1200.0
    assert saved["E-GHG-01"].derivation["inputs"] == {"E-GHG-02": 300.0, "E-GHG-03": 900.0}
    assert (saved["E-GHG-05"].value_number, saved["E-GHG-05"].method) == (0.5, Method.IMPORTED)
    assert "S-TRN-02" not in saved
    event = AuditEvent.objects.get(action="disclosure.import")
    assert event.payload["derived"] == {"E-GHG-01": 1200.0, "S-TRN-02": None}
    draft_a.refresh_from_db()
    assert recompute(draft_a, actor=system) == {}  # the form path agrees with what was written


def test_bulk_import_refuses_energy_in_a_unit_of_the_wrong_dimension(firm_a, firm_b, system):
    summary = bulk([
        (firm_a.uscc, 2024, "E-ENG-01", "1000", "MWh"),
        (firm_b.uscc, 2024, "S-EMP-01", "80", "person"),
        (firm_b.uscc, 2024, "E-ENG-01", "5", "m3"),  # row 4
    ], system)
    (problem,) = summary.problems
    assert (problem.row, problem.column, problem.render()) == (
        4, "unit", "E-ENG-01 is measured in tce; “m3” does not fit.")
    assert not Disclosure.objects.filter(enterprise=firm_b).exists()
    energy = Datapoint.objects.get(disclosure__enterprise=firm_a, indicator_code="E-ENG-01")
    assert energy.value_number == pytest.approx(122.9, rel=1e-12)
    assert (energy.unit, energy.entered_value, energy.entered_unit) == ("tce", "1000", "MWh")
    assert energy.derivation["conversion"]["factor_id"] == "TCE-ELECTRICITY-CALORIFIC"
    assert energy.derivation["conversion"]["coefficient"] == 0.1229


def test_a_large_bulk_publication_rebuilds_public_profiles_in_the_worker_after_commit(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    """Like a records import: beyond INLINE_PROFILE_REFRESH enterprises (lowered here from 500
    to 10, so that 40 synthetic enterprises are a large import), the profiles are rebuilt by a
    task once the import has committed, not inside each batch's transaction."""
    from czesg.demo import load_synthetic
    from czesg.portal import apps as portal_apps
    from czesg.portal.api import ProfileOut
    from czesg.portal.models import PublicProfile

    monkeypatch.setattr(portal_apps, "INLINE_PROFILE_REFRESH", 10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        load_synthetic(enterprises=40, years=[2024], seed=9)
    published = dict(Disclosure.objects.filter(state="published")
                     .values_list("enterprise__uscc", "pk"))

    def latest() -> dict:
        return {p.uscc: ProfileOut.model_validate_json(p.body).latest
                for p in PublicProfile.objects.all()}

    assert published and not any(latest().values())  # registered, not yet rebuilt
    assert callbacks  # the rebuild waits for the commit
    for callback in callbacks:
        callback()
    rebuilt = latest()
    assert len(rebuilt) == 40
    assert {u: p.id for u, p in rebuilt.items() if p} == published
