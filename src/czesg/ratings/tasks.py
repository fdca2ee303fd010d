"""Background tasks of the ratings app (django-tasks; run by ``czesg manage db_worker``)."""

from __future__ import annotations

from django_tasks import task

from czesg.ratings.actions import run_rating
from czesg.ratings.models import RatingRun


@task()
def rate_city(run_id: int) -> dict:
    """Run a queued city rating in the background and return its summary (plain JSON data)."""
    summary = run_rating(run_id)
    summary.pop("timings", None)
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in summary.items()}


def enqueue_rating(sender, *, run_id: int, **kwargs) -> None:
    """Start a committed, queued rating run in the background and note its task id on the run
    (receiver of :data:`czesg.ratings.signals.rating_queued`)."""
    result = rate_city.enqueue(run_id)
    RatingRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])
