"""Importing an xBRL-JSON or inline-XBRL report into a draft disclosure, with provenance and an
audit entry; the import page (upload, preview, confirm)."""

from __future__ import annotations

import hashlib
import json

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
    digest = hashlib.sha256(_document(firm_a.uscc, 2025).encode("utf-8")).hexdigest()
    assert points["E-GHG-02"].evidence_ref == (
        f"xBRL-JSON report-2025.json sha256:{digest[:16]}, f-E-GHG-02")
    event = AuditEvent.objects.filter(action="esgreport.import_xbrl").get()
    assert event.payload["file"] == "report-2025.json" and event.payload["facts"] == 6
    assert event.payload["sha256"] == digest and event.payload["format"] == "xBRL-JSON"


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


def test_an_inline_xbrl_report_is_read_by_arelle_and_imported(draft_2025, firm_a, alice,
                                                              published_a):
    """Our own inline XBRL of 2024 (VSME-tagged facts included) goes into the 2025 draft once
    its year is the draft's: Arelle loads the .xhtml, the czesg facts are imported."""
    from czesg.audit.models import AuditEvent
    from czesg.esgreport.actions import import_xbrl
    from czesg.esgreport.xbrl import ixbrl_for

    text = ixbrl_for(published_a, "en").replace("2024-", "2025-")
    data = text.encode("utf-8")
    import_xbrl(draft_2025, data, name="alpha-2025.xhtml", actor=alice)
    points = {p.indicator_code: p for p in draft_2025.datapoints.all()}
    reported = published_a.datapoints.exclude(status="not_applicable")
    assert set(points) == set(reported.values_list("indicator_code", flat=True))
    # 5,000 万元 stays 5,000 万元 (50,000,000 CNY in the document); 8.5 % stays 8.5 %.
    assert points["G-GEN-01"].value_number == 5000 and points["G-GEN-01"].unit == "万元"
    assert points["S-EMP-03"].value_number == 8.5
    assert points["E-GHG-01"].value_number == 1000
    assert points["G-GEN-04"].value_text == "母公司及常州生产基地，与年报合并范围一致"
    digest = hashlib.sha256(data).hexdigest()
    assert points["E-GHG-02"].method == "imported"
    assert points["E-GHG-02"].evidence_ref == (
        f"inline XBRL alpha-2025.xhtml sha256:{digest[:16]}, czesg, f-E-GHG-02")
    event = AuditEvent.objects.filter(action="esgreport.import_xbrl").get()
    assert event.payload["format"] == "inline XBRL" and event.payload["producer"] == "czesg"
    assert event.payload["facts"] == len(points) and event.payload["sha256"] == digest


def test_facts_of_other_concepts_are_listed_and_left_aside(draft_2025, firm_a, alice):
    from czesg.esgreport.actions import import_xbrl
    from czesg.esgreport.reading import read_report

    document = json.loads(_document(firm_a.uscc, 2025))
    document["documentInfo"]["namespaces"]["vsme"] = (
        "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme")
    document["facts"]["v1"] = {"value": "7", "dimensions": {
        "concept": "vsme:NumberOfSubsidiaries", "entity": f"uscc:{firm_a.uscc}",
        "period": "2025-01-01T00:00:00/2026-01-01T00:00:00"}}
    data = json.dumps(document).encode("utf-8")
    reading = read_report(data)
    assert reading.unmapped == [("v1", "vsme:NumberOfSubsidiaries")]
    assert len(reading.facts) == 6
    import_xbrl(draft_2025, data, name="mixed.json", actor=alice)
    assert draft_2025.datapoints.count() == 6


@pytest.mark.parametrize(("data", "expected"), [
    (b"Code,Value\nE-GHG-01,5\n", "neither xBRL-JSON nor an inline XBRL"),
    (b"{not json", "not JSON"),
])
def test_a_file_that_is_no_xbrl_report_is_refused(draft_2025, alice, data, expected):
    from czesg.engine.xbrl.concepts import XbrlError
    from czesg.esgreport.actions import import_xbrl

    with pytest.raises(XbrlError) as refused:
        import_xbrl(draft_2025, data, name="x", actor=alice)
    assert expected in refused.value.render()
    assert not draft_2025.datapoints.exists()


