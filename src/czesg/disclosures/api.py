"""The disclosures' REST API (mounted at /api/v1/ by :mod:`czesg.api`): the indicator catalogue,
disclosure versions with their datapoints, writes to drafts, and the published values."""

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from czesg.access.actions import note_consented_read
from czesg.access.models import Scope
from czesg.disclosures import actions
from czesg.disclosures.models import Datapoint, Disclosure, State
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import NotFound
from czesg.web.auth import WRITE_AUTH
from czesg.web.language import language
from czesg.web.pagination import KeysetPages, rendered_page
from czesg.web.ratelimit import costs, per_rows

router = Router()


# Schemas carry no docstring: pydantic would publish it as their description in the schema.
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


class AssuranceOut(Schema):
    """Whether an independent verifier assured the value: the level (``none``, ``limited`` or
    ``reasonable``) and, when assured, the engagement's reference, the firm and the sign-off date."""

    level: str
    engagement: str | None = None
    firm: str | None = None
    date: str | None = None


def _assurance(p: Datapoint) -> dict[str, Any]:
    detail = p.assurance_detail or {}
    return {"level": p.assurance, "engagement": detail.get("reference"),
            "firm": detail.get("firm"), "date": detail.get("date")}


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
    assurance: AssuranceOut


class DisclosureDetailOut(DisclosureOut):
    datapoints: list[DatapointOut]


class ValueIn(Schema):
    value: Any
    unit: str = ""
    evidence: str = ""


class DatapointRowOut(Schema):
    uscc: str
    year: int
    version: int
    indicator: str
    status: str
    value: Any
    unit: str
    method: str
    assurance: AssuranceOut

    @staticmethod
    def resolve_value(obj: Datapoint) -> Any:
        return _value(obj)

    @staticmethod
    def resolve_assurance(obj: Datapoint) -> dict[str, Any]:
        return _assurance(obj)


class DatapointFilter(Schema):
    indicator: str | None = None
    year: int | None = None
    uscc: str | None = None


def _disclosure_out(d: Disclosure) -> dict[str, Any]:
    return {
        "id": d.pk, "enterprise": d.enterprise.uscc, "year": d.year, "version": d.version,
        "state": d.state, "tier": d.tier, "catalogue_version": d.catalogue_version,
        "amends": d.amends_id, "amendment_reason": d.amendment_reason,
        "submitted_at": d.submitted_at, "published_at": d.published_at,
    }


def _value(p: Datapoint) -> Any:
    """The value of a datapoint in its own type: number, yes/no, choice key or text."""
    if p.value_number is not None:
        return p.value_number
    if p.value_bool is not None:
        return p.value_bool
    return p.value_choice or p.value_text or None


def _datapoint_out(p) -> dict[str, Any]:
    return {
        "indicator": p.indicator_code, "status": p.status, "value": _value(p), "unit": p.unit,
        "entered_value": p.entered_value, "entered_unit": p.entered_unit,
        "na_explanation": p.na_explanation, "method": p.method, "evidence": p.evidence_ref,
        "entered_by": p.entered_by.username if p.entered_by else None,
        "entered_at": p.entered_at, "assurance": _assurance(p),
    }


def _visible_disclosure(request: HttpRequest, pk: int) -> Disclosure:
    disclosure = (
        Disclosure.objects.visible_to(request.user).select_related("enterprise").filter(pk=pk).first()
    )
    if disclosure is None:
        raise NotFound()
    return disclosure


# The operation ids are part of the published contract: they keep the names they had when these
# endpoints were defined in ``czesg.api.v1``.
@router.get("/indicators", response=list[IndicatorOut], tags=["catalogue"],
            operation_id="czesg_api_v1_list_indicators")
def list_indicators(request: HttpRequest, tier: str | None = None):
    """The indicator catalogue, optionally only one tier's set."""
    catalogue = load_catalogue()
    chosen = catalogue.for_tier(tier) if tier else catalogue.indicators
    lang = language()
    return [
        {
            "code": i.code, "pillar": i.pillar, "topic": i.topic, "name": i.name(lang),
            "name_zh": i.name_zh, "name_en": i.name_en, "data_type": i.data_type,
            "unit": i.unit, "disclosure_level": i.disclosure_level, "tier": i.tier,
        }
        for i in chosen
    ]


@router.get("/enterprises/{uscc}/disclosures", response=list[DisclosureOut], tags=["disclosures"],
            operation_id="czesg_api_v1_list_enterprise_disclosures")
def list_enterprise_disclosures(request: HttpRequest, uscc: str):
    """The disclosure versions of an enterprise that the caller may see."""
    rows = (
        Disclosure.objects.visible_to(request.user)
        .filter(enterprise__uscc=uscc.upper())
        .select_related("enterprise")
        .order_by("-year", "-version")
    )
    return [_disclosure_out(d) for d in rows]


@router.get("/disclosures/{pk}", response=DisclosureDetailOut, tags=["disclosures"],
            operation_id="czesg_api_v1_get_disclosure")
def get_disclosure(request: HttpRequest, pk: int):
    """A disclosure version with every datapoint and its provenance."""
    disclosure = _visible_disclosure(request, pk)
    if disclosure.state != State.PUBLISHED:
        note_consented_read(request.user, disclosure.enterprise, Scope.DISCLOSURES,
                            f"disclosure {disclosure.year} v{disclosure.version}", "api")
    points = disclosure.datapoints.select_related("entered_by").order_by("indicator_code")
    return {**_disclosure_out(disclosure), "datapoints": [_datapoint_out(p) for p in points]}


