"""Actions on PACT partner connections: register and revoke a partner, and answer a request
event a partner sent (RequestFulfilled with the matching footprints, or RequestRejected),
posted to the requester's ``/3/events`` by a background task.

Each action checks the actor (the answer runs as the system, for the client that sent the
request), writes in one transaction and appends an audit entry; the calls to the partner run
outside any transaction (``partner_calls``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from czesg.accounts.permissions import require_manager
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CzesgError, NotFound, gettext_noop
from czesg.enterprises.models import Enterprise
from czesg.supplychain import partner_calls, queries, sealing
from czesg.supplychain.models import AnswerState, Footprint, PactEvent, PactPartner

SOURCE_RE = re.compile(r"^(https?:)?//[^\s/?#]+[^\s?#]*$")
MAX_SOURCES = 10
MAX_ANSWERED = 100
FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"


class PartnerInvalid(CzesgError):
    """A partner connection's field is not acceptable; ``params['field']`` names it."""

    code = "pact_partner_invalid"
    http_status = 422


def normal_source(source: str) -> str:
    """An event source as compared with the allow-list (no trailing slash, lower-case host)."""
    text = source.strip().rstrip("/")
    scheme, sep, rest = text.partition("//")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}{sep}{host.lower()}{slash}{path}"


def register_pact_partner(enterprise: Enterprise, *, name: str, base_url: str, client_id: str,
                          client_secret: str, event_sources: Sequence[str] = (),
                          actor) -> PactPartner:
    """Register a partner's PACT endpoint with the client credentials it issued to the
    enterprise (the secret is sealed and never shown again) and the event sources it may send
    requests from (its base URL when none is given)."""
    require_manager(actor, enterprise)
    name, base_url, client_id = name.strip(), base_url.strip().rstrip("/"), client_id.strip()
    if not name:
        raise PartnerInvalid(gettext_noop("Enter a name for the partner."), field="name")
    if not partner_calls.is_callable_url(base_url) or "?" in base_url or "#" in base_url:
        raise PartnerInvalid(gettext_noop(
            "The base URL must start with https:// (http:// only for this host) and hold no "
            "query."), field="base_url")
    if not client_id or len(client_id) > 200:
        raise PartnerInvalid(gettext_noop("Enter the client id the partner gave you."),
                             field="client_id")
    if not client_secret or len(client_secret) > 500:
        raise PartnerInvalid(gettext_noop("Enter the client secret the partner gave you."),
                             field="client_secret")
    sources = list(dict.fromkeys(normal_source(s) for s in event_sources if s.strip()))
    sources = sources or [normal_source(base_url)]
    if len(sources) > MAX_SOURCES:
        raise PartnerInvalid(gettext_noop("At most %(count)s event sources per partner."),
                             field="event_sources", count=MAX_SOURCES)
    for source in sources:
        if not SOURCE_RE.match(source) or len(source) > 500:
            raise PartnerInvalid(gettext_noop(
                "“%(source)s” is not an event source (the sender's URL)."),
                field="event_sources", source=source)
    with transaction.atomic():
        partner = PactPartner.objects.create(
            enterprise=enterprise, name=name[:80], base_url=base_url[:300], client_id=client_id,
            sealed_secret=sealing.seal(client_secret), event_sources=sources)
        record(actor, "supplychain.pact_partner.register", partner, enterprise=enterprise.uscc,
               base_url=partner.base_url, client_id=client_id, event_sources=sources)
    return partner


def revoke_pact_partner(partner_pk: int, *, actor) -> PactPartner:
    """Revoke a partner connection: its requests are refused and nothing more is sent to it."""
    with transaction.atomic():
        partner = PactPartner.objects.select_for_update().filter(pk=partner_pk).first()
        if partner is None:
            raise NotFound()
        require_manager(actor, partner.enterprise)
        if partner.revoked_at is None:
            partner.revoked_at = timezone.now()
            partner.save(update_fields=["revoked_at"])
            record(actor, "supplychain.pact_partner.revoke", partner,
                   enterprise=partner.enterprise.uscc)
    return partner


