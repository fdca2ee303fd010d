"""PACT partner connections: registration (secret sealed, sources allow-listed) and the answer
to a received RequestCreatedEvent, posted over real HTTP to a partner on loopback and held to
our event schema."""

from __future__ import annotations

import json

import pytest

from czesg.audit.models import AuditEvent
from czesg.supplychain import partners
from czesg.supplychain.models import PactEvent, PactPartner

from .partner_server import CLIENT_ID, CLIENT_SECRET, TOKEN
from .test_pact_schema import errors

pytestmark = pytest.mark.django_db

EVENT = "application/cloudevents+json; charset=UTF-8"
FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"


def request_event(source: str, data: dict, event_id: str = "run-1/12") -> str:
    return json.dumps({"type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
                       "specversion": "1.0", "id": event_id, "source": source,
                       "time": "2026-12-07T10:00:00Z", "data": data})


@pytest.fixture
def send(client, bearer, django_capture_on_commit_callbacks):
    """POST an event with the buyer's token, running what the request queued on commit (the
    answer task; the test backend runs tasks at once)."""
    def post(body: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/pact/3/events", body, content_type=EVENT,
                               HTTP_AUTHORIZATION=bearer)
    return post


def product_urn(footprint) -> str:
    return f"urn:czesg:product:{footprint.product.uuid}"


def test_registration_seals_the_secret_and_allows_the_base_url(partner, partner_server):
    stored = PactPartner.objects.get()
    assert stored.event_sources == [partner_server.url]
    assert CLIENT_SECRET not in stored.sealed_secret
    from czesg.supplychain.sealing import unseal
    assert unseal(stored.sealed_secret) == CLIENT_SECRET
    entry = AuditEvent.objects.order_by("-seq").first()
    assert entry.action == "supplychain.pact_partner.register"
    assert CLIENT_SECRET not in entry.payload_json


def test_a_rotated_secret_key_still_opens_the_sealed_secret(partner, settings):
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 50, [old]
    from czesg.supplychain.sealing import unseal
    assert unseal(PactPartner.objects.get().sealed_secret) == CLIENT_SECRET
    settings.SECRET_KEY_FALLBACKS = []
    assert unseal(PactPartner.objects.get().sealed_secret) is None


@pytest.mark.parametrize("field, changes", [
    ("name", {"name": " "}),
    ("base_url", {"base_url": "http://partner.example/pact"}),
    ("base_url", {"base_url": "ftp://127.0.0.1/pact"}),
    ("base_url", {"base_url": "https://partner.example/pact?x=1"}),
    ("client_id", {"client_id": ""}),
    ("client_secret", {"client_secret": ""}),
    ("event_sources", {"event_sources": ["partner"]}),
])
def test_bad_registrations_are_refused_naming_the_field(buyer, buyer_manager, field, changes):
    values = {"name": "ERP", "base_url": "https://partner.example/pact", "client_id": "c",
              "client_secret": "s", **changes}
    with pytest.raises(partners.PartnerInvalid) as refused:
        partners.register_pact_partner(buyer, actor=buyer_manager, **values)
    assert refused.value.params["field"] == field
    assert not PactPartner.objects.exists()


def test_only_a_manager_registers_a_partner(buyer, supplier_manager):
    from czesg.engine.kernel.errors import CzesgError

    with pytest.raises(CzesgError):
        partners.register_pact_partner(buyer, name="ERP", base_url="https://p.example",
                                       client_id="c", client_secret="s", actor=supplier_manager)
    assert not PactPartner.objects.exists()


def test_a_request_is_fulfilled_with_the_matching_shared_footprints(send, published, consent,
                                                                   partner, partner_server):
    body = request_event(partner_server.url, {"productId": [product_urn(published)],
                                              "comment": "Please send"})
    response = send(body)
    assert response.status_code == 200 and response.content == b""

    token_call, event_call = partner_server.received
    assert (token_call["method"], token_call["path"]) == ("POST", "/auth/token")
    assert (event_call["method"], event_call["path"]) == ("POST", "/3/events")
    assert event_call["headers"]["Authorization"] == "Bearer " + TOKEN
    assert event_call["headers"]["Content-Type"] == EVENT
    sent = event_call["body"]
    assert errors("event.schema.json", sent) == []
    assert sent["type"] == FULFILLED and sent["source"] == "http://testserver/pact"
    assert sent["data"]["requestEventId"] == "run-1/12"
    assert [pf["id"] for pf in sent["data"]["pfs"]] == [str(published.pk)]
    assert sent["data"]["pfs"][0]["productIds"] == [product_urn(published)]

    kept = PactEvent.objects.get()
    assert (kept.answer_state, kept.answer_attempts, kept.answer_error) == ("sent", 1, "")
    assert kept.partner == partner and kept.answer == sent and kept.answered_at is not None
    entry = AuditEvent.objects.order_by("-seq").first()
    assert entry.action == "supplychain.pact_event.answer"
    assert json.loads(entry.payload_json)["footprints"] == [str(published.pk)]


def test_a_request_for_nothing_known_is_rejected(send, published, consent, partner,
                                                partner_server):
    body = request_event(partner_server.url, {"productId": ["urn:pact:null"]}, "run-1/14.A")
    response = send(body)
    assert response.status_code == 200
    [sent] = [call["body"] for call in partner_server.events()]
    assert errors("event.schema.json", sent) == []
    assert sent["type"] == REJECTED and sent["data"]["requestEventId"] == "run-1/14.A"
    assert sent["data"]["error"]["code"] == "NotFound" and sent["data"]["error"]["message"]
    assert PactEvent.objects.get().answer_state == "sent"


