"""A database out of reach is a 503 with Retry-After: a translated "try again in a
moment" page for guests, the dialect's envelope for API clients, never the 500 page.

Here every query fails as a refused connection would (an execute wrapper raising the
OperationalError the driver raises); tests/bookings/test_database_faults.py does the same
against a real PostgreSQL that is stopped, hung and restarted."""

from __future__ import annotations

import contextlib

import pytest
from django.db import InterfaceError, OperationalError, connection

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_down(error=OperationalError):
    def refuse(execute, sql, params, many, context):
        raise error('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with connection.execute_wrapper(refuse):
        yield


def test_a_guest_page_says_try_again_in_a_moment_in_the_guests_language(client, demo_page):
    with database_down():
        response = client.get("/book/demo/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Bitte versuchen Sie es gleich noch einmal" in html
    with database_down(InterfaceError):
        english = client.get("/book/demo/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 503
    assert "Please try again in a moment" in english.content.decode()


def test_a_v3_client_gets_a_503_in_the_v3_envelope(client, demo_page):
    with database_down():
        response = client.get(f"/v3/scheduling/availability?configuration_id={demo_page.pk}")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    body = response.json()
    assert body["error"]["type"] == "service_unavailable"
    assert "try again" in body["error"]["message"]
    assert body["request_id"]


def test_an_authenticated_v3_route_is_a_503_too_when_the_key_cannot_be_checked(client, db):
    with database_down():
        response = client.get("/v3/grants", HTTP_AUTHORIZATION="Bearer some-api-key")
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "service_unavailable"


def test_a_v2_client_gets_a_503_in_the_v2_envelope(client, demo_page):
    with database_down():
        response = client.get("/schedule/demo/info")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json() == {
        "type": "service_unavailable",
        "message": "The service cannot reach its database right now; try again in a moment.",
    }


def test_health_still_says_503(client, db):
    with database_down():
        assert client.get("/healthz").status_code == 503


def test_a_programming_error_is_still_a_500_not_hidden_as_an_outage(client, db):
    from django.db import ProgrammingError

    client.raise_request_exception = False
    with database_down(ProgrammingError):
        assert client.get("/book/demo/").status_code == 500


@pytest.mark.postgres
def test_a_statement_timeout_while_booking_is_an_outage_not_a_taken_slot(
    make_configuration, monkeypatch
):
    """Only the lock timeout (SQLSTATE 55P03) means "someone is booking this right now"
    (409); a statement the server cancelled for running too long is the database being
    slow, which the site answers with a 503. Both errors say "canceling statement"."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from bookings import services
    from bookings.guest_input import Guest
    from bookings.problems import SlotUnavailable

    ten = int(dt.datetime(2027, 3, 1, 10, tzinfo=ZoneInfo("America/Chicago")).timestamp())
    configuration = make_configuration(slug="slow", available_days_in_future=400)

    def slow_lock(grant_ids):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")

    monkeypatch.setattr(services, "lock_hosts", slow_lock)
    with (
        time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC)),
        pytest.raises(OperationalError) as raised,
    ):
        services.create_booking(
            configuration=configuration,
            start=ten,
            end=None,
            guest=Guest(name="G", email="g@example.com"),
        )
    assert not isinstance(raised.value, SlotUnavailable)
    assert "statement timeout" in str(raised.value)