@router.put(
    "/disclosures/{pk}/datapoints/{code}", response=DatapointOut, auth=WRITE_AUTH,
    tags=["disclosures"], operation_id="czesg_api_v1_put_datapoint",
)
def put_datapoint(request: HttpRequest, pk: int, code: str, body: ValueIn):
    """Set one value on a draft the caller manages (typed by the caller)."""
    disclosure = _visible_disclosure(request, pk)
    point = actions.set_value(
        disclosure, code, body.value, body.unit, evidence=body.evidence, actor=request.user
    )
    return _datapoint_out(point)


@router.post("/disclosures/{pk}/submit", response=DisclosureOut, auth=WRITE_AUTH,
             tags=["disclosures"], operation_id="czesg_api_v1_submit")
def submit(request: HttpRequest, pk: int):
    """Submit a draft the caller manages."""
    return _disclosure_out(actions.submit_disclosure(_visible_disclosure(request, pk), actor=request.user))


@router.post("/disclosures/{pk}/publish", response=DisclosureOut, auth=WRITE_AUTH,
             tags=["disclosures"], operation_id="czesg_api_v1_publish")
def publish(request: HttpRequest, pk: int):
    """Publish a submitted version the caller manages."""
    return _disclosure_out(actions.publish_disclosure(_visible_disclosure(request, pk), actor=request.user))


def _from_disclosure(key: list[Any]) -> RawSQL:
    """The cursor's start on the joined disclosure table too: without it PostgreSQL may merge
    the datapoints from the cursor on with the disclosures from the first one on, a scan that
    grows with the depth (Django writes ``disclosure__pk`` as the datapoint's own column).

    On PostgreSQL the start is a one-row subquery, ``id >= (SELECT n)``: the index scan still
    starts there, but the planner estimates it with its default fraction instead of counting
    the same range twice (once on each side of the join). Counted twice, the rows expected
    after a cursor near the end of the list fell below a page, and the planner joined and
    sorted every row after it instead of reading one page in key order."""
    column = f"{connection.ops.quote_name(Disclosure._meta.db_table)}.{connection.ops.quote_name('id')}"
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} >= (SELECT %s::bigint)", (key[0],), output_field=BooleanField())
    return RawSQL(f"{column} >= %s", (key[0],), output_field=BooleanField())


# The published row's fields, read as plain values (a page of model instances validated one by
# one through the schema cost several times the query; `czesg bench --only load`).
_ROW_FIELDS = ("disclosure_id", "indicator_code", "uscc", "year", "version", "status",
               "value_number", "value_bool", "value_choice", "value_text", "unit", "method",
               "assurance", "assurance_detail")


def _row_out(row: dict[str, Any]) -> dict[str, Any]:
    """A published datapoint row as :class:`DatapointRowOut` writes it."""
    if row["value_number"] is not None:
        value = row["value_number"]
    elif row["value_bool"] is not None:
        value = row["value_bool"]
    else:
        value = row["value_choice"] or row["value_text"] or None
    detail = row["assurance_detail"] or {}
    return {
        "uscc": row["uscc"], "year": row["year"], "version": row["version"],
        "indicator": row["indicator_code"], "status": row["status"], "value": value,
        "unit": row["unit"], "method": row["method"],
        "assurance": {"level": row["assurance"], "engagement": detail.get("reference"),
                      "firm": detail.get("firm"), "date": detail.get("date")},
    }


@router.get("/datapoints", response=list[DatapointRowOut], tags=["disclosures"],
            operation_id="czesg_api_v1_list_datapoints")
@rendered_page(_row_out)
@paginate(KeysetPages, keys=("disclosure_id", "indicator_code"), salt="datapoints",
          bound=_from_disclosure, page_size=200, max_page_size=1000)
@costs(per_rows(20, default=200))  # 1 per 20 rows: a page of 100 costs 5
def list_datapoints(request: HttpRequest, filters: Query[DatapointFilter]):
    """Published values, filtered, in pages that follow each other by cursor.

    The rows are ordered by disclosure version (in the order they were created) and indicator
    code. Each answer holds `items` and `next`, the URL of the following page (null on the last
    one); follow it as it is, with the same filters, until it is null. There is no total count
    (counting every published value on each page would cost more than the page itself; the
    open-data files give the totals per year), and page numbers are refused (422). A page costs
    the same however deep it is: it starts where the previous one ended, in an index."""
    # A query set, so that the pagination filters and slices in the database; the row's own
    # fields come as annotations (no related object is loaded per row).
    rows = Datapoint.objects.filter(disclosure__state=State.PUBLISHED).annotate(
        uscc=F("disclosure__enterprise__uscc"), year=F("disclosure__year"),
        version=F("disclosure__version"),
    )
    if filters.indicator:
        rows = rows.filter(indicator_code=filters.indicator)
    if filters.year:
        rows = rows.filter(disclosure__year=filters.year)
    if filters.uscc:
        rows = rows.filter(disclosure__enterprise__uscc=filters.uscc.upper())
    return rows.values(*_ROW_FIELDS)
