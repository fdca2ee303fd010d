"""The hash chain detects any edited, deleted, reordered or truncated entry."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from czesg.engine.kernel.ledger import GENESIS_HASH, LedgerEntry, entry_hash, verify_chain

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def chain(n: int) -> list[LedgerEntry]:
    entries, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        e = LedgerEntry(i, T0 + timedelta(seconds=i), 7, "alice", "disclosure.set_values",
                        "disclosures.disclosure", str(i), {"values": {"E-GHG-01": [str(i), "t"]}},
                        prev)
        e = replace(e, hash=entry_hash(e, prev))
        entries.append(e)
        prev = e.hash
    return entries


def test_intact_chain_verifies():
    entries = chain(5)
    report = verify_chain(entries, head=(5, entries[-1].hash))
    assert report.ok and report.entries == 5 and report.broken_seq is None


def test_empty_chain_verifies():
    assert verify_chain([], head=(0, GENESIS_HASH)).ok


def test_hash_covers_every_field():
    base = chain(1)[0]
    for change in (
        {"seq": 2}, {"occurred_at": T0}, {"actor_id": 8}, {"actor_label": "bob"},
        {"action": "x"}, {"target_type": "y"}, {"target_id": "z"}, {"payload": {"a": 1}},
    ):
        assert entry_hash(replace(base, **change), GENESIS_HASH) != base.hash, change


def test_edited_entry_is_named():
    entries = chain(5)
    entries[2] = replace(entries[2], payload={"values": {"E-GHG-01": ["999", "t"]}})
    report = verify_chain(entries)
    assert not report.ok and report.broken_seq == 3
    assert "altered" in report.reason


def test_deleted_entry_is_named():
    entries = chain(5)
    del entries[1]
    report = verify_chain(entries)
    assert not report.ok and report.broken_seq == 3


def test_reordered_entries_are_named():
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    report = verify_chain(entries)
    assert not report.ok and report.broken_seq == 3


def test_renumbered_after_delete_is_caught_by_the_link():
    entries = chain(5)
    del entries[1]
    entries = [entries[0]] + [replace(e, seq=e.seq - 1) for e in entries[1:]]
    report = verify_chain(entries)
    assert not report.ok and report.broken_seq == 2


def test_truncated_newest_entries_are_caught_by_the_head():
    entries = chain(5)
    report = verify_chain(entries[:3], head=(5, entries[-1].hash))
    assert not report.ok and report.broken_seq == 4


@settings(max_examples=50)
@given(st.integers(min_value=2, max_value=12), st.data())
def test_any_single_edit_breaks_the_chain_at_that_entry(n, data):
    entries = chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    entries[i] = replace(entries[i], actor_label=entries[i].actor_label + "!")
    report = verify_chain(entries)
    assert not report.ok and report.broken_seq == i + 1
