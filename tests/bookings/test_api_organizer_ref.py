"""Organizer confirmation the web component's way: a configuration's
organizer_confirmation_url gets, for ``:booking_ref``, a booking reference whose salt is
the organizer's secret; the component decodes it and sends ``PUT {status, salt}``."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links
from bookings.models import Booking, OutboxMessage
from bookings.notifications.emails import build

MONDAY = dt.datetime(2026, 12, 7, tzinfo=ZoneInfo("America/Chicago"))
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
CONFIRM_URL = "https://shop.example.com/confirm/:booking_ref"


def at(hour: int, minute: int = 0) -> int:
    return int(MONDAY.replace(hour=hour, minute=minute).timestamp())


def decode_like_the_component(ref: str) -> tuple[str, str, str]:
    """compactStringToUUIDs of @nylas/web-elements: two UUIDs, then the rest as the salt
    (URL-safe base64, unpadded)."""
    raw = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4))
    salt = base64.urlsafe_b64encode(raw[32:]).decode().rstrip("=")
    return str(uuid.UUID(bytes=raw[:16])), str(uuid.UUID(bytes=raw[16:32])), salt


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def confirm_page(make_configuration):
    return make_configuration(
        booking_type="organizer-confirmation",
        slug="confirm",
        organizer_confirmation_url=CONFIRM_URL,
    )


def book(api, configuration, start) -> dict:
    response = api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {"start_time": start, "guest": {"name": "Grace", "email": "grace@example.com"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def organizer_ref_from_email() -> str:
    message = OutboxMessage.objects.filter(purpose="organizer_request").first()
    body = build(message).body
    found = re.search(r"https://shop\.example\.com/confirm/([A-Za-z0-9_\-]+)", body)
    assert found, body
    return found.group(1)


def put(api, configuration, booking_id, **body):
    return api.put(
        f"/v3/scheduling/bookings/{booking_id}?configuration_id={configuration.pk}",
        body,
        format="json",
    )


def test_the_organizer_confirms_with_the_salt_of_the_reference_in_the_email(api, confirm_page):
    made = book(api, confirm_page, at(10))
    configuration_id, booking_id, salt = decode_like_the_component(organizer_ref_from_email())
    assert (configuration_id, booking_id) == (str(confirm_page.pk), made["booking_id"])
    confirmed = put(api, confirm_page, booking_id, status="confirmed", salt=salt)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["data"]["status"] == "booked"


def test_the_organizer_declines_with_it_and_a_reason(api, confirm_page):
    made = book(api, confirm_page, at(10))
    _, booking_id, salt = decode_like_the_component(organizer_ref_from_email())
    declined = put(
        api, confirm_page, booking_id, status="cancelled", salt=salt, cancellation_reason="Away"
    )
    assert declined.status_code == 200, declined.content
    booking = Booking.objects.get(pk=made["booking_id"])
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Away")


def test_the_organizers_salt_works_once(api, confirm_page):
    book(api, confirm_page, at(10))
    _, booking_id, salt = decode_like_the_component(organizer_ref_from_email())
    assert put(api, confirm_page, booking_id, status="confirmed", salt=salt).status_code == 200
    again = put(api, confirm_page, booking_id, status="cancelled", salt=salt)
    assert again.status_code == 401
    assert Booking.objects.get().status == "booked"


def test_the_guests_own_reference_never_confirms(api, confirm_page):
    made = book(api, confirm_page, at(10))
    _, booking_id, guest_salt = decode_like_the_component(made["booking_ref"])
    assert booking_id == made["booking_id"]
    for salt in (guest_salt, made["booking_ref"]):
        refused = put(api, confirm_page, booking_id, status="confirmed", salt=salt)
        assert refused.status_code == 401
    assert Booking.objects.get().status == "pending"


def test_the_organizers_salt_expires(api, confirm_page):
    book(api, confirm_page, at(10))
    _, booking_id, salt = decode_like_the_component(organizer_ref_from_email())
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        late = put(api, confirm_page, booking_id, status="confirmed", salt=salt)
    assert late.status_code == 401
    assert "expired" in late.json()["error"]["message"]
    assert Booking.objects.get().status == "pending"


def test_one_bookings_salt_does_not_decide_another(api, confirm_page):
    first = book(api, confirm_page, at(10))
    second = book(api, confirm_page, at(11))
    first_booking = Booking.objects.get(pk=first["booking_id"])
    _, _, salt = decode_like_the_component(links.organizer_booking_ref(first_booking))
    refused = put(api, confirm_page, second["booking_id"], status="confirmed", salt=salt)
    assert refused.status_code == 401
    assert Booking.objects.get(pk=second["booking_id"]).status == "pending"


def test_a_tampered_salt_is_refused(api, confirm_page):
    made = book(api, confirm_page, at(10))
    _, _, salt = decode_like_the_component(
        links.organizer_booking_ref(Booking.objects.get(pk=made["booking_id"]))
    )
    raw = bytearray(base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4)))
    raw[-1] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    refused = put(api, confirm_page, made["booking_id"], status="confirmed", salt=forged)
    assert refused.status_code == 401
    # A forged issue time (to dodge expiry) breaks the MAC as well.
    raw = bytearray(base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4)))
    raw[7] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    refused = put(api, confirm_page, made["booking_id"], status="confirmed", salt=forged)
    assert refused.status_code == 401
    assert Booking.objects.get().status == "pending"


def test_the_organizers_salt_is_not_stored(api, confirm_page):
    made = book(api, confirm_page, at(10))
    booking = Booking.objects.get(pk=made["booking_id"])
    _, _, salt = decode_like_the_component(links.organizer_booking_ref(booking))
    raw_salt = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    row = Booking.objects.filter(pk=booking.pk).values().get()
    text = repr(row)
    assert salt not in text
    assert raw_salt.hex() not in text


def test_without_a_custom_url_the_email_keeps_our_own_confirmation_page(api, make_configuration):
    configuration = make_configuration(booking_type="organizer-confirmation", slug="ours")
    book(api, configuration, at(10))
    body = build(OutboxMessage.objects.get(purpose="organizer_request")).body
    assert "/confirm/" in body
    assert "shop.example.com" not in body
