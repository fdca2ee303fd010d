"""The assurance pages: the work list, the register of firms, the enterprise's invitation, the
engagement page (each role's steps) and the statement PDF in Chinese and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from czesg.accounts.models import Role, User
from czesg.accounts.permissions import can_manage_enterprise, is_government
from czesg.assurance import actions, queries
from czesg.assurance.forms import ConcludeForm, InviteForm
from czesg.assurance.models import (
    AssuranceFirm,
    Engagement,
    EngagementState,
    Finding,
    FindingKind,
    ProcedureKind,
)
from czesg.disclosures.models import DatapointStatus, Disclosure, State
from czesg.engine.assurance.criteria import load_criteria
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CzesgError
from czesg.enterprises.models import Enterprise
from czesg.reports.downloads import pdf_download
from czesg.reports.pdf import render_pdf
from czesg.web.language import language
from czesg.web.problems import user_message


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """The engagements the user takes part in: a verifier's work list, an enterprise's
    engagements, every engagement for government users."""
    engagements = list(queries.work_list(request.user)[:200])
    return render(request, "assurance/work.html", {
        "engagements": engagements, "firm": actions.firm_of(request.user),
    })


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The register of assurance firms active in the city; government users register firms,
    add their verifiers and record consulting relationships (the independence check) here."""
    error = ""
    if request.method == "POST":
        if not is_government(request.user):
            raise Http404
        try:
            _register_step(request)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("assurance:register")
    return render(request, "assurance/register.html", {
        "firms": queries.firm_register(), "error": error,
        "government": is_government(request.user),
        "verifiers": User.objects.filter(role=Role.VERIFIER, assurance_membership__isnull=True)
        .order_by("username") if is_government(request.user) else [],
    })


def _register_step(request: HttpRequest) -> None:
    post = request.POST
    verb = post.get("verb", "")
    if verb == "firm":
        try:
            declared = dt.date.fromisoformat(post.get("declared_at", ""))
        except ValueError as exc:
            raise actions.CatalogueError(actions.gettext_noop("Give the date as YYYY-MM-DD."),
                                         field="declared_at") from exc
        actions.register_firm(name=post.get("name", ""), name_en=post.get("name_en", ""),
                              accreditation=post.get("accreditation", ""),
                              independence_declaration=post.get("independence_declaration", ""),
                              declared_at=declared, actor=request.user)
        return
    firm = AssuranceFirm.objects.filter(pk=post.get("firm") or 0).first()
    if firm is None:
        raise actions.CatalogueError(actions.gettext_noop("Choose the firm."), field="firm")
    if verb == "verifier":
        user = User.objects.filter(pk=post.get("user") or 0).first()
        if user is None:
            raise actions.CatalogueError(actions.gettext_noop("Choose the verifier."),
                                         field="user")
        actions.add_verifier(firm, user, actor=request.user)
    elif verb == "consulting":
        enterprise = Enterprise.objects.filter(uscc=post.get("uscc", "").strip().upper()).first()
        if enterprise is None:
            raise actions.CatalogueError(actions.gettext_noop("No enterprise has this credit "
                                                              "code."), field="uscc")
        try:
            year = int(post.get("year", ""))
        except ValueError as exc:
            raise actions.CatalogueError(actions.gettext_noop("Give the year."),
                                         field="year") from exc
        actions.record_consulting(firm, enterprise, year, post.get("description", ""),
                                  actor=request.user)
    else:
        raise Http404


@login_required
def invite(request: HttpRequest, disclosure_pk: int) -> HttpResponse:
    """The enterprise picks a firm from the directory and the indicators to assure."""
    disclosure = (Disclosure.objects.editable_by(request.user).select_related("enterprise")
                  .filter(pk=disclosure_pk, state=State.PUBLISHED).first())
    if disclosure is None:
        raise Http404
    lang = language()
    catalogue = load_catalogue()
    codes = [(p.indicator_code, f"{p.indicator_code} {catalogue.get(p.indicator_code).name(lang)}")
             for p in disclosure.datapoints.filter(status=DatapointStatus.REPORTED)
             if p.indicator_code in catalogue]
    form = InviteForm(request.POST or None, codes=codes, lang=lang)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            engagement = actions.invite_firm(
                disclosure, data["firm"], scope=data["scope"], level=data["level"],
                criteria=data["criteria"], materiality=data["materiality"],
                starts_on=data["starts_on"], ends_on=data["ends_on"], actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("The firm was invited; its verifiers may read the "
                                              "disclosure and evidence until the statement is due."))
            return redirect("assurance:engagement", pk=engagement.pk)
    return render(request, "assurance/invite.html",
                  {"disclosure": disclosure, "form": form, "error": error})


def _engagement(request: HttpRequest, pk: int) -> Engagement:
    engagement = (Engagement.objects.visible_to(request.user)
                  .select_related("enterprise", "firm", "disclosure", "lead", "reviewer")
                  .filter(pk=pk).first())
    if engagement is None:
        raise Http404
    return engagement


def _roles(user, engagement: Engagement) -> dict[str, bool]:
    firm = actions.firm_of(user)
    verifier = firm is not None and firm.pk == engagement.firm_id
    return {
        "verifier": verifier,
        "lead": verifier and engagement.lead_id == user.pk,
        "reviewer": verifier and engagement.reviewer_id == user.pk,
        "manager": can_manage_enterprise(user, engagement.enterprise),
        "government": is_government(user),
    }


