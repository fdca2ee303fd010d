"""Schemathesis against the OpenAPI schema: generated requests to every operation never get a
server error, every status they get is documented, and responses match their schema.

Phases: examples, fuzzing and coverage (boundary and invalid values of every parameter) run per
operation through ``schema.parametrize()`` (all three are enabled by default in schemathesis 4,
which the first test asserts); the stateful phase runs as a state machine whose links
schemathesis infers from the schema (an enterprise's credit code leads to its disclosures, a
disclosure's id to its datapoints, submit and publish), with a write token of an enterprise
user so that the writes are exercised, not only refused."""

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


def test_the_examples_fuzzing_coverage_and_stateful_phases_are_enabled():
    for result in schema.get_all_operations():
        phases = schema.config.phases_for(operation=result.ok())
        assert phases.examples.enabled and phases.fuzzing.enabled and phases.coverage.enabled
        assert phases.stateful.enabled


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_operation(case, published_data):
    case.call_and_validate(excluded_checks=EXCLUDED)


class Workflows(schema.as_state_machine()):
    """Chains of calls along the inferred links, as an enterprise user with a write token."""

    bearer = ""
    calls: list[tuple[str, str, int]] = []

    def after_call(self, response, case):
        Workflows.calls.append((case.method, case.path, response.status_code))

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Bearer {self.bearer}"}}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, additional_checks=additional_checks,
                               excluded_checks=EXCLUDED, transport_kwargs=kwargs or None)


@pytest.mark.django_db
def test_api_workflows(published_data, alice):
    from czesg.access import actions as access_actions
    from czesg.disclosures import actions

    # An open draft beside the published version, for the writes to change.
    actions.start_disclosure(published_data.enterprise, published_data.year + 1,
                             tier=published_data.tier, actor=alice)

    _, Workflows.bearer = access_actions.issue_token(alice, name="fuzz", scopes=["read", "write"],
                                                     actor=alice)
    # 16 scenarios, drawn the same way on every run (derandomize): random draws did not always
    # reach a linked object (8 scenarios often missed; 16 missed once on PostgreSQL in CI).
    Workflows.run(settings=settings(
        max_examples=16, stateful_step_count=5, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    # The scenarios followed links to real objects (a path parameter filled from an earlier
    # response), not only to refusals.
    assert any("{" in path and status == 200 for _, path, status in Workflows.calls)
