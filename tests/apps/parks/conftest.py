"""Fixtures of the zone evaluation tests (shared with the other dashboard pages' tests)."""

from tests.apps.dashboards.city_fixtures import client_as, park_admin  # noqa: F401
