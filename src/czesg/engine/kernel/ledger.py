"""The append-only, hash-chained audit ledger, computed and verified without a database.

Each entry's hash is the SHA-256 of the previous entry's hash and a canonical JSON rendering of
the entry's own fields. Editing any field of any entry, deleting an entry, or reordering entries
breaks the chain at the first entry affected, which :func:`verify_chain` names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
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


def entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    """The hash an entry must carry given the hash of the entry before it."""
    body = canonical_json(
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
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


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


def verify_chain(
    entries: Iterable[LedgerEntry], head: tuple[int, str] | None = None
) -> ChainReport:
    """Walk entries in stored order and report the first one that breaks the chain.

    ``head`` is the (sequence, hash) the store recorded for its newest entry; deleting the
    newest entries leaves an intact but shorter chain, which only a comparison with it shows.
    """
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
        if entry_hash(entry, prev_hash) != entry.hash:
            return ChainReport(False, count, prev_hash, entry.seq, REASON_HASH % {"seq": entry.seq})
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
    return ChainReport(True, count, prev_hash)
