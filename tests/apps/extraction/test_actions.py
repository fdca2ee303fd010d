"""Reading a report and deciding its candidates: database state, permissions and audit entries."""

import hashlib
import json

import pytest

from czesg.audit.models import AuditEvent
from czesg.disclosures.models import Datapoint, Method
from czesg.engine.disclosure.inspection import FileRefused, FileTooLarge
from czesg.engine.kernel.errors import CatalogueError, PermissionRefused, StateConflict, UnitError
from czesg.extraction import actions
from czesg.extraction.models import Candidate, CandidateState, Destination, ExtractionRun, RunState
from czesg.records.models import Record
from tests.engine.extraction.pdfs import minimal_pdf

pytestmark = pytest.mark.django_db


def audit(action):
    return [json.loads(e.payload_json) for e in AuditEvent.objects.filter(action=action)
            .order_by("seq")]


def test_an_analyst_reads_a_listed_companys_report_into_pending_candidates(
        gov, listed, reports, candidate_rows):
    report = reports["zh_table"]
    run = actions.read_report(listed, 2024, report.pdf, "报告.pdf", actor=gov)
    assert (run.destination, run.state, run.pages) == (Destination.RECORDS, RunState.READ, 1)
    assert run.sha256 == hashlib.sha256(report.pdf).hexdigest()
    with run.file.open("rb") as stored:
        assert stored.read() == report.pdf            # the report kept as evidence
    found = candidate_rows(run)
    assert len(found) == 11 and {c.state for c in found.values()} == {CandidateState.PENDING}
    scope1 = found["E-GHG-02"]
    assert (scope1.value_number, scope1.unit, scope1.printed, scope1.unit_printed, scope1.page,
            scope1.prior_value) == (12340.0, "tCO2e", "1.234", "万吨二氧化碳当量", 1, 11980.0)
    assert scope1.text == "范围一温室气体排放量 | 万吨二氧化碳当量 | １.２３４ | 1.198"
    assert len(scope1.bbox) == 4
    assert not Record.objects.exists()               # nothing written before a decision
    [entry] = audit("extraction.read")
    assert entry["sha256"] == run.sha256 and entry["candidates"] == 11


def test_accepting_and_correcting_write_records_with_page_citations(gov, listed, reports,
                                                                    candidate_rows):
    run = actions.read_report(listed, 2024, reports["inconsistent"].pdf, "esg.pdf", actor=gov)
    found = {(c.indicator_code, c.page): c for c in run.candidates.all()}
    actions.accept_candidate(found[("E-GHG-02", 2)], actor=gov)
    actions.correct_candidate(found[("E-GHG-01", 2)], "29150", "tCO2e",
                              note="31,150 in the report is not Scope 1 + Scope 2", actor=gov)
    actions.reject_candidate(found[("E-GHG-02", 1)], note="summary rounding", actor=gov)
    records = {r.indicator_code: r for r in Record.objects.filter(current=True)}
    assert sorted(records) == ["E-GHG-01", "E-GHG-02"]
    scope1 = records["E-GHG-02"]
    assert (scope1.value_number, scope1.unit, scope1.page, scope1.method, scope1.source.code,
            scope1.created_by) == (9150.0, "tCO2e", 2, Method.EXTRACTED, "extracted_reports", gov)
    assert scope1.document == f"esg.pdf sha256:{run.sha256}"
    total = records["E-GHG-01"]
    assert (total.value_number, total.entered_value, total.entered_unit, total.page) == (
        29150.0, "29150", "tCO2e", 2)
    states = {(c.indicator_code, c.page): c.state for c in run.candidates.all()}
    assert states[("E-GHG-02", 2)] == CandidateState.ACCEPTED
    assert states[("E-GHG-01", 2)] == CandidateState.CORRECTED
    assert states[("E-GHG-02", 1)] == CandidateState.REJECTED
    assert states[("E-GHG-03", 2)] == CandidateState.PENDING
    [accepted] = audit("extraction.accepted")
    assert (accepted["indicator"], accepted["page"], accepted["value"]) == ("E-GHG-02", 2, 9150.0)
    assert accepted["written_to"] == f"record:{scope1.pk}"
    [corrected] = audit("extraction.corrected")
    assert corrected["note"] == "31,150 in the report is not Scope 1 + Scope 2"
    assert len(audit("extraction.rejected")) == 1


def test_a_second_accepted_report_supersedes_the_record(gov, listed, reports):
    first = actions.read_report(listed, 2024, reports["zh_table"].pdf, "a.pdf", actor=gov)
    actions.accept_candidate(first.candidates.get(indicator_code="E-GHG-02"), actor=gov)
    second = actions.read_report(listed, 2024, reports["inconsistent"].pdf, "b.pdf", actor=gov)
    actions.accept_candidate(second.candidates.get(indicator_code="E-GHG-02", page=2), actor=gov)
    versions = list(Record.objects.filter(indicator_code="E-GHG-02").order_by("version")
                    .values_list("version", "value_number", "current", "page"))
    assert versions == [(1, 12340.0, False, 1), (2, 9150.0, True, 2)]


