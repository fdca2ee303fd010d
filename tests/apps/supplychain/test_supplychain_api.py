"""The supply-chain API: a buyer's managers list and send requests, follow each supplier's
status and read the scorecards (reads logged); refusals are problem documents, nothing stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from czesg.audit.models import AuditEvent
from czesg.supplychain import actions
from czesg.supplychain.models import RequestRead, RequestRecipient, SupplierRequest
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db

INVITED = uscc_for(77)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(supplier, **extra):
    data = {"template": "battery", "title": "2024 电芯供应商ESG数据", "year": 2024,
            "indicators": ["E-GHG-02", "E-WAT-01"], "products": ["LFP cell"],
            "suppliers": [{"uscc": supplier.uscc, "tier": 1},
                          {"uscc": INVITED, "email": "esg@cells.example", "tier": 2}],
            "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat()}
    data.update(extra)
    return data


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_buyer_sends_a_request_and_follows_each_supplier(buyer, buyer_manager, supplier,
                                                         supplier_manager):
    client = signed_in(buyer_manager)
    url = f"/api/v1/supplychain/buyers/{buyer.uscc}/requests"
    response = post(client, url, body(supplier))
    assert response.status_code == 201, response.content
    sent = SupplierRequest.objects.get(buyer=buyer)
    assert response.json() | {"created_at": None} == {
        "id": sent.pk, "template": "battery", "title": "2024 电芯供应商ESG数据", "year": 2024,
        "indicators": ["E-GHG-02", "E-WAT-01"], "products": ["LFP cell"],
        "include_scores": True, "due_date": sent.due_date.isoformat(), "created_at": None,
        "asked": 2, "shared": 0, "declined": 0}
    entry = AuditEvent.objects.get(action="supplychain.request.send")
    assert (entry.actor_id, entry.payload["buyer"]) == (buyer_manager.pk, buyer.uscc)
    assert entry.payload["suppliers"] == [{"uscc": supplier.uscc, "tier": 1, "invited": False},
                                          {"uscc": INVITED, "tier": 2, "invited": True}]

    listed = client.get(url).json()
    assert [r["id"] for r in listed["items"]] == [sent.pk] and listed["count"] == 1
    assert client.get(f"{url}/{sent.pk}").json()["asked"] == 2

    mine = RequestRecipient.objects.get(request=sent, uscc=supplier.uscc)
    actions.decline_request(mine.pk, supplier, reason="不对外提供", actor=supplier_manager)
    statuses = client.get(f"{url}/{sent.pk}/suppliers").json()["items"]
    assert [(s["uscc"], s["supplier"], s["registered"], s["tier"], s["state"],
             s["decline_reason"], s["overdue"]) for s in statuses] == [
        (supplier.uscc, supplier.name, True, 1, "declined", "不对外提供", False),
        (INVITED, None, False, 2, "open", "", False)]
    assert client.get(f"{url}/{sent.pk}").json()["declined"] == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"template": "nope"}, "template"),
    ({"title": "  "}, "title"),
    ({"indicators": ["X-NONE-99"]}, "indicators"),
    ({"suppliers": [{"uscc": "123"}]}, "suppliers"),
])
def test_a_refused_request_is_a_problem_document_and_stores_nothing(
        change, field, buyer, buyer_manager, supplier):
    audit_before = AuditEvent.objects.count()
    response = post(signed_in(buyer_manager),
                    f"/api/v1/supplychain/buyers/{buyer.uscc}/requests", body(supplier, **change))
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("supplier_request_invalid", field)
    assert problem["detail"]
    assert SupplierRequest.objects.count() == 0 and RequestRecipient.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_another_enterprises_manager_finds_nothing(buyer, buyer_manager, supplier,
                                                   supplier_manager):
    sent = actions.send_request(buyer, actor=buyer_manager, **{
        k: v for k, v in body(supplier, due_date=timezone.localdate() + dt.timedelta(days=5))
        .items()})
    client = signed_in(supplier_manager)
    base = f"/api/v1/supplychain/buyers/{buyer.uscc}"
    for url in (f"{base}/requests", f"{base}/requests/{sent.pk}",
                f"{base}/requests/{sent.pk}/suppliers", f"{base}/scorecards"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/problem+json"), url
    audit_before = AuditEvent.objects.count()
    assert post(client, f"{base}/requests", body(supplier)).status_code == 404
    assert SupplierRequest.objects.count() == 1 and AuditEvent.objects.count() == audit_before
    assert Client().get(f"{base}/requests").status_code == 401


def test_scorecards_read_through_the_api_are_logged(buyer, buyer_manager, supplier,
                                                    supplier_manager, published):
    sent = actions.send_request(buyer, actor=buyer_manager, **body(
        supplier, due_date=timezone.localdate() + dt.timedelta(days=5)))
    mine = RequestRecipient.objects.get(request=sent, uscc=supplier.uscc)
    actions.answer_request(mine.pk, supplier, answers={"E-GHG-02": "300", "E-WAT-01": "12"},
                           products={"LFP cell": str(published.product.uuid)}, consent=True,
                           actor=supplier_manager)
    response = signed_in(buyer_manager).get(f"/api/v1/supplychain/buyers/{buyer.uscc}/scorecards")
    assert response.status_code == 200, response.content
    [card] = response.json()["items"]
    assert (card["supplier"], card["tier"], card["request"]) == (supplier.uscc, 1, sent.pk)
    assert [(a["indicator"], a["value_number"], a["basis"]) for a in card["answers"]] == [
        ("E-GHG-02", 300.0, "entered"), ("E-WAT-01", 12.0, "entered")]
    assert [(f["id"], f["pcf"]) for f in card["footprints"]] == [(str(published.pk),
                                                                  published.pcf)]
    # not rated: 2 of 2 answered, none assured, 1 of 1 product -> 0.2*100 + 0.15*0 + 0.15*100
    assert card["score"] == 35.0 and card["weighting"] == "2026.1"
    assert list(RequestRead.objects.values_list("recipient", "user", "what", "channel")) == [
        (mine.pk, buyer_manager.pk, "scorecard", "api")]
