"""Every change in the extraction app: read a report, and accept, correct or reject a candidate.

Reading a report keeps the PDF as evidence with its hash and stores the candidates; nothing is
written to a disclosure or to the records until a person accepts or corrects a candidate. An
enterprise's ESG manager reads its own reports into its draft disclosure; a government user or
platform administrator (an analyst) reads a listed company's report into the records of the
enterprise database. Each action checks its actor, runs in one transaction and is audited.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from czesg.accounts.permissions import is_government, require_manager
from czesg.audit.recording import record
from czesg.disclosures import actions as disclosure_actions
from czesg.disclosures.models import Disclosure, Method, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.evidence import PDF, checked_file_type, safe_display_name
from czesg.engine.disclosure.inspection import FileTooLarge
from czesg.engine.disclosure.values import coerce
from czesg.engine.extraction import UnreadablePdf, extract
from czesg.engine.kernel.errors import (
    CatalogueError,
    PermissionRefused,
    StateConflict,
    gettext_noop,
)
from czesg.enterprises.models import Enterprise
from czesg.extraction.models import (
    Candidate,
    CandidateState,
    Destination,
    ExtractionRun,
    RunState,
)
from czesg.records.models import Record
from czesg.records.signals import records_changed
from czesg.records.sources import source_of

REPORT_MAX_BYTES = 30 * 2**20
"""The largest report accepted: published ESG reports run to 5–20 MB with their photographs."""
RECORD_SOURCE = "extracted_reports"
RECORD_CONFIDENCE = "extracted-accepted-by-analyst"


def destination_for(actor, enterprise: Enterprise) -> str:
    """Where ``actor``'s accepted figures of ``enterprise`` go; refused unless the actor manages
    the enterprise (its disclosure) or is an analyst and the company is listed (the records)."""
    if is_government(actor):
        if not enterprise.listed:
            raise PermissionRefused(gettext_noop(
                "Analysts read the reports of listed companies only; %(enterprise)s is not "
                "listed."), enterprise=enterprise.name)
        return Destination.RECORDS
    require_manager(actor, enterprise)
    return Destination.DISCLOSURE


def _check_year(year: Any) -> int:
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = 0
    if not 2000 <= value <= timezone.now().year:
        raise CatalogueError(gettext_noop("%(year)s is not a reporting year."), year=year,
                             field="year")
    return value


def read_report(enterprise: Enterprise, year: Any, data: bytes, name: str, *,
                actor) -> ExtractionRun:
    """Keep a report PDF as evidence and read its candidates (audited). A file that is not a
    safe PDF is refused and nothing is kept; one whose text cannot be read (encrypted, damaged,
    scanned) is kept as evidence with the reason and no candidates."""
    destination = destination_for(actor, enterprise)
    year = _check_year(year)
    if len(data) > REPORT_MAX_BYTES:
        raise FileTooLarge(limit=REPORT_MAX_BYTES // 2**20)
    if not data:
        raise CatalogueError(gettext_noop("The file is empty."), field="file")
    kind = checked_file_type(data)  # refuses active content, markup, an incomplete PDF
    if kind is not PDF:
        raise CatalogueError(gettext_noop("“%(name)s” is not a PDF file."), name=name[:100],
                             field="file")
    display = safe_display_name(name, PDF)
    problem: dict[str, Any] = {}
    try:
        extraction = extract(data, year)
    except UnreadablePdf as exc:
        extraction, problem = None, {"message": exc.message, "params": exc.params,
                                     "code": exc.code}
    run = None
    try:
        with transaction.atomic():
            run = ExtractionRun(
                enterprise=enterprise, year=year, destination=destination,
                original_name=display, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                pages=extraction.pages if extraction else 0,
                state=RunState.READ if extraction else RunState.UNREADABLE, problem=problem,
                uploaded_by=actor)
            run.file.save(display, ContentFile(data), save=False)
            run.save()
            if extraction:
                Candidate.objects.bulk_create([Candidate(
                    run=run, indicator_code=c.indicator, value_number=c.value, unit=c.unit,
                    printed=c.printed[:64], unit_printed=c.unit_printed[:40],
                    prior_value=c.prior_value, page=c.page, bbox=list(c.bbox),
                    text=c.text[:500], year_basis=c.year_basis,
                    findings=[{"rule": f.rule, "severity": f.severity, "message": f.message,
                               "params": f.params} for f in c.findings],
                    conflicts=list(c.conflicts),
                ) for c in extraction.candidates])
            record(actor, "extraction.read", run, enterprise=enterprise.uscc, year=year,
                   file=display, sha256=run.sha256, size=len(data), destination=destination,
                   state=run.state, candidates=len(extraction.candidates) if extraction else 0,
                   **({"problem": problem["code"]} if problem else {}))
    except BaseException:
        if run is not None and run.file.name:
            run.file.storage.delete(run.file.name)  # nothing half-written
        raise
    return run


def _locked(candidate: Candidate, actor) -> Candidate:
    """The candidate under a row lock, its run's enterprise checked against the actor."""
    locked = Candidate.objects.select_for_update().select_related(
        "run", "run__enterprise").get(pk=candidate.pk)
    if destination_for(actor, locked.run.enterprise) != locked.run.destination:
        raise PermissionRefused()
    if locked.state != CandidateState.PENDING:
        raise StateConflict(gettext_noop(
            "This figure was already %(state)s; read the report again to review it anew."),
            state=locked.state)
    return locked


