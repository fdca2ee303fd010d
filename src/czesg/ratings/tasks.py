"""Background tasks of the ratings app (django-tasks; run by ``czesg manage db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def rate_city(run_id: int) -> dict:
    """Run a queued city rating in the background and return its summary (plain JSON data)."""
    from czesg.ratings.actions import run_rating

    summary = run_rating(run_id)
    summary.pop("timings", None)
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in summary.items()}
