"""Background tasks of the portal (django-tasks; run by ``czesg manage db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_public_profiles(enterprise_ids: list[int]) -> int:
    """Rebuild the public profiles of many enterprises after a large records import."""
    from czesg.portal.profiles import refresh_profiles

    return refresh_profiles(enterprise_ids)
