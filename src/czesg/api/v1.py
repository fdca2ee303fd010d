"""REST API v1: indicators, enterprises and disclosures, scoped to the signed-in actor."""


from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import get_language, gettext
from ninja import Field, NinjaAPI, Query, Schema
from ninja import errors as ninja_errors
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import SessionAuth
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from czesg.access.actions import note_consented_read
from czesg.api.schemas import DisclosureOut, EnterpriseOut, ProfileOut
from czesg.disclosures import actions
from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CzesgError, NotFound
from czesg.enterprises.models import Enterprise
from czesg.problems import problem, status_of

api = NinjaAPI(
    title="czesg API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Changzhou ESG data service platform: open API, version 1. Published data is open to "
        "everybody; sign in (session) or send 'Authorization: Bearer <token>' to read what your "
        "account may read, including data enterprises have consented to share with you. Errors "
        "are RFC 7807 problem documents."
    ),
    throttle=[
        throttle
        for throttle, rate in (
            (AnonRateThrottle, settings.CZESG_API_RATE_ANON),
            (AuthRateThrottle, settings.CZESG_API_RATE_USER),
        )
        if rate != "off"
        for throttle in [throttle(rate)]
    ],
)


class Pages(PageNumberPagination):
    """Page-number pagination with bounded numbers, so that no page offset can overflow the
    database's integers (found by schemathesis)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


def token_write(request: HttpRequest):
    """Authenticates a write made with a bearer token that carries the write scope."""
    token = getattr(request, "api_token", None)
    if token is not None and "write" in token.scopes:
        return token
    return None


def token_read(request: HttpRequest):
    """Authenticates a request made with any valid bearer token."""
    return getattr(request, "api_token", None)


class SessionOnly(SessionAuth):
    """Cookie sessions (with CSRF); never a request that came with a bearer token, so that a
    token's scopes cannot be bypassed through the session fallback."""

    def authenticate(self, request: HttpRequest, key):
        if getattr(request, "api_token", None) is not None:
            return None
        return super().authenticate(request, key)


session_auth = SessionOnly()
WRITE_AUTH = [token_write, session_auth]


def _problem_response(request: HttpRequest, body: dict, status: int):
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(ninja_errors.ValidationError)
def _invalid_request(request: HttpRequest, exc: ninja_errors.ValidationError):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
         "location": str(e.get("loc", ("",))[0]), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": ""}
    return _problem_response(request, {
        "type": "https://czesg.org/problems/request_invalid", "title": "request invalid",
        "status": 422, "code": "request_invalid", "instance": request.path,
        "detail": gettext("The request is invalid: %(field)s: %(message)s")
        % {"field": first["field"], "message": first["message"]},
        "field": first["field"], "errors": errors,
    }, 422)


@api.exception_handler(ninja_errors.AuthenticationError)
def _unauthenticated(request: HttpRequest, exc):
    return _problem_response(request, {
        "type": "https://czesg.org/problems/not_authenticated", "title": "not authenticated",
        "status": 401, "code": "not_authenticated", "instance": request.path,
        "detail": gettext("Sign in, or send an API token with the needed scope."),
    }, 401)


@api.exception_handler(ninja_errors.Throttled)
def _throttled(request: HttpRequest, exc):
    response = _problem_response(request, {
        "type": "https://czesg.org/problems/rate_limited", "title": "rate limited",
        "status": 429, "code": "rate_limited", "instance": request.path,
        "detail": gettext("Too many requests; try again in a moment."),
    }, 429)
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(CzesgError)
def _refusal(request: HttpRequest, exc: CzesgError):
    body = problem(exc, instance=request.path)
    response = api.create_response(request, body, status=status_of(exc))
    response["Content-Type"] = "application/problem+json"
    return response


class IndicatorOut(Schema):
    code: str
    pillar: str
    topic: str
    name: str
    name_zh: str
    name_en: str
    data_type: str
    unit: str
    disclosure_level: str
    tier: str




class DatapointOut(Schema):
    indicator: str
    status: str
    value: Any
    unit: str
    entered_value: str
    entered_unit: str
    na_explanation: str
    method: str
    evidence: str
    entered_by: str | None
    entered_at: datetime
    assurance: str




class DisclosureDetailOut(DisclosureOut):
    datapoints: list[DatapointOut]


