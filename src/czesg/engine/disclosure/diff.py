"""Comparing two versions of a disclosure: what was added, removed or changed, field by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The fields of a value that a reader compares: the value itself, its unit, its status and its
# provenance.
COMPARED = ("status", "value", "unit", "entered_value", "entered_unit", "na_explanation",
            "method", "evidence", "entered_by", "assurance")


@dataclass(frozen=True)
class Change:
    """How one indicator differs between two versions."""

    indicator: str
    kind: str  # "added" | "removed" | "changed"
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    fields: tuple[str, ...] = field(default=())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return a == b


def diff_versions(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> list[Change]:
    """Changes from ``before`` to ``after`` (each: indicator code → field mapping), by code."""
    changes = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code), after.get(code)
        if old is None:
            changes.append(Change(code, "added", None, new))
        elif new is None:
            changes.append(Change(code, "removed", old, None))
        else:
            differing = tuple(f for f in COMPARED if not _same(old.get(f), new.get(f)))
            if differing:
                changes.append(Change(code, "changed", old, new, differing))
    return changes
