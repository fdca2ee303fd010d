"""Filling a disclosure: the guided form with autosave, evidence, copy-forward, submit, publish."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.access import actions as access_actions
from czesg.access.actions import note_consented_read
from czesg.access.models import Grant, Scope
from czesg.access.permissions import can_read_evidence
from czesg.accounts.permissions import can_manage_enterprise
from czesg.disclosures import actions, checks
from czesg.disclosures.models import Datapoint, Disclosure, Evidence, State, Tier
from czesg.disclosures.rows import answer_basis, row_of
from czesg.disclosures.upload import apply_upload, problem_rows, read_upload, template_bytes
from czesg.engine.catalogue import load_catalogue
from czesg.engine.catalogue.denominators import all_output_units, output_units
from czesg.engine.kernel.errors import CzesgError, StateConflict
from czesg.engine.kernel.units import label
from czesg.enterprises.models import Enterprise
from czesg.web.display import localise_params
from czesg.web.language import language
from czesg.web.pagination import page_of
from czesg.web.problems import problem_text, user_message


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _managed_disclosure(request: HttpRequest, pk: int) -> Disclosure:
    """The disclosure if the user manages its enterprise; otherwise it does not exist for them."""
    disclosure = (
        Disclosure.objects.editable_by(request.user).select_related("enterprise").filter(pk=pk).first()
    )
    if disclosure is None:
        raise Http404
    return disclosure


def _progress(disclosure: Disclosure, codes: set[str] | None = None) -> dict:
    catalogue = load_catalogue()
    tier = catalogue.for_tier(disclosure.tier)
    answered = set(disclosure.datapoints.values_list("indicator_code", flat=True))
    required = [i.code for i in tier if i.disclosure_level != "encouraged"]
    done = sum(1 for i in tier if i.code in answered)
    return {
        "answered": done,
        "total": len(tier),
        "required_answered": sum(1 for c in required if c in answered),
        "required_total": len(required),
        "percent": round(100 * done / len(tier)) if tier else 0,
    }


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The guided form of a draft: every indicator of its tier grouped by topic, with guidance."""
    disclosure = _managed_disclosure(request, pk)
    catalogue = load_catalogue()
    lang = language()
    points = {p.indicator_code: p for p in disclosure.datapoints.all()}
    evidence: dict[str, list[Evidence]] = {}
    for item in disclosure.evidence.all():
        evidence.setdefault(item.indicator_code, []).append(item)
    in_tier = {i.code for i in catalogue.for_tier(disclosure.tier)}
    near: dict[str, list] = {}
    if points:
        for finding in checks.findings_for(disclosure):
            if finding.rule != "required":
                near.setdefault(finding.indicator, []).append(finding)
    groups: OrderedDict[str, dict] = OrderedDict()
    for topic in sorted(catalogue.topics, key=lambda t: t.order):
        rows = [
            row_of(i, points.get(i.code), evidence.get(i.code, []), lang)
            for i in catalogue.indicators
            if i.topic == topic.key and (i.code in in_tier or i.code in points)
        ]
        for row in rows:
            row.findings = checks.inline_texts(near.get(row.indicator.code, []), lang)
        if rows:
            groups[topic.key] = {
                "key": topic.key,
                "name": topic.name(lang),
                "pillar": topic.pillar,
                "rows": rows,
                "answered": sum(1 for r in rows if r.point is not None),
            }
    previous_exists = Disclosure.objects.filter(
        enterprise=disclosure.enterprise, year=disclosure.year - 1, state=State.PUBLISHED
    ).exists()
    return render(
        request,
        "disclosures/edit.html",
        {
            "disclosure": disclosure,
            "groups": list(groups.values()),
            "progress": _progress(disclosure),
            "editable": disclosure.state == State.DRAFT,
            "previous_exists": previous_exists,
            "lang": lang,
        },
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Save one indicator's answer (value with unit, or not applicable), and any evidence file."""
    disclosure = _managed_disclosure(request, pk)
    catalogue = load_catalogue()
    try:
        indicator = catalogue.get(code)
    except CzesgError as exc:
        raise Http404 from exc
    error = ""
    changed = True
    raw = request.POST.get("value", "").strip()
    basis = request.POST.get("basis", "").strip()
    try:
        if request.POST.get("confirm"):
            actions.confirm_value(disclosure, code, actor=request.user)
        elif request.POST.get("na"):
            actions.mark_not_applicable(
                disclosure, code, request.POST.get("na_explanation", ""), actor=request.user
            )
        elif indicator.is_derived and output_units(code):
            changed = answer_basis(disclosure, code, raw, basis, actor=request.user,
                                    evidence=request.POST.get("evidence_ref", ""))
        elif indicator.is_derived:
            pass  # the platform computes it from its inputs; the row only takes N/A and evidence
        elif raw:
            actions.set_value(
                disclosure, code, raw, request.POST.get("unit", ""),
                evidence=request.POST.get("evidence_ref", ""), actor=request.user,
            )
        else:
            # An empty value clears the answer; with nothing to clear (a unit picked before the
            # value was typed) nothing is saved and the row keeps the unit that was picked.
            changed = actions.clear_value(disclosure, code, actor=request.user)
        upload = request.FILES.get("evidence_file")
        if upload is not None:
            actions.attach_evidence(disclosure, code, upload, actor=request.user)
            changed = True
    except CzesgError as exc:
        error = user_message(exc)
    if not _is_htmx(request):
        if error:
            messages.error(request, f"{code}: {error}")
        return redirect(reverse("disclosures:edit", args=[pk]) + f"#row-{code}")
    point = disclosure.datapoints.filter(indicator_code=code).first()
    row = row_of(indicator, point, list(disclosure.evidence.filter(indicator_code=code)), language())
    row.error = error
    row.saved = not error and changed
    row.typed_unit = request.POST.get("unit", "").strip()
    row.typed_basis = basis
    if row.basis and (point is None or point.unit != row.basis) and not error:
        row.typed_value = ""  # a denominator picked before its value: the field waits for it
    if error:
        row.typed_value = raw  # the refused input stays in the field
    else:
        row.findings = checks.inline_texts(checks.findings_near(disclosure, code), language())
    return render(
        request,
        "disclosures/_row_response.html",
        {"row": row, "disclosure": disclosure, "editable": True, "progress": _progress(disclosure)},
    )


@login_required
def start(request: HttpRequest, uscc: str) -> HttpResponse:
    """Open a draft for a reporting year (and optionally copy last year's values)."""
    enterprise = Enterprise.objects.filter(uscc=uscc.upper()).first()
    if enterprise is None or not can_manage_enterprise(request.user, enterprise):
        raise Http404
    error = ""
    existing = None
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", "0"))
        except ValueError:
            year = 0
        tier = request.POST.get("tier", Tier.BASIC)
        try:
            disclosure = actions.start_disclosure(enterprise, year, tier=tier, actor=request.user)
            if request.POST.get("copy_forward"):
                try:
                    copied = actions.copy_forward(disclosure, actor=request.user)
                    messages.success(
                        request, gettext("%(n)s values were copied from last year.") % {"n": copied}
                    )
                except StateConflict:
                    pass  # no published disclosure last year: nothing to copy, nothing to say
            return redirect("disclosures:edit", pk=disclosure.pk)
        except CzesgError as exc:
            error = user_message(exc)
            # "Already exists": point at the open (or newest) version of that year.
            existing = (Disclosure.objects.filter(enterprise=enterprise, year=year)
                        .order_by("-version").first())
    from django.utils import timezone

    this_year = timezone.now().year
    return render(
        request,
        "disclosures/start.html",
        {
            "enterprise": enterprise,
            "years": list(range(this_year - 1, this_year - 6, -1)),
            "default_tier": Tier.STANDARD if enterprise.listed else Tier.BASIC,
            "tiers": Tier.choices,
            "error": error,
            "existing": existing,
        },
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft: a confirmation page (GET), then the deletion (POST), audited."""
    disclosure = _managed_disclosure(request, pk)
    error = ""
    if request.method == "POST":
        try:
            actions.delete_draft(disclosure, actor=request.user)
            messages.success(
                request,
                gettext("The draft for %(year)s (version %(version)s) was deleted.")
                % {"year": disclosure.year, "version": disclosure.version},
            )
            return redirect("portal:dashboard")
        except CzesgError as exc:
            error = user_message(exc)
    return render(
        request, "disclosures/delete.html",
        {"disclosure": disclosure, "error": error, "points": disclosure.datapoints.count(),
         "files": disclosure.evidence.count(), "deletable": disclosure.state == State.DRAFT},
        status=409 if error else 200,
    )


@login_required
@require_POST
def copy_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy last year's published values into the unanswered indicators of a draft."""
    disclosure = _managed_disclosure(request, pk)
    try:
        n = actions.copy_forward(disclosure, actor=request.user)
        messages.success(request, gettext("%(n)s values were copied from last year.") % {"n": n})
    except CzesgError as exc:
        messages.error(request, user_message(exc))
    return redirect("disclosures:edit", pk=pk)


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Submit, withdraw, publish or amend a disclosure version."""
    disclosure = _managed_disclosure(request, pk)
    try:
        if verb == "submit":
            actions.submit_disclosure(disclosure, actor=request.user)
            messages.success(request, gettext("The disclosure was submitted."))
            return redirect("ratings:feedback", pk=pk)  # the estimated grade and next steps
        elif verb == "withdraw":
            actions.withdraw_submission(disclosure, actor=request.user)
            messages.success(request, gettext("The submission was withdrawn; the draft can be edited again."))
        elif verb == "publish":
            actions.publish_disclosure(disclosure, actor=request.user)
            messages.success(request, gettext("The disclosure is published."))
            return redirect("ratings:feedback", pk=pk)
        elif verb == "amend":
            amendment = actions.amend_disclosure(
                disclosure, request.POST.get("reason", ""), actor=request.user
            )
            messages.success(request, gettext("An amendment was opened as a new version."))
            if amendment.assurance_dropped:
                messages.warning(request, gettext(
                    "The assured mark of %(codes)s was dropped: the amendment is not what the "
                    "verifier assured.") % {"codes": ", ".join(amendment.assurance_dropped)})
            return redirect("disclosures:edit", pk=amendment.pk)
        else:
            raise Http404
    except CzesgError as exc:
        messages.error(request, user_message(exc))
        if verb == "submit":
            return redirect("disclosures:review", pk=pk)
    return redirect("portal:disclosure", pk=pk)


def _finding_text(finding) -> str:
    template = gettext(finding.message)
    try:
        return template % localise_params(finding.params)
    except (KeyError, TypeError, ValueError):
        return finding.render()


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a draft: errors to fix, warnings to acknowledge, then submit."""
    disclosure = _managed_disclosure(request, pk)
    if request.method == "POST" and disclosure.state == State.DRAFT:
        keys = request.POST.getlist("acknowledge")
        if request.POST.get("not_reported"):
            # One click publishes every required indicator still empty as "not reported".
            keys += [f.key for f in checks.findings_for(disclosure) if f.rule == "required"]
        try:
            actions.acknowledge_warnings(
                disclosure, keys, note=request.POST.get("note", ""), actor=request.user
            )
            if request.POST.get("submit"):
                actions.submit_disclosure(disclosure, actor=request.user)
                messages.success(request, gettext("The disclosure was submitted."))
                return redirect("ratings:feedback", pk=pk)
        except CzesgError as exc:
            messages.error(request, user_message(exc))
        return redirect("disclosures:review", pk=pk)
    catalogue = load_catalogue()
    lang = language()
    findings = checks.findings_for(disclosure)
    done = checks.acknowledged_keys(disclosure)

    def item(f):
        name = catalogue.get(f.indicator).name(lang) if f.indicator in catalogue else ""
        return {"finding": f, "text": _finding_text(f), "name": name,
                "acknowledged": f.key in done}

    errors = [item(f) for f in findings if f.is_error]
    warnings = [item(f) for f in findings if not f.is_error]
    missing = [w for w in warnings if w["finding"].rule == "required" and not w["acknowledged"]]
    return render(
        request,
        "disclosures/review.html",
        {
            "disclosure": disclosure,
            "errors": errors,
            "warnings": warnings,
            "pending": sum(1 for w in warnings if not w["acknowledged"]),
            "missing": len(missing),
            "progress": _progress(disclosure),
            "editable": disclosure.state == State.DRAFT,
        },
    )


@login_required
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The disclosure's Excel (or CSV, with ?format=csv) template, prefilled."""
    disclosure = _managed_disclosure(request, pk)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data = template_bytes(disclosure, fmt=fmt, language=language())
    name = f"czesg-{disclosure.enterprise.uscc}-{disclosure.year}-v{disclosure.version}.{fmt}"
    content_type = (
        "text/csv; charset=utf-8" if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


UPLOAD_MAX_BYTES = 20 * 1024 * 1024


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled template: every problem named by sheet, cell and indicator, or all saved."""
    disclosure = _managed_disclosure(request, pk)
    problems: list[dict] = []
    error = ""
    status = 200
    if request.method == "POST":
        sent = request.FILES.get("file")
        if sent is None:
            error = gettext("Choose a file to upload.")
        elif sent.size > UPLOAD_MAX_BYTES:
            error = gettext("The file is larger than %(limit)s MB.") % {"limit": UPLOAD_MAX_BYTES // 2**20}
            status = 413
        else:
            try:
                parsed = read_upload(disclosure, sent.read())
            except CzesgError as exc:  # a zip bomb or a damaged archive
                parsed = None
                error, status = user_message(exc), exc.http_status
            if parsed is not None and parsed.problems:
                problems = problem_rows(parsed, problem_text)
                status = 422
            elif parsed is not None:
                try:
                    n = apply_upload(disclosure, parsed, actor=request.user)
                    messages.success(
                        request, gettext("%(n)s values were imported from the file.") % {"n": n}
                    )
                    return redirect("disclosures:edit", pk=pk)
                except CzesgError as exc:
                    error = user_message(exc)
                    status = 409
    return render(
        request, "disclosures/upload.html",
        {"disclosure": disclosure, "problems": problems, "error": error},
        status=status,
    )


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an evidence file: only for those who may read the enterprise's evidence."""
    item = Evidence.objects.select_related("disclosure__enterprise").filter(pk=pk).first()
    if item is None or not can_read_evidence(request.user, item.disclosure.enterprise):
        raise Http404
    note_consented_read(request.user, item.disclosure.enterprise, Scope.EVIDENCE,
                        f"evidence {item.indicator_code}: {item.original_name}", "page")
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- shared with me ---------------------------------------------------------------------------
# The key figures a bank or buyer sees of each enterprise that consented to share its data.
KEY_FIGURES = ("G-GEN-01", "E-GHG-01", "E-GHG-05", "E-ENG-01", "S-EMP-01")
APPLICANTS_PER_PAGE = 50


@login_required
def applicants(request: HttpRequest) -> HttpResponse:
    """For a bank or buyer: every enterprise that granted it access, with the key figures of its
    latest *published* disclosure; a newer draft or submission is listed, labelled, only where
    the enterprise explicitly shared its unpublished versions."""
    page = page_of(request, Grant.objects.for_grantee(request.user).select_related("enterprise")
                   .order_by("enterprise__name", "pk"), APPLICANTS_PER_PAGE)
    grants = list(page)
    enterprise_ids = [g.enterprise_id for g in grants]
    shares_drafts = {g.enterprise_id for g in grants if g.share_disclosures}
    published: dict[int, Disclosure] = {}
    unpublished: dict[int, Disclosure] = {}
    for d in Disclosure.objects.filter(enterprise_id__in=enterprise_ids).order_by("year", "version"):
        if d.state == State.PUBLISHED:
            published[d.enterprise_id] = d
            unpublished.pop(d.enterprise_id, None)
        elif d.enterprise_id in shares_drafts:
            unpublished[d.enterprise_id] = d
    # The figures come from the published version; only an enterprise with nothing published
    # that shared its drafts shows the draft's figures, labelled as such.
    shown = {**{e: d for e, d in unpublished.items() if e not in published}, **published}
    figures: dict[int, dict[str, float]] = {}
    for enterprise_id, code, value in Datapoint.objects.filter(
        disclosure__in=list(shown.values()), indicator_code__in=KEY_FIGURES
    ).exclude(unit__in=all_output_units()).values_list("disclosure__enterprise_id", "indicator_code", "value_number"):
        figures.setdefault(enterprise_id, {})[code] = value
    access_actions.log_accesses(grants, request.user, "applicant overview", "page")
    rows = []
    for grant in grants:
        source = shown.get(grant.enterprise_id)
        rows.append({"grant": grant, "disclosure": published.get(grant.enterprise_id),
                     "draft": unpublished.get(grant.enterprise_id),
                     "draft_figures": source is not None and source.state != State.PUBLISHED,
                     "figures": [figures.get(grant.enterprise_id, {}).get(c) for c in KEY_FIGURES]})
    catalogue = load_catalogue()
    lang = request.LANGUAGE_CODE
    headers = [(c, catalogue.get(c).name(lang), label(catalogue.get(c).unit, lang))
               for c in KEY_FIGURES]
    return render(request, "access/applicants.html", {"rows": rows, "headers": headers, "page": page})
