"""The PACT v3 API under ``/pact/``: its own NinjaAPI (PACT error bodies, not RFC 7807), mounting
the supply-chain app's PACT router. Only the URL conf imports this module."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from czesg.supplychain.pact import PactError, pact_error_response
from czesg.supplychain.pact import router as pact_router

pact_api = NinjaAPI(
    title="czesg PACT v3", version="3", urls_namespace="pact", docs_url=None, openapi_url=None,
    description="Product footprints exchanged per the PACT Technical Specifications v3 (WBCSD).",
)
pact_api.add_exception_handler(PactError, pact_error_response)


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    status = getattr(exc, "status_code", 400)
    code = {404: "NotFound", 403: "AccessDenied", 401: "BadRequest"}.get(status, "BadRequest")
    return JsonResponse({"code": code, "message": str(exc) or "Bad Request"},
                        status=status if status in (400, 401, 403, 404) else 400)


pact_api.add_exception_handler(ValidationError, _bad_request)
pact_api.add_exception_handler(HttpError, _bad_request)
pact_api.add_router("", pact_router)
