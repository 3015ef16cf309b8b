"""The organizer routes, fuzzed from their own OpenAPI schema: whatever is sent, never a
5xx, and every answer (success or error) is one the schema documents, in its shape."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from scheduler_site.wsgi import application

ORGANIZER_PATHS = (
    r"^/v3/grants(/\{grant_id\}(/(calendars|events|scheduling/configurations)"
    r"(/\{(calendar_id|event_id|configuration_id)\})?)?)?$"
)
schema = schemathesis.openapi.from_wsgi("/v3/schema", application).include(
    path_regex=ORGANIZER_PATHS
)


@pytest.fixture
def caller(db):
    """The API key and a grant to aim at (random grant IDs would only ever be 404s)."""
    from pages.services import create_api_key, create_grant

    _, key = create_api_key(name="fuzz")
    grant, _ = create_grant(email="fuzz@example.com")
    return key, grant


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Requests go straight to the WSGI app, and Django closes the database connection at
    the end of each one: that would end the test's transaction (on PostgreSQL). Django's
    own test client switches this off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_5xx_or_an_undocumented_answer(case, caller):
    key, grant = caller
    if case.path_parameters:
        case.path_parameters["grant_id"] = str(grant.pk)
        if "calendar_id" in case.path_parameters:
            case.path_parameters["calendar_id"] = "primary"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