class ValueIn(Schema):
    value: Any
    unit: str = ""
    evidence: str = ""


def _disclosure_out(d: Disclosure) -> dict[str, Any]:
    return {
        "id": d.pk, "enterprise": d.enterprise.uscc, "year": d.year, "version": d.version,
        "state": d.state, "tier": d.tier, "catalogue_version": d.catalogue_version,
        "amends": d.amends_id, "amendment_reason": d.amendment_reason,
        "submitted_at": d.submitted_at, "published_at": d.published_at,
    }


def _datapoint_out(p) -> dict[str, Any]:
    value: Any
    if p.value_number is not None:
        value = p.value_number
    elif p.value_bool is not None:
        value = p.value_bool
    else:
        value = p.value_choice or p.value_text or None
    return {
        "indicator": p.indicator_code, "status": p.status, "value": value, "unit": p.unit,
        "entered_value": p.entered_value, "entered_unit": p.entered_unit,
        "na_explanation": p.na_explanation, "method": p.method, "evidence": p.evidence_ref,
        "entered_by": p.entered_by.username if p.entered_by else None,
        "entered_at": p.entered_at, "assurance": p.assurance,
    }


def _visible_disclosure(request: HttpRequest, pk: int) -> Disclosure:
    disclosure = (
        Disclosure.objects.visible_to(request.user).select_related("enterprise").filter(pk=pk).first()
    )
    if disclosure is None:
        raise NotFound()
    return disclosure


@api.get("/indicators", response=list[IndicatorOut], tags=["catalogue"])
def list_indicators(request: HttpRequest, tier: str | None = None):
    """The indicator catalogue, optionally only one tier's set."""
    catalogue = load_catalogue()
    chosen = catalogue.for_tier(tier) if tier else catalogue.indicators
    lang = get_language() or "zh-hans"
    return [
        {
            "code": i.code, "pillar": i.pillar, "topic": i.topic, "name": i.name(lang),
            "name_zh": i.name_zh, "name_en": i.name_en, "data_type": i.data_type,
            "unit": i.unit, "disclosure_level": i.disclosure_level, "tier": i.tier,
        }
        for i in chosen
    ]


class EnterpriseFilter(Schema):
    q: str | None = None
    industry: str | None = None
    district: str | None = None
    park: str | None = None
    listed: bool | None = None


@api.get("/enterprises", response=list[EnterpriseOut], tags=["enterprises"])
@paginate(Pages, page_size=50, max_page_size=500)
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseFilter]):
    """The registry, filtered by name or code, industry (prefix), district, park and listing."""
    rows = Enterprise.objects.visible_to(request.user).order_by("uscc")
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(uscc=filters.q.upper()))
    if filters.industry:
        rows = rows.filter(industry_code__startswith=filters.industry.upper())
    if filters.district:
        rows = rows.filter(division_code=filters.district)
    if filters.park:
        rows = rows.filter(park_key=filters.park)
    if filters.listed is not None:
        rows = rows.filter(listed=filters.listed)
    return rows


@api.get("/enterprises/{uscc}", response=EnterpriseOut, tags=["enterprises"])
def get_enterprise(request: HttpRequest, uscc: str):
    """An enterprise's registry entry (public facts)."""
    enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise NotFound()
    return enterprise


@api.get("/enterprises/{uscc}/disclosures", response=list[DisclosureOut], tags=["disclosures"])
def list_enterprise_disclosures(request: HttpRequest, uscc: str):
    """The disclosure versions of an enterprise that the caller may see."""
    rows = (
        Disclosure.objects.visible_to(request.user)
        .filter(enterprise__uscc=uscc.upper())
        .select_related("enterprise")
        .order_by("-year", "-version")
    )
    return [_disclosure_out(d) for d in rows]


@api.get("/disclosures/{pk}", response=DisclosureDetailOut, tags=["disclosures"])
def get_disclosure(request: HttpRequest, pk: int):
    """A disclosure version with every datapoint and its provenance."""
    disclosure = _visible_disclosure(request, pk)
    if disclosure.state != "published":
        note_consented_read(request.user, disclosure.enterprise, "disclosures",
                            f"disclosure {disclosure.year} v{disclosure.version}", "api")
    points = disclosure.datapoints.select_related("entered_by").order_by("indicator_code")
    return {**_disclosure_out(disclosure), "datapoints": [_datapoint_out(p) for p in points]}