def _draft(run: ExtractionRun, actor) -> Disclosure:
    """The enterprise's draft disclosure of the run's year (started when there is none)."""
    disclosures = Disclosure.objects.filter(enterprise=run.enterprise, year=run.year)
    draft = disclosures.filter(state=State.DRAFT).order_by("-version").first()
    if draft is not None:
        return draft
    if disclosures.exists():
        raise StateConflict(gettext_noop(
            "The %(year)s disclosure is no longer a draft; start an amendment to add the "
            "report's figures."), year=run.year)
    return disclosure_actions.start_disclosure(run.enterprise, run.year, actor=actor)


def _write(candidate: Candidate, value: float, unit: str, entered: str, entered_unit: str,
           actor) -> str:
    """Write the decided figure where the run's figures go; returns what was written."""
    run = candidate.run
    indicator = load_catalogue().get(candidate.indicator_code)
    if run.destination == Destination.DISCLOSURE:
        disclosure = _draft(run, actor)
        point = disclosure_actions.set_value(
            disclosure, indicator.code, entered, entered_unit, method=Method.EXTRACTED,
            evidence=candidate.citation[:300], actor=actor)
        return f"datapoint:{point.pk}"
    coerced = coerce(indicator, entered, entered_unit)
    source = source_of(RECORD_SOURCE)
    now = timezone.now()
    held = Record.objects.select_for_update().filter(
        enterprise=run.enterprise, year=run.year, indicator_code=indicator.code, source=source,
        subject="", current=True).first()
    if held is not None:
        held.current = False
        held.save(update_fields=["current"])
    written = Record.objects.create(
        enterprise=run.enterprise, year=run.year, indicator_code=indicator.code, subject="",
        value_number=coerced.number, unit=coerced.unit, entered_value=entered[:64],
        entered_unit=entered_unit[:24], source=source,
        document=f"{run.original_name} sha256:{run.sha256}"[:300], page=candidate.page,
        retrieved_at=now, licence=source.licence, method=Method.EXTRACTED,
        confidence=RECORD_CONFIDENCE, visibility=source.visibility,
        version=(held.version + 1) if held else 1, supersedes=held,
        reason=("" if held is None else f"extracted from {run.original_name}")[:300],
        current=True, created_by=actor, created_at=now)
    records_changed.send(Record, enterprise_ids={run.enterprise_id})
    return f"record:{written.pk}"


def accept_candidate(candidate: Candidate, *, actor) -> Candidate:
    """Accept a candidate as read: its value enters the disclosure or the records (audited)."""
    with transaction.atomic():
        candidate = _locked(candidate, actor)
        if candidate.value_number is None:
            raise StateConflict(gettext_noop(
                "%(code)s has no value that could be read with its unit; correct it instead."),
                code=candidate.indicator_code)
        entered = f"{candidate.value_number:.12g}"
        candidate.written_to = _write(candidate, candidate.value_number, candidate.unit,
                                      entered, candidate.unit, actor)
        _decide(candidate, CandidateState.ACCEPTED, candidate.value_number, entered,
                candidate.unit, "", actor)
    return candidate


def correct_candidate(candidate: Candidate, value: Any, unit: str, *, note: str = "",
                      actor) -> Candidate:
    """Enter the right figure in place of a candidate's (what the page says, in its unit); it
    enters the disclosure or the records with the citation (audited)."""
    with transaction.atomic():
        candidate = _locked(candidate, actor)
        indicator = load_catalogue().get(candidate.indicator_code)
        entered, entered_unit = str(value).strip(), (unit or "").strip()
        coerced = coerce(indicator, entered, entered_unit)  # refuses a bad number or unit
        candidate.written_to = _write(candidate, coerced.number, coerced.unit, entered,
                                      entered_unit, actor)
        _decide(candidate, CandidateState.CORRECTED, coerced.number, entered, entered_unit,
                note, actor)
    return candidate


def reject_candidate(candidate: Candidate, *, note: str = "", actor) -> Candidate:
    """Reject a candidate (a wrong row, another year's figure): nothing is written (audited)."""
    with transaction.atomic():
        candidate = _locked(candidate, actor)
        _decide(candidate, CandidateState.REJECTED, None, "", "", note, actor)
    return candidate


def _decide(candidate: Candidate, state: str, value: float | None, entered: str, unit: str,
            note: str, actor) -> None:
    candidate.state = state
    candidate.final_value, candidate.final_entered, candidate.final_unit = value, entered[:64], unit[:24]
    candidate.note = (note or "").strip()[:300]
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save()
    record(actor, f"extraction.{state}", candidate.run, candidate=candidate.pk,
           indicator=candidate.indicator_code, printed=candidate.printed,
           unit_printed=candidate.unit_printed, value=value, entered=entered, unit=unit,
           page=candidate.page, sha256=candidate.run.sha256, written_to=candidate.written_to,
           **({"note": candidate.note} if candidate.note else {}))

