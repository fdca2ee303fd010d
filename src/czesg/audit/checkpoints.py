"""Signed checkpoints of the audit chain's head, written outside the database.

``czesg audit checkpoint`` verifies the chain and writes its head, signed with the audit key, to a
JSON file under ``settings.CZESG_AUDIT_CHECKPOINT_DIR`` and prints it for the operator to publish.
``czesg audit verify`` then requires every entry named by a checkpoint to still carry the
checkpoint's hash: a rewrite re-hashed with the key and a new head no longer matches.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from czesg.audit.models import AuditHead
from czesg.audit.recording import audit_key, verify
from czesg.engine.kernel.errors import gettext_noop
from czesg.engine.kernel.ledger import (
    GENESIS_HASH,
    ChainReport,
    checkpoint_body,
    checkpoint_is_signed,
    checkpoint_signature,
)

REASON_UNSIGNED = gettext_noop(
    "checkpoint %(file)s is not signed with the audit key (edited, or written with another key)"
)
REASON_UNREADABLE = gettext_noop("checkpoint %(file)s cannot be read as a checkpoint")


def checkpoint_dir() -> Path:
    """Where checkpoints are written and read (settings.CZESG_AUDIT_CHECKPOINT_DIR)."""
    return Path(settings.CZESG_AUDIT_CHECKPOINT_DIR)


@dataclass
class CheckedChain:
    """A chain report with the checkpoints it was held against."""

    report: ChainReport
    checkpoints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def as_dict(self) -> dict[str, Any]:
        latest = max(self.checkpoints, key=lambda c: (c["seq"], c["created_at"]), default=None)
        return {
            **self.report.as_dict(),
            "checkpoints": len(self.checkpoints),
            "latest_checkpoint": latest,
        }


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
        return None
    return data


def _broken(reason: str, files: list[dict[str, Any]]) -> CheckedChain:
    return CheckedChain(ChainReport(False, 0, "", None, reason), files)


def verify_with_checkpoints(paths: list[Path] | None = None) -> CheckedChain:
    """Verify the chain against the given checkpoint files, or every one in the directory."""
    if paths is None:
        folder = checkpoint_dir()
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    key = audit_key()
    loaded: list[dict[str, Any]] = []
    for path in paths:
        data = _read(path)
        if data is None:
            return _broken(REASON_UNREADABLE % {"file": str(path)}, loaded)
        if not checkpoint_is_signed(data, key):
            return _broken(REASON_UNSIGNED % {"file": str(path)}, loaded)
        loaded.append({**data, "path": str(path)})
    pins: dict[int, str] = {}
    for data in loaded:
        if data["seq"] > 0 and pins.setdefault(data["seq"], data["hash"]) != data["hash"]:
            # Two signed checkpoints disagree on one entry: the chain was rewritten in between.
            return _broken(
                gettext_noop("two signed checkpoints record different hashes for entry %(seq)s")
                % {"seq": data["seq"]},
                loaded,
            )
    return CheckedChain(verify(pins), loaded)


def write_checkpoint() -> tuple[CheckedChain, dict[str, Any] | None]:
    """Verify the chain and, when intact, write a signed checkpoint of its head; returns the
    verification and the checkpoint written (``None`` when the chain is broken)."""
    with transaction.atomic():
        # Holding the head row keeps appends out while the chain is verified and signed.
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        checked = verify_with_checkpoints()
        if not checked.ok:
            return checked, None
        seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    body = checkpoint_body(seq, head_hash, timezone.now())
    checkpoint = {**body, "signature": checkpoint_signature(body, audit_key())}
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = body["created_at"].replace("-", "").replace(":", "").replace(".", "")
    path = folder / f"{seq:012d}-{stamp}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return checked, {**checkpoint, "path": str(path)}
