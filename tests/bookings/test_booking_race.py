"""No double booking (DESIGN.md invariant 1), with real concurrent clients.

Many threads post bookings at the same instant to a live server on PostgreSQL, for one
host's time through two pages of different lengths. With the row locks, exactly one wins
and every other gets a 409 from the re-check under the lock. Control runs switch the
locks off (a test-only setting): then the database's exclusion constraint has to catch the
race, and with the constraint dropped too, the race produces real double bookings, which
shows the race is real and the lock is what prevents it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from bookings.models import Booking
from pages.models import Configuration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
TEN = int(dt.datetime(2027, 3, 1, 10, tzinfo=CHICAGO).timestamp())  # a Monday
RACERS = 12
CONSTRAINT_MESSAGE = "just booked by someone else"


def post(url: str, body: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def race(live_server, pages: list[Configuration], racers: int = RACERS):
    """Every racer posts at once (a barrier releases them), alternating between pages."""
    barrier = threading.Barrier(racers)
    results: list[tuple[int, str]] = [None] * racers

    def run(index: int) -> None:
        page = pages[index % len(pages)]
        body = {
            "start_time": TEN,
            "end_time": TEN + page.duration_minutes * 60,
            "guest": {"name": f"Racer {index}", "email": f"racer{index}@example.com"},
        }
        barrier.wait()
        results[index] = post(
            f"{live_server.url}/v3/scheduling/bookings?configuration_id={page.pk}", body
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def two_pages(make_configuration):
    """One host, a 30-minute and a 60-minute page, both offering Monday 10:00."""
    short = make_configuration(slug="short", duration_minutes=30, available_days_in_future=400)
    host = short.hosts[0]
    long = Configuration.objects.create(
        grant=host,
        slug="long",
        duration_minutes=60,
        min_booking_notice=0,
        available_days_in_future=400,
    )
    long.participants.create(
        grant=host,
        email=host.email,
        is_organizer=True,
        booking_calendar=host.calendars.get(is_primary=True),
    )
    long.open_hours.create(days=[1, 2, 3, 4, 5], start_minute=540, end_minute=1020)
    return [short, long]


@pytest.fixture(autouse=True)
def racers_are_not_rate_limited(settings):
    """Every racer posts from 127.0.0.1: more than one address's allowance."""
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1000, 600), "email": (1000, 3600)}


@pytest.fixture(autouse=True)
def before_the_slot():
    with time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC), tick=True):
        yield


def test_exactly_one_racer_wins_one_hosts_time(live_server, two_pages):
    results = race(live_server, two_pages)
    codes = Counter(code for code, _ in results)
    assert codes == {200: 1, 409: RACERS - 1}, results
    assert Booking.objects.count() == 1
    # The lock, not the constraint, refused the losers: the re-check saw the winner.
    assert not any(CONSTRAINT_MESSAGE in body for _, body in results)


def test_control_without_the_lock_the_constraint_has_to_catch_the_race(
    live_server, two_pages, settings
):
    settings.SCHEDULER_DISABLE_BOOKING_LOCKS = True
    caught = False
    for _ in range(5):  # a race is likely, not certain, in any one round
        Booking.objects.all().delete()
        two_pages[0].hosts[0].calendars.get().events.all().delete()
        results = race(live_server, two_pages)
        assert Counter(code for code, _ in results)[200] == 1, results
        assert all(code in (200, 409) for code, _ in results), results
        if any(CONSTRAINT_MESSAGE in body for _, body in results):
            caught = True
            break
    assert caught, "without the lock, racers should reach the insert together"


def test_control_without_lock_or_constraint_the_race_double_books(live_server, two_pages, settings):
    settings.SCHEDULER_DISABLE_BOOKING_LOCKS = True
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE bookings_bookinghost DROP CONSTRAINT booking_host_no_overlap")
    try:
        double_booked = False
        for _ in range(5):
            Booking.objects.all().delete()
            two_pages[0].hosts[0].calendars.get().events.all().delete()
            race(live_server, two_pages)
            if Booking.objects.count() > 1:
                double_booked = True
                break
        assert double_booked, "the control run should show the race happening"
    finally:
        Booking.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE bookings_bookinghost ADD CONSTRAINT booking_host_no_overlap "
                "EXCLUDE USING gist (grant_id WITH =, "
                "tstzrange(blocked_start, blocked_end, '[)') WITH &&) WHERE (active AND exclusive)"
            )


@pytest.fixture
def group_page(make_configuration):
    return make_configuration(slug="group", capacity=3, available_days_in_future=400)


def test_a_capacity_3_group_event_with_10_racers_gets_exactly_3(live_server, group_page):
    results = race(live_server, [group_page], racers=10)
    assert Counter(code for code, _ in results) == {200: 3, 409: 7}, results
    assert Booking.objects.filter(status="booked").count() == 3


def test_control_a_group_event_without_the_lock_oversells(live_server, group_page, settings):
    settings.SCHEDULER_DISABLE_BOOKING_LOCKS = True
    oversold = False
    for _ in range(5):
        Booking.objects.all().delete()
        race(live_server, [group_page], racers=10)
        if Booking.objects.count() > 3:
            oversold = True
            break
    assert oversold, "without the lock, more than capacity should get in"


def test_a_lock_held_too_long_is_a_409_not_a_500(live_server, make_configuration):
    """Cancelling waits for the host's row lock; when another transaction holds it past
    the lock timeout, the guest gets a 409 to retry, and nothing is half written."""
    from django.db import connections, transaction

    from bookings import services
    from bookings.guest_input import Guest
    from pages.models import Grant

    configuration = make_configuration(slug="held", available_days_in_future=400)
    made = services.create_booking(
        configuration=configuration,
        start=TEN,
        end=None,
        guest=Guest(name="G", email="g@example.com"),
    )
    locked, release = threading.Event(), threading.Event()

    def hold_the_host() -> None:
        with transaction.atomic():
            list(Grant.objects.select_for_update().filter(pk=configuration.grant_id))
            locked.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_host)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        request = urllib.request.Request(
            f"{live_server.url}/v3/scheduling/bookings/{made.booking_ref}", method="DELETE"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
    finally:
        release.set()
        holder.join(timeout=30)
    assert status == 409
    assert Booking.objects.get().status == "booked"
