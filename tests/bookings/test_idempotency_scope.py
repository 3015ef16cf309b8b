"""An Idempotency-Key replays only to the caller that made it: an anonymous client
replaying another client's key and body gets no booking_ref of theirs (issue 14, item 11)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from bookings.models import Booking

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, 06:00 in Chicago
MONDAY = dt.datetime(2026, 3, 9, tzinfo=UTC)
GUEST = {"name": "Grace Guest", "email": "grace@example.com"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro")


def book(api, page, *, key: str = "order-42", **headers):
    # 11:00 in Chicago, the day after the switch to CDT.
    start = int(MONDAY.replace(hour=16).timestamp())
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        {"start_time": start, "end_time": start + 1800, "guest": GUEST},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def test_the_client_that_made_a_key_gets_its_answer_replayed(api, page):
    first = book(api, page, REMOTE_ADDR="203.0.113.9")
    again = book(api, page, REMOTE_ADDR="203.0.113.9")
    assert first.status_code == again.status_code == 200
    assert again.json()["data"]["booking_ref"] == first.json()["data"]["booking_ref"]


def test_another_anonymous_client_replaying_the_key_and_body_gets_no_booking_ref(api, page):
    first = book(api, page, REMOTE_ADDR="203.0.113.9")
    assert first.status_code == 200
    stolen = book(api, page, REMOTE_ADDR="198.51.100.7")
    # Its own request ran: the time is taken, and nothing of the first booking is told.
    assert stolen.status_code == 409
    assert first.json()["data"]["booking_ref"] not in stolen.content.decode()
    assert first.json()["data"]["booking_id"] not in stolen.content.decode()
    assert Booking.objects.count() == 1


@override_settings(SCHEDULER_TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_clients_are_told_apart_by_their_forwarded_address(api, page):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = book(api, page, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert first.status_code == 200
    assert book(api, page, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 409
    again = book(api, page, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert again.json()["data"]["booking_ref"] == first.json()["data"]["booking_ref"]


def test_an_api_key_replays_its_keys_from_any_address(api, page, api_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    first = book(api, page, REMOTE_ADDR="203.0.113.9", **auth)
    again = book(api, page, REMOTE_ADDR="198.51.100.7", **auth)
    assert first.status_code == again.status_code == 200
    assert again.json()["data"]["booking_id"] == first.json()["data"]["booking_id"]


def test_the_address_is_not_stored_in_plain_text(api, page):
    from bookings.models import IdempotencyKey

    book(api, page, REMOTE_ADDR="203.0.113.9")
    scope = IdempotencyKey.objects.get().scope
    assert scope.startswith("public:")
    assert "203.0.113.9" not in scope
