"""Every timestamp the API writes carries its UTC offset, and the same instant reads the same in
every endpoint; pages show it in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from czesg.disclosures import actions

pytestmark = pytest.mark.django_db

WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def published(draft_a, alice, fill_basic):
    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    draft_a.refresh_from_db()
    return draft_a


def test_profile_disclosure_and_datapoint_timestamps_carry_offsets(client, published):
    uscc = published.enterprise.uscc
    profile = client.get(f"/api/v1/enterprises/{uscc}/profile").json()["latest"]
    listed = client.get(f"/api/v1/enterprises/{uscc}/disclosures").json()[0]
    detail = client.get(f"/api/v1/disclosures/{published.pk}").json()
    stamps = [profile["submitted_at"], profile["published_at"], listed["submitted_at"],
              listed["published_at"], *(p["entered_at"] for p in detail["datapoints"])]
    assert all(WITH_OFFSET.match(s) for s in stamps), stamps
    # The same instant, written the same way (milliseconds, Z) in every endpoint.
    assert profile["published_at"] == listed["published_at"] == detail["published_at"]
    shown = datetime.fromisoformat(profile["published_at"])
    assert abs(shown - published.published_at).total_seconds() < 0.001


def test_a_stored_naive_profile_is_given_its_utc_offset_by_the_migration(published):
    import importlib

    from django.apps import apps as live_apps

    from czesg.portal.models import PublicProfile

    migration = importlib.import_module(
        "czesg.portal.migrations.0002_profile_timestamps_with_utc_offset")
    profile = PublicProfile.objects.get(enterprise=published.enterprise)
    naive = published.published_at.replace(tzinfo=None).isoformat()
    profile.body = profile.body.replace(
        re.search(r'"published_at":"([^"]+)"', profile.body).group(1), naive)
    profile.save()
    migration.add_offsets(live_apps, None)
    profile.refresh_from_db()
    assert f'"published_at":"{naive}Z"' in profile.body


def test_pages_show_times_in_asia_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True
