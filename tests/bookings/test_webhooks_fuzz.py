"""/v3/webhooks fuzzed from its own OpenAPI schema: whatever is sent, never a 5xx, and
every answer is one the schema documents, in its shape."""

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

schema = schemathesis.openapi.from_wsgi("/v3/schema", application).include(
    path_regex=r"^/v3/webhooks"
)


@pytest.fixture
def world(db):
    """An API key and one webhook, so fuzzed requests reach a real object."""
    from bookings.models import WebhookEndpoint
    from pages.services import create_api_key

    _, key = create_api_key(name="fuzz")
    endpoint = WebhookEndpoint(
        webhook_url="https://hooks.example.com/in", trigger_types=["booking.created"]
    )
    endpoint.set_new_secret()
    endpoint.save()
    return {"key": key, "webhook_id": str(endpoint.pk)}


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """The WSGI app closes the database connection after each request, which would end
    the test's transaction (Django's test client disconnects the same handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_5xx_or_an_undocumented_answer(case, world):
    if case.path_parameters and "webhook_id" in case.path_parameters:
        case.path_parameters["webhook_id"] = world["webhook_id"]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['key']}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
