"""Background tasks of the supply-chain app (django-tasks; run by ``czesg manage db_worker``)."""

from __future__ import annotations

from django_tasks import task

from czesg.supplychain.partners import answer_request_event


@task()
def answer_pact_request(event_pk: int, own_source: str) -> dict:
    """Post the answer to a received PACT request event and return its state (plain JSON)."""
    event = answer_request_event(event_pk, own_source)
    return {"event": event.pk, "state": event.answer_state, "error": event.answer_error}
