"""The pages of buyers' requests and supplier scorecards.

A buyer's managers send requests and follow each supplier's status, read the scorecards and the
portfolio (every read of shared answers is logged for the supplier), export them to Excel and
keep their own weighting. A supplier's managers see the requests addressed to them (invitations
by credit code included), answer pre-filled from their disclosure and records under consent,
decline with a reason, or withdraw their consent, and see who read their answers.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from czesg.engine import procurement
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CzesgError
from czesg.reports.downloads import xlsx_response
from czesg.supplychain import actions, exports, imports
from czesg.supplychain.forms import DeclineForm, RequestForm, WeightingForm
from czesg.supplychain.models import (
    FootprintState,
    ImportedFootprint,
    PactPartner,
    Product,
    RequestRecipient,
    RequestState,
    SupplierRequest,
    SupplierWeighting,
)
from czesg.supplychain.queries import prefill
from czesg.supplychain.scorecards import answer_rows, portfolio, scorecards, weighting_of
from czesg.supplychain.views import _enterprise as managed_enterprise
from czesg.web.language import language
from czesg.web.problems import user_message

SPLIT = re.compile(r"[,，;；\s]+")


def _indicator_choices(lang: str) -> list[tuple[str, str]]:
    """Every indicator of the questionnaire templates, as ``(code, name (unit))``."""
    catalogue = load_catalogue()
    codes = dict.fromkeys(code for q in procurement.load_questionnaires().values()
                          for code in q.indicators)
    return [(code, f"{catalogue.get(code).name(lang)} ({code})") for code in codes]


def _suppliers(text: str) -> list[dict[str, Any]]:
    """The supplier lines of the form: credit code, then an e-mail and a tier in any order."""
    rows = []
    for line in text.splitlines():
        parts = [p for p in SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        row: dict[str, Any] = {"uscc": parts[0], "email": "", "tier": 1}
        for part in parts[1:]:
            if "@" in part:
                row["email"] = part
            else:
                row["tier"] = part
        rows.append(row)
    return rows


@login_required
def supplier_requests(request: HttpRequest, uscc: str) -> HttpResponse:
    """A buyer's requests to its suppliers, with the form to send a new one."""
    buyer = managed_enterprise(request, uscc)
    lang = language()
    templates = procurement.load_questionnaires()
    chosen = request.GET.get("template", "")
    if chosen not in templates:
        chosen = next((k for k, q in templates.items() if q.suits(buyer.industry_code)),
                      "general")
    form = RequestForm(request.POST or None, initial={
        "template": chosen, "indicators": list(templates[chosen].indicators),
        "year": timezone.localdate().year - 1, "include_scores": True})
    form.fields["template"].choices = [(k, q.name(lang)) for k, q in templates.items()]
    form.fields["indicators"].choices = _indicator_choices(lang)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = actions.send_request(
                buyer, template=data["template"], title=data["title"], year=data["year"],
                indicators=data["indicators"], suppliers=_suppliers(data["suppliers"]),
                products=data["products"].splitlines(), due_date=data["due_date"],
                include_scores=data["include_scores"], message=data["message"],
                actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("The request is sent to %(count)s suppliers.")
                             % {"count": sent.recipients.count()})
            return redirect("supplychain:supplier_request", buyer.uscc, sent.pk)
    sent_requests = (SupplierRequest.objects.filter(buyer=buyer).order_by("-created_at", "-id")
                     .annotate(asked=Count("recipients"),
                               shared=Count("recipients", filter=Q(
                                   recipients__state=RequestState.SHARED)),
                               declined=Count("recipients", filter=Q(
                                   recipients__state=RequestState.DECLINED))))
    return render(request, "supplychain/supplier_requests.html", {
        "enterprise": buyer, "form": form, "error": error, "requests": sent_requests,
        "templates": [(k, q.name(lang)) for k, q in templates.items()], "chosen": chosen,
        "template_source": templates[chosen].provenance,
    })


