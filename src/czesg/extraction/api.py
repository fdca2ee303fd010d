"""The extraction REST API (mounted at /api/v1/extraction): upload a report PDF, list the reports
read and their candidates with citations, and accept, correct or reject a candidate. Scoped to
the caller exactly as the pages are (``ExtractionRun.objects.visible_to``), and every change goes
through the same actions (:mod:`czesg.extraction.actions`), audited."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from czesg.engine.kernel.errors import NotFound
from czesg.engine.kernel.problems import fill
from czesg.enterprises.models import Enterprise
from czesg.extraction import actions, queries
from czesg.extraction.models import Candidate, ExtractionRun
from czesg.web.auth import READ_AUTH, WRITE_AUTH
from czesg.web.display import localise_params

router = Router(tags=["extraction"])


class ExtractionFindingOut(Schema):
    """A check of a candidate: its rule, severity and sentence in the caller's language."""

    rule: str
    severity: str
    message: str


class ExtractionCandidateOut(Schema):
    """A figure read from the report, with its citation and checks, and the decision on it."""

    id: int
    indicator: str
    value: float | None = Field(description="In the indicator's canonical unit; null when the "
                                "printed unit could not be read or converted (see findings).")
    unit: str
    printed: str = Field(description="The number as printed.")
    unit_printed: str
    prior_value: float | None = None
    page: int = Field(description="The page it was printed on (1 = the first).")
    bbox: list[float] = Field(description="x0, top, x1, bottom in points from the page's top "
                              "left.")
    text: str = Field(description="The exact text of the line it was read from.")
    year_basis: str = Field(description="column, text, or assumed (the reporting year).")
    findings: list[ExtractionFindingOut]
    conflicts: list[int] = Field(description="Pages printing another value for the indicator.")
    state: str = Field(description="pending, accepted, corrected or rejected.")
    final_value: float | None = None
    final_unit: str = ""
    note: str = ""
    written_to: str = ""


class ExtractionRunOut(Schema):
    """A report read for one enterprise and year, kept as evidence with its hash."""

    id: int
    enterprise: str = Field(description="The enterprise's unified social credit code.")
    year: int
    destination: str = Field(description="disclosure (the enterprise's own draft) or records "
                             "(an analyst's reading of a listed company).")
    file_name: str
    sha256: str
    size: int
    pages: int
    state: str = Field(description="read, or unreadable (encrypted, damaged, scanned).")
    problem: str = Field(description="Why the text could not be read (empty when it was).")
    uploaded_at: datetime
    candidates: int


class ExtractionRunDetailOut(ExtractionRunOut):
    """A report read, with every candidate."""

    items: list[ExtractionCandidateOut]


class ExtractionCorrectionIn(Schema):
    """The right figure, as the page prints it, and why."""

    value: str = Field(max_length=64)
    unit: str = Field(max_length=24)
    note: str = Field(default="", max_length=300)


class ExtractionRejectionIn(Schema):
    """Why a candidate is rejected."""

    note: str = Field(default="", max_length=300)


def _run_out(run: ExtractionRun, count: int) -> dict:
    problem = run.problem or {}
    return {
        "id": run.pk, "enterprise": run.enterprise.uscc, "year": run.year,
        "destination": run.destination, "file_name": run.original_name, "sha256": run.sha256,
        "size": run.size, "pages": run.pages, "state": run.state,
        "problem": fill(gettext(problem["message"]), problem.get("params") or {})
        if problem.get("message") else "",
        "uploaded_at": run.uploaded_at, "candidates": count,
    }


def _candidate_out(candidate: Candidate) -> dict:
    return {
        "id": candidate.pk, "indicator": candidate.indicator_code,
        "value": candidate.value_number, "unit": candidate.unit, "printed": candidate.printed,
        "unit_printed": candidate.unit_printed, "prior_value": candidate.prior_value,
        "page": candidate.page, "bbox": list(candidate.bbox), "text": candidate.text,
        "year_basis": candidate.year_basis,
        "findings": [{"rule": f.get("rule", ""), "severity": f.get("severity", ""),
                      "message": fill(gettext(f.get("message", "")),
                                      localise_params(f.get("params") or {}))}
                     for f in candidate.findings],
        "conflicts": list(candidate.conflicts), "state": candidate.state,
        "final_value": candidate.final_value, "final_unit": candidate.final_unit,
        "note": candidate.note, "written_to": candidate.written_to,
    }


