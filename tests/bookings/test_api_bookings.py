"""/v3/scheduling/bookings and sessions: the booking lifecycle through the API."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links
from bookings.api.bookings import public_scope
from bookings.idempotency import request_digest
from bookings.models import Booking, BookingHost, IdempotencyKey
from pages.models import AdditionalField, Configuration, Event

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = dt.datetime(2026, 12, 7, tzinfo=CHICAGO)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def at(hour: int, minute: int = 0) -> int:
    return int(MONDAY.replace(hour=hour, minute=minute).timestamp())


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro")


def book(api, configuration, start, *, headers=None, **body):
    payload = {
        "start_time": start,
        "end_time": start + configuration.duration_minutes * 60,
        "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        **body,
    }
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        payload,
        format="json",
        **(headers or {}),
    )


def test_a_guest_books_an_offered_slot_on_a_public_page(api, page):
    response = book(api, page, at(10))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "booked"
    assert data["organizer"] == {"name": "host", "email": "host@example.com"}
    booking = Booking.objects.get(pk=data["booking_id"])
    assert (booking.guest_name, booking.guest_email) == ("Grace Guest", "grace@example.com")
    assert links.parse_booking_ref(data["booking_ref"]) == (page.pk, booking.pk)
    event = Event.objects.get(pk=data["event_id"])
    assert event.calendar == page.hosts[0].calendars.get(is_primary=True)
    assert event.start == booking.start and event.status == "confirmed"


def test_the_booked_slot_is_no_longer_offered(api, page):
    params = {"configuration_id": str(page.pk), "start_time": at(0), "end_time": at(23)}

    def offered():
        data = api.get("/v3/scheduling/availability", params).json()["data"]
        return {s["start_time"] for s in data["time_slots"]}

    assert {at(9, 30), at(10), at(10, 30)} <= offered()  # a 30-minute grid
    assert book(api, page, at(10)).status_code == 200
    assert at(10) not in offered()
    assert {at(9, 30), at(10, 30)} <= offered()  # touching is not overlapping


def test_a_second_booking_of_the_same_slot_is_a_409(api, page):
    assert book(api, page, at(10)).status_code == 200
    response = book(api, page, at(10))
    assert response.status_code == 409
    assert response.json()["error"]["type"] == "conflict_error"
    assert Booking.objects.count() == 1


def test_a_slot_not_offered_is_refused(api, page):
    for start in (at(7), at(10, 7), at(17)):  # before hours, off the grid, after hours
        assert book(api, page, start).status_code == 409
    assert Booking.objects.count() == 0


def test_a_slot_within_min_notice_is_refused(api, make_configuration):
    configuration = make_configuration(min_booking_notice=24 * 60)
    with time_machine.travel(MONDAY.replace(hour=8), tick=False):
        assert book(api, configuration, at(10)).status_code == 409
        assert book(api, configuration, at(10) + 86400).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"guest": {"name": "", "email": "g@example.com"}}, "guest.name"),
        ({"guest": {"name": "G", "email": "nope"}}, "guest.email"),
        ({"guest": {"name": "G\r\nBcc: x@y.z", "email": "g@example.com"}}, "guest.name"),
        ({"start_time": "noon"}, "start_time"),
        ({"end_time": 123}, "end_time"),
        ({"timezone": "Moon/Base"}, "timezone"),
        ({"additional_guests": [{"email": "bad"}]}, "additional_guests[0].email"),
        ({"additional_fields": {"unknown": "x"}}, "additional_fields.unknown"),
    ],
)
def test_bad_bookings_get_a_400_naming_the_field(api, page, change, field):
    response = book(api, page, at(10), **change)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith(field)
    assert Booking.objects.count() == 0


def test_additional_fields_follow_their_definitions(api, page):
    AdditionalField.objects.create(
        configuration=page, key="company", label="Company", required=True
    )
    AdditionalField.objects.create(
        configuration=page, key="size", label="Size", type="dropdown", options=["1-10", "11+"]
    )
    AdditionalField.objects.create(
        configuration=page, key="phone", label="Phone", type="phone_number", pattern=r"\+49.*"
    )
    missing = book(api, page, at(10), additional_fields={"size": "1-10"})
    assert missing.json()["error"]["message"].startswith("additional_fields.company")
    wrong_option = book(api, page, at(10), additional_fields={"company": "X", "size": "huge"})
    assert wrong_option.json()["error"]["message"].startswith("additional_fields.size")
    bad_pattern = book(
        api, page, at(10), additional_fields={"company": "X", "phone": "+1 555 0100"}
    )
    assert bad_pattern.json()["error"]["message"].startswith("additional_fields.phone")
    ok = book(api, page, at(10), additional_fields={"company": "X", "phone": "+49 30 1234"})
    assert ok.status_code == 200
    assert Booking.objects.get().additional_fields == {"company": "X", "phone": "+49 30 1234"}


def test_a_private_configuration_needs_a_session_to_book(api, api_key, make_configuration):
    configuration = make_configuration(requires_session_auth=True)
    assert book(api, configuration, at(10)).status_code == 401
    created = api.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(configuration.pk), "time_to_live": 10},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    session_id = created.json()["data"]["session_id"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {session_id}"}
    assert book(api, configuration, at(10), headers=headers).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assert book(api, configuration, at(11), headers=headers).status_code == 401


def test_sessions_have_a_ttl_of_at_most_30_minutes_and_can_be_deleted(api, api_key, page):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    too_long = api.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(page.pk), "time_to_live": 31},
        format="json",
        **auth,
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["message"].startswith("time_to_live")
    session_id = api.post(
        "/v3/scheduling/sessions", {"slug": "intro"}, format="json", **auth
    ).json()["data"]["session_id"]
    assert api.get(f"/v3/scheduling/sessions/{session_id}", **auth).status_code == 200
    assert api.delete(f"/v3/scheduling/sessions/{session_id}", **auth).status_code == 200
    params = {"start_time": at(0), "end_time": at(23)}
    gone = api.get("/v3/scheduling/availability", params, HTTP_AUTHORIZATION=f"Bearer {session_id}")
    assert gone.status_code == 401


def test_the_sdk_style_call_with_api_key_and_configuration_id_works(api, api_key, page):
    response = book(api, page, at(10), headers={"HTTP_AUTHORIZATION": f"Bearer {api_key}"})
    assert response.status_code == 200


# Reading, rescheduling, cancelling


def test_the_booking_ref_reaches_that_booking_and_no_other(api, page):
    first = book(api, page, at(10)).json()["data"]
    second = book(api, page, at(11)).json()["data"]
    got = api.get(f"/v3/scheduling/bookings/{first['booking_ref']}")
    assert got.status_code == 200
    assert got.json()["data"]["booking_id"] == first["booking_id"]
    assert api.get(f"/v3/scheduling/bookings/{second['booking_id']}").status_code == 401
    tampered = first["booking_ref"][:-3] + (
        "AAA" if not first["booking_ref"].endswith("AAA") else "BBB"
    )
    assert api.get(f"/v3/scheduling/bookings/{tampered}").status_code == 404


def test_a_guest_reschedules_with_the_booking_ref(api, page):
    made = book(api, page, at(10)).json()["data"]
    response = api.patch(
        f"/v3/scheduling/bookings/{made['booking_ref']}",
        {"start_time": at(14), "end_time": at(14, 30)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["start_time"] == at(14)
    booking = Booking.objects.get()
    assert booking.event.start == booking.start
    row = BookingHost.objects.get()
    assert row.blocked_start == booking.start
    assert book(api, page, at(10)).status_code == 200  # the old time is free again


def test_rescheduling_onto_a_taken_slot_is_refused(api, page):
    first = book(api, page, at(10)).json()["data"]
    book(api, page, at(11))
    response = api.patch(
        f"/v3/scheduling/bookings/{first['booking_ref']}", {"start_time": at(11)}, format="json"
    )
    assert response.status_code == 409
    assert Booking.objects.get(pk=first["booking_id"]).start.timestamp() == at(10)


def test_rescheduling_to_a_time_overlapping_itself_is_fine(api, make_configuration):
    page = make_configuration(duration_minutes=30, interval_minutes=15, slug="overlap")
    made = book(api, page, at(10)).json()["data"]
    response = api.patch(
        f"/v3/scheduling/bookings/{made['booking_ref']}", {"start_time": at(10, 15)}, format="json"
    )
    assert response.status_code == 200


def test_a_guest_cancels_and_the_time_is_free_again(api, page):
    made = book(api, page, at(10)).json()["data"]
    response = api.delete(
        f"/v3/scheduling/bookings/{made['booking_ref']}",
        {"cancellation_reason": "Conflict"},
        format="json",
    )
    assert response.status_code == 200
    booking = Booking.objects.get()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Conflict")
    assert booking.event.status == "cancelled"
    assert book(api, page, at(10)).status_code == 200
    again = api.delete(f"/v3/scheduling/bookings/{made['booking_ref']}")
    assert again.status_code == 409


def test_cancelling_inside_min_cancellation_notice_is_a_400(api, make_configuration):
    configuration = make_configuration(min_cancellation_notice=24 * 60)
    made = book(api, configuration, at(10)).json()["data"]
    with time_machine.travel(MONDAY.replace(hour=8), tick=False):
        response = api.delete(f"/v3/scheduling/bookings/{made['booking_ref']}")
    assert response.status_code == 400
    assert Booking.objects.get().status == "booked"


def test_a_grant_token_reaches_its_own_bookings_only(api, page, make_host):
    made = book(api, page, at(10)).json()["data"]
    host, stranger = page.hosts[0], make_host("stranger@example.com")
    own = api.get(
        f"/v3/scheduling/bookings/{made['booking_id']}", HTTP_AUTHORIZATION=f"Bearer {host.token}"
    )
    other = api.get(
        f"/v3/scheduling/bookings/{made['booking_id']}",
        HTTP_AUTHORIZATION=f"Bearer {stranger.token}",
    )
    assert own.status_code == 200 and other.status_code == 404


# Organizer confirmation


@pytest.fixture
def confirm_page(make_configuration):
    return make_configuration(booking_type="organizer-confirmation", slug="confirm")


def test_an_organizer_confirmation_booking_is_pending_and_blocks_its_slot(api, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    assert made["status"] == "pending"
    assert Event.objects.get().status == "tentative"
    assert book(api, confirm_page, at(10)).status_code == 409


def test_the_organizer_confirms_with_the_link_salt_once(api, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    booking = Booking.objects.get()
    salt = links.organizer_link_token(booking)
    url = f"/v3/scheduling/bookings/{made['booking_id']}"
    confirmed = api.put(url, {"status": "confirmed", "salt": salt}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["data"]["status"] == "booked"
    assert Event.objects.get().status == "confirmed"
    reused = api.put(url, {"status": "cancelled", "salt": salt}, format="json")
    assert reused.status_code == 401


def test_the_organizer_link_cannot_be_forged_from_the_booking_ref(api, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    url = f"/v3/scheduling/bookings/{made['booking_id']}"
    forged = api.put(url, {"status": "confirmed", "salt": made["booking_ref"]}, format="json")
    assert forged.status_code == 401
    assert Booking.objects.get().status == "pending"


def test_an_expired_organizer_link_is_refused(api, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    salt = links.organizer_link_token(Booking.objects.get())
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        response = api.put(
            f"/v3/scheduling/bookings/{made['booking_id']}",
            {"status": "confirmed", "salt": salt},
            format="json",
        )
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_declining_frees_the_slot(api, api_key, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    declined = api.put(
        f"/v3/scheduling/bookings/{made['booking_id']}",
        {"status": "cancelled", "cancellation_reason": "Out sick"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert declined.json()["data"]["status"] == "cancelled"
    assert book(api, confirm_page, at(10)).status_code == 200


def test_a_pending_booking_blocks_other_pages_and_an_event_added_meanwhile_blocks_it(
    api, api_key, make_configuration
):
    """Two pages share a host: the second cannot book over the first's pending booking,
    and an event the organizer adds meanwhile makes the pending one unconfirmable. (Two
    overlapping pending bookings: tests/bookings/test_booking_integrity.py.)"""
    short = make_configuration(booking_type="organizer-confirmation", slug="short")
    host = short.hosts[0]
    long = Configuration.objects.create(
        grant=host,
        slug="long",
        duration_minutes=60,
        min_booking_notice=0,
        booking_type="organizer-confirmation",
    )
    long.participants.create(
        grant=host,
        email=host.email,
        is_organizer=True,
        booking_calendar=host.calendars.get(is_primary=True),
    )
    first = book(api, short, at(10)).json()["data"]
    # The second cannot even be made while the first is pending:
    assert book(api, long, at(10)).status_code == 409
    # An event added to the calendar meanwhile makes the first unconfirmable.
    Event.objects.create(
        calendar=host.calendars.get(is_primary=True),
        start=MONDAY.replace(hour=10),
        end=MONDAY.replace(hour=11),
    )
    response = api.put(
        f"/v3/scheduling/bookings/{first['booking_id']}",
        {"status": "confirmed"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 409
    assert Booking.objects.get(pk=first["booking_id"]).status == "pending"


# Idempotency


def test_the_same_idempotency_key_and_body_replays_the_first_answer(api, page):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-42"}
    first = book(api, page, at(10), headers=headers)
    second = book(api, page, at(10), headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"] == second.json()["data"]
    assert Booking.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(api, page):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-42"}
    book(api, page, at(10), headers=headers)
    response = book(api, page, at(11), headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "idempotency_error"


def test_a_refusal_is_replayed_too(api, page):
    book(api, page, at(10))
    headers = {"HTTP_IDEMPOTENCY_KEY": "try-1"}
    assert book(api, page, at(10), headers=headers).status_code == 409
    assert book(api, page, at(10), headers=headers).status_code == 409


def test_a_key_still_in_flight_is_a_409(api, page):
    body = {
        "start_time": at(10),
        "end_time": at(10, 30),
        "guest": {"name": "Grace Guest", "email": "grace@example.com"},
    }
    query = {"configuration_id": [str(page.pk)]}
    digest = request_digest("POST", "/v3/scheduling/bookings", query, json.dumps(body).encode())
    # The first request with this key has claimed it and not answered yet.
    scope = public_scope("127.0.0.1")  # the test client's address
    IdempotencyKey.objects.create(key="busy", scope=scope, request_digest=digest)
    response = api.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="busy",
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("Idempotency-Key")
    assert Booking.objects.count() == 0


def test_an_idempotency_key_expires_after_24_hours(api, page):
    headers = {"HTTP_IDEMPOTENCY_KEY": "daily"}
    first = book(api, page, at(10), headers=headers).json()["data"]
    Booking.objects.all().delete()
    Event.objects.all().delete()
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        again = book(api, page, at(10), headers=headers).json()["data"]
    assert again["booking_id"] != first["booking_id"]


# Round-robin and groups


def test_round_robin_gives_the_booking_to_the_next_host(api, make_configuration):
    configuration = make_configuration(
        ("a@example.com", "b@example.com"), availability_method="max-fairness"
    )
    first = book(api, configuration, at(10)).json()["data"]
    second = book(api, configuration, at(10)).json()["data"]
    third = book(api, configuration, at(11)).json()["data"]
    assert first["organizer"]["email"] == "a@example.com"
    assert second["organizer"]["email"] == "b@example.com"
    assert third["organizer"]["email"] == "a@example.com"
    assert book(api, configuration, at(10)).status_code == 409


def test_a_group_event_takes_capacity_guests(api, make_configuration):
    configuration = make_configuration(capacity=3)
    codes = [
        book(
            api, configuration, at(10), guest={"name": f"G{i}", "email": f"g{i}@example.com"}
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 409]


# Events moved or deleted through the calendar


def test_moving_the_bookings_event_moves_the_booking(page, api):
    from pages import signals

    made = book(api, page, at(10)).json()["data"]
    event = Event.objects.get(pk=made["event_id"])
    old_start, old_end = event.start, event.end
    event.start, event.end = MONDAY.replace(hour=15), MONDAY.replace(hour=15, minute=30)
    event.save()
    signals.event_moved.send(sender=Event, event=event, old_start=old_start, old_end=old_end)
    booking = Booking.objects.get()
    assert booking.start == event.start
    assert BookingHost.objects.get().blocked_start == event.start


def test_deleting_the_bookings_event_cancels_the_booking(page, api):
    from pages import signals

    made = book(api, page, at(10)).json()["data"]
    event = Event.objects.get(pk=made["event_id"])
    signals.event_deleted.send(sender=Event, event=event)
    booking = Booking.objects.get()
    assert booking.status == "cancelled"
    assert not BookingHost.objects.get().active