def test_a_footprint_not_shared_is_not_sent(send, published, partner, partner_server):
    body = request_event(partner_server.url, {"productId": [product_urn(published)]})
    send(body)
    [sent] = [call["body"] for call in partner_server.events()]
    assert sent["type"] == REJECTED and "pfs" not in sent["data"]
    assert str(published.pk) not in json.dumps(sent)


def test_a_request_without_criteria_is_rejected_as_bad(send, partner, partner_server):
    send(request_event(partner_server.url, {"comment": "all"}))
    [sent] = [call["body"] for call in partner_server.events()]
    assert errors("event.schema.json", sent) == []
    assert sent["data"]["error"]["code"] == "BadRequest"


@pytest.mark.parametrize("source", ["https://elsewhere.example/pact", "http://127.0.0.1:9/x"])
def test_a_request_from_a_source_not_allowed_is_refused(send, partner, source):
    response = send(request_event(source, {"productId": ["x"]}))
    assert (response.status_code, response.json()["code"]) == (400, "BadRequest")
    assert not PactEvent.objects.exists()


def test_a_revoked_partner_is_no_longer_answered(send, partner, partner_server,
                                                buyer_manager):
    partners.revoke_pact_partner(partner.pk, actor=buyer_manager)
    assert AuditEvent.objects.order_by("-seq").first().action == "supplychain.pact_partner.revoke"
    response = send(request_event(partner_server.url, {"productId": ["x"]}))
    assert response.status_code == 400 and partner_server.received == []


def test_an_unreachable_partner_leaves_the_answer_failed(send, buyer, buyer_manager,
                                                         published, consent):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    partners.register_pact_partner(buyer, name="Gone", base_url=url, client_id=CLIENT_ID,
                                   client_secret=CLIENT_SECRET, actor=buyer_manager)
    response = send(request_event(url, {"productId": [product_urn(published)]}))
    assert response.status_code == 200
    kept = PactEvent.objects.get()
    assert kept.answer_state == "failed" and "could not be reached" in kept.answer_error
    assert kept.answer["type"] == FULFILLED and kept.answered_at is None


def test_wrong_partner_credentials_leave_the_answer_failed(send, buyer, buyer_manager,
                                                           partner_server, published, consent):
    partners.register_pact_partner(buyer, name="ERP", base_url=partner_server.url,
                                   client_id=CLIENT_ID, client_secret="wrong",
                                   actor=buyer_manager)
    send(request_event(partner_server.url, {"productId": [product_urn(published)]}))
    kept = PactEvent.objects.get()
    assert kept.answer_state == "failed" and "answered 401" in kept.answer_error
    assert partner_server.events() == []


def test_the_event_source_form_with_double_slash_is_matched(buyer, buyer_manager):
    partner = partners.register_pact_partner(
        buyer, name="ERP", base_url="https://api.example.com", client_id="c", client_secret="s",
        event_sources=["//API.example.com/3/events/"], actor=buyer_manager)
    assert partners.partner_for_source(buyer.pk, "//api.example.com/3/events") == partner
    assert partners.partner_for_source(buyer.pk, "https://api.example.com/3/events") is None
    from czesg.supplychain.partner_calls import events_url
    assert events_url("//api.example.com/3/events") == "https://api.example.com/3/events"
    assert events_url("http://127.0.0.1:8004") == "http://127.0.0.1:8004/3/events"


def test_a_manager_registers_and_revokes_a_partner_on_the_sharing_page(client, buyer,
                                                                      buyer_manager):
    client.force_login(buyer_manager)
    page = f"/enterprises/{buyer.uscc}/pact/"
    form = {"partner": "1", "partner_name": "整车厂 ERP", "base_url": "https://erp.example/pact",
            "partner_client_id": "cz-1", "partner_secret": "s3cret-value",
            "event_sources": "https://erp.example/pact\n//erp.example/3/events"}
    assert client.post(page, form).status_code == 302
    stored = PactPartner.objects.get()
    assert stored.event_sources == ["https://erp.example/pact", "//erp.example/3/events"]
    text = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "整车厂 ERP" in text and "s3cret-value" not in text and "登记合作方" in text

    refused = client.post(page, {**form, "base_url": "http://erp.example/pact"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "基础网址须以 https:// 开头（仅本机可用 http://），且不含查询参数。" in \
        refused.content.decode()
    assert PactPartner.objects.count() == 1

    revoke = client.post(f"/enterprises/{buyer.uscc}/pact/partners/{stored.pk}/revoke/")
    assert revoke.status_code == 302
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_another_enterprise_cannot_revoke_the_partner(client, partner, supplier,
                                                     supplier_manager, buyer):
    client.force_login(supplier_manager)
    assert client.post(f"/enterprises/{buyer.uscc}/pact/partners/{partner.pk}/revoke/"
                       ).status_code == 404
    assert client.post(f"/enterprises/{supplier.uscc}/pact/partners/{partner.pk}/revoke/"
                       ).status_code == 404
    partner.refresh_from_db()
    assert partner.revoked_at is None


def test_the_sharing_page_lists_the_answered_requests(send, client, buyer, buyer_manager,
                                                      partner, partner_server):
    send(request_event(partner_server.url, {"productId": ["urn:pact:null"]}, "run-9/14.A"))
    client.force_login(buyer_manager)
    text = client.get(f"/enterprises/{buyer.uscc}/pact/", HTTP_ACCEPT_LANGUAGE="zh-hans"
                      ).content.decode()
    assert "run-9/14.A" in text and "答复已发送" in text
