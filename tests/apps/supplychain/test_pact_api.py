"""The PACT v3 API: token, list with filters and Link paging, get, events and error bodies."""

from __future__ import annotations

import json
import uuid

import pytest

from czesg.audit.models import AuditEvent
from czesg.supplychain.models import PactEvent

from .conftest import basic

UNKNOWN_ID = uuid.UUID("5f0c2b9e-0d6a-4c1e-9a43-7b1f2e8c3d10")
"""A footprint id no test creates (fixed, so that parallel workers collect the same test ids)."""

pytestmark = pytest.mark.django_db

EVENT = "application/cloudevents+json; charset=UTF-8"


def test_token_with_basic_credentials(client, buyer_credentials):
    response = client.post("/pact/auth/token", {"grant_type": "client_credentials"},
                           HTTP_AUTHORIZATION=basic(*buyer_credentials))
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert AuditEvent.objects.order_by("-seq").first().action == "supplychain.pact_token.issue"


@pytest.mark.parametrize("header", ["", "Basic bm9wZTpub3Bl", "Basic !!!", "Bearer x"])
def test_token_refuses_bad_credentials(client, buyer_credentials, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post("/pact/auth/token", {"grant_type": "client_credentials"}, **extra)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_refuses_other_grants(client, buyer_credentials):
    response = client.post("/pact/auth/token", {"grant_type": "password"},
                           HTTP_AUTHORIZATION=basic(*buyer_credentials))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_list_shows_only_consented_footprints(client, bearer, published, consent):
    response = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [pf["id"] for pf in data] == [str(published.pk)]
    assert data[0]["companyIds"] == [f"urn:czesg:uscc:{published.product.enterprise.uscc}"]


def test_list_without_consent_is_empty(client, bearer, published):
    response = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer)
    assert response.json() == {"data": []}


def test_get_one_and_access_denied_and_not_found(client, bearer, published):
    url = f"/pact/3/footprints/{published.pk}"
    denied = client.get(url, HTTP_AUTHORIZATION=bearer)
    assert denied.status_code == 403 and denied.json()["code"] == "AccessDenied"
    missing = client.get(f"/pact/3/footprints/{UNKNOWN_ID}", HTTP_AUTHORIZATION=bearer)
    assert missing.status_code == 404 and missing.json()["code"] == "NotFound"
    assert missing["Content-Type"] == "application/json"


def test_get_one_with_consent(client, bearer, published, consent):
    response = client.get(f"/pact/3/footprints/{published.pk}", HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 200
    assert response.json()["data"]["pcf"]["declaredUnitOfMeasurement"] == "kilogram"


def test_link_paging(client, bearer, published, consent, cell, supplier_manager):
    from czesg.supplychain.actions import compute_product_footprint, publish_footprint

    from .conftest import FUELS

    other = compute_product_footprint(cell, year=2023, output=10.0, fuels=FUELS,
                                      actor=supplier_manager)
    publish_footprint(other.pk, actor=supplier_manager)
    first = client.get("/pact/3/footprints?limit=1", HTTP_AUTHORIZATION=bearer)
    assert len(first.json()["data"]) == 1
    link = first["Link"]
    assert link.startswith("<http://testserver/pact/3/footprints?") and link.endswith(
        '>; rel="next"')
    second = client.get(link[1:link.index(">")], HTTP_AUTHORIZATION=bearer)
    ids = {first.json()["data"][0]["id"], second.json()["data"][0]["id"]}
    assert ids == {str(published.pk), str(other.pk)}
    assert "Link" not in second


def test_filters(client, bearer, published, consent):
    pf = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer).json()["data"][0]

    def ids(query: str) -> list[str]:
        response = client.get("/pact/3/footprints?" + query, HTTP_AUTHORIZATION=bearer)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["data"]]

    both = f"productId={pf['productIds'][0]}&status=Active"
    for query in (f"productId={pf['productIds'][0]}", f"companyId={pf['companyIds'][0]}",
                  "geography=CN-JS", "classification=urn:cpc:46410", "status=Active", both,
                  f"companyId=urn:czesg:uscc:X&companyId={pf['companyIds'][0]}",
                  "validOn=2026-06-01T00:00:00Z", "validAfter=2024-12-31T00:00:00Z",
                  "validBefore=2028-01-02T00:00:00Z"):
        assert ids(query) == [pf["id"]], query
    for query in ("productId=urn:czesg:product:" + str(UNKNOWN_ID), "geography=DE",
                  "companyId=urn:czesg:uscc:X", "classification=urn:cpc:1",
                  "status=Deprecated", "status=Gone", "validOn=2020-01-01T00:00:00Z",
                  "validAfter=2030-01-01T00:00:00Z", "validBefore=2020-01-01T00:00:00Z"):
        assert ids(query) == [], query


