"""The scheduling routes (availability, bookings, sessions, free-busy, explain, v2
availability), fuzzed from their own OpenAPI schema: whatever is sent, never a 5xx, and
every answer is one the schema documents, in its shape."""

from __future__ import annotations

import datetime as dt

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

SCHEDULING_PATHS = (
    r"^(/v3/scheduling/(availability|ui-settings|bookings(/\{booking_id\})?|sessions(/\{session_id\})?)"
    r"|/v3/calendars/availability|/v3/grants/\{grant_id\}/calendars/free-busy"
    r"|/v3/grants/\{grant_id\}/scheduling/configurations/\{configuration_id\}/explain"
    r"|/calendars/(availability|free-busy))$"
)
schema = schemathesis.openapi.from_wsgi("/v3/schema", application).include(
    path_regex=SCHEDULING_PATHS
)


@pytest.fixture
def world(db, make_configuration, booking_for):
    """An API key, a public configuration with a booking, and a live session: fuzzed
    requests aim at real objects (random IDs would only ever be 404s)."""
    from bookings.models import Session
    from pages.services import create_api_key

    _, key = create_api_key(name="fuzz")
    configuration = make_configuration(slug="fuzz")
    start = dt.datetime(2030, 1, 7, 15, tzinfo=dt.UTC)
    booking = booking_for(
        configuration, configuration.hosts, start, start + dt.timedelta(minutes=30)
    )
    session = Session(
        configuration=configuration, expires_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )
    session_id = session.set_new_token()
    session.save()
    return {
        "key": key,
        "grant_id": str(configuration.grant_id),
        "configuration_id": str(configuration.pk),
        "booking_id": str(booking.pk),
        "session_id": session_id,
    }


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Requests go straight to the WSGI app, which closes the database connection after
    each one: that would end the test's transaction. Django's test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_5xx_or_an_undocumented_answer(case, world):
    for name in ("grant_id", "configuration_id", "booking_id", "session_id"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = world[name]
    if case.query and "configuration_id" in case.query:
        case.query["configuration_id"] = world["configuration_id"]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['key']}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
