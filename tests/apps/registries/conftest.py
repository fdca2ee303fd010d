"""Fixtures of the registries tests (shared with the other dashboard pages' tests)."""

from tests.apps.dashboards.city_fixtures import client_as  # noqa: F401
