"""Fixtures of the export tests (shared with the other dashboard pages' tests)."""

from tests.apps.dashboards.city_fixtures import city, client_as, park_admin, publish, register  # noqa: F401
