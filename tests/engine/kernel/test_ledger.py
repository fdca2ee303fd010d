"""The keyed chain detects any edited, deleted, reordered or truncated entry; a rewrite without
the key is caught by the MAC, a rewrite with it by a signed checkpoint of an earlier head."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from czesg.engine.kernel.ledger import (
    GENESIS_HASH,
    LedgerEntry,
    checkpoint_body,
    checkpoint_is_signed,
    checkpoint_signature,
    entry_hash,
    legacy_entry_hash,
    rechain,
    verify_chain,
)

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
KEY = b"k" * 32


def chain(n: int) -> list[LedgerEntry]:
    entries, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        e = LedgerEntry(i, T0 + timedelta(seconds=i), 7, "alice", "disclosure.set_values",
                        "disclosures.disclosure", str(i), {"values": {"E-GHG-01": [str(i), "t"]}},
                        prev)
        e = replace(e, hash=entry_hash(e, prev, KEY))
        entries.append(e)
        prev = e.hash
    return entries


def test_intact_chain_verifies():
    entries = chain(5)
    report = verify_chain(entries, KEY, head=(5, entries[-1].hash))
    assert report.ok and report.entries == 5 and report.broken_seq is None


def test_empty_chain_verifies():
    assert verify_chain([], KEY, head=(0, GENESIS_HASH)).ok


def test_hash_covers_every_field():
    base = chain(1)[0]
    for change in (
        {"seq": 2}, {"occurred_at": T0}, {"actor_id": 8}, {"actor_label": "bob"},
        {"action": "x"}, {"target_type": "y"}, {"target_id": "z"}, {"payload": {"a": 1}},
    ):
        assert entry_hash(replace(base, **change), GENESIS_HASH, KEY) != base.hash, change


def test_edited_entry_is_named():
    entries = chain(5)
    entries[2] = replace(entries[2], payload={"values": {"E-GHG-01": ["999", "t"]}})
    report = verify_chain(entries, KEY)
    assert not report.ok and report.broken_seq == 3
    assert "altered" in report.reason


def test_deleted_entry_is_named():
    entries = chain(5)
    del entries[1]
    report = verify_chain(entries, KEY)
    assert not report.ok and report.broken_seq == 3


def test_reordered_entries_are_named():
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    report = verify_chain(entries, KEY)
    assert not report.ok and report.broken_seq == 3


def test_renumbered_after_delete_is_caught_by_the_link():
    entries = chain(5)
    del entries[1]
    entries = [entries[0]] + [replace(e, seq=e.seq - 1) for e in entries[1:]]
    report = verify_chain(entries, KEY)
    assert not report.ok and report.broken_seq == 2


def test_truncated_newest_entries_are_caught_by_the_head():
    entries = chain(5)
    report = verify_chain(entries[:3], KEY, head=(5, entries[-1].hash))
    assert not report.ok and report.broken_seq == 4


@settings(max_examples=50)
@given(st.integers(min_value=2, max_value=12), st.data())
def test_any_single_edit_breaks_the_chain_at_that_entry(n, data):
    entries = chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    entries[i] = replace(entries[i], actor_label=entries[i].actor_label + "!")
    report = verify_chain(entries, KEY)
    assert not report.ok and report.broken_seq == i + 1


def test_the_hash_depends_on_the_key():
    base = chain(1)[0]
    assert entry_hash(base, GENESIS_HASH, b"j" * 32) != base.hash
    assert legacy_entry_hash(base, GENESIS_HASH) != base.hash


def rehash_from(entries: list[LedgerEntry], start: int, key: bytes, *, legacy: bool = False):
    """An attacker's rewrite: keep entries before ``start``, re-hash that one and every later one."""
    out = entries[:start]
    prev = out[-1].hash if out else GENESIS_HASH
    for e in entries[start:]:
        e = replace(e, prev_hash=prev)
        e = replace(e, hash=legacy_entry_hash(e, prev) if legacy else entry_hash(e, prev, key))
        out.append(e)
        prev = e.hash
    return out


def test_a_rewrite_rehashed_without_the_key_is_caught():
    entries = chain(6)
    entries[2] = replace(entries[2], payload={"values": {"E-GHG-01": ["1", "t"]}})
    for forged in (rehash_from(entries, 2, b"guess" * 8), rehash_from(entries, 2, b"", legacy=True)):
        report = verify_chain(forged, KEY, head=(6, forged[-1].hash))
        assert not report.ok and report.broken_seq == 3 and "altered" in report.reason


def test_a_rewrite_rehashed_with_the_key_is_caught_by_an_earlier_checkpoint():
    entries = chain(6)
    checkpoint = {4: entries[3].hash}
    assert verify_chain(entries, KEY, head=(6, entries[-1].hash), checkpoints=checkpoint).ok
    entries[1] = replace(entries[1], actor_label="mallory")
    forged = rehash_from(entries, 1, KEY)
    # The forged chain is internally sound and matches a forged head ...
    assert verify_chain(forged, KEY, head=(6, forged[-1].hash)).ok
    # ... but not the checkpoint kept outside the store.
    report = verify_chain(forged, KEY, head=(6, forged[-1].hash), checkpoints=checkpoint)
    assert not report.ok and report.broken_seq == 4 and "checkpoint" in report.reason


def test_a_chain_cut_below_the_checkpoint_is_caught():
    entries = chain(6)
    short = entries[:3]
    report = verify_chain(short, KEY, head=(3, short[-1].hash), checkpoints={2: entries[1].hash, 5: entries[4].hash})
    assert not report.ok and report.broken_seq == 4 and "removed" in report.reason


def test_rechain_turns_a_verified_legacy_chain_into_a_keyed_one():
    legacy, prev = [], GENESIS_HASH
    for e in chain(4):
        e = replace(e, prev_hash=prev, hash=legacy_entry_hash(replace(e, prev_hash=prev), prev))
        legacy.append(e)
        prev = e.hash
    assert verify_chain(legacy, None).ok
    assert not verify_chain(legacy, KEY).ok
    keyed = rechain(legacy, KEY)
    assert [e.payload for e in keyed] == [e.payload for e in legacy]
    assert verify_chain(keyed, KEY, head=(4, keyed[-1].hash)).ok


def test_checkpoint_signature_covers_every_field():
    body = checkpoint_body(5, "ab" * 32, T0)
    signed = {**body, "signature": checkpoint_signature(body, KEY)}
    assert checkpoint_is_signed(signed, KEY)
    assert not checkpoint_is_signed(signed, b"j" * 32)
    for change in ({"seq": 6}, {"hash": "cd" * 32}, {"created_at": "x"}, {"scheme": "y"}):
        assert not checkpoint_is_signed({**signed, **change}, KEY), change
    assert not checkpoint_is_signed({"seq": 5}, KEY)
