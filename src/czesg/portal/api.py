"""The public profile's REST API (mounted at /api/v1/ by :mod:`czesg.api`). The profile is built
ahead of requests (:mod:`czesg.portal.profiles`) in exactly the shape :class:`ProfileOut` serves."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from czesg.disclosures.api import DisclosureOut
from czesg.engine.kernel.errors import NotFound
from czesg.enterprises.api import EnterpriseOut
from czesg.portal.profiles import stored_profile

router = Router()

# Clients and proxies may keep a public profile this many seconds.
PROFILE_MAX_AGE = 60


class ProfileValue(Schema):
    indicator: str
    unit: str
    values: dict[int, float | None]
    basis: dict[int, Literal["disclosed", "record"]] = Field(
        description="Per year: disclosed by the enterprise, or a record of a named source "
                    "(filled only where no published disclosure holds the figure).")
    sources: dict[int, str] = Field(
        description="Per recorded year: the code of the record's source.")


class ProfileOut(Schema):
    enterprise: EnterpriseOut
    published_years: list[int]
    latest: DisclosureOut | None
    headline: list[ProfileValue]


# The operation id keeps the name it had in ``czesg.api.v1`` (part of the published contract).
@router.get("/enterprises/{uscc}/profile", response=ProfileOut, tags=["enterprises"],
            operation_id="czesg_api_v1_enterprise_profile")
def enterprise_profile(request: HttpRequest, uscc: str):
    """An enterprise's public profile: registry facts and its headline figures by year, taken
    from the latest published version of each year's disclosure, current as soon as a
    disclosure is published."""
    body = stored_profile(uscc.upper())
    if body is None:
        raise NotFound()
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = f"public, max-age={PROFILE_MAX_AGE}"
    return response