@api.put(
    "/disclosures/{pk}/datapoints/{code}", response=DatapointOut, auth=WRITE_AUTH,
    tags=["disclosures"],
)
def put_datapoint(request: HttpRequest, pk: int, code: str, body: ValueIn):
    """Set one value on a draft the caller manages (typed by the caller)."""
    disclosure = _visible_disclosure(request, pk)
    point = actions.set_value(
        disclosure, code, body.value, body.unit, evidence=body.evidence, actor=request.user
    )
    return _datapoint_out(point)


@api.post("/disclosures/{pk}/submit", response=DisclosureOut, auth=WRITE_AUTH, tags=["disclosures"])
def submit(request: HttpRequest, pk: int):
    """Submit a draft the caller manages."""
    return _disclosure_out(actions.submit_disclosure(_visible_disclosure(request, pk), actor=request.user))


@api.post("/disclosures/{pk}/publish", response=DisclosureOut, auth=WRITE_AUTH, tags=["disclosures"])
def publish(request: HttpRequest, pk: int):
    """Publish a submitted version the caller manages."""
    return _disclosure_out(actions.publish_disclosure(_visible_disclosure(request, pk), actor=request.user))


class DatapointRowOut(Schema):
    uscc: str
    year: int
    version: int
    indicator: str
    status: str
    value: Any
    unit: str
    method: str
    assurance: str


class DatapointFilter(Schema):
    indicator: str | None = None
    year: int | None = None
    uscc: str | None = None


@api.get("/datapoints", response=list[DatapointRowOut], tags=["disclosures"])
@paginate(Pages, page_size=200, max_page_size=1000)
def list_datapoints(request: HttpRequest, filters: Query[DatapointFilter]):
    """Published values of the latest version of each disclosure, filtered."""
    from czesg.disclosures.models import Datapoint

    rows = Datapoint.objects.filter(disclosure__state="published").select_related(
        "disclosure__enterprise"
    )
    if filters.indicator:
        rows = rows.filter(indicator_code=filters.indicator)
    if filters.year:
        rows = rows.filter(disclosure__year=filters.year)
    if filters.uscc:
        rows = rows.filter(disclosure__enterprise__uscc=filters.uscc.upper())
    return [
        {"uscc": p.disclosure.enterprise.uscc, "year": p.disclosure.year,
         "version": p.disclosure.version, "indicator": p.indicator_code, "status": p.status,
         "value": _datapoint_out(p)["value"], "unit": p.unit, "method": p.method,
         "assurance": p.assurance}
        for p in rows.order_by("disclosure__enterprise__uscc", "disclosure__year", "indicator_code")
    ]


class GrantOut(Schema):
    enterprise: str
    enterprise_name: str
    scopes: list[str]
    valid_until: str
    purpose: str


@api.get("/consents", response=list[GrantOut], auth=[token_read, session_auth], tags=["consent"])
def my_consents(request: HttpRequest):
    """The enterprises that currently let the caller read their non-public data."""
    from czesg.access.models import Grant

    return [
        {"enterprise": g.enterprise.uscc, "enterprise_name": g.enterprise.name,
         "scopes": g.scopes, "valid_until": g.valid_until.isoformat(), "purpose": g.purpose}
        for g in Grant.objects.for_grantee(request.user).select_related("enterprise")
    ]






# Clients and proxies may keep a public profile this many seconds.
PROFILE_MAX_AGE = 60


@api.get("/enterprises/{uscc}/profile", response=ProfileOut, tags=["enterprises"])
def enterprise_profile(request: HttpRequest, uscc: str):
    """An enterprise's public profile: registry facts and its headline figures by year, taken
    from the latest published version of each year's disclosure, current as soon as a
    disclosure is published."""
    from django.http import HttpResponse

    from czesg.portal.profiles import stored_profile

    body = stored_profile(uscc.upper())
    if body is None:
        raise NotFound()
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = f"public, max-age={PROFILE_MAX_AGE}"
    return response


# Routers of the other bounded contexts, mounted last (they import this module's auth).
from czesg.carbon.api import router as carbon_router  # noqa: E402
from czesg.ratings.api import router as ratings_router  # noqa: E402

api.add_router("/carbon", carbon_router)
api.add_router("/ratings", ratings_router)