@pytest.mark.parametrize("query, status, code", [
    ("colour=red", 400, "BadRequest"), ("limit=0", 400, "BadRequest"),
    ("validOn=yesterday", 400, "BadRequest"),
    ("$filter=x", 501, "NotImplemented"),
])
def test_bad_queries_get_pact_errors(client, bearer, query, status, code):
    response = client.get("/pact/3/footprints?" + query, HTTP_AUTHORIZATION=bearer)
    assert (response.status_code, response.json()["code"]) == (status, code)


@pytest.mark.parametrize("method, path", [
    ("get", "/pact/3/footprints"), ("get", f"/pact/3/footprints/{UNKNOWN_ID}"),
    ("post", "/pact/3/events"),
])
def test_bad_token_is_refused_everywhere(client, method, path):
    response = getattr(client, method)(path, HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message"}


def test_expired_token(client, bearer):
    from django.utils import timezone

    from czesg.supplychain.models import PactToken

    PactToken.objects.update(expires_at=timezone.now())
    response = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer)
    assert (response.status_code, response.json()["code"]) == (401, "TokenExpired")


def event(kind: str, data: dict) -> str:
    """A CloudEvent whose id follows from its content (test ids stay the same across workers)."""
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, kind + json.dumps(data, sort_keys=True))
    return json.dumps({"type": f"org.wbcsd.pact.ProductFootprint.{kind}.3", "specversion": "1.0",
                       "id": str(event_id), "source": "https://buyer.example/pact",
                       "time": "2025-03-05T17:31:00Z", "data": data})


@pytest.mark.parametrize("kind, data", [
    ("PublishedEvent", {"pfIds": [str(UNKNOWN_ID)]}),
    ("RequestFulfilledEvent", {"requestEventId": "r1", "pfs": [{"id": "x"}]}),
    ("RequestRejectedEvent", {"requestEventId": "r1",
                              "error": {"code": "NotFound", "message": "none"}}),
])
def test_events_are_accepted_and_kept(client, bearer, kind, data):
    response = client.post("/pact/3/events", event(kind, data), content_type=EVENT,
                           HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 200 and response.content == b""
    assert PactEvent.objects.get().type.endswith(kind + ".3")


@pytest.mark.parametrize("body", [
    event("PublishedEvent", {"pfIds": ["urn:gtin:4712345060507"]}),
    event("PublishedEvent", {}),
    event("SomethingEvent", {}),
    event("RequestRejectedEvent", {"requestEventId": "r1"}),
    # a request from a source no partner of the client's enterprise allows (test_pact_partners)
    event("RequestCreatedEvent", {"productId": ["urn:czesg:product:x"]}),
    "{not json", "[]",
    event("PublishedEvent", {"pfIds": [str(UNKNOWN_ID)]}).replace(
        "https://buyer.example/pact", "buyer"),
    json.dumps({"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "data": {}}),
])
def test_malformed_events_are_refused(client, bearer, body):
    response = client.post("/pact/3/events", body, content_type=EVENT, HTTP_AUTHORIZATION=bearer)
    assert (response.status_code, response.json()["code"]) == (400, "BadRequest")
    assert not PactEvent.objects.exists()


def test_openid_configuration_names_the_token_endpoint(client, buyer_credentials):
    config = client.get("/pact/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == "http://testserver/pact/auth/token"
    response = client.post("/pact/auth/token", {"grant_type": "client_credentials"},
                           HTTP_AUTHORIZATION=basic(*buyer_credentials))
    assert response.status_code == 200


def test_plain_http_is_refused_where_https_is_on(client, settings, buyer_credentials,
                                                 published, consent):
    settings.SECURE_SSL_REDIRECT = True
    plain = client.post("/pact/auth/token", {"grant_type": "client_credentials"},
                        HTTP_AUTHORIZATION=basic(*buyer_credentials))
    assert plain.status_code == 400  # answered, not redirected
    secure = client.post("/pact/auth/token", {"grant_type": "client_credentials"},
                         HTTP_AUTHORIZATION=basic(*buyer_credentials), secure=True)
    bearer = "Bearer " + secure.json()["access_token"]
    listed = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer)
    assert (listed.status_code, listed.json()["code"]) == (400, "BadRequest")
    assert client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer,
                      secure=True).status_code == 200
