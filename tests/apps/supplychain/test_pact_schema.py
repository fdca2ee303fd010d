"""Every footprint, event and error body of the PACT API validates against the JSON Schemas
czesg derived from the PACT v3 data model (src/czesg/data/pact/)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema_rs
import pytest

from .conftest import FUELS

UNKNOWN_ID = uuid.UUID("5f0c2b9e-0d6a-4c1e-9a43-7b1f2e8c3d10")
"""A footprint id no test creates (fixed, so that parallel workers collect the same test ids)."""

SCHEMAS = Path(__file__).resolve().parents[3] / "src" / "czesg" / "data" / "pact"
pytestmark = pytest.mark.django_db


def validator(name: str):
    schema = json.loads((SCHEMAS / name).read_text())
    footprint = json.loads((SCHEMAS / "product-footprint.schema.json").read_text())
    registry = jsonschema_rs.Registry([("product-footprint.schema.json", footprint)])
    return jsonschema_rs.validator_for(schema, registry=registry)


def errors(name: str, document) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator(name).iter_errors(document)]


def test_every_served_footprint_is_valid(client, bearer, published, consent, cell, buyer,
                                        buyer_manager, supplier_manager):
    from czesg.supplychain import actions

    pack = actions.create_product(buyer, name="Pack", declared_unit="piece", mass_kg=300,
                                  hs_code="850760", actor=buyer_manager)
    draft = actions.compute_product_footprint(
        pack, year=2024, output=10.0, actor=buyer_manager, exempted_percent=0.5,
        materials=[{"name": "cells", "quantity": 2.0, "unit": "t",
                    "footprint_id": str(published.pk)}])
    actions.publish_footprint(draft.pk, actor=buyer_manager)
    again = actions.compute_product_footprint(cell, year=2024, output=10.0, fuels=FUELS,
                                              actor=supplier_manager)
    actions.publish_footprint(again.pk, actor=supplier_manager)  # deprecates `published`
    served = client.get("/pact/3/footprints", HTTP_AUTHORIZATION=bearer).json()["data"]
    assert {pf["status"] for pf in served} == {"Active", "Deprecated"}
    assert len(served) == 3
    for pf in served:
        assert errors("product-footprint.schema.json", pf) == [], pf["id"]
        one = client.get(f"/pact/3/footprints/{pf['id']}", HTTP_AUTHORIZATION=bearer).json()
        assert one["data"] == pf


def test_the_schema_refuses_what_pact_refuses():
    assert errors("product-footprint.schema.json", {"id": "x"}) != []
    assert errors("event.schema.json", {
        "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "specversion": "1.0",
        "id": "1", "source": "s", "data": {"pfIds": ["urn:gtin:1"]}}) != []


@pytest.mark.parametrize("method, path, body", [
    ("get", "/pact/3/footprints", None), ("get", "/pact/3/footprints?colour=1", None),
    ("get", "/pact/3/footprints?$filter=x", None),
    ("get", f"/pact/3/footprints/{UNKNOWN_ID}", None),
    ("post", "/pact/3/events", "{}"),
])
def test_error_bodies_are_valid(client, bearer, method, path, body):
    extra = {"HTTP_AUTHORIZATION": bearer if "colour" in path or "filter" in path or body
             or path.count("/") > 3 else "Bearer wrong"}
    if body is not None:
        extra["content_type"] = "application/cloudevents+json"
        response = client.post(path, body, **extra)
    else:
        response = getattr(client, method)(path, **extra)
    assert response.status_code >= 400
    assert response["Content-Type"] == "application/json"
    assert errors("error.schema.json", response.json()) == []


def test_events_we_accept_are_schema_valid(client, bearer):
    from .test_pact_api import event

    for kind, data in (("PublishedEvent", {"pfIds": [str(UNKNOWN_ID)]}),
                       ("RequestRejectedEvent", {"requestEventId": "r",
                                                 "error": {"code": "NotFound", "message": "m"}})):
        body = event(kind, data)
        assert errors("event.schema.json", json.loads(body)) == []
        assert client.post("/pact/3/events", body, content_type="application/cloudevents+json",
                           HTTP_AUTHORIZATION=bearer).status_code == 200
