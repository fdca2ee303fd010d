"""Schemathesis against the OpenAPI schema: generated requests to every operation never get a
server error, and documented responses match their schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from czesg.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Every status an operation answers with is documented, error statuses as problem documents
# (status_code_conformance and the response schema checks run). Left out: checks that expect
# behaviour the API does not promise (e.g. that any schema-valid value is accepted, although a
# generated credit code or identifier names nothing).
EXCLUDED = [checks.negative_data_rejection,
            checks.positive_data_acceptance, checks.missing_required_header,
            checks.unsupported_method, checks.ignored_auth]


@pytest.fixture
def keep_connection():
    """Requests through the raw WSGI app end with Django closing the database connection, which
    would abort the test's transaction; Django's own test client avoids it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def published_data(draft_a, alice, fill_basic, keep_connection):
    from czesg.disclosures import actions

    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    return draft_a


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_operation(case, published_data):
    case.call_and_validate(excluded_checks=EXCLUDED)
