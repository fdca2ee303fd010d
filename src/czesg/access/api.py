"""The consent REST API (mounted at /api/v1/ by :mod:`czesg.api`): the grants a caller holds."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from czesg.access.models import Grant
from czesg.web.auth import READ_AUTH

router = Router()


class GrantOut(Schema):
    enterprise: str
    enterprise_name: str
    scopes: list[str]
    valid_until: str
    purpose: str


# The operation id keeps the name it had in ``czesg.api.v1`` (part of the published contract).
@router.get("/consents", response=list[GrantOut], auth=READ_AUTH, tags=["consent"],
            operation_id="czesg_api_v1_my_consents")
def my_consents(request: HttpRequest):
    """The enterprises that currently let the caller read their non-public data."""
    return [
        {"enterprise": g.enterprise.uscc, "enterprise_name": g.enterprise.name,
         "scopes": g.scopes, "valid_until": g.valid_until.isoformat(), "purpose": g.purpose}
        for g in Grant.objects.for_grantee(request.user).select_related("enterprise")
    ]