def test_an_enterprise_reads_its_own_report_into_its_draft_disclosure(manager, listed, reports):
    run = actions.read_report(listed, 2024, reports["en_table"].pdf, "report.pdf", actor=manager)
    assert run.destination == Destination.DISCLOSURE
    actions.accept_candidate(run.candidates.get(indicator_code="E-GHG-02"), actor=manager)
    actions.correct_candidate(run.candidates.get(indicator_code="G-GEN-01"), "24.568", "亿元",
                              actor=manager)
    points = {p.indicator_code: p for p in Datapoint.objects.filter(
        disclosure__enterprise=listed, disclosure__year=2024)}
    scope1 = points["E-GHG-02"]
    assert (scope1.value_number, scope1.method) == (10215.0, Method.EXTRACTED)
    assert scope1.evidence_ref == f"report.pdf sha256:{run.sha256[:16]} p. 1"
    revenue = points["G-GEN-01"]
    assert (revenue.value_number, revenue.entered_value, revenue.entered_unit) == (
        245680.0, "24.568", "亿元")
    assert not Record.objects.exists()


def test_a_decided_candidate_is_not_decided_again(gov, listed, reports):
    run = actions.read_report(listed, 2024, reports["en_table"].pdf, "r.pdf", actor=gov)
    candidate = run.candidates.get(indicator_code="E-GHG-02")
    actions.accept_candidate(candidate, actor=gov)
    with pytest.raises(StateConflict):
        actions.reject_candidate(candidate, actor=gov)


def test_a_correction_is_checked_like_a_typed_value(gov, listed, reports):
    run = actions.read_report(listed, 2024, reports["en_table"].pdf, "r.pdf", actor=gov)
    candidate = run.candidates.get(indicator_code="E-GHG-02")
    with pytest.raises(UnitError):
        actions.correct_candidate(candidate, "10", "GJ", actor=gov)
    with pytest.raises(CatalogueError):
        actions.correct_candidate(candidate, "ten", "tCO2e", actor=gov)
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.PENDING and not Record.objects.exists()


def test_permissions(make_user, listed, make_enterprise, member_of, gov, reports):
    other = make_enterprise("别家公司")
    stranger = member_of(other, "stranger")
    with pytest.raises(PermissionRefused):
        actions.read_report(listed, 2024, reports["en_table"].pdf, "r.pdf", actor=stranger)
    with pytest.raises(PermissionRefused):                       # analysts: listed companies
        actions.read_report(other, 2024, reports["en_table"].pdf, "r.pdf", actor=gov)
    run = actions.read_report(listed, 2024, reports["en_table"].pdf, "r.pdf", actor=gov)
    with pytest.raises(PermissionRefused):                       # an enterprise user cannot
        actions.accept_candidate(run.candidates.first(), actor=member_of(listed, "m2"))
    assert list(ExtractionRun.objects.visible_to(stranger)) == []
    assert list(ExtractionRun.objects.visible_to(gov)) == [run]
    assert not ExtractionRun.objects.visible_to(member_of(listed, "m3")).exists()


def test_an_unreadable_report_is_kept_with_its_reason_and_no_candidates(gov, listed):
    from czesg.bench.extraction_corpus import scanned

    run = actions.read_report(listed, 2024, minimal_pdf(encrypted=True), "locked.pdf", actor=gov)
    assert run.state == RunState.UNREADABLE and run.problem["code"] == "pdf_unreadable"
    assert "encrypted" in run.problem["message"]
    run = actions.read_report(listed, 2024, scanned(), "scan.pdf", actor=gov)
    assert run.state == RunState.UNREADABLE and "OCR" in run.problem["message"]
    assert not Candidate.objects.exists()


def test_refused_files_keep_nothing(gov, listed, reports):
    with pytest.raises(CatalogueError):
        actions.read_report(listed, 2024, b"plain text, not a PDF", "x.pdf", actor=gov)
    with pytest.raises(FileRefused):
        actions.read_report(listed, 2024, b"%PDF-1.4\n/JavaScript (app.alert(1))\n%%EOF",
                            "x.pdf", actor=gov)
    with pytest.raises(FileRefused, match="not a complete PDF"):  # truncated: not inspectable
        actions.read_report(listed, 2024, reports["zh_table"].pdf[:4000], "x.pdf", actor=gov)
    with pytest.raises(CatalogueError):
        actions.read_report(listed, 1999, minimal_pdf(), "x.pdf", actor=gov)
    with pytest.raises(FileTooLarge):
        actions.read_report(listed, 2024, b"%PDF-1.4\n" + bytes(31 * 2**20), "big.pdf",
                            actor=gov)
    assert not ExtractionRun.objects.exists()
    assert not audit("extraction.read")
