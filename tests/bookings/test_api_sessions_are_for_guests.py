"""A session is handed to a guest's browser by a widget: it books and looks at its own
configuration, but it decides nothing for the organizer (PUT needs the organizer's link
``salt`` with a session) and it reaches no other session."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links
from bookings.models import Booking, Session

CALCUTTA = ZoneInfo("Asia/Kolkata")  # a half-hour zone
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
START = int(dt.datetime(2026, 12, 7, 10, 30, tzinfo=CALCUTTA).timestamp())


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def confirm_page(make_configuration):
    return make_configuration(
        booking_type="organizer-confirmation",
        slug="confirm",
        zones=["Asia/Kolkata"],
        duration_minutes=30,
    )


def new_session(api, api_key, configuration) -> str:
    response = api.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(configuration.pk)},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    return response.json()["data"]["session_id"]


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def pending(api, api_key, confirm_page):
    """(booking id, the guest's session) for a booking made with that session."""
    session = new_session(api, api_key, confirm_page)
    body = {
        "start_time": START,
        "end_time": START + 1800,
        "guest": {"name": "Grace", "email": "grace@example.com"},
    }
    made = api.post(
        f"/v3/scheduling/bookings?configuration_id={confirm_page.pk}",
        body,
        format="json",
        **bearer(session),
    )
    assert made.status_code == 200, made.content
    assert made.json()["data"]["status"] == "pending"
    return made.json()["data"]["booking_id"], session


@pytest.mark.parametrize("status", ["confirmed", "cancelled"])
def test_a_session_alone_cannot_decide_a_pending_booking(api, pending, status):
    booking_id, session = pending
    response = api.put(
        f"/v3/scheduling/bookings/{booking_id}",
        {"status": status},
        format="json",
        **bearer(session),
    )
    assert response.status_code == 401
    assert "salt" in response.json()["error"]["message"]
    assert Booking.objects.get().status == "pending"


def test_a_session_with_the_organizers_salt_confirms(api, pending):
    booking_id, session = pending
    salt = links.organizer_link_token(Booking.objects.get())
    response = api.put(
        f"/v3/scheduling/bookings/{booking_id}",
        {"status": "confirmed", "salt": salt},
        format="json",
        **bearer(session),
    )
    assert response.status_code == 200, response.content
    assert Booking.objects.get().status == "booked"


def test_the_api_key_and_the_hosts_token_confirm_without_a_salt(
    api, api_key, pending, confirm_page
):
    booking_id, _session = pending
    url = f"/v3/scheduling/bookings/{booking_id}"
    response = api.put(url, {"status": "confirmed"}, format="json", **bearer(api_key))
    assert response.status_code == 200, response.content
    host = confirm_page.hosts[0]
    declined = api.put(url, {"status": "cancelled"}, format="json", **bearer(host.token))
    assert declined.status_code == 200, declined.content


def test_a_session_still_cancels_its_guests_booking(api, pending):
    booking_id, session = pending
    response = api.delete(f"/v3/scheduling/bookings/{booking_id}", **bearer(session))
    assert response.status_code == 200, response.content


def test_a_session_reaches_only_itself(api, api_key, confirm_page):
    mine = new_session(api, api_key, confirm_page)
    other = new_session(api, api_key, confirm_page)  # another guest, the same configuration
    assert api.get(f"/v3/scheduling/sessions/{other}", **bearer(mine)).status_code == 404
    assert api.delete(f"/v3/scheduling/sessions/{other}", **bearer(mine)).status_code == 404
    assert Session.objects.count() == 2
    assert api.get(f"/v3/scheduling/sessions/{mine}", **bearer(mine)).status_code == 200
    assert api.delete(f"/v3/scheduling/sessions/{mine}", **bearer(mine)).status_code == 200
    assert api.get(f"/v3/scheduling/sessions/{other}", **bearer(api_key)).status_code == 200
