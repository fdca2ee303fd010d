"""The extraction pages: upload a report, review its candidates beside the page region each was
read from, and accept, correct or reject them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.accounts.models import Role
from czesg.accounts.permissions import require_role
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.kernel.problems import fill
from czesg.enterprises.models import Enterprise
from czesg.extraction import actions, queries
from czesg.extraction.forms import CorrectionForm, ReportForm
from czesg.extraction.models import Candidate, CandidateState
from czesg.web.language import language
from czesg.web.problems import user_message

ROLES = (Role.ENTERPRISE, Role.GOVERNMENT, Role.PLATFORM_ADMIN)


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Upload a report PDF to read, and the reports read so far."""
    require_role(request.user, *ROLES)
    form = ReportForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        uscc = form.cleaned_data["uscc"].strip().upper()
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            form.add_error("uscc", gettext("No enterprise with this credit code is registered."))
        else:
            upload = form.cleaned_data["file"]
            try:
                run = actions.read_report(
                    enterprise, form.cleaned_data["year"],
                    upload.read(actions.REPORT_MAX_BYTES + 1), upload.name, actor=request.user)
            except CzesgError as exc:
                error = user_message(exc)
            else:
                return redirect("extraction:run", run.pk)
    managed = Enterprise.objects.managed_by(request.user).order_by("name")[:20] \
        if request.user.role == Role.ENTERPRISE else []
    return render(request, "extraction/reports.html", {
        "form": form, "error": error, "runs": queries.runs_for(request.user)[:50],
        "managed": managed,
    })


@login_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's review queue: each candidate beside the region of the page it was read from."""
    found = get_object_or_404(queries.runs_for(request.user), pk=pk)
    return render(request, "extraction/run.html", {
        "run": found, "rows": queries.candidate_rows(found, language()),
        "pending": CandidateState.PENDING,
        "problem": _problem(found.problem) if found.problem else "",
    })


def _problem(stored: dict) -> str:
    """A stored refusal (message and parameters) as a sentence in the active language."""
    return fill(gettext(stored.get("message", "")), stored.get("params") or {})


def _candidate(request: HttpRequest, pk: int) -> Candidate:
    return get_object_or_404(Candidate.objects.select_related("run").filter(
        run__in=queries.runs_for(request.user)), pk=pk)


@login_required
def crop(request: HttpRequest, pk: int) -> HttpResponse:
    """The rendered page region of a candidate (PNG)."""
    candidate = _candidate(request, pk)
    response = HttpResponse(queries.crop_png(candidate), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a candidate as read, then back to the queue at its row."""
    candidate = _candidate(request, pk)
    return _decided(request, candidate, lambda: actions.accept_candidate(
        candidate, actor=request.user))


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject a candidate, then back to the queue at its row."""
    candidate = _candidate(request, pk)
    return _decided(request, candidate, lambda: actions.reject_candidate(
        candidate, note=request.POST.get("note", ""), actor=request.user))


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter the right figure for a candidate, then back to the queue at its row."""
    candidate = _candidate(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter the value and its unit as the page prints them."))
        return _back(candidate)
    return _decided(request, candidate, lambda: actions.correct_candidate(
        candidate, form.cleaned_data["value"], form.cleaned_data["unit"],
        note=form.cleaned_data["note"], actor=request.user))


def _decided(request: HttpRequest, candidate: Candidate, decide) -> HttpResponse:
    try:
        decide()
    except CzesgError as exc:
        messages.error(request, user_message(exc))
    return _back(candidate)


def _back(candidate: Candidate) -> HttpResponse:
    url = reverse("extraction:run", args=[candidate.run_id])
    return redirect(f"{url}#candidate-{candidate.pk}")