def test_an_invalid_inline_document_is_refused_naming_arelles_rule(draft_2025, firm_a, alice,
                                                                    published_a):
    """A headcount (an instant concept) reported for a duration: Arelle's rule is named."""
    from czesg.engine.xbrl.concepts import XbrlError
    from czesg.esgreport.actions import import_xbrl
    from czesg.esgreport.xbrl import ixbrl_for

    text = ixbrl_for(published_a, "en").replace("2024-", "2025-").replace(
        'name="czesg:S-EMP-01" contextRef="I"', 'name="czesg:S-EMP-01" contextRef="D"')
    with pytest.raises(XbrlError) as refused:
        import_xbrl(draft_2025, text.encode("utf-8"), name="bad.xhtml", actor=alice)
    assert "xbrl.4.7.2:contextPeriodType" in refused.value.render()
    assert not draft_2025.datapoints.exists()


def test_the_import_page_previews_the_facts_then_imports_on_confirmation(
        draft_2025, firm_a, alice, bob, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from czesg.audit.models import AuditEvent

    url = f"/disclosures/{draft_2025.pk}/import/xbrl/"
    client.force_login(alice)
    edit = client.get(f"/disclosures/{draft_2025.pk}/edit/").content.decode()
    assert f'href="{url}"' in edit
    document = json.loads(_document(firm_a.uscc, 2025))
    document["documentInfo"]["namespaces"]["vsme"] = (
        "https://xbrl.efrag.org/taxonomy/vsme/2026-05-01/vsme")
    document["facts"]["v1"] = {"value": "7", "dimensions": {
        "concept": "vsme:NumberOfSubsidiaries", "entity": f"uscc:{firm_a.uscc}",
        "period": "2025-01-01T00:00:00/2026-01-01T00:00:00"}}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    page = client.post(url, {"file": SimpleUploadedFile("alpha.json", data)},
                       HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<span class="mono">E-GHG-02</span>' in text and "320&nbsp;" in text
    assert "vsme:NumberOfSubsidiaries" in text and digest in text
    assert not draft_2025.datapoints.exists()  # nothing before the confirmation
    # Someone who does not manage the enterprise does not see the page at all.
    client.force_login(bob)
    assert client.post(url, {"confirm": digest, "name": "alpha.json"}).status_code == 404
    client.force_login(alice)
    done = client.post(url, {"confirm": digest, "name": "alpha.json"})
    assert done.status_code == 302 and done["Location"] == f"/disclosures/{draft_2025.pk}/edit/"
    assert draft_2025.datapoints.get(indicator_code="E-GHG-02").evidence_ref == (
        f"xBRL-JSON alpha.json sha256:{digest[:16]}, f-E-GHG-02")
    event = AuditEvent.objects.filter(action="esgreport.import_xbrl").get()
    assert event.payload["unmapped"] == ["vsme:NumberOfSubsidiaries"]
    assert not (settings.VAR_DIR / "xbrl-imports" / digest).exists()
    # A second confirmation of the same file finds nothing to import.
    again = client.post(url, {"confirm": digest, "name": "alpha.json"})
    assert again.status_code == 409


def test_the_import_page_names_what_is_wrong(draft_2025, firm_b, alice, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/disclosures/{draft_2025.pk}/import/xbrl/"
    client.force_login(alice)
    page = client.post(url, {"file": SimpleUploadedFile("b.json",
                                                        _document(firm_b.uscc, 2025).encode())},
                       HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 422
    assert "f-G-GEN-01" in page.content.decode() and firm_b.uscc in page.content.decode()
    assert not draft_2025.datapoints.exists()
