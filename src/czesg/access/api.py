"""The consent REST API (mounted at /api/v1/ by :mod:`czesg.api`): the grants a caller holds."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from czesg.access.models import Grant
from czesg.web.auth import READ_AUTH
from czesg.web.pagination import Pages

router = Router()


class GrantOut(Schema):
    enterprise: str
    enterprise_name: str
    scopes: list[str]
    valid_until: str
    purpose: str

    @staticmethod
    def resolve_enterprise(obj: Grant) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_enterprise_name(obj: Grant) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_valid_until(obj: Grant) -> str:
        return obj.valid_until.isoformat()


# The operation id keeps the name it had in ``czesg.api.v1`` (part of the published contract).
@router.get("/consents", response=list[GrantOut], auth=READ_AUTH, tags=["consent"],
            operation_id="czesg_api_v1_my_consents")
@paginate(Pages, page_size=100, max_page_size=500)
def my_consents(request: HttpRequest):
    """The enterprises that currently let the caller read their non-public data, in pages
    (`page`, `page_size`; `count` is the number of grants) ordered by credit code."""
    return (
        Grant.objects.for_grantee(request.user).select_related("enterprise")
        .order_by("enterprise__uscc", "pk")
    )

