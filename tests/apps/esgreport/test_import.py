"""Importing an xBRL-JSON report into a draft disclosure, with provenance and an audit entry."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_2025(firm_a, alice):
    from czesg.disclosures.actions import start_disclosure

    return start_disclosure(firm_a, 2025, actor=alice)


def _document(uscc: str, year: int) -> str:
    """An xBRL-JSON report in the czesg concepts, as another producer would write it."""
    from czesg.engine.catalogue import load_catalogue
    from czesg.engine.xbrl import oim
    from czesg.engine.xbrl.concepts import taxonomy_for
    from czesg.engine.xbrl.facts import Answer, fact_of

    taxonomy = taxonomy_for(load_catalogue())
    facts = [fact_of(taxonomy, a, "zh-hans") for a in (
        Answer("G-GEN-01", "6,200", "万元", 6200.0),
        Answer("E-GHG-02", "320", "tCO2e", 320.0),
        Answer("S-EMP-01", "131", "person", 131.0),
        Answer("S-EMP-03", "7.5", "%", 7.5),
        Answer("G-ABC-04", "是", boolean=True),
        Answer("G-GEN-04", "母公司及常州生产基地"),
    )]
    return oim.dumps(oim.to_json(taxonomy, facts, entity=uscc, year=year))


def test_the_facts_become_imported_values_with_their_source(draft_2025, firm_a, alice):
    from czesg.audit.models import AuditEvent
    from czesg.esgreport.actions import import_xbrl_json

    import_xbrl_json(draft_2025, _document(firm_a.uscc, 2025), name="report-2025.json",
                     actor=alice)
    points = {p.indicator_code: p for p in draft_2025.datapoints.all()}
    assert points["G-GEN-01"].value_number == 6200 and points["G-GEN-01"].unit == "万元"
    assert points["E-GHG-02"].value_number == 320
    assert points["S-EMP-01"].value_number == 131
    assert points["S-EMP-03"].value_number == 7.5
    assert points["G-ABC-04"].value_bool is True
    assert points["G-GEN-04"].value_text == "母公司及常州生产基地"
    assert points["E-GHG-02"].method == "imported"
    assert points["E-GHG-02"].evidence_ref == "xBRL-JSON report-2025.json, f-E-GHG-02"
    event = AuditEvent.objects.filter(action="esgreport.import_xbrl_json").get()
    assert event.payload["file"] == "report-2025.json" and event.payload["facts"] == 6


def test_another_enterprises_or_years_facts_are_refused_and_nothing_is_written(
        draft_2025, firm_a, firm_b, alice):
    from czesg.engine.xbrl.concepts import XbrlError
    from czesg.esgreport.actions import import_xbrl_json

    for uscc, year in ((firm_b.uscc, 2025), (firm_a.uscc, 2024)):
        with pytest.raises(XbrlError) as refused:
            import_xbrl_json(draft_2025, _document(uscc, year), name="x.json", actor=alice)
        assert refused.value.params["fact"] == "f-G-GEN-01"
        assert "same enterprise and year" in refused.value.render()
    assert not draft_2025.datapoints.exists()


def test_a_published_disclosure_is_not_changed(published_a, firm_a, alice):
    from czesg.engine.kernel.errors import StateConflict
    from czesg.esgreport.actions import import_xbrl_json

    with pytest.raises(StateConflict):
        import_xbrl_json(published_a, _document(firm_a.uscc, 2024), name="x.json", actor=alice)
