"""The append-only, keyed and chained audit ledger, computed and verified without a database.

Each entry's hash is an HMAC-SHA256, under the platform's audit key, of the previous entry's hash
and a canonical JSON rendering of the entry's own fields. Editing any field of any entry, deleting
an entry, or reordering entries breaks the chain at the first entry affected, which
:func:`verify_chain` names; without the key nobody can re-hash the rest to hide an edit. A signed
checkpoint of the head, kept outside the database, catches a rewrite even by someone holding the
key: the entry at the checkpoint's sequence must still carry the checkpoint's hash.

Chains written before the key existed used plain SHA-256 (:func:`legacy_entry_hash`); an upgrade
verifies such a chain and re-chains it with the key (:func:`rechain`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from czesg.engine.kernel.errors import gettext_noop

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class LedgerEntry:
    """One audit entry as plain data: what happened, to what, by whom, and its chain links."""

    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def canonical_time(moment: datetime) -> str:
    """The UTC ISO-8601 rendering of a timestamp used inside hashes (microsecond precision)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """A stable JSON rendering: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _entry_body(entry: LedgerEntry) -> str:
    return canonical_json(
        {
            "seq": entry.seq,
            "at": canonical_time(entry.occurred_at),
            "actor_id": entry.actor_id,
            "actor": entry.actor_label,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "payload": entry.payload,
        }
    )


def entry_hash(entry: LedgerEntry, prev_hash: str, key: bytes) -> str:
    """The keyed hash (HMAC-SHA256) an entry must carry given the hash of the entry before it."""
    message = (prev_hash + "\n" + _entry_body(entry)).encode("utf-8")
    return hmac.new(key, b"czesg-audit-entry\n" + message, hashlib.sha256).hexdigest()


def legacy_entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    """The unkeyed SHA-256 hash of chains written before the audit key (read only at upgrade)."""
    return hashlib.sha256((prev_hash + "\n" + _entry_body(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying a chain: whether it is intact and, if not, where it breaks."""

    ok: bool
    entries: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "broken_seq": self.broken_seq,
            "reason": self.reason,
        }


REASON_GAP = gettext_noop("entry %(seq)s follows entry %(prev)s: an entry is missing or moved")
REASON_LINK = gettext_noop("entry %(seq)s does not link to the hash of the entry before it")
REASON_HASH = gettext_noop("entry %(seq)s was altered: its content does not match its hash")


REASON_TRUNCATED = gettext_noop(
    "entry %(seq)s and later are missing: the chain head records entry %(head)s"
)
REASON_CHECKPOINT = gettext_noop(
    "entry %(seq)s does not carry the hash of the signed checkpoint taken at it: the chain was "
    "rewritten at or before entry %(seq)s"
)
REASON_CHECKPOINT_MISSING = gettext_noop(
    "the chain ends at entry %(end)s but a signed checkpoint records entry %(seq)s: entries were "
    "removed"
)


def verify_chain(
    entries: Iterable[LedgerEntry],
    key: bytes | None,
    head: tuple[int, str] | None = None,
    checkpoints: dict[int, str] | None = None,
) -> ChainReport:
    """Walk entries in stored order and report the first one that breaks the chain.

    ``key`` is the audit key (``None`` checks a legacy unkeyed chain). ``head`` is the
    (sequence, hash) the store recorded for its newest entry; deleting the newest entries leaves
    an intact but shorter chain, which only a comparison with it shows. ``checkpoints`` is the
    {sequence: hash} of signed checkpoints kept outside the store: a chain rewritten and
    re-hashed from an earlier entry on no longer carries a checkpoint's hash at its sequence.
    """
    checkpoints = checkpoints or {}
    prev_hash = GENESIS_HASH
    prev_seq = 0
    count = 0
    for entry in entries:
        count += 1
        if entry.seq != prev_seq + 1:
            return ChainReport(
                False, count, prev_hash, entry.seq, REASON_GAP % {"seq": entry.seq, "prev": prev_seq}
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(False, count, prev_hash, entry.seq, REASON_LINK % {"seq": entry.seq})
        expected = (
            legacy_entry_hash(entry, prev_hash) if key is None else entry_hash(entry, prev_hash, key)
        )
        if not hmac.compare_digest(expected, entry.hash):
            return ChainReport(False, count, prev_hash, entry.seq, REASON_HASH % {"seq": entry.seq})
        if checkpoints.get(entry.seq, entry.hash) != entry.hash:
            return ChainReport(
                False, count, prev_hash, entry.seq, REASON_CHECKPOINT % {"seq": entry.seq}
            )
        prev_hash = entry.hash
        prev_seq = entry.seq
    if head is not None and (prev_seq, prev_hash) != head:
        return ChainReport(
            False,
            count,
            prev_hash,
            prev_seq + 1,
            REASON_TRUNCATED % {"seq": prev_seq + 1, "head": head[0]},
        )
    if checkpoints and prev_seq < max(checkpoints):
        return ChainReport(
            False,
            count,
            prev_hash,
            prev_seq + 1,
            REASON_CHECKPOINT_MISSING % {"end": prev_seq, "seq": max(checkpoints)},
        )
    return ChainReport(True, count, prev_hash)


def rechain(entries: Iterable[LedgerEntry], key: bytes) -> list[LedgerEntry]:
    """The same entries with links and hashes recomputed under ``key`` (their content unchanged)."""
    out: list[LedgerEntry] = []
    prev_hash = GENESIS_HASH
    for entry in entries:
        linked = replace(entry, prev_hash=prev_hash)
        linked = replace(linked, hash=entry_hash(linked, prev_hash, key))
        out.append(linked)
        prev_hash = linked.hash
    return out


CHECKPOINT_SCHEME = "czesg-audit-checkpoint/hmac-sha256/1"


def checkpoint_body(seq: int, head_hash: str, created_at: datetime) -> dict[str, Any]:
    """The signed part of a checkpoint: the head it vouches for and when it was taken."""
    return {
        "scheme": CHECKPOINT_SCHEME,
        "seq": seq,
        "hash": head_hash,
        "created_at": canonical_time(created_at),
    }


def checkpoint_signature(body: dict[str, Any], key: bytes) -> str:
    """The HMAC-SHA256 signature of a checkpoint body under the audit key."""
    message = b"czesg-audit-checkpoint\n" + canonical_json(body).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint_is_signed(checkpoint: dict[str, Any], key: bytes) -> bool:
    """Whether a checkpoint's signature matches its body under ``key``."""
    fields = ("scheme", "seq", "hash", "created_at")
    if not all(f in checkpoint for f in fields) or checkpoint["scheme"] != CHECKPOINT_SCHEME:
        return False
    body = {f: checkpoint[f] for f in fields}
    return hmac.compare_digest(
        checkpoint_signature(body, key), str(checkpoint.get("signature", ""))
    )
