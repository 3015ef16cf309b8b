"""What connected calendars cost a booking, in queries, through the API as a backend books
(POST /v3/scheduling/bookings with an API key: bench_booking's path).

A page none of whose hosts has a CalDAV calendar costs exactly what a booking cost before
connected calendars existed: the roster, read with the page, says so (bookings/roster.py,
pages/sql.py), so neither the fresh check (pages/sync/fresh.py) nor the write-back
(pages/sync/writes.py) asks the database. A host with a CalDAV booking calendar costs a
small constant more. These run outside a test transaction (the fresh check never runs
inside one), so a query re-added to either path shows here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from pages import services
from pages.models import Grant, OutgoingEvent
from pages.sync import passes, providers
from pages.sync import services as sync_services
from tests.pages.sync.hosting import KOLKATA, page_for, slot

pytestmark = pytest.mark.django_db(transaction=True)

# A booking through the API before connected calendars (measured on the commit before
# the fresh check, 38c0487^), and now on a page without them: the API key, the page with
# its roster (one statement), then the transaction: the hosts' row locks, their busy
# time, the event, booking and host rows (one statement on PostgreSQL, one per table on
# SQLite), the webhooks to tell, the emails owed (outbox); BEGIN and COMMIT as captured.
WITHOUT_CONNECTED_CALENDARS = {"postgresql": 9, "sqlite": 10}
# A host whose calendars are on a CalDAV server, its booking calendar one of them: its
# calendars read to ask (the fresh check) and what the last sync stored of them, then in
# the transaction its booking calendar read and the write owed to it (an OutgoingEvent).
CALDAV_BOOKING_CALENDAR = 4


def book(api, api_key, configuration, start: dt.datetime, email: str):
    begin = int(start.timestamp())
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": begin,
            "end_time": begin + 1800,
            "guest": {"name": "Grace Guest", "email": email},
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )


def queries_of_a_booking(api, api_key, configuration) -> list[str]:
    """The statements of one booking, after a first one (the key's first use is
    recorded once; caches are warm)."""
    first = book(api, api_key, configuration, slot(3, 9, 30), "first@example.com")
    assert first.status_code == 200, first.content
    with CaptureQueriesContext(connection) as captured:
        answer = book(api, api_key, configuration, slot(3, 10, 30), "grace@example.com")
    assert answer.status_code == 200, answer.content
    return [query["sql"] for query in captured.captured_queries]


def listed(queries: list[str]) -> str:
    return "\n".join(f"{n}. {sql[:160]}" for n, sql in enumerate(queries, 1))


def test_a_page_without_connected_calendars_costs_what_it_did_before_them(api, api_key):
    grant, _token = services.create_grant(email="olive@example.com", name="Olive", timezone=KOLKATA)
    queries = queries_of_a_booking(api, api_key, page_for(grant))
    assert len(queries) == WITHOUT_CONNECTED_CALENDARS[connection.vendor], listed(queries)
    assert not OutgoingEvent.objects.exists()


def test_a_host_with_only_ical_feeds_costs_no_more(api, api_key):
    """Feeds have no time-range query and nothing is written to them: no query for
    either, though the host is connected."""
    url = "https://calendar.example.com/secret/basic.ics"
    feed, _token = sync_services.connect_grant(
        provider="ics",
        values={"urls": [url]},
        found=[
            providers.RemoteCalendar(source=providers.feed_source(url), name="Feed", read_only=True)
        ],
        email="fern@example.com",
        timezone_name=KOLKATA,
    )
    local, _token = services.create_grant(email="olive@example.com", timezone=KOLKATA)
    configuration = page_for(local)
    configuration.participants.create(
        grant=feed, email=feed.email, name="Fern", timezone=KOLKATA, position=1
    )
    queries = queries_of_a_booking(api, api_key, configuration)
    assert len(queries) == WITHOUT_CONNECTED_CALENDARS[connection.vendor], listed(queries)


@pytest.mark.caldav
def test_a_caldav_booking_calendar_costs_a_small_constant(api, api_key, caldav):
    caldav.make_calendar("work", "Work")
    grant, _token = sync_services.connect_grant(
        provider="caldav",
        values={
            "url": caldav.server_url,
            "username": caldav.username,
            "password": caldav.password,
        },
        found=providers.reach(
            "caldav",
            {"url": caldav.server_url, "username": caldav.username, "password": caldav.password},
        ),
        email=f"{caldav.username}@example.com",
        timezone_name=KOLKATA,
    )
    passes.sync_grant(grant)
    configuration = page_for(grant)
    queries = queries_of_a_booking(api, api_key, configuration)
    expected = WITHOUT_CONNECTED_CALENDARS[connection.vendor] + CALDAV_BOOKING_CALENDAR
    assert len(queries) == expected, listed(queries)
    # And it did what those queries are for: the booking's event is owed to the server.
    booking = Booking.objects.get(guest_email="grace@example.com")
    assert OutgoingEvent.objects.filter(event_id=booking.event_id).count() == 1
    assert Grant.objects.get(pk=grant.pk).grant_status == Grant.Status.VALID
