"""Holes an audit found in the booking lifecycle, each closed with the test that shows it:
a group event's buffers against its own seats, an event moved onto another booking, a
booking_ref riding on an unrelated credential, a move to the same time, and the edges
of Idempotency-Key and paging."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links
from bookings.idempotency import purge_expired_keys
from bookings.models import Booking, BookingHost, IdempotencyKey, OutboxMessage
from pages.models import Event
from tests.bookings.test_api_bookings import MONDAY, NOW, at, frozen_now  # noqa: F401

CHICAGO = ZoneInfo("America/Chicago")


def book(api, configuration, start, *, email="grace@example.com", headers=None, query=""):
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}{query}",
        {
            "start_time": start,
            "end_time": start + configuration.duration_minutes * 60,
            "guest": {"name": "Grace", "email": email},
        },
        format="json",
        **(headers or {}),
    )


def offered(api, configuration, start: int, end: int) -> list[int]:
    response = api.get(
        "/v3/scheduling/availability",
        {"configuration_id": str(configuration.pk), "start_time": start, "end_time": end},
    )
    assert response.status_code == 200, response.content
    return [slot["start_time"] for slot in response.json()["data"]["time_slots"]]


# A group event's buffers keep distance from its own other slots (invariant 2)


@pytest.fixture
def group(make_configuration):
    return make_configuration(
        duration_minutes=30,
        interval_minutes=30,
        capacity=3,
        buffer_before=15,
        buffer_after=15,
        slug="group",
    )


def test_a_group_slot_inside_another_slots_buffer_is_neither_offered_nor_bookable(api, group):
    assert book(api, group, at(10)).status_code == 200
    whole_day = offered(api, group, at(0), at(23))
    assert at(10) in whole_day and at(10, 30) not in whole_day
    # A range that begins at 10:30 must see the 10:00 booking too.
    assert at(10, 30) not in offered(api, group, at(10, 30), at(12))
    assert book(api, group, at(10, 30), email="late@example.com").status_code == 409
    assert book(api, group, at(10), email="second@example.com").status_code == 200


def test_explain_says_why_a_group_slot_in_a_buffer_is_not_offered(api, api_key, group):
    book(api, group, at(10))
    response = api.get(
        f"/v3/grants/{group.grant_id}/scheduling/configurations/{group.pk}/explain",
        {"start_time": at(10, 30)},
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    body = response.json()["data"]
    assert body["available"] is False
    assert any("buffer" in reason["detail"] for reason in body["reasons"]), body


# An event moved through the events API


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro")


def move_event(api, api_key, grant, event_id, start: int, end: int):
    return api.put(
        f"/v3/grants/{grant.pk}/events/{event_id}?calendar_id=primary",
        {"when": {"start_time": start, "end_time": end}},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )


def test_moving_a_bookings_event_through_the_api_moves_the_booking(api, api_key, page):
    made = book(api, page, at(10)).json()["data"]
    response = move_event(api, api_key, page.grant, made["event_id"], at(15), at(15, 30))
    assert response.status_code == 200, response.content
    booking = Booking.objects.get()
    assert booking.start == MONDAY.replace(hour=15)
    assert OutboxMessage.objects.filter(booking=booking, purpose="rescheduled").exists()
    assert at(10) in offered(api, page, at(0), at(23))


def test_deleting_a_bookings_event_through_the_api_cancels_the_booking(api, api_key, page):
    made = book(api, page, at(10)).json()["data"]
    response = api.delete(
        f"/v3/grants/{page.grant_id}/events/{made['event_id']}?calendar_id=primary",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 200, response.content
    assert Booking.objects.get().status == "cancelled"
    assert OutboxMessage.objects.filter(purpose="cancelled").exists()


def test_moving_a_bookings_event_onto_another_booking_is_a_409_and_moves_nothing(
    api, api_key, page
):
    book(api, page, at(10))
    later = book(api, page, at(11), email="other@example.com").json()["data"]
    response = move_event(api, api_key, page.grant, later["event_id"], at(10), at(10, 30))
    assert response.status_code == 409, response.content
    assert response.json()["error"]["type"] == "conflict_error"
    assert Event.objects.get(pk=later["event_id"]).start == MONDAY.replace(hour=11)
    assert Booking.objects.get(pk=later["booking_id"]).start == MONDAY.replace(hour=11)
    active = BookingHost.objects.filter(active=True).order_by("blocked_start")
    assert [h.blocked_start.astimezone(CHICAGO).hour for h in active] == [10, 11]


def test_a_group_guests_event_may_join_another_seat_of_the_same_slot(api, api_key, group):
    book(api, group, at(10))
    other = book(api, group, at(13), email="other@example.com").json()["data"]
    response = move_event(api, api_key, group.grant, other["event_id"], at(10), at(10, 30))
    assert response.status_code == 200, response.content
    assert Booking.objects.filter(start=MONDAY.replace(hour=10)).count() == 2


# The organizer's decision is not the guest's


@pytest.fixture
def confirm_page(make_configuration):
    return make_configuration(booking_type="organizer-confirmation", slug="confirm")


def test_a_booking_ref_with_an_unrelated_credential_cannot_confirm(api, confirm_page, make_host):
    made = book(api, confirm_page, at(10)).json()["data"]
    stranger = make_host("stranger@example.com")
    for verdict in ("confirmed", "cancelled"):
        response = api.put(
            f"/v3/scheduling/bookings/{made['booking_ref']}",
            {"status": verdict},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {stranger.token}",
        )
        assert response.status_code == 401, response.content
    assert Booking.objects.get().status == "pending"
    # The organizer's own link still works on the booking_ref's path.
    salt = links.organizer_link_token(Booking.objects.get())
    response = api.put(
        f"/v3/scheduling/bookings/{made['booking_ref']}",
        {"status": "confirmed", "salt": salt},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {stranger.token}",
    )
    assert response.status_code == 200, response.content


def test_the_hosts_own_token_confirms_by_id(api, confirm_page):
    made = book(api, confirm_page, at(10)).json()["data"]
    host = confirm_page.hosts[0]
    response = api.put(
        f"/v3/scheduling/bookings/{made['booking_id']}",
        {"status": "confirmed"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {host.token}",
    )
    assert response.status_code == 200, response.content


# Rescheduling to the time a booking already has


def test_rescheduling_to_the_same_time_changes_nothing_and_tells_nobody(api, page):
    made = book(api, page, at(10)).json()["data"]
    before = OutboxMessage.objects.count()
    response = api.patch(
        f"/v3/scheduling/bookings/{made['booking_ref']}",
        {"start_time": at(10), "end_time": at(10, 30)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert OutboxMessage.objects.count() == before
    assert not OutboxMessage.objects.filter(purpose="rescheduled").exists()


# Idempotency-Key and paging edges


def test_a_control_character_in_an_idempotency_key_is_a_400(api, page):
    response = book(api, page, at(10), headers={"HTTP_IDEMPOTENCY_KEY": "a\x00b"})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("Idempotency-Key:")
    assert not Booking.objects.exists()


def test_client_id_is_ignored_by_the_idempotency_digest(api, page):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    first = book(api, page, at(10), headers=headers)
    again = book(api, page, at(10), headers=headers, query="&client_id=abc")
    assert again.status_code == 200, again.content
    assert again.json()["data"]["booking_id"] == first.json()["data"]["booking_id"]


def test_a_replay_whose_booking_was_deleted_is_a_404_not_a_500(api, api_key, page):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-2"}
    assert book(api, page, at(10), headers=headers).status_code == 200
    api.delete(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    replay = book(api, page, at(10), headers=headers)
    assert replay.status_code == 404, replay.content


def test_idempotency_keys_older_than_a_day_are_purged(api, page):
    book(api, page, at(10), headers={"HTTP_IDEMPOTENCY_KEY": "old"})
    with time_machine.travel(NOW + dt.timedelta(hours=23), tick=False):
        book(api, page, at(11), headers={"HTTP_IDEMPOTENCY_KEY": "new"})
        assert purge_expired_keys() == 0
    assert purge_expired_keys(now=NOW + dt.timedelta(hours=25)) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("path", ["/v3/grants", "/v3/webhooks"])
def test_a_page_token_beyond_any_list_is_a_400(api, api_key, path):
    import base64

    token = base64.urlsafe_b64encode(b"9" * 26).decode()
    response = api.get(path, {"page_token": token}, HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("page_token:")


def test_two_overlapping_pending_bookings_cannot_both_be_confirmed(
    api, api_key, confirm_page, booking_for
):
    """The product never makes two (pending blocks its time), so the second is written
    as a race that slipped past would leave it; confirming re-checks under the lock and
    refuses either while the other holds the time, and takes one once the other is
    declined."""
    first = book(api, confirm_page, at(10)).json()["data"]
    host = confirm_page.hosts[0]
    start, end = MONDAY.replace(hour=10, minute=15), MONDAY.replace(hour=10, minute=45)
    second = booking_for(confirm_page, [], start, end, status="pending")
    # Not exclusive: past PostgreSQL's backstop, as only the lock would then stop it.
    BookingHost.objects.create(
        booking=second, grant=host, blocked_start=start, blocked_end=end, exclusive=False
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}

    def decide(booking_id, status):
        return api.put(
            f"/v3/scheduling/bookings/{booking_id}", {"status": status}, format="json", **auth
        )

    assert decide(first["booking_id"], "confirmed").status_code == 409
    assert decide(second.pk, "confirmed").status_code == 409
    assert decide(second.pk, "cancelled").status_code == 200
    assert decide(first["booking_id"], "confirmed").status_code == 200
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["booked", "cancelled"]
