"""The supply-chain REST API (mounted at /api/v1/supplychain): a buyer's requests to its
suppliers (list, send, each supplier's status), its supplier scorecards and the footprints
it imports from its PACT partners, scoped to the
buyer's managers exactly as the pages are (the same actions and reads; every read of shared
answers is logged for the supplier)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise
from czesg.engine.kernel.errors import NotFound
from czesg.enterprises.models import Enterprise
from czesg.supplychain import actions, imports
from czesg.supplychain.models import ImportedFootprint, RequestState, SupplierRequest
from czesg.supplychain.scorecards import Scorecard, scorecards
from czesg.web.auth import READ_AUTH, WRITE_AUTH
from czesg.web.pagination import Pages

router = Router(tags=["supplychain"])
MAX_ID = 2**63 - 1


def _buyer(request: HttpRequest, uscc: str) -> Enterprise:
    """The enterprise if the caller manages it (or administers the platform), as the pages
    decide; otherwise it does not exist for the caller (404)."""
    code = uscc.strip().upper()
    enterprise = (Enterprise.objects.filter(uscc=code).first()
                  if len(code) <= 18 and "\x00" not in code else None)
    user = request.user
    if enterprise is None or not (
            user.role == Role.PLATFORM_ADMIN or can_manage_enterprise(user, enterprise)):
        raise NotFound()
    return enterprise


class AskedSupplierIn(Schema):
    """A supplier asked: its credit code, an e-mail to invite it when unregistered, its tier."""

    uscc: str = Field(max_length=40)
    email: str = Field("", max_length=254)
    tier: int = 1


class SupplierRequestIn(Schema):
    """A request to send: questionnaire, title, year, indicators, products, suppliers, due date."""

    template: str = Field(max_length=40)
    title: str = Field(max_length=200)
    year: int = Field(ge=1990, le=2100)
    indicators: list[str] = Field(max_length=200)
    suppliers: list[AskedSupplierIn] = Field(max_length=1000)
    products: list[str] = Field(default_factory=list, max_length=200)
    due_date: date
    include_scores: bool = True
    message: str = Field("", max_length=4000)


class SupplierRequestOut(Schema):
    """A buyer's request and how many suppliers were asked, shared and declined."""

    id: int
    template: str
    title: str
    year: int
    indicators: list[str]
    products: list[str]
    include_scores: bool
    due_date: date
    created_at: datetime
    asked: int
    shared: int
    declined: int


class SupplierStatusOut(Schema):
    """One supplier asked by a request: its status, tier, reminders and reason for declining."""

    id: int
    uscc: str
    supplier: str | None
    registered: bool
    tier: int
    state: str
    overdue: bool
    answered_at: datetime | None
    decline_reason: str
    reminders: int
    last_reminded_on: date | None


class SharedAnswerOut(Schema):
    """One shared answer: the indicator, its value in the canonical unit, basis and assurance."""

    indicator: str
    value_number: float | None
    value_bool: bool | None
    unit: str
    basis: str
    assurance: str


class SharedFootprintOut(Schema):
    """A supplier's product footprint shared with the buyer (kgCO2e per declared unit)."""

    id: str
    product: str
    declared_unit: str
    year: int
    version: int
    pcf: float


class SupplierScorecardOut(Schema):
    """One supplier's scorecard: shared answers, rating, green score, footprints and score."""

    supplier: str
    name: str
    tier: int
    request: int
    answered_at: datetime | None
    answers: list[SharedAnswerOut]
    assured: int
    grade: str
    rating_score: float | None
    green_score: float | None
    green_label: str
    footprints: list[SharedFootprintOut]
    score: float | None
    missing: list[str]
    weighting: str


def _requests_of(buyer: Enterprise):
    """The buyer's requests, newest first, with their counts (as the requests page lists them)."""
    return (SupplierRequest.objects.filter(buyer=buyer).order_by("-created_at", "-id")
            .annotate(asked=Count("recipients"),
                      shared=Count("recipients", filter=Q(recipients__state=RequestState.SHARED)),
                      declined=Count("recipients",
                                     filter=Q(recipients__state=RequestState.DECLINED))))


