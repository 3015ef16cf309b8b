"""The official Python SDK (``nylas`` from PyPI), pointed at our base URL with ``api_uri``,
drives the scheduler unchanged: configurations with the API key; a public
configuration's bookings by configuration_id; a private one's through a session, as a
guest's browser holds it; an organizer's confirmation."""

from __future__ import annotations

import time

import nylas
import pytest
import requests

from pages.services import create_api_key, create_grant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def sdk(live_server):
    _, key = create_api_key(name="sdk")
    grant, _ = create_grant(email="ada@example.com", name="Ada", timezone="Asia/Kolkata")
    return nylas.Client(api_key=key, api_uri=live_server.url), grant, live_server.url


def configuration_body(**extra) -> dict:
    return {
        "name": "SDK page",
        "participants": [
            {
                "email": "ada@example.com",
                "is_organizer": True,
                "availability": {"calendar_ids": ["primary"]},
                "booking": {"calendar_id": "primary"},
            }
        ],
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Talk to Ada"},
        "scheduler": {"min_booking_notice": 0},
        **extra,
    }


def offered(base: str, configuration_id: str, token: str | None = None) -> list[dict]:
    start = int(time.time()) + 3600
    response = requests.get(
        f"{base}/v3/scheduling/availability",
        params={
            "configuration_id": configuration_id,
            "start_time": start,
            "end_time": start + 7 * 86_400,
        },
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["time_slots"]


def guest(slot: dict) -> dict:
    return {
        "start_time": slot["start_time"],
        "end_time": slot["end_time"],
        "guest": {"name": "Grace", "email": "grace@example.com"},
    }


def test_the_sdk_books_reschedules_and_cancels_on_a_public_configuration(sdk):
    client, grant, base = sdk
    made = client.scheduler.configurations.create(grant.pk, configuration_body()).data
    assert [c.id for c in client.scheduler.configurations.list(grant.pk).data] == [made.id]
    assert client.scheduler.configurations.find(grant.pk, made.id).data.event_booking.title == (
        "Talk to Ada"
    )
    slots = offered(base, made.id)
    query = {"configuration_id": made.id}
    booking = client.scheduler.bookings.create(guest(slots[0]), query_params=query).data
    assert booking.status == "booked"
    found = client.scheduler.bookings.find(booking.booking_id, query_params=query).data
    assert found.booking_id == booking.booking_id
    moved = client.scheduler.bookings.reschedule(
        booking.booking_id,
        {"start_time": slots[3]["start_time"], "end_time": slots[3]["end_time"]},
        query_params=query,
    ).data
    assert moved.booking_id == booking.booking_id
    client.scheduler.bookings.destroy(
        booking.booking_id, {"cancellation_reason": "Changed plans"}, query_params=query
    )
    again = client.scheduler.bookings.find(booking.booking_id, query_params=query).data
    assert again.status == "cancelled"


def test_a_guest_session_books_a_private_configuration_through_the_sdk(sdk):
    client, grant, base = sdk
    body = configuration_body(requires_session_auth=True)
    made = client.scheduler.configurations.create(grant.pk, body).data
    session = client.scheduler.sessions.create(
        {"configuration_id": made.id, "time_to_live": 10}
    ).data
    as_guest = nylas.Client(api_key=session.session_id, api_uri=base)
    slots = offered(base, made.id, token=session.session_id)
    booking = as_guest.scheduler.bookings.create(guest(slots[0])).data
    assert as_guest.scheduler.bookings.find(booking.booking_id).data.status == "booked"
    as_guest.scheduler.bookings.destroy(booking.booking_id, {"cancellation_reason": "No"})
    assert as_guest.scheduler.bookings.find(booking.booking_id).data.status == "cancelled"
    client.scheduler.sessions.destroy(session.session_id)
    with pytest.raises(nylas.models.errors.NylasApiError) as refused:
        as_guest.scheduler.bookings.find(booking.booking_id)
    assert refused.value.status_code == 401


def test_the_organizer_confirms_a_pending_booking_through_the_sdk(sdk):
    client, grant, base = sdk
    body = configuration_body()
    body["event_booking"]["booking_type"] = "organizer-confirmation"
    made = client.scheduler.configurations.create(grant.pk, body).data
    query = {"configuration_id": made.id}
    slot = offered(base, made.id)[0]
    booking = client.scheduler.bookings.create(guest(slot), query_params=query).data
    assert booking.status == "pending"
    confirmed = client.scheduler.bookings.confirm(
        booking.booking_id, {"status": "confirmed"}, query_params=query
    ).data
    assert confirmed.status == "booked"
