"""Large record files read in the background: queued on a source's page, read by a task.

A file over :data:`SYNC_LIMIT` bytes is kept as a :class:`RecordUpload` and read by
:func:`czesg.records.tasks.import_upload` (``czesg manage db_worker``), whose page row polls for
its state; a smaller one is read at once. Either way the import itself is the same
(:func:`czesg.records.running.run_import`), with the same counts, refusals and audit entry.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CzesgError
from czesg.records.adapters import adapter_named
from czesg.records.importing import check_source_kind
from czesg.records.models import RecordSource, RecordUpload, UploadState
from czesg.records.running import run_import

# Files up to this size are read during the request; larger ones in the background.
SYNC_LIMIT = 1_000_000


def queue_record_file(adapter_name: str, data: bytes, file_name: str, *, source: RecordSource,
                      actor) -> RecordUpload:
    """Keep a file for a background import and enqueue it once committed (government users)."""
    require_government(actor)
    adapter = adapter_named(adapter_name)
    check_source_kind(adapter.source_kind, adapter.name, source)
    with transaction.atomic():
        upload = RecordUpload.objects.create(
            source=source, adapter=adapter.name, file_name=file_name[:200], data=data,
            size=len(data), requested_by=actor, requested_at=timezone.now())
        record(actor, "records.queue_import", upload, source=source.code, adapter=adapter.name,
               file=upload.file_name, size=upload.size)
        upload_id = upload.pk
        transaction.on_commit(lambda: _enqueue(upload_id))
    return upload


def _enqueue(upload_id: int) -> None:
    from czesg.records.tasks import import_upload

    result = import_upload.enqueue(upload_id)
    RecordUpload.objects.filter(pk=upload_id).update(task_id=str(result.id)[:64])


def read_upload(upload_id: int) -> RecordUpload:
    """Read a queued upload (the task's body): running, then done with its import, or failed
    with the refusal's message; the file's bytes are dropped at the end either way."""
    claimed = RecordUpload.objects.filter(pk=upload_id, state=UploadState.QUEUED).update(
        state=UploadState.RUNNING)
    upload = RecordUpload.objects.select_related("source", "requested_by").get(pk=upload_id)
    if not claimed:
        return upload
    try:
        summary = run_import(adapter_named(upload.adapter), bytes(upload.data), upload.file_name,
                             source=upload.source, actor=upload.requested_by)
    except CzesgError as exc:
        upload.state, upload.error = UploadState.FAILED, {
            "template": exc.message, "params": {k: str(v) for k, v in exc.params.items()},
            "message": exc.render()}
    else:
        upload.state, upload.result_id = UploadState.DONE, summary.import_id
    upload.finished_at, upload.data = timezone.now(), b""
    upload.save(update_fields=["state", "error", "result", "finished_at", "data"])
    return upload
