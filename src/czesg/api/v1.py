"""REST API v1: indicators, enterprises and disclosures, scoped to the signed-in actor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from czesg.disclosures import actions
from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from czesg.engine.errors import CzesgError, NotFound
from czesg.enterprises.models import Enterprise
from czesg.problems import problem, status_of

api = NinjaAPI(
    title="czesg API",
    version="1",
    urls_namespace="api-v1",
    description="Changzhou ESG data service platform: open API, version 1.",
)


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


class EnterpriseOut(Schema):
    uscc: str
    name: str
    name_en: str
    industry_code: str
    division_code: str
    park_key: str
    size_class: str
    listed: bool
    exchange: str
    stock_code: str
    state_owned: bool
    is_synthetic: bool


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


class DisclosureOut(Schema):
    id: int
    enterprise: str
    year: int
    version: int
    state: str
    tier: str
    catalogue_version: str
    amends: int | None
    amendment_reason: str
    submitted_at: datetime | None
    published_at: datetime | None


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
    points = disclosure.datapoints.select_related("entered_by").order_by("indicator_code")
    return {**_disclosure_out(disclosure), "datapoints": [_datapoint_out(p) for p in points]}


@api.put(
    "/disclosures/{pk}/datapoints/{code}", response=DatapointOut, auth=django_auth,
    tags=["disclosures"],
)
def put_datapoint(request: HttpRequest, pk: int, code: str, body: ValueIn):
    """Set one value on a draft the caller manages (typed by the caller)."""
    disclosure = _visible_disclosure(request, pk)
    point = actions.set_value(
        disclosure, code, body.value, body.unit, evidence=body.evidence, actor=request.user
    )
    return _datapoint_out(point)


@api.post("/disclosures/{pk}/submit", response=DisclosureOut, auth=django_auth, tags=["disclosures"])
def submit(request: HttpRequest, pk: int):
    """Submit a draft the caller manages."""
    return _disclosure_out(actions.submit_disclosure(_visible_disclosure(request, pk), actor=request.user))


@api.post("/disclosures/{pk}/publish", response=DisclosureOut, auth=django_auth, tags=["disclosures"])
def publish(request: HttpRequest, pk: int):
    """Publish a submitted version the caller manages."""
    return _disclosure_out(actions.publish_disclosure(_visible_disclosure(request, pk), actor=request.user))
