"""Every action lands in the keyed chain; `czesg audit verify` catches any direct tampering.

The database refuses UPDATE and DELETE on the audit table (see test_audit_anchoring.py), so the
tampering tests below play an attacker who owns the schema and drops the triggers first."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from czesg.audit import guard
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.cli import main
from czesg.disclosures import actions
from czesg.engine.kernel.errors import StateConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.set_value(draft_a, "S-EMP-01", 50, "人", actor=alice)
    actions.set_value(draft_a, "S-EMP-02-F", 20, "人", actor=alice)
    actions.set_value(draft_a, "S-TRN-02", 48, "hour/person", actor=alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    return list(AuditEvent.objects.order_by("seq"))


def run_verify(capsys) -> tuple[int, dict]:
    code = main(["audit", "verify", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_actions_are_chained_in_order(history):
    actions_seen = [e.action for e in history]
    assert actions_seen[-5:] == [
        "disclosure.set_values", "disclosure.set_values", "disclosure.set_values",
        "disclosure.submit", "disclosure.publish",
    ]
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    for before, after in zip(history, history[1:], strict=False):
        assert after.prev_hash == before.hash


def test_intact_chain_exits_zero(history, capsys):
    code, report = run_verify(capsys)
    assert code == 0
    assert report["ok"] is True and report["entries"] == len(history)


def _sql(statement: str, params=()):
    with guard.suspended(connection), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_edited_row_is_named(history, capsys):
    target = history[3]
    _sql("UPDATE audit_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", target.seq])
    code, report = run_verify(capsys)
    assert code == 1
    assert report["broken_seq"] == target.seq


def test_edited_payload_is_named(history, capsys):
    target = history[-3]
    _sql("UPDATE audit_auditevent SET payload_json = %s WHERE seq = %s", ['{"values":{}}', target.seq])
    code, report = run_verify(capsys)
    assert code == 1 and report["broken_seq"] == target.seq


def test_deleted_row_is_named(history, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = %s", [history[2].seq])
    code, report = run_verify(capsys)
    assert code == 1 and report["broken_seq"] == history[3].seq


def test_deleted_newest_row_is_named(history, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = %s", [history[-1].seq])
    code, report = run_verify(capsys)
    assert code == 1 and report["broken_seq"] == history[-1].seq


def test_reordered_rows_are_named(history, capsys):
    a, b = history[1], history[2]
    # Swap the two rows' contents (their sequence numbers travel with them).
    _sql("UPDATE audit_auditevent SET seq = 999999 WHERE id = %s", [a.pk])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    code, report = run_verify(capsys)
    # In stored order, the row now numbered b.seq comes straight after a.seq - 1.
    assert code == 1 and report["broken_seq"] == b.seq


def test_text_output_names_the_broken_entry(history, capsys):
    _sql("UPDATE audit_auditevent SET action = 'x' WHERE seq = %s", [history[0].seq])
    assert main(["audit", "verify"]) == 1
    assert f"BROKEN at entry {history[0].seq}" in capsys.readouterr().out


def test_audit_rows_refuse_change_through_the_orm(history):
    event = history[0]
    event.action = "tampered"
    with pytest.raises(StateConflict):
        event.save()
    with pytest.raises(StateConflict):
        event.delete()
    assert verify().ok
