"""Every call czesg makes to a partner's PACT v3 API: the token (OAuth2 client credentials,
HTTP Basic at ``<base>/auth/token``), events (``POST <source>/3/events``) and footprints
(``GET <base>/3/footprints``), with the standard library's HTTP client.

Only ``https://`` URLs are called, and ``http://`` on loopback (a partner on the same host, as
in tests and the conformance set-up). Failures raise :class:`PartnerCallFailed` with a short,
loggable reason; nothing here writes to the database.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

TIMEOUT_S = 20
MAX_BODY = 20 * 1024 * 1024
EVENT_MEDIA_TYPE = "application/cloudevents+json; charset=UTF-8"
LOOPBACK_NAMES = {"localhost"}


class PartnerCallFailed(Exception):
    """A call to a partner's PACT API did not succeed; the message says why (for the log)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed (a partner's answer must come from the URL called)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def is_callable_url(url: str) -> bool:
    """Whether czesg may call this URL: https, or http to a loopback host."""
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def events_url(source: str) -> str:
    """The ``/3/events`` endpoint of an event's source (``https://host/p`` or ``//host/p``)."""
    base = "https:" + source if source.startswith("//") else source
    base = base.rstrip("/")
    return base if base.endswith("/3/events") else base + "/3/events"


def _call(request: urllib.request.Request) -> tuple[int, bytes, Any]:
    if not is_callable_url(request.full_url):
        raise PartnerCallFailed(f"not an https (or loopback http) URL: {request.full_url}")
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:
            return response.status, response.read(MAX_BODY), response.headers
    except urllib.error.HTTPError as exc:
        body = exc.read(2000).decode("utf-8", "replace")
        raise PartnerCallFailed(f"{request.full_url} answered {exc.code}: {body[:300]}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PartnerCallFailed(f"{request.full_url} could not be reached: {reason}") from None


def fetch_token(base_url: str, client_id: str, secret: str) -> str:
    """An access token from the partner's ``/auth/token`` (client credentials, HTTP Basic)."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/auth/token", method="POST",
        data=urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode(),
                 "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"})
    _, body, _ = _call(request)
    try:
        token = json.loads(body)["access_token"]
    except (ValueError, KeyError, TypeError):
        raise PartnerCallFailed("the token answer holds no access_token") from None
    if not isinstance(token, str) or not token:
        raise PartnerCallFailed("the token answer holds no access_token")
    return token


def post_event(url: str, token: str, event: dict[str, Any]) -> int:
    """POST a CloudEvent to a partner's ``/3/events``; the HTTP status (2xx) it answered."""
    request = urllib.request.Request(
        url, method="POST", data=json.dumps(event, ensure_ascii=False).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": EVENT_MEDIA_TYPE})
    status, _, _ = _call(request)
    return status


def get_footprints(base_url: str, token: str, params: dict[str, list[str]] | None = None,
                   max_pages: int = 20) -> list[Any]:
    """The footprints a partner lists at ``/3/footprints`` (following ``Link: rel=next``)."""
    url: str | None = base_url.rstrip("/") + "/3/footprints"
    if params:
        url += "?" + urlencode([(k, v) for k, values in params.items() for v in values])
    found: list[Any] = []
    for _ in range(max_pages):
        if url is None:
            break
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token,
                                                       "Accept": "application/json"})
        _, body, headers = _call(request)
        try:
            data = json.loads(body)["data"]
        except (ValueError, KeyError, TypeError):
            raise PartnerCallFailed("the footprint list holds no data array") from None
        if not isinstance(data, list):
            raise PartnerCallFailed("the footprint list holds no data array")
        found.extend(data)
        url = _next_link(headers.get("Link", ""))
    return found


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        target, _, rest = part.partition(";")
        if 'rel="next"' in rest.replace(" ", "") or "rel=next" in rest.replace(" ", ""):
            return target.strip().strip("<>")
    return None
