"""Appending to the keyed audit chain; every action calls :func:`record` inside its transaction."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from czesg.audit.models import AuditEvent, AuditHead
from czesg.engine.kernel.ledger import (
    ChainReport,
    LedgerEntry,
    canonical_json,
    entry_hash,
    verify_chain,
)
from czesg.storage.bulk import create_objects

SYSTEM_LABEL = "system"


def audit_key() -> bytes:
    """The key of the chain's MAC and of its checkpoints (settings.CZESG_AUDIT_KEY)."""
    return settings.CZESG_AUDIT_KEY.encode("utf-8")


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through canonical JSON so that what is hashed is exactly what the database
    # hands back later (dates become strings, tuples lists).
    return json.loads(canonical_json(payload))


def record(
    actor,
    action: str,
    target: models.Model | None = None,
    *,
    target_type: str = "",
    target_id: str = "",
    **payload: Any,
) -> AuditEvent:
    """Append one event to the chain; must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    actor_id = getattr(actor, "pk", None)
    actor_label = actor.label() if hasattr(actor, "label") else SYSTEM_LABEL
    entry = LedgerEntry(
        seq=head.seq + 1,
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        payload=_jsonable(payload),
        prev_hash=head.hash,
    )
    digest = entry_hash(entry, head.hash, audit_key())
    event = AuditEvent.objects.create(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        payload_json=canonical_json(entry.payload),
        prev_hash=head.hash,
        hash=digest,
    )
    AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=digest)
    return event


def record_many(actor, events: list[tuple[str, str, str, dict[str, Any]]]) -> int:
    """Append many events at once (bulk loads): ``(action, target_type, target_id, payload)``."""
    if not events:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside transaction.atomic()")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    actor_id = getattr(actor, "pk", None)
    actor_label = actor.label() if hasattr(actor, "label") else SYSTEM_LABEL
    now = timezone.now()
    prev_hash, seq = head.hash, head.seq
    key = audit_key()
    rows = []
    for action, target_type, target_id, payload in events:
        seq += 1
        body = _jsonable(payload)
        entry = LedgerEntry(seq, now, actor_id, actor_label, action, target_type, target_id,
                            body, prev_hash)
        digest = entry_hash(entry, prev_hash, key)
        rows.append(AuditEvent(seq=seq, occurred_at=now, actor_id=actor_id, actor_label=actor_label,
                               action=action, target_type=target_type, target_id=target_id,
                               payload_json=canonical_json(body), prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    create_objects(rows)  # COPY on PostgreSQL
    AuditHead.objects.filter(id=1).update(seq=seq, hash=prev_hash)
    return len(rows)


def verify(checkpoints: dict[int, str] | None = None) -> ChainReport:
    """Verify the whole stored chain, in insertion order, against the recorded head and, when
    given, the {sequence: hash} of signed checkpoints kept outside the database."""
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    entries = (e.as_entry() for e in AuditEvent.objects.order_by("id").iterator(chunk_size=5000))
    return verify_chain(
        entries, audit_key(), head=tuple(head) if head else None, checkpoints=checkpoints
    )
