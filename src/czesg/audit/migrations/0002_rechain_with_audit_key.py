"""Re-chain entries written with the unkeyed SHA-256 chain under the audit key (HMAC-SHA256).

The old chain is verified first, as `czesg audit verify` did before the upgrade; a broken one
stops the upgrade (re-chaining it would launder the tampering): investigate with the previous
release, restore a backup, and only then upgrade. An intact one gets new links and hashes, its
content untouched, and a closing `audit.rechain` entry records how many entries were re-chained
and the old head hash, so a head published before the upgrade can still be matched.
"""

import json

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from czesg.engine.kernel.ledger import (
    LedgerEntry,
    canonical_json,
    entry_hash,
    rechain,
    verify_chain,
)


def _entry(row) -> LedgerEntry:
    return LedgerEntry(
        seq=row.seq, occurred_at=row.occurred_at, actor_id=row.actor_id,
        actor_label=row.actor_label, action=row.action, target_type=row.target_type,
        target_id=row.target_id, payload=json.loads(row.payload_json or "{}"),
        prev_hash=row.prev_hash, hash=row.hash,
    )


def rechain_with_key(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    rows = list(AuditEvent.objects.order_by("id"))
    if not rows:
        return
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    report = verify_chain([_entry(r) for r in rows], None, head=tuple(head) if head else None)
    if not report.ok:
        raise RuntimeError(
            f"The audit chain is broken at entry {report.broken_seq} ({report.reason}); it is not "
            "re-chained under the audit key. Investigate with the previous release's "
            "`czesg audit verify` or restore a backup before upgrading (docs/audit.md)."
        )
    key = settings.CZESG_AUDIT_KEY.encode("utf-8")
    keyed = rechain([_entry(r) for r in rows], key)
    for row, entry in zip(rows, keyed, strict=True):
        row.prev_hash, row.hash = entry.prev_hash, entry.hash
    AuditEvent.objects.bulk_update(rows, ["prev_hash", "hash"], batch_size=2000)
    prev = keyed[-1].hash
    closing = LedgerEntry(
        seq=keyed[-1].seq + 1, occurred_at=timezone.now(), actor_id=None, actor_label="system",
        action="audit.rechain", target_type="", target_id="",
        payload={"legacy_entries": len(rows), "legacy_head": report.head_hash,
                 "scheme": "hmac-sha256"},
        prev_hash=prev,
    )
    digest = entry_hash(closing, prev, key)
    AuditEvent.objects.create(
        seq=closing.seq, occurred_at=closing.occurred_at, actor_id=None, actor_label="system",
        action=closing.action, target_type="", target_id="",
        payload_json=canonical_json(closing.payload), prev_hash=prev, hash=digest,
    )
    AuditHead.objects.update_or_create(id=1, defaults={"seq": closing.seq, "hash": digest})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        # Irreversible in substance (the unkeyed hashes are not kept); reversing leaves the rows.
        migrations.RunPython(rechain_with_key, migrations.RunPython.noop, elidable=False),
    ]
