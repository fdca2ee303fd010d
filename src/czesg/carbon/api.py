"""The carbon calculator's REST API (mounted at /api/v1/carbon): activity codes and factor sets
are open to everybody; calculating needs a session or a bearer token with the write scope, and a
stored calculation is readable by the enterprise's managers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema

from czesg.carbon import actions
from czesg.carbon.models import CarbonCalculation
from czesg.engine import carbon
from czesg.engine.kernel.errors import DataFileError, NotFound
from czesg.enterprises.models import Enterprise
from czesg.web.auth import WRITE_AUTH
from czesg.web.language import language
from czesg.web.problems import problem, status_of

router = Router(tags=["carbon"])


def write_auth(request: HttpRequest):
    """Authenticates a write exactly as the rest of API v1 does (``czesg.web.auth.WRITE_AUTH``: a
    bearer token with the write scope, or a signed-in session with CSRF, never a read token
    through the session fallback)."""
    for check in WRITE_AUTH:
        result = check(request)
        if result:
            return result
    return None


def signed_in(request: HttpRequest):
    """Authenticates a read by a signed-in user or any valid bearer token (set by middleware)."""
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


# --- schemas ----------------------------------------------------------------------------------
class ActivityOut(Schema):
    """An activity code users may upload, with its canonical unit, scope and factors."""

    code: str
    name: str
    name_zh: str
    name_en: str
    unit: str
    scope: str
    kind: str
    factor_ids: list[str]
    tce_factor_id: str
    estimate: bool
    reported: bool
    notes: str


class FactorSetOut(Schema):
    """A published factor set and how many factors it holds."""

    version: str
    published: date
    supersedes: str
    description: str
    description_zh: str
    description_en: str
    factors: int
    latest: bool


class FactorOut(Schema):
    """One factor of a set with its source, locator and confidence."""

    id: str
    category: str
    name: str
    name_zh: str
    name_en: str
    region: str
    year: int | None
    value: float
    unit: str
    ncv: float | None
    ncv_unit: str
    carbon_content_tC_per_GJ: float | None
    oxidation_rate: float | None
    source: str
    locator: str
    confidence: str
    notes: str


class FactorFilter(Schema):
    """Filters of a factor listing: category, region and data year (all optional)."""

    category: str | None = None
    region: str | None = None
    year: int | None = None


class RowIn(Schema):
    """One activity row: what, how much, in which unit, and optionally where."""

    activity: str
    quantity: float | str | None = None
    unit: str = ""
    facility: str = ""
    region: str = ""
    measured_factor: float | str | None = None


class CalculateIn(Schema):
    """An enterprise-year's activity rows with the caller's explicit GWP choice."""

    uscc: str
    year: int
    gwp_set: str | None = None
    factor_set: str | None = None
    rows: list[RowIn]


class CalculationOut(Schema):
    """A stored calculation: versions used, totals, full trace (problems empty)."""

    id: int
    uscc: str
    year: int
    factor_set: str
    activities_version: str
    gwp_set: str
    inputs_hash: str
    created_at: datetime
    created_by: str | None
    applied_to: int | None
    applied_at: datetime | None
    supersedes: int | None
    totals: dict[str, Any]
    trace: list[dict[str, Any]]
    problems: list[dict[str, Any]]


class ProblemOut(Schema):
    """An RFC 7807 problem document listing every problem with its row and column."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str = ""
    problems: list[dict[str, Any]] = []


def _calculation_out(c: CarbonCalculation) -> dict[str, Any]:
    return {
        "id": c.pk, "uscc": c.enterprise.uscc, "year": c.year, "factor_set": c.factor_set,
        "activities_version": c.activities_version, "gwp_set": c.gwp_set,
        "inputs_hash": c.inputs_hash, "created_at": c.created_at,
        "created_by": c.created_by.username if c.created_by else None,
        "applied_to": c.applied_to_id, "applied_at": c.applied_at,
        "supersedes": c.supersedes_id, "totals": c.totals_data, "trace": c.trace_data,
        "problems": [],
    }


