"""Background tasks of the records app (django-tasks; run by ``czesg manage db_worker``)."""

from __future__ import annotations

from django_tasks import task

from czesg.records.uploads import read_upload


@task()
def import_upload(upload_id: int) -> dict:
    """Read a queued record file in the background and return its state (plain JSON data)."""
    upload = read_upload(upload_id)
    return {"upload": upload.pk, "state": upload.state, "import": upload.result_id}