@login_required
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    """One engagement: its terms, each in-scope value with provenance, evidence, sample,
    procedures and findings, and the steps the user may take now."""
    item = _engagement(request, pk)
    roles = _roles(request.user, item)
    lang = language()
    catalogue = load_catalogue()
    # The firm sees the values once it has accepted; the enterprise and government always.
    show_rows = not roles["verifier"] or item.state in (*actions.WORKING, EngagementState.SIGNED)
    rows = queries.engagement_rows(item, request.user) if show_rows else []
    for row in rows:
        row["name"] = catalogue.get(row["code"]).name(lang) if row["code"] in catalogue else ""
    criteria = load_criteria().items
    return render(request, "assurance/engagement.html", {
        "e": item, "roles": roles, "rows": rows, "lang": lang,
        "criteria": [criteria[k].zh if lang.startswith("zh") else criteria[k].en
                     for k in item.criteria.get("items", []) if k in criteria],
        "colleagues": queries.firm_colleagues(request.user) if roles["verifier"] else [],
        "procedure_kinds": ProcedureKind.choices, "finding_kinds": FindingKind.choices,
        "conclude_form": ConcludeForm(), "rule": queries.sampling_rule(),
        "latest": Disclosure.objects.latest_published(
            year=item.year, enterprises=[item.enterprise_id]).first(),
    })


def _finding(item: Engagement, request: HttpRequest) -> Finding:
    finding = item.findings.filter(pk=request.POST.get("finding") or 0).first()
    if finding is None:
        raise Http404
    return finding


def _amount(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise actions.CatalogueError(
            actions.gettext_noop("“%(value)s” is not a number."), value=text[:40],
            field="amount") from exc


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the engagement, by the verb posted (each an action with its own checks)."""
    item = _engagement(request, pk)
    verb = request.POST.get("verb", "")
    post = request.POST
    user = request.user
    steps: dict[str, Any] = {
        "accept": lambda: actions.accept_engagement(item, actor=user),
        "decline": lambda: actions.decline_engagement(item, post.get("reason", ""), actor=user),
        "sample_risk": lambda: actions.choose_sample(item, actor=user),
        "sample_own": lambda: actions.choose_sample(item, post.getlist("codes"), actor=user),
        "reviewer": lambda: actions.assign_reviewer(
            item, User.objects.filter(pk=post.get("reviewer") or 0, role=Role.VERIFIER).first()
            or user, actor=user),
        "procedure": lambda: actions.record_procedure(
            item, post.get("code", ""), post.get("kind", ""), post.get("note", ""), actor=user),
        "finding": lambda: actions.raise_finding(
            item, post.get("code", ""), post.get("kind", ""), post.get("description", ""),
            amount=_amount(post.get("amount", "")), actor=user),
        "respond": lambda: actions.respond_to_finding(
            _finding(item, request), post.get("response", ""), actor=user),
        "corrected": lambda: actions.correct_by_amendment(_finding(item, request), actor=user),
        "close": lambda: actions.close_finding(_finding(item, request), actor=user),
        "conclude": lambda: actions.conclude_engagement(
            item, post.get("conclusion", ""), post.get("basis", ""), actor=user),
        "sign": lambda: actions.sign_statement(item, actor=user),
    }
    if verb not in steps:
        raise Http404
    try:
        steps[verb]()
    except CzesgError as exc:
        messages.error(request, user_message(exc))
    else:
        messages.success(request, gettext("Saved."))
    return redirect("assurance:engagement", pk=item.pk)


STATEMENT_LANGS = {"zh": "zh-hans", "en": "en"}


def statement(request: HttpRequest, pk: int, lang: str) -> HttpResponse:
    """The signed statement as PDF, in Chinese (``zh``) or English (``en``); a signed statement
    is public, like the published values it covers."""
    item = (Engagement.objects.filter(pk=pk, state=EngagementState.SIGNED)
            .select_related("enterprise", "firm", "disclosure", "lead", "reviewer").first())
    if lang not in STATEMENT_LANGS or item is None:
        raise Http404
    return pdf_download(statement_pdf(item, STATEMENT_LANGS[lang]),
                        f"assurance-statement-{item.reference}-{lang}")


def statement_pdf(item: Engagement, lang: str) -> bytes:
    """The statement with the standard's required elements, rendered in ``lang``."""
    catalogue = load_catalogue()
    criteria = load_criteria()
    zh = lang.startswith("zh")
    with translation.override(lang):
        points = {p.indicator_code: p for p in item.disclosure.datapoints.filter(
            indicator_code__in=item.scope)}
        values = [{"code": code, "name": catalogue.get(code).name(lang)
                   if code in catalogue else code,
                   "value": points[code].display_value if code in points else "—",
                   "unit": points[code].unit if code in points else ""}
                  for code in item.scope]
        procedures: dict[str, int] = {}
        for kind in item.procedures.values_list("kind", flat=True):
            label = str(ProcedureKind(kind).label)
            procedures[label] = procedures.get(label, 0) + 1
        context = {
            "e": item, "values": values, "procedures": sorted(procedures.items()),
            "criteria": [criteria.items[k].zh if zh else criteria.items[k].en
                         for k in item.criteria.get("items", []) if k in criteria.items],
            "standard": criteria.standard_zh if zh else criteria.standard_en,
            "international": criteria.international,
            "enterprise_name": item.enterprise.name if zh else (
                item.enterprise.name_en or item.enterprise.name),
            "firm_name": item.firm.name if zh else (item.firm.name_en or item.firm.name),
            "findings": item.findings.count(),
            "generated": timezone.now(),
            "signed_on": timezone.localtime(item.signed_at).date() if item.signed_at else None,
        }
        return render_pdf("assurance/statement_pdf.html", context)
