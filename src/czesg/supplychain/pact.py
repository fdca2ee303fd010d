"""The PACT v3 API (mounted under ``/pact/`` by ``czesg.api.pact``): token, footprints, events.

OAuth2 client credentials (HTTP Basic) at ``/auth/token``; ``GET /3/footprints`` with ``limit``,
the v3 filters and ``Link`` paging; ``GET /3/footprints/{id}``; ``POST /3/events``
(CloudEvents). Errors are PACT error bodies ``{"code", "message"}`` (:class:`PactError`); the
token endpoint answers OAuth2 errors (RFC 6749 §5.2). A client sees only the published
footprints of its own organisation and those shared with it by consent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from typing import Any
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router

from czesg.supplychain import actions, partners, queries
from czesg.supplychain.models import Footprint, PactClient, PactToken

router = Router(tags=["PACT v3"])

FILTERS = queries.FILTER_NAMES
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
EVENT_TYPES = {
    "org.wbcsd.pact.ProductFootprint.PublishedEvent.3": "published",
    "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3": "request_created",
    "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3": "request_fulfilled",
    "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3": "request_rejected",
}
SOURCE_RE = re.compile(r"^(https?:)?//[^\s/?#]+[^\s]*$")
"""An event's source: the sender's URL (``https://host/path``) or the ``//host/path`` form."""
EVENT_MEDIA_TYPES = ("application/cloudevents+json", "application/json")


class PactError(Exception):
    """A refusal of the PACT API: HTTP status, PACT error code and a translated message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


def pact_error_response(request: HttpRequest, exc: PactError) -> HttpResponse:
    """The PACT error body of a refusal."""
    return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)


def bad_request(message: str) -> PactError:
    """A 400 BadRequest refusal."""
    return PactError(400, "BadRequest", message)


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="pact"'
    response["Cache-Control"] = "no-store"
    return response


def require_tls(request: HttpRequest) -> None:
    """Refuse a call made over plain HTTP where the platform runs on HTTPS (PACT needs TLS)."""
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        raise bad_request(gettext("The PACT API answers over HTTPS only."))


@router.post("/auth/token", auth=None, include_in_schema=True)
def token(request: HttpRequest):
    """Issue an access token for OAuth2 client credentials sent with HTTP Basic."""
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return _oauth_error("invalid_request", gettext("The PACT API answers over HTTPS only."))
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return _oauth_error("invalid_client", gettext("Send the client id and secret with "
                                                       "HTTP Basic authentication."), 401)
    try:
        client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        sep = ""
    if not sep:
        return _oauth_error("invalid_client", gettext("The credentials are malformed."), 401)
    client_id, secret = unquote(client_id), unquote(secret)
    client = (PactClient.objects.filter(client_id=client_id, revoked_at__isnull=True)
              .select_related("enterprise").first())
    if client is None or not client.check_secret(secret):
        return _oauth_error("invalid_client", gettext("Authentication failed."), 401)
    if request.POST.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type",
                            gettext("Only the client_credentials grant is supported."))
    access_token, lifetime = actions.issue_pact_token(client)
    response = JsonResponse({"access_token": access_token, "token_type": "bearer",
                             "expires_in": lifetime})
    response["Cache-Control"] = "no-store"
    return response


@router.get("/.well-known/openid-configuration", auth=None)
def openid_configuration(request: HttpRequest):
    """Where the token endpoint is (OpenID Connect discovery, the optional way of PACT v3)."""
    base = request.build_absolute_uri(request.path).removesuffix(
        "/.well-known/openid-configuration")
    return JsonResponse({
        "issuer": base, "token_endpoint": base + "/auth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "response_types_supported": ["token"],
    })


def authenticated_client(request: HttpRequest) -> PactClient:
    """The client whose bearer token came with the request; refuses a missing, unknown or
    expired token (401) with the PACT error body; refuses plain HTTP where HTTPS is on."""
    require_tls(request)
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise PactError(401, "BadRequest", gettext("Send an access token (Bearer)."))
    found = (PactToken.objects.filter(token_hash=PactClient.digest(value.strip()))
             .select_related("client__enterprise").first())
    if found is None or found.client.revoked_at is not None:
        raise PactError(401, "BadRequest", gettext("The access token is not valid."))
    if found.expires_at <= timezone.now():
        raise PactError(401, "TokenExpired", gettext("The specified access token has expired."))
    return found.client


def _entitled(client: PactClient) -> QuerySet[Footprint]:
    return (Footprint.objects.entitled_to(client.enterprise_id)
            .select_related("product__enterprise").order_by("created_at", "id"))


def _filters(request: HttpRequest) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in request.GET:
        if key in ("limit", "offset"):
            continue
        if key == "$filter":
            raise PactError(501, "NotImplemented",
                            gettext("OData $filter expressions are not implemented; use the "
                                    "v3 filters."))
        if key not in FILTERS:
            raise bad_request(gettext("Unknown filter “%(name)s”; the filters are %(names)s.")
                              % {"name": key, "names": ", ".join(FILTERS)})
        values = [v for v in request.GET.getlist(key) if v.strip()]
        if not values:
            raise bad_request(gettext("The filter “%(name)s” has no value.") % {"name": key})
        found[key] = values
    return found


def _whole(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    text = request.GET.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise bad_request(gettext("“%(name)s” must be a whole number from %(low)s to %(high)s.")
                          % {"name": name, "low": low, "high": high})
    return int(text)


@router.get("/3/footprints", auth=None)
def list_footprints(request: HttpRequest):
    """The footprints the client's organisation may read, filtered and paged (``Link``)."""
    client = authenticated_client(request)
    filters = _filters(request)
    limit = _whole(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _whole(request, "offset", 0, 0, 10**9)
    try:
        matching = queries.apply_filters(_entitled(client), filters)
    except queries.FilterRefused as exc:
        raise bad_request(gettext("The filter value “%(value)s” cannot be read.")
                          % {"value": str(exc)}) from None
    page = list(matching[offset:offset + limit + 1])
    response = JsonResponse({"data": [queries.pact_document(f) for f in page[:limit]]})
    if len(page) > limit:
        query = [(k, v) for k, values in filters.items() for v in values]
        query += [("limit", limit), ("offset", offset + limit)]
        url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
        response["Link"] = f'<{url}>; rel="next"'
    return response


@router.get("/3/footprints/{footprint_id}", auth=None)
def get_footprint(request: HttpRequest, footprint_id: str):
    """One footprint by id: 404 when unknown, 403 when not shared with the client."""
    client = authenticated_client(request)
    try:
        key = uuid.UUID(footprint_id)
    except ValueError:
        raise PactError(404, "NotFound", gettext("The specified footprint does not exist.")
                        ) from None
    found = _entitled(client).filter(pk=key).first()
    if found is None:
        if Footprint.objects.filter(pk=key).exclude(state="draft").exists():
            raise PactError(403, "AccessDenied", gettext("Access denied."))
        raise PactError(404, "NotFound", gettext("The specified footprint does not exist."))
    return JsonResponse({"data": queries.pact_document(found)})


def _event(request: HttpRequest) -> dict[str, Any]:
    media = (request.content_type or "").lower()
    if media not in EVENT_MEDIA_TYPES:
        raise bad_request(gettext("Send the event as application/cloudevents+json."))
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(gettext("The event is not valid JSON.")) from None
    if not isinstance(payload, dict):
        raise bad_request(gettext("The event must be a JSON object."))
    if "\x00" in request.body.decode("utf-8", "replace") or "\\u0000" in request.body.decode(
            "utf-8", "replace"):
        raise bad_request(gettext("The event holds a NUL character."))
    for name in ("specversion", "id", "source", "type"):
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            raise bad_request(gettext("The event needs a non-empty “%(name)s”.")
                              % {"name": name})
    if not SOURCE_RE.match(payload["source"]):
        raise bad_request(gettext("The event's “source” must be the sender's URL."))
    if payload["specversion"] != "1.0":
        raise bad_request(gettext("Only CloudEvents specversion 1.0 is accepted."))
    if payload["type"] not in EVENT_TYPES:
        raise bad_request(gettext("Unknown event type “%(type)s”.") % {"type": payload["type"]})
    if not isinstance(payload.get("data"), dict):
        raise bad_request(gettext("The event needs a “data” object."))
    return payload


def _check_event_data(kind: str, data: dict[str, Any]) -> None:
    if kind == "published":
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids:
            raise bad_request(gettext("A published event lists the footprint ids in “pfIds”."))
        for value in ids:
            try:
                uuid.UUID(str(value))
            except ValueError:
                raise bad_request(gettext("“%(value)s” is not a footprint id (UUID).")
                                  % {"value": value}) from None
    elif kind == "request_created":
        for name in FILTERS:
            if name in data and not isinstance(data[name], (list, str)):
                raise bad_request(gettext("The criterion “%(name)s” cannot be read.")
                                  % {"name": name})
    else:
        if not isinstance(data.get("requestEventId"), str) or not data["requestEventId"]:
            raise bad_request(gettext("The event needs the “requestEventId” it answers."))
        if kind == "request_fulfilled" and not (
                isinstance(data.get("pfs"), list)
                and all(isinstance(pf, dict) and "id" in pf for pf in data["pfs"])):
            raise bad_request(gettext("A fulfilled request lists its footprints in “pfs”."))
        if kind == "request_rejected":
            error = data.get("error")
            if not (isinstance(error, dict) and isinstance(error.get("code"), str)
                    and isinstance(error.get("message"), str)):
                raise bad_request(gettext("A rejected request gives an “error” with "
                                          "“code” and “message”."))


@router.post("/3/events", auth=None)
def events(request: HttpRequest):
    """Accept a CloudEvent (published, request created / fulfilled / rejected): 200, empty; a
    request from a partner's allow-listed source is answered in the background."""
    client = authenticated_client(request)
    payload = _event(request)
    kind = EVENT_TYPES[payload["type"]]
    _check_event_data(kind, payload["data"])
    partner = None
    if kind == "request_created":
        partner = partners.partner_for_source(client.enterprise_id, payload["source"])
        if partner is None:
            raise bad_request(gettext("The event's source “%(source)s” is not an event source "
                                      "of a registered partner.") % {"source": payload["source"]})
    event = actions.receive_pact_event(client, payload, partner=partner)
    if partner is not None:
        partners.queue_answer(event, request.build_absolute_uri(request.path)
                              .removesuffix("/3/events"))
    return HttpResponse(status=200)