@login_required
def supplier_request(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """One request of the buyer: each supplier's status, reminders and reason for declining."""
    buyer = managed_enterprise(request, uscc)
    sent = SupplierRequest.objects.filter(buyer=buyer, pk=pk).first()
    if sent is None:
        raise Http404
    catalogue = load_catalogue()
    return render(request, "supplychain/supplier_request.html", {
        "enterprise": buyer, "sent": sent, "today": timezone.localdate(),
        "recipients": sent.recipients.select_related("supplier").order_by("tier", "uscc"),
        "indicators": [(c, catalogue.get(c).name(language())) for c in sent.indicators],
    })


@login_required
def buyer_requests(request: HttpRequest, uscc: str) -> HttpResponse:
    """The requests buyers addressed to the enterprise (invitations by its code included)."""
    supplier = managed_enterprise(request, uscc)
    rows = (RequestRecipient.objects.addressed_to(supplier)
            .select_related("request__buyer").order_by("-request__created_at", "-id"))
    return render(request, "supplychain/buyer_requests.html", {
        "enterprise": supplier, "rows": rows, "today": timezone.localdate()})


def _answer_fields(recipient: RequestRecipient, supplier, post) -> list[dict[str, Any]]:
    """The asked indicators with their pre-filled (or posted) answer and its basis."""
    catalogue = load_catalogue()
    lang = language()
    known = prefill(supplier, recipient.request.year, recipient.request.indicators)
    fields = []
    for code in recipient.request.indicators:
        indicator = catalogue.get(code)
        held = known.get(code)
        shown = ""
        if held is not None:
            value = held["value"]
            shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        if post is not None:
            shown = post.get(f"answer-{code}", "")
        fields.append({"code": code, "name": indicator.name(lang), "unit": indicator.unit,
                       "boolean": indicator.data_type == "boolean", "value": shown,
                       "held": held})
    return fields


@login_required
def buyer_request(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """A request addressed to the enterprise: answer (pre-filled) and consent, or decline; once
    shared, withdraw the consent and see every read of the answers."""
    supplier = managed_enterprise(request, uscc)
    recipient = (RequestRecipient.objects.addressed_to(supplier)
                 .select_related("request__buyer").filter(pk=pk).first())
    if recipient is None:
        raise Http404
    post = request.POST if request.method == "POST" else None
    decline_form = DeclineForm(post if post is not None and "decline" in post else None)
    error = ""
    try:
        if post is not None and "answer" in post:
            actions.answer_request(
                recipient.pk, supplier, actor=request.user, consent=post.get("consent") == "on",
                answers={c: post.get(f"answer-{c}", "") for c in recipient.request.indicators},
                products={name: post.get(f"product-{i}", "")
                          for i, name in enumerate(recipient.request.products)})
            messages.success(request, gettext("Your answers are shared with %(buyer)s.")
                             % {"buyer": recipient.request.buyer.name})
            return redirect("supplychain:buyer_request", supplier.uscc, recipient.pk)
        if post is not None and "decline" in post and decline_form.is_valid():
            actions.decline_request(recipient.pk, supplier, actor=request.user,
                                    reason=decline_form.cleaned_data["reason"])
            messages.success(request, gettext("You declined the request."))
            return redirect("supplychain:buyer_request", supplier.uscc, recipient.pk)
        if post is not None and "withdraw" in post:
            actions.withdraw_request_consent(recipient.pk, supplier, actor=request.user)
            messages.success(request, gettext("Your consent is withdrawn."))
            return redirect("supplychain:buyer_request", supplier.uscc, recipient.pk)
    except CzesgError as exc:
        error = user_message(exc)
    own_products = list(Product.objects.filter(
        enterprise=supplier, footprints__state=FootprintState.ACTIVE).distinct().order_by("name"))
    chosen_products = [post.get(f"product-{i}", "") if post is not None else ""
                       for i, _ in enumerate(recipient.request.products)]
    catalogue = load_catalogue()
    return render(request, "supplychain/buyer_request.html", {
        "enterprise": supplier, "recipient": recipient, "asked": recipient.request,
        "error": error, "decline_form": decline_form, "open": recipient.state == RequestState.OPEN,
        "fields": _answer_fields(recipient, supplier, post) if recipient.state
        == RequestState.OPEN else [],
        "products": [(i, name, chosen_products[i])
                     for i, name in enumerate(recipient.request.products)],
        "own_products": own_products,
        "consent_checked": post is not None and post.get("consent") == "on",
        "answers": [(a, catalogue.get(a.indicator_code).name(language()))
                    for a in recipient.answers.all()],
        "shared_footprints": recipient.footprint_consents.select_related("product"),
        "reads": recipient.reads.select_related("user")[:100],
    })


def _import_from_partner(request: HttpRequest, buyer) -> None:
    """Fetch the chosen partner's footprints and say what was imported and what refused."""
    try:
        result = imports.import_partner_footprints(
            buyer, int(request.POST.get("partner", "0") or 0), actor=request.user)
    except (CzesgError, ValueError, OverflowError) as exc:
        messages.error(request, user_message(exc) if isinstance(exc, CzesgError)
                       else gettext("Choose one of your PACT partners."))
        return
    messages.success(request, gettext("%(count)s footprints imported.")
                     % {"count": len(result.imported)})
    for refused in result.refused:
        if refused.reason == "incompatible declared unit":
            why = gettext("its declared unit “%(unit)s” is not one footprints are compared in") \
                % {"unit": ", ".join(refused.detail)}
        else:
            why = gettext("it does not follow the PACT v3 data model (%(errors)s)") \
                % {"errors": "; ".join(refused.detail)}
        messages.warning(request, gettext("Footprint %(id)s is not imported: %(why)s")
                         % {"id": refused.pact_id or "?", "why": why})


@login_required
def supplier_scorecards(request: HttpRequest, uscc: str) -> HttpResponse:
    """The buyer's supplier scorecards, the portfolio and the weighting used (reads logged),
    with the footprints imported from its PACT partners and a form to fetch them."""
    buyer = managed_enterprise(request, uscc)
    if request.method == "POST" and "import" in request.POST:
        _import_from_partner(request, buyer)
        return redirect("supplychain:scorecards", buyer.uscc)
    cards, weighting = scorecards(buyer)
    actions.note_reads([c.recipient for c in cards], request.user, "scorecard", "page")
    return render(request, "supplychain/scorecards.html", {
        "enterprise": buyer, "cards": cards, "weighting": weighting,
        "portfolio": portfolio(buyer, cards), "answers": answer_rows(cards, language()),
        "component_names": exports.component_names(),
        "partners": PactPartner.objects.filter(enterprise=buyer, revoked_at__isnull=True),
        "imported": ImportedFootprint.objects.filter(buyer=buyer).select_related("partner"),
    })


@login_required
def scorecards_export(request: HttpRequest, uscc: str) -> HttpResponse:
    """The scorecards, shared answers, footprints and portfolio as an Excel workbook."""
    buyer = managed_enterprise(request, uscc)
    cards, weighting = scorecards(buyer)
    actions.note_reads([c.recipient for c in cards], request.user, "scorecard export", "export")
    data = exports.scorecards_workbook(buyer, cards, weighting, portfolio(buyer, cards))
    return xlsx_response(data, f"supplier-scorecards-{buyer.uscc}")


@login_required
def weighting(request: HttpRequest, uscc: str) -> HttpResponse:
    """The buyer's weighting of the supplier score: its versions and a form for a new one."""
    buyer = managed_enterprise(request, uscc)
    current, _ = weighting_of(buyer)
    form = WeightingForm(request.POST or None, initial=dict(current.weights))
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_weighting(
                buyer, {k: data[k] for k in procurement.COMPONENTS}, note=data["note"],
                actor=request.user)
        except CzesgError as exc:
            error = user_message(exc)
        else:
            messages.success(request, gettext("Weighting version %(version)s is saved.")
                             % {"version": saved.version})
            return redirect("supplychain:scorecards", buyer.uscc)
    return render(request, "supplychain/weighting.html", {
        "enterprise": buyer, "form": form, "error": error, "current": current,
        "versions": SupplierWeighting.objects.filter(buyer=buyer).select_related("created_by"),
        "default": procurement.default_weighting(),
        "component_names": exports.component_names(),
    })

