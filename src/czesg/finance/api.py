"""The green finance REST API (mounted at /api/v1/finance): products on offer, an enterprise's
eligibility for each (its managers), and the financing requests the caller may see."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from czesg.accounts.permissions import can_manage_enterprise
from czesg.engine.finance.labels import load_label_methodology
from czesg.engine.kernel.errors import NotFound
from czesg.enterprises.models import Enterprise
from czesg.finance import queries, supervision
from czesg.finance.models import FinancingRequest, Product
from czesg.web.auth import READ_AUTH
from czesg.web.language import language
from czesg.web.pagination import Pages

router = Router(tags=["finance"])
MAX_ID = 2**63 - 1


def _enterprise(uscc: str) -> Enterprise | None:
    code = uscc.strip().upper()[:18]
    if "\x00" in code:  # PostgreSQL refuses NUL in text
        return None
    return Enterprise.objects.filter(uscc=code).first()


class ProductOut(Schema):
    """A green loan product on offer, with its rules and rate discounts."""

    id: int
    bank: str
    name: str
    kind: str
    min_amount: Decimal
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    rules: list[dict]
    discounts: list[dict]

    @staticmethod
    def resolve_bank(obj: Product) -> str:
        return obj.bank_name


class VerdictOut(Schema):
    """Whether the enterprise qualifies for a product, why not, and its rate discount."""

    product: int
    eligible: bool
    reasons: list[str]
    discount_bps: int


class IdentificationOut(Schema):
    """The green identification of a request's project: catalogue category, who, when, why."""

    catalogue: str
    code: str
    green: bool
    transition_category: str
    evidence: str
    identified_by: str
    identified_role: str
    identified_at: datetime


class RequestOut(Schema):
    """A financing request and the answers the caller may see."""

    id: int
    enterprise: str
    amount: Decimal
    term_months: int
    purpose: str
    state: str
    valid_until: date
    granted_amount: Decimal | None
    granted_rate: Decimal | None
    granted_on: date | None
    green_identification: IdentificationOut | None

    @staticmethod
    def resolve_enterprise(obj: FinancingRequest) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_green_identification(obj: FinancingRequest) -> dict | None:
        found = getattr(obj, "identification", None)
        if found is None:
            return None
        return {"catalogue": found.catalogue_version, "code": found.code, "green": found.green,
                "transition_category": found.transition_category, "evidence": found.evidence,
                "identified_by": found.identified_by.username,
                "identified_role": found.identified_role, "identified_at": found.identified_at}


