"""One entry for every adapter: value records or government records, as the adapter writes."""

from __future__ import annotations

from collections.abc import Callable

from czesg.records.adapters.base import Adapter
from czesg.records.adapters.government import GovernmentAdapter
from czesg.records.government_importing import import_government_file
from czesg.records.importing import RecordImportSummary, import_record_file
from czesg.records.models import RecordSource


def run_import(adapter: Adapter | GovernmentAdapter, data: bytes, file_name: str, *,
               source: RecordSource, actor,
               progress: Callable[[int, int], None] | None = None) -> RecordImportSummary:
    """Read one file of ``source`` with ``adapter`` (government users)."""
    if isinstance(adapter, GovernmentAdapter):
        summary = import_government_file(adapter, data, file_name, source=source, actor=actor)
        if progress:
            progress(summary.added + summary.changed, summary.added + summary.changed)
        return summary
    return import_record_file(adapter, data, file_name, source=source, actor=actor,
                              progress=progress)