# --- endpoints --------------------------------------------------------------------------------
@router.get("/activities", response=list[ActivityOut])
def list_activities(request: HttpRequest):
    """The activity codes the calculator accepts, with canonical unit, scope and factors."""
    lang = language()
    return [
        {**a, "name": a["name_en"] if lang.startswith("en") else a["name_zh"]}
        for a in carbon.list_activities()
    ]


@router.get("/factor-sets", response=list[FactorSetOut])
def list_factor_sets(request: HttpRequest):
    """The published factor sets, oldest first; every calculation records the one it used."""
    versions = carbon.available_factor_sets()
    lang = language()
    out = []
    for version in versions:
        fs = carbon.load_factor_set(version)
        out.append({
            "version": fs.version, "published": fs.published, "supersedes": fs.supersedes,
            "description": fs.description_en if lang.startswith("en") else fs.description_zh,
            "description_zh": fs.description_zh, "description_en": fs.description_en,
            "factors": len(fs), "latest": version == versions[-1],
        })
    return out


@router.get("/factor-sets/{version}/factors", response=list[FactorOut])
def list_factors(request: HttpRequest, version: str, filters: Query[FactorFilter]):
    """The factors of one set with their source and confidence, filtered by category, region
    and data year."""
    if version not in carbon.available_factor_sets():
        raise NotFound()
    try:
        fs = carbon.load_factor_set(version)
    except DataFileError as exc:  # pragma: no cover - shipped sets are checked by their tests
        raise NotFound() from exc
    lang = language()
    rows = []
    for f in fs:
        if filters.category and f.category != filters.category:
            continue
        if filters.region and f.region.lower() != filters.region.strip().lower():
            continue
        if filters.year is not None and f.data_year != filters.year:
            continue
        rows.append({
            "id": f.factor_id, "category": f.category, "name": f.name(lang),
            "name_zh": f.name_zh, "name_en": f.name_en, "region": f.region,
            "year": f.data_year, "value": f.value, "unit": f.unit, "ncv": f.ncv,
            "ncv_unit": f.ncv_unit, "carbon_content_tC_per_GJ": f.carbon_content_tC_per_GJ,
            "oxidation_rate": f.oxidation_rate, "source": f.source, "locator": f.locator,
            "confidence": f.confidence, "notes": f.notes,
        })
    return rows


@router.post("/calculate", response={200: CalculationOut, 422: ProblemOut}, auth=write_auth)
def calculate(request: HttpRequest, body: CalculateIn):
    """Calculate and store an enterprise-year the caller manages: totals, the full trace, and
    every problem of the input (422, nothing stored) naming its row (1 = the first row)."""
    uscc = body.uscc.strip().upper()
    enterprise = Enterprise.objects.filter(uscc=uscc).first() if "\x00" not in uscc else None
    if enterprise is None:
        raise NotFound()
    try:
        calculation = actions.calculate_for(
            enterprise, body.year, [row.model_dump() for row in body.rows],
            gwp_set=body.gwp_set, factor_set=body.factor_set, actor=request.user,
        )
    except carbon.CarbonInputError as exc:
        return JsonResponse(problem(exc, instance=request.path), status=status_of(exc),
                            content_type="application/problem+json",
                            json_dumps_params={"ensure_ascii": False})
    return _calculation_out(calculation)


@router.get("/calculations/{pk}", response=CalculationOut, auth=signed_in)
def get_calculation(request: HttpRequest, pk: int):
    """A stored calculation with its versions, totals and trace, for the enterprise's managers."""
    if not 0 < pk < 2**63:  # beyond any database's integer: no such calculation
        raise NotFound()
    calculation = (
        CarbonCalculation.objects.visible_to(request.user)
        .select_related("enterprise", "created_by").filter(pk=pk).first()
    )
    if calculation is None:
        raise NotFound()
    return _calculation_out(calculation)
