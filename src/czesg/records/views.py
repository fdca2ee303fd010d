"""The government records pages: the older CSV import of government records, the record sources
with their imports, a source's page that reads a file (at once, or in the background when large)
and one import's refused rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from czesg.accounts.permissions import require_government
from czesg.engine import rating as engine
from czesg.engine.kernel.errors import CzesgError
from czesg.records import accounts, actions, queries, uploads
from czesg.records.adapters import adapter_named, adapters_for
from czesg.records.forms import AccountTableForm, RecordFileForm
from czesg.records.models import GovernmentRecord, SourceKind
from czesg.records.running import run_import
from czesg.records.sources import source_of
from czesg.web.problems import problem_text, user_message


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """Import government records from a CSV file (government and platform administrators)."""
    require_government(request.user)
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = gettext("Choose a CSV file.")
        else:
            try:
                result = actions.import_records_csv(
                    upload.read(), actor=request.user, source=request.POST.get("source", ""))
            except CzesgError as exc:
                error = user_message(exc)
    recent = GovernmentRecord.objects.select_related("enterprise").order_by("-imported_at", "-id")
    return render(request, "records/import.html", {
        "result": result, "error": error, "recent": recent[:50],
        "problems": [{"row": p.row, "column": p.column, "uscc": p.uscc,
                      "message": problem_text(p)}
                     for p in (result.problems if result else [])],
        "kinds": [(k.value, k.label) for k in actions.RecordKind],
        "certifications": actions.CERTIFICATIONS,
        "grades": engine.TAX_CREDIT_GRADES, "colours": engine.ENV_CREDIT_COLOURS,
    })


# --------------------------------------------------------------------------------------------
# Record sources: their imports, and reading a file of one


def _summary_context(summary) -> dict:
    return {"summary": summary, "summary_problems": [
        {"row": p.row, "column": p.column, "uscc": p.uscc, "message": problem_text(p)}
        for p in summary.problems]}


@login_required
def sources(request: HttpRequest) -> HttpResponse:
    """Every record source with its last import and counts (government users)."""
    require_government(request.user)
    return render(request, "records/sources.html",
                  {"rows": queries.source_rows(request.user), "english": _english()})


def _english() -> bool:
    from czesg.web.language import language

    return not language().startswith("zh")


@login_required
def source(request: HttpRequest, code: str) -> HttpResponse:
    """A source's imports and uploads, and the form that reads a file of it (government)."""
    require_government(request.user)
    try:
        record_source = source_of(code)
    except CzesgError as exc:
        raise Http404(user_message(exc)) from None
    context: dict = {"error": ""}
    form = RecordFileForm(source=record_source)
    accounts_form = AccountTableForm()
    if request.method == "POST":
        form = RecordFileForm(request.POST, request.FILES, source=record_source)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                if len(data) > uploads.SYNC_LIMIT:
                    uploads.queue_record_file(form.cleaned_data["adapter"], data, upload.name,
                                              source=record_source, actor=request.user)
                    return redirect("records:source", code=code)
                context.update(_summary_context(run_import(
                    adapter_named(form.cleaned_data["adapter"]), data, upload.name,
                    source=record_source, actor=request.user)))
            except CzesgError as exc:
                context["error"] = user_message(exc)
    return _source_page(request, record_source, form, accounts_form, context)


def _source_page(request, record_source, form, accounts_form, context) -> HttpResponse:
    imports = (queries.imports_visible_to(request.user).filter(source=record_source)
               .select_related("imported_by")[:50])
    active = (queries.uploads_visible_to(request.user).filter(source=record_source)
              .defer("data").select_related("requested_by", "result")[:20])
    return render(request, "records/source.html", {
        "source": record_source, "form": form, "accounts_form": accounts_form,
        "imports": imports, "uploads": active, "english": _english(),
        "is_utility": record_source.kind == SourceKind.UTILITY,
        "adapters": adapters_for(record_source.kind, record_source.code), **context})


@login_required
def link_accounts(request: HttpRequest, code: str) -> HttpResponse:
    """Load a utility's account table from the source's page (government users)."""
    require_government(request.user)
    try:
        record_source = source_of(code)
    except CzesgError as exc:
        raise Http404(user_message(exc)) from None
    if request.method != "POST":
        return redirect("records:source", code=code)
    context: dict = {"error": ""}
    accounts_form = AccountTableForm(request.POST, request.FILES)
    if accounts_form.is_valid():
        upload = accounts_form.cleaned_data["file"]
        try:
            context.update(_summary_context(accounts.link_accounts(
                upload.read(), upload.name, source=record_source, actor=request.user)))
        except CzesgError as exc:
            context["error"] = user_message(exc)
    return _source_page(request, record_source, RecordFileForm(source=record_source),
                        accounts_form, context)


@login_required
def record_import(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its counts, who ran it and when, and every refused row with its reason."""
    require_government(request.user)
    found = get_object_or_404(
        queries.imports_visible_to(request.user).select_related("source", "imported_by"), pk=pk)
    return render(request, "records/import_detail.html", {
        "log": found, "problems": queries.problem_rows(found.problems), "english": _english()})


@login_required
def upload_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One background upload's table row (polled by htmx while it waits or runs)."""
    require_government(request.user)
    found = get_object_or_404(queries.uploads_visible_to(request.user).defer("data")
                              .select_related("requested_by", "result"), pk=pk)
    return render(request, "records/_upload.html", {"upload": found})