@router.get("/products", response=list[ProductOut], auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def products(request: HttpRequest):
    """The green loan products on offer, by bank and name."""
    return Product.objects.on_offer().order_by("bank_name", "name", "pk")


@router.get("/enterprises/{uscc}/eligibility", response=list[VerdictOut], auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def eligibility(request: HttpRequest, uscc: str, purpose: str | None = None):
    """For an enterprise's managers: its verdict on every product on offer, with the reasons it
    does not qualify (in the request's language)."""
    enterprise = _enterprise(uscc)
    if enterprise is None or not can_manage_enterprise(request.user, enterprise):
        raise NotFound()
    return [{"product": v.product.pk, "eligible": v.eligible, "reasons": v.reasons,
             "discount_bps": v.discount_bps}
            for v in queries.verdicts(enterprise, purpose=purpose or None)]


@router.get("/requests", response=list[RequestOut], auth=READ_AUTH)
@paginate(Pages, page_size=100, max_page_size=500)
def requests(request: HttpRequest):
    """The financing requests the caller may see: an enterprise's own, those sent to a bank
    under a consent in force, all for government users."""
    return queries.requests_for(request.user).select_related("identification__identified_by")


@router.get("/requests/{pk}", response=RequestOut, auth=READ_AUTH)
def request_detail(request: HttpRequest, pk: int):
    """One financing request the caller may see (404 otherwise)."""
    found = (queries.requests_for(request.user).select_related("identification__identified_by")
             .filter(pk=pk).first() if 0 < pk <= MAX_ID else None)
    if found is None:
        raise NotFound()
    return found


class LabelOut(Schema):
    """An enterprise-year's carbon-efficiency label and the three dimensions behind it."""

    uscc: str
    year: int
    label: str
    label_name: str
    score: float
    intensity: float
    peer_level: str
    peer_count: int
    position_score: float
    share: float
    share_score: float
    trend: float | None
    trend_score: float
    methodology_version: str


@router.get("/labels/{uscc}", response=LabelOut)
def carbon_label(request: HttpRequest, uscc: str):
    """An enterprise's latest carbon-efficiency label (public: it is computed from published
    disclosures), with its dimensions and methodology version; 404 when it has none."""
    enterprise = _enterprise(uscc)
    label = queries.carbon_label_of(enterprise) if enterprise is not None else None
    if label is None:
        raise NotFound()
    band = load_label_methodology(label.methodology_version).band(label.label)
    return {**{f: getattr(label, f) for f in (
        "year", "label", "score", "intensity", "peer_level", "peer_count", "position_score",
        "share", "share_score", "trend", "trend_score", "methodology_version")},
        "uscc": enterprise.uscc, "label_name": band.name(language())}


class TemperatureRowOut(Schema):
    """The portfolio's temperature in one time frame and scope."""

    time_frame: str
    scope: str
    score: float | None
    default_share: float | None
    companies: int
    left_out: int


class TemperatureOut(Schema):
    """A bank's loan book's portfolio temperature by one aggregation option."""

    method: str
    method_version: str
    year: int
    aggregation: str
    borrowers: int
    borrowers_with_targets: int
    rows: list[TemperatureRowOut]


@router.get("/temperature", response=TemperatureOut, auth=READ_AUTH)
def portfolio_temperature(request: HttpRequest, year: int | None = None,
                          aggregation: str = "WATS"):
    """For a bank: the portfolio temperature of its loan book of the year (the latest when none
    is named) by the CDP-WWF method, per time frame and scope, by one aggregation option
    (WATS, TETS, ECOTS, AOTS or ROTS); 404 for other roles or without a book."""
    from czesg.accounts.models import Role
    from czesg.finance import temperature
    from czesg.finance.models import LoanBook

    user = request.user
    if getattr(user, "role", None) != Role.BANK or aggregation not in temperature.OFFERED:
        raise NotFound()
    books = LoanBook.objects.filter(bank=user).order_by("-year")
    book = (books.filter(year=year) if year is not None else books).first()
    if book is None:
        raise NotFound()
    result = temperature.book_temperature(book, user)
    return {"method": result.method.title(language()), "method_version": result.method.version,
            "year": book.year, "aggregation": aggregation, "borrowers": result.companies,
            "borrowers_with_targets": result.with_targets, "rows": result.rows(aggregation)}


class SupervisionCellOut(Schema):
    """A group's green loans: count and amount granted (10k CNY)."""

    key: str
    name: str
    count: int
    balance: Decimal


class SupervisionOut(Schema):
    """Green finance under supervision: green loans, their breakdowns, matching of requests."""

    green_loans: int
    green_balance: Decimal
    by_declared_purpose: int
    requests: dict[str, int]
    first_offer_days_median: float | None
    first_offer_days_mean: float | None
    breakdowns: dict[str, list[SupervisionCellOut]]


@router.get("/supervision", response=SupervisionOut, auth=READ_AUTH)
def supervision_figures(request: HttpRequest):
    """For government users and financial regulators: green loans by bank, product, district and
    industry, and how requests were matched (404 for everyone else)."""
    if not supervision.may_supervise(request.user):
        raise NotFound()
    found = supervision.supervision(language())
    return {"green_loans": found.green_count, "green_balance": found.green_balance,
            "by_declared_purpose": found.by_declared_purpose, "requests": found.requests,
            "first_offer_days_median": found.first_offer_days_median,
            "first_offer_days_mean": found.first_offer_days_mean,
            "breakdowns": {by: [{"key": c.key, "name": c.name, "count": c.count,
                                 "balance": c.balance} for c in cells]
                           for by, cells in found.breakdowns.items()}}
