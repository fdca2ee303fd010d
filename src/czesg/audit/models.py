"""The append-only, hash-chained audit log of every action."""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from czesg.engine.kernel.errors import StateConflict, gettext_noop
from czesg.engine.kernel.ledger import GENESIS_HASH, LedgerEntry


class AuditEvent(models.Model):
    """One action taken on the platform, chained to the one before it by its hash."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.CharField(_("target id"), max_length=80, blank=True)
    # Canonical JSON text, not a JSON column: PostgreSQL's jsonb would renormalise numbers and
    # key order, and the hash must cover exactly what is stored.
    payload_json = models.TextField(_("details"), default="{}", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise StateConflict(gettext_noop("Audit entries cannot be changed."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise StateConflict(gettext_noop("Audit entries cannot be deleted."))

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json or "{}")

    def as_entry(self) -> LedgerEntry:
        """This row as the engine's plain ledger entry."""
        return LedgerEntry(
            seq=self.seq,
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            payload=self.payload,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )


class AuditHead(models.Model):
    """The single row recording the chain's newest entry; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.seq} {self.hash[:12]}"