@router.get("/buyers/{uscc}/requests", response=list[SupplierRequestOut], auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def buyer_requests(request: HttpRequest, uscc: str):
    """The requests the buyer sent to its suppliers, newest first (its managers)."""
    return _requests_of(_buyer(request, uscc))


@router.post("/buyers/{uscc}/requests", response={201: SupplierRequestOut}, auth=WRITE_AUTH)
def send_request(request: HttpRequest, uscc: str, body: SupplierRequestIn):
    """Send a request to suppliers (registered, or invited by credit code and e-mail); a
    refusal is a problem document naming the field (nothing is stored)."""
    buyer = _buyer(request, uscc)
    sent = actions.send_request(
        buyer, template=body.template, title=body.title, year=body.year,
        indicators=body.indicators, suppliers=[s.model_dump() for s in body.suppliers],
        products=body.products, due_date=body.due_date, include_scores=body.include_scores,
        message=body.message, actor=request.user)
    return Status(201, _requests_of(buyer).get(pk=sent.pk))


@router.get("/buyers/{uscc}/requests/{request_id}", response=SupplierRequestOut, auth=READ_AUTH)
def buyer_request(request: HttpRequest, uscc: str, request_id: int):
    """One of the buyer's requests (404 when not the buyer's)."""
    buyer = _buyer(request, uscc)
    found = (_requests_of(buyer).filter(pk=request_id).first()
             if 0 < request_id <= MAX_ID else None)
    if found is None:
        raise NotFound()
    return found


@router.get("/buyers/{uscc}/requests/{request_id}/suppliers", response=list[SupplierStatusOut],
            auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def request_suppliers(request: HttpRequest, uscc: str, request_id: int):
    """Each supplier's status on one of the buyer's requests, by tier and credit code."""
    buyer = _buyer(request, uscc)
    sent = (SupplierRequest.objects.filter(buyer=buyer, pk=request_id).first()
            if 0 < request_id <= MAX_ID else None)
    if sent is None:
        raise NotFound()
    today = timezone.localdate()
    return [{"id": r.pk, "uscc": r.uscc, "supplier": r.supplier.name if r.supplier else None,
             "registered": r.supplier_id is not None, "tier": r.tier, "state": r.state,
             "overdue": r.state == RequestState.OPEN and sent.due_date < today,
             "answered_at": r.answered_at, "decline_reason": r.decline_reason,
             "reminders": r.reminders, "last_reminded_on": r.last_reminded_on}
            for r in sent.recipients.select_related("supplier").order_by("tier", "uscc")]


def _card_out(card: Scorecard, weighting: str) -> dict:
    """A scorecard as :class:`SupplierScorecardOut` writes it."""
    result = card.result
    return {
        "supplier": card.supplier.uscc, "name": card.supplier.name, "tier": card.tier,
        "request": card.recipient.request_id, "answered_at": card.recipient.answered_at,
        "answers": [{"indicator": a.indicator_code, "value_number": a.value_number,
                     "value_bool": a.value_bool, "unit": a.unit, "basis": a.basis,
                     "assurance": a.assurance} for a in card.answers],
        "assured": len(card.assured), "grade": card.grade, "rating_score": card.rating_score,
        "green_score": card.green_score, "green_label": card.green_label,
        "footprints": [{"id": str(fp.pk), "product": fp.product.name,
                        "declared_unit": fp.product.declared_unit, "year": fp.year,
                        "version": fp.version, "pcf": fp.pcf} for fp in card.footprints],
        "score": result.score if result else None,
        "missing": list(result.missing) if result else [], "weighting": weighting,
    }


@router.get("/buyers/{uscc}/scorecards", response=list[SupplierScorecardOut], auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def buyer_scorecards(request: HttpRequest, uscc: str):
    """The buyer's supplier scorecards, best score first, by its weighting (its managers); each
    supplier sees this read in its log of reads."""
    buyer = _buyer(request, uscc)
    cards, weighting = scorecards(buyer)
    actions.note_reads([c.recipient for c in cards], request.user, "scorecard", "api")
    return [_card_out(card, weighting.version) for card in cards]


class PartnerFootprintOut(Schema):
    """A footprint imported from a PACT partner, with its provenance."""

    id: str
    spec_version: str
    partner: str
    fetched_at: datetime
    company_name: str
    company_ids: list[str]
    product_name: str
    declared_unit: str
    pcf: float


class RefusedOut(Schema):
    """A partner's footprint not imported, and why (schema error, incompatible declared unit)."""

    id: str
    reason: str
    detail: list[str]


class FetchOut(Schema):
    """What one fetch from a partner imported and refused."""

    imported: list[PartnerFootprintOut]
    refused: list[RefusedOut]


def _imported_out(f: ImportedFootprint) -> dict:
    """An imported footprint as :class:`PartnerFootprintOut` writes it."""
    return {"id": f.pact_id, "spec_version": f.spec_version, "partner": f.partner.name,
            "fetched_at": f.fetched_at, "company_name": f.company_name,
            "company_ids": f.company_ids, "product_name": f.product_name,
            "declared_unit": f.declared_unit, "pcf": f.pcf}


@router.post("/buyers/{uscc}/partners/{partner_id}/fetch", response=FetchOut, auth=WRITE_AUTH)
def fetch_partner_footprints(request: HttpRequest, uscc: str, partner_id: int):
    """Fetch a registered partner's footprints into the buyer's scorecard: the valid ones
    stored, the refused ones named; a failed call is a problem document (nothing stored)."""
    buyer = _buyer(request, uscc)
    if not 0 < partner_id <= MAX_ID:
        raise NotFound()
    result = imports.import_partner_footprints(buyer, partner_id, actor=request.user)
    return {"imported": [_imported_out(f) for f in result.imported],
            "refused": [{"id": r.pact_id, "reason": r.reason, "detail": r.detail}
                        for r in result.refused]}
