"""The public API routes are rate limited like the hosted pages: per address and per
guest email, counted in the database (so every process shares one count), 429 with
``Retry-After`` in each dialect's envelope. The API key is a server's and is not
counted."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from bookings import rate_limits
from bookings.models import Booking, OutboxMessage, RateLimitCounter

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
GUEST = "grace@example.com"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro", available_days_in_future=60)


def slot(n: int) -> int:
    """The n-th half hour of working time from Monday, December 7 (16 a day)."""
    day, half_hour = divmod(n, 16)
    start = dt.datetime(2026, 12, 7, 9, tzinfo=CHICAGO) + dt.timedelta(days=day)
    while start.weekday() >= 5:
        start += dt.timedelta(days=2)
    return int((start + dt.timedelta(minutes=30 * half_hour)).timestamp())


def v3_book(client, page, n, *, email=GUEST, ip="203.0.113.9", **headers):
    body = {
        "start_time": slot(n),
        "end_time": slot(n) + 1800,
        "guest": {"name": "Grace", "email": email},
    }
    return client.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        body,
        format="json",
        REMOTE_ADDR=ip,
        **headers,
    )


def guest_emails_queued() -> int:
    return OutboxMessage.objects.filter(kind="email", audience="guest").count()


def test_forty_rapid_v3_bookings_with_one_email_are_mostly_refused(page):
    client = APIClient()
    began = time.monotonic()
    statuses = [v3_book(client, page, n).status_code for n in range(40)]
    assert time.monotonic() - began < 30
    assert statuses.count(429) >= 35
    assert set(statuses) == {200, 429}
    assert Booking.objects.count() == statuses.count(200) <= 5
    assert guest_emails_queued() <= 5


def test_one_email_is_limited_whatever_its_address(page):
    client = APIClient()
    statuses = [
        v3_book(
            client, page, n, email="GRACE@example.com" if n % 2 else GUEST, ip=f"198.51.100.{n}"
        ).status_code
        for n in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3


def test_one_address_is_limited_whatever_the_email(page):
    client = APIClient()
    statuses = [v3_book(client, page, n, email=f"g{n}@example.com").status_code for n in range(12)]
    assert statuses == [200] * 10 + [429] * 2


def test_a_v3_429_has_retry_after_and_the_v3_envelope(page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1, 600)}
    client = APIClient()
    assert v3_book(client, page, 0).status_code == 200
    refused = v3_book(client, page, 1)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    body = refused.json()
    assert set(body) == {"request_id", "error"}
    assert body["error"]["type"] == "rate_limit_error"
    assert "Too many booking requests" in body["error"]["message"]


def test_v2_timeslots_is_limited_in_the_v2_envelope(page):
    client = APIClient()

    def book(n):
        body = {"slot": {"start": slot(n), "end": slot(n) + 1800}, "name": "G", "email": GUEST}
        return client.post("/schedule/intro/timeslots", body, format="json")

    statuses = [book(n).status_code for n in range(40)]
    assert statuses.count(429) >= 35 and guest_emails_queued() <= 5
    refused = book(41)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert set(refused.json()) == {"type", "message"}
    assert refused.json()["type"] == "rate_limit_error"


def test_rescheduling_and_cancelling_by_booking_ref_are_limited(page, settings):
    client = APIClient()
    made = v3_book(client, page, 0).json()["data"]
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (100, 600), "email": (3, 3600)}
    url = f"/v3/scheduling/bookings/{made['booking_ref']}"
    moves = [
        client.patch(url, {"start_time": slot(n), "end_time": slot(n) + 1800}, format="json")
        for n in range(1, 5)
    ]
    # The booking counted once for the email; two moves use the rest of its allowance.
    assert [m.status_code for m in moves] == [200, 200, 429, 429]
    assert client.delete(url).status_code == 429
    assert Booking.objects.get().status == "booked"


def test_v2_cancel_by_hash_is_limited(page, settings):
    client = APIClient()
    body = {"slot": {"start": slot(0), "end": slot(0) + 1800}, "name": "G", "email": GUEST}
    made = client.post("/schedule/intro/timeslots", body, format="json").json()
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1, 600)}
    refused = client.post(f"/schedule/intro/{made['edit_hash']}/cancel", {}, format="json")
    assert refused.status_code == 429 and set(refused.json()) == {"type", "message"}
    assert Booking.objects.get().status == "booked"


def test_the_count_is_in_the_database_shared_by_every_process(page):
    """A count another web process left in the database refuses this process's first
    request: nothing is counted in process memory."""
    allowed, window = rate_limits.limits()["email"]
    now = int(time.time())
    RateLimitCounter.objects.create(
        key=f"email:{rate_limits.email_key(GUEST)}",
        window_start=now - now % window,
        expires_at=now - now % window + window,
        count=allowed,
    )
    assert v3_book(APIClient(), page, 0).status_code == 429


def test_the_api_key_is_not_limited_by_guest_email_or_address(page, api_key):
    client = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    statuses = [v3_book(client, page, n, **auth).status_code for n in range(15)]
    assert statuses == [200] * 15


def test_a_session_or_a_grant_token_is_limited_like_an_anonymous_guest(page, settings, api_key):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1, 600)}
    client = APIClient()
    session = client.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(page.pk)},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    ).json()["data"]["session_id"]
    for n, secret in enumerate([page.hosts[0].token, session]):
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        ip = f"198.51.100.{n}"
        assert v3_book(client, page, 2 * n, ip=ip, **auth).status_code == 200
        assert v3_book(client, page, 2 * n + 1, ip=ip, **auth).status_code == 429
