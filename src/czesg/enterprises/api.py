"""The enterprise registry's REST API (mounted at /api/v1/ by :mod:`czesg.api`): the registry
with filters, and one enterprise's public facts."""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from czesg.engine.kernel.errors import NotFound
from czesg.enterprises.models import Enterprise
from czesg.web.pagination import Pages

router = Router()


# Schemas carry no docstring: pydantic would publish it as their description in the schema.
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


class EnterpriseFilter(Schema):
    q: str | None = None
    industry: str | None = None
    district: str | None = None
    park: str | None = None
    listed: bool | None = None
    # A NUL character in any of these is refused before the endpoint runs
    # (czesg.web.guards.RequestGuardMiddleware): PostgreSQL text cannot hold one.


# The operation ids are part of the published contract: they keep the names they had when these
# endpoints were defined in ``czesg.api.v1``.
@router.get("/enterprises", response=list[EnterpriseOut], tags=["enterprises"],
            operation_id="czesg_api_v1_list_enterprises")
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


@router.get("/enterprises/{uscc}", response=EnterpriseOut, tags=["enterprises"],
            operation_id="czesg_api_v1_get_enterprise")
def get_enterprise(request: HttpRequest, uscc: str):
    """An enterprise's registry entry (public facts)."""
    enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=uscc.upper()).first()
    if enterprise is None:
        raise NotFound()
    return enterprise