def _detail(run: ExtractionRun) -> dict:
    items = [_candidate_out(c) for c in run.candidates.order_by("id")]
    return {**_run_out(run, len(items)), "items": items}


def _visible_run(request: HttpRequest, pk: int) -> ExtractionRun:
    run = queries.runs_for(request.user).select_related("enterprise").filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return run


def _visible_candidate(request: HttpRequest, pk: int) -> Candidate:
    candidate = Candidate.objects.select_related("run", "run__enterprise").filter(
        run__in=queries.runs_for(request.user), pk=pk).first()
    if candidate is None:
        raise NotFound()
    return candidate


@router.post("/reports", response={201: ExtractionRunDetailOut}, auth=WRITE_AUTH,
             operation_id="czesg_api_v1_extraction_upload")
def upload(request: HttpRequest, uscc: Form[str], year: Form[int],
           file: File[UploadedFile]):
    """Read a report PDF (multipart: ``uscc``, ``year``, ``file``) for an enterprise the caller
    manages, or, for an analyst, any listed company; the file is kept as evidence with its hash.
    Nothing is written to a disclosure or the records until a candidate is accepted."""
    code = uscc.strip().upper()
    enterprise = Enterprise.objects.filter(uscc=code).first() if "\x00" not in code else None
    if enterprise is None:
        raise NotFound()
    run = actions.read_report(enterprise, year, file.read(actions.REPORT_MAX_BYTES + 1),
                              file.name or "report.pdf", actor=request.user)
    return Status(201, _detail(run))


@router.get("/reports", response=list[ExtractionRunOut], auth=READ_AUTH,
            operation_id="czesg_api_v1_extraction_reports")
def reports(request: HttpRequest):
    """The reports the caller may see (the latest 100), newest first."""
    from django.db.models import Count

    runs = queries.runs_for(request.user).select_related("enterprise").annotate(
        n=Count("candidates"))[:100]
    return [_run_out(run, run.n) for run in runs]


@router.get("/reports/{report_id}", response=ExtractionRunDetailOut, auth=READ_AUTH,
            operation_id="czesg_api_v1_extraction_report")
def report(request: HttpRequest, report_id: int):
    """A report read and its candidates, each with its citation (page, box, exact text)."""
    return _detail(_visible_run(request, report_id))


@router.post("/candidates/{candidate_id}/accept", response=ExtractionCandidateOut, auth=WRITE_AUTH,
             operation_id="czesg_api_v1_extraction_accept")
def accept(request: HttpRequest, candidate_id: int):
    """Accept a candidate as read: it enters the draft disclosure or the records."""
    return _candidate_out(actions.accept_candidate(_visible_candidate(request, candidate_id),
                                                   actor=request.user))


@router.post("/candidates/{candidate_id}/correct", response=ExtractionCandidateOut, auth=WRITE_AUTH,
             operation_id="czesg_api_v1_extraction_correct")
def correct(request: HttpRequest, candidate_id: int, body: ExtractionCorrectionIn):
    """Enter the right figure for a candidate (value and unit as the page prints them)."""
    return _candidate_out(actions.correct_candidate(
        _visible_candidate(request, candidate_id), body.value, body.unit, note=body.note,
        actor=request.user))


@router.post("/candidates/{candidate_id}/reject", response=ExtractionCandidateOut, auth=WRITE_AUTH,
             operation_id="czesg_api_v1_extraction_reject")
def reject(request: HttpRequest, candidate_id: int, body: ExtractionRejectionIn):
    """Reject a candidate; nothing is written."""
    return _candidate_out(actions.reject_candidate(_visible_candidate(request, candidate_id),
                                                   note=body.note, actor=request.user))
