"""The chain is keyed and anchored: the database refuses UPDATE and DELETE on audit rows, a
rewrite re-hashed without the key is caught by the MAC, and one re-hashed with the key is caught
by a signed checkpoint written outside the database; an old unkeyed chain is re-chained."""

from __future__ import annotations

import importlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from czesg.audit import guard
from czesg.audit.models import AuditEvent, AuditHead
from czesg.audit.recording import audit_key, verify
from czesg.cli import main
from czesg.disclosures import actions
from czesg.engine.kernel.ledger import (
    GENESIS_HASH,
    LedgerEntry,
    canonical_json,
    entry_hash,
    legacy_entry_hash,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cp_dir(settings, tmp_path):
    settings.CZESG_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.CZESG_AUDIT_CHECKPOINT_DIR


@pytest.fixture
def history(draft_a, alice, fill_basic, cp_dir):
    fill_basic(draft_a, alice)
    actions.set_value(draft_a, "S-EMP-01", 50, "人", actor=alice)
    actions.set_value(draft_a, "S-EMP-02-F", 20, "人", actor=alice)
    return list(AuditEvent.objects.order_by("seq"))


def cli(capsys, *argv) -> tuple[int, dict]:
    code = main([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# --- the database refuses changes -----------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET actor_label = 'mallory' WHERE seq = 1",
    "UPDATE audit_auditevent SET payload_json = '{}'",
    "DELETE FROM audit_auditevent WHERE seq = 1",
    "DELETE FROM audit_auditevent",
])
def test_raw_sql_update_and_delete_are_refused_by_the_database(history, statement):
    assert guard.installed(connection)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.count() == len(history)
    assert AuditEvent.objects.get(seq=1).actor_label == history[0].actor_label
    assert verify().ok


def test_queryset_update_and_delete_are_refused_by_the_database(history):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2)._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.get(seq=2).action == history[1].action


def test_appends_still_work_with_the_triggers(history, draft_a, alice):
    actions.set_value(draft_a, "S-EMP-01", 51, "人", actor=alice)
    assert AuditEvent.objects.count() == len(history) + 1 and verify().ok


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_and_keeps_the_triggers(make_enterprise):
    make_enterprise()
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert guard.installed(connection)


# --- checkpoints ------------------------------------------------------------------------------
def test_checkpoint_is_written_outside_the_database_and_printed(
    history, cp_dir, capsys, draft_a, alice
):
    code, checkpoint = cli(capsys, "audit", "checkpoint")
    assert code == 0
    head = AuditHead.objects.get()
    assert (checkpoint["seq"], checkpoint["hash"]) == (head.seq, head.hash)
    files = list(cp_dir.glob("*.json"))
    assert [str(f) for f in files] == [checkpoint["path"]]
    stored = json.loads(files[0].read_text())
    assert stored["signature"] == checkpoint["signature"] and stored["seq"] == head.seq
    actions.set_value(draft_a, "S-EMP-01", 51, "人", actor=alice)  # the chain grows after a checkpoint
    assert main(["audit", "checkpoint"]) == 0
    text = capsys.readouterr().out
    head = AuditHead.objects.get()
    assert f"entry {head.seq} hash {head.hash}" in text and "written to" in text
    code, report = cli(capsys, "audit", "verify")
    assert code == 0 and report["ok"] and report["checkpoints"] == 2
    assert report["entries"] == len(history) + 1
    assert report["latest_checkpoint"]["seq"] == head.seq == checkpoint["seq"] + 1


def _rewrite(seq: int, key: bytes | None, **change) -> None:
    """The attack: edit entry ``seq``, re-hash it and every later entry, update the head."""
    rows = list(AuditEvent.objects.order_by("seq"))
    prev = rows[seq - 2].hash if seq > 1 else GENESIS_HASH
    with guard.suspended(connection), connection.cursor() as cursor:
        for row in rows[seq - 1:]:
            entry = replace(row.as_entry(), prev_hash=prev, **(change if row.seq == seq else {}))
            digest = legacy_entry_hash(entry, prev) if key is None else entry_hash(entry, prev, key)
            cursor.execute(
                "UPDATE audit_auditevent SET actor_label = %s, payload_json = %s, prev_hash = %s, "
                "hash = %s WHERE id = %s",
                [entry.actor_label, canonical_json(entry.payload), prev, digest, row.pk],
            )
            prev = digest
        cursor.execute("UPDATE audit_audithead SET hash = %s", [prev])