def partner_for_source(enterprise_id: int, source: str) -> PactPartner | None:
    """The enterprise's active partner whose allow-list holds this event source, if any."""
    wanted = normal_source(source)
    for partner in PactPartner.objects.filter(enterprise_id=enterprise_id,
                                              revoked_at__isnull=True).order_by("id"):
        if wanted in partner.event_sources:
            return partner
    return None


def queue_answer(event: PactEvent, own_source: str) -> None:
    """Answer a kept request event in the background once the transaction commits."""
    from czesg.supplychain.tasks import answer_pact_request

    transaction.on_commit(lambda: answer_pact_request.enqueue(event.pk, own_source))


def _criteria(data: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in queries.FILTER_NAMES:
        value = data.get(name)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        values = [v for v in values if isinstance(v, str) and v.strip()]
        if values:
            found[name] = values
    return found


def answer_body(event: PactEvent, own_source: str) -> dict[str, Any]:
    """The RequestFulfilledEvent (footprints the requester is entitled to that match the
    request's criteria) or RequestRejectedEvent that answers a request event."""
    criteria = _criteria(event.data())
    error: dict[str, str] | None = None
    pfs: list[dict[str, Any]] = []
    if not criteria:
        error = {"code": "BadRequest", "message": gettext("The request names no criteria.")}
    else:
        entitled = (Footprint.objects.entitled_to(event.client.enterprise_id)
                    .select_related("product__enterprise").order_by("created_at", "id"))
        try:
            pfs = [queries.pact_document(f) for f in
                   queries.apply_filters(entitled, criteria)[:MAX_ANSWERED]]
        except queries.FilterRefused as exc:
            error = {"code": "BadRequest",
                     "message": gettext("The filter value “%(value)s” cannot be read.")
                     % {"value": str(exc)}}
        if error is None and not pfs:
            error = {"code": "NotFound",
                     "message": gettext("No footprint you may read matches the request.")}
    data: dict[str, Any] = {"requestEventId": event.event_id}
    if error is None:
        data["pfs"] = pfs
    else:
        data["error"] = error
    return {"type": REJECTED if error else FULFILLED, "specversion": "1.0",
            "id": str(uuid.uuid4()), "source": own_source,
            "time": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}


def answer_request_event(event_pk: int, own_source: str) -> PactEvent:
    """Post the answer to a queued request event to the requester's ``/3/events`` (the token
    from the partner's ``/auth/token``); keeps the answer, its state and an audit entry."""
    event = (PactEvent.objects.select_related("client__enterprise", "partner")
             .filter(pk=event_pk).first())
    if event is None:
        raise NotFound()
    if event.answer_state != AnswerState.QUEUED or event.partner is None:
        return event
    partner = event.partner
    body = answer_body(event, own_source)
    error = ""
    try:
        if partner.revoked_at is not None:
            raise partner_calls.PartnerCallFailed("the partner connection is revoked")
        secret = sealing.unseal(partner.sealed_secret)
        if secret is None:
            raise partner_calls.PartnerCallFailed(
                "the partner's secret cannot be unsealed (the secret key changed): re-enter it")
        token = partner_calls.fetch_token(partner.base_url, partner.client_id, secret)
        partner_calls.post_event(partner_calls.events_url(event.source), token, body)
    except partner_calls.PartnerCallFailed as exc:
        error = str(exc)[:500]
    with transaction.atomic():
        event = PactEvent.objects.select_for_update().get(pk=event.pk)
        event.answer, event.answer_error = body, error
        event.answer_attempts += 1
        event.answer_state = AnswerState.FAILED if error else AnswerState.SENT
        event.answered_at = None if error else timezone.now()
        event.save(update_fields=["answer", "answer_error", "answer_attempts", "answer_state",
                                  "answered_at"])
        record(None, "supplychain.pact_event.answer", event, partner=partner.pk,
               type=body["type"], state=event.answer_state, error=error,
               footprints=[pf["id"] for pf in body["data"].get("pfs", [])])
    return event