def test_rewrite_rehashed_with_the_key_is_caught_by_the_checkpoint(history, capsys):
    assert main(["audit", "checkpoint"]) == 0
    checkpoint_seq = AuditHead.objects.get().seq
    capsys.readouterr()
    # The attacker knows the key: the rewritten chain is internally perfect ...
    _rewrite(3, audit_key(), actor_label="mallory")
    assert verify().ok
    # ... but the checkpoint outside the database still names the rewrite.
    code, report = cli(capsys, "audit", "verify")
    assert code == 1 and not report["ok"]
    assert report["broken_seq"] == checkpoint_seq and "checkpoint" in report["reason"]


def test_rewrite_rehashed_without_the_key_is_caught_without_a_checkpoint(history, capsys):
    for key in (None, b"a-guessed-key-of-the-right-length!!"):
        _rewrite(3, key, actor_label="mallory")
        code, report = cli(capsys, "audit", "verify")
        assert code == 1 and report["broken_seq"] == 3 and "altered" in report["reason"]


def test_entries_removed_below_the_checkpoint_are_caught(history, capsys):
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    last = history[-1]
    with guard.suspended(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [last.seq - 1])
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s",
                       [last.seq - 2, history[-3].hash])
    assert verify().ok  # the head was moved back with the rows
    code, report = cli(capsys, "audit", "verify")
    assert code == 1 and report["broken_seq"] == last.seq - 1 and "removed" in report["reason"]


def test_an_edited_checkpoint_file_is_refused(history, cp_dir, capsys):
    code, checkpoint = cli(capsys, "audit", "checkpoint")
    path = cp_dir / checkpoint["path"].rsplit("/", 1)[-1]
    forged = json.loads(path.read_text())
    forged["seq"] -= 1
    path.write_text(json.dumps(forged))
    code, report = cli(capsys, "audit", "verify")
    assert code == 1 and "not signed with the audit key" in report["reason"]


def test_verify_against_a_published_checkpoint_file(history, tmp_path, capsys):
    code, checkpoint = cli(capsys, "audit", "checkpoint")
    published = tmp_path / "published.json"
    published.write_text(json.dumps({k: v for k, v in checkpoint.items() if k != "path"}))
    _rewrite(2, audit_key(), actor_label="mallory")
    code, report = cli(capsys, "audit", "verify", "--checkpoint", str(published))
    assert code == 1 and report["broken_seq"] == checkpoint["seq"]


def test_no_checkpoint_is_written_for_a_broken_chain(history, cp_dir, capsys):
    _rewrite(2, None, actor_label="mallory")
    code, report = cli(capsys, "audit", "checkpoint")
    assert code == 1 and report["broken_seq"] == 2
    assert not cp_dir.exists() or not list(cp_dir.glob("*.json"))


# --- the upgrade from the unkeyed chain -------------------------------------------------------
rechain_migration = importlib.import_module("czesg.audit.migrations.0002_rechain_with_audit_key")


def _legacy_chain(n: int) -> str:
    prev = GENESIS_HASH
    with guard.suspended(connection):
        AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
        for seq in range(1, n + 1):
            entry = LedgerEntry(seq, datetime(2026, 1, seq, tzinfo=UTC), None, "system",
                                "enterprise.register", "enterprises.enterprise", str(seq),
                                {"n": seq}, prev)
            digest = legacy_entry_hash(entry, prev)
            AuditEvent.objects.create(
                seq=seq, occurred_at=entry.occurred_at, actor_label="system", action=entry.action,
                target_type=entry.target_type, target_id=entry.target_id,
                payload_json=canonical_json(entry.payload), prev_hash=prev, hash=digest,
            )
            prev = digest
        AuditHead.objects.update_or_create(id=1, defaults={"seq": n, "hash": prev})
    return prev


def test_upgrade_rechains_a_verified_legacy_chain_under_the_key():
    legacy_head = _legacy_chain(4)
    assert not verify().ok  # unkeyed hashes do not pass the keyed check
    with guard.suspended(connection):
        rechain_migration.rechain_with_key(apps, None)
    report = verify()
    assert report.ok and report.entries == 5
    closing = AuditEvent.objects.get(seq=5)
    assert closing.action == "audit.rechain"
    assert closing.payload == {"legacy_entries": 4, "legacy_head": legacy_head,
                               "scheme": "hmac-sha256"}
    assert [e.payload for e in AuditEvent.objects.filter(seq__lte=4)] == [{"n": i} for i in range(1, 5)]


def test_upgrade_stops_on_a_broken_legacy_chain():
    _legacy_chain(3)
    with guard.suspended(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE seq = 2")
        with pytest.raises(RuntimeError, match="broken at entry 2"):
            rechain_migration.rechain_with_key(apps, None)
    assert AuditEvent.objects.count() == 3
