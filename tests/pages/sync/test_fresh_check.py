"""Invariant 7's fresh check: just before a booking is written, the hosts' CalDAV
calendars are asked about its time. An event added on the server a moment ago (no sync
since) refuses the slot with a 409 and is stored; a server that does not answer leaves
the last sync in force and the booking goes through within the budget."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest

from bookings.models import Booking
from pages.models import Event, Grant
from pages.sync import passes, providers
from pages.sync import services as sync_services
from tests.caldav_server import event, free_port
from tests.pages.sync.hosting import KOLKATA, ical_time, page_for, slot

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC


def book(api, configuration, start: dt.datetime):
    begin = int(start.timestamp())
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": begin,
            "end_time": begin + 1800,
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        },
        format="json",
    )


@pytest.fixture
def connected(api, api_key, caldav):
    work = caldav.make_calendar("work", "Work")
    answer = api.post(
        "/v3/connect/custom",
        {
            "provider": "caldav",
            "settings": {
                "url": caldav.server_url,
                "username": caldav.username,
                "password": caldav.password,
            },
            "email": f"{caldav.username}@example.com",
            "timezone": KOLKATA,
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 200, answer.content
    grant = Grant.objects.get(pk=answer.json()["data"]["id"])
    passes.sync_grant(grant)
    return grant, work


def test_an_event_added_a_moment_ago_refuses_the_slot_and_is_stored(api, caldav, connected):
    grant, work = connected
    configuration = page_for(grant)
    start = slot(3, 10, 30)
    caldav.put_event(
        work,
        "just-added",
        event(
            "just-added",
            ical_time(start - dt.timedelta(minutes=15)),
            ical_time(start + dt.timedelta(minutes=15)),
            "Just added",
        ),
    )
    time.sleep(1)  # "a booking made one second after it was added"

    answer = book(api, configuration, start)
    assert answer.status_code == 409, answer.content
    assert not Booking.objects.exists()
    stored = Event.objects.get(calendar__grant=grant, ical_uid="just-added")
    assert stored.title == "Just added"

    # The slot after it is free and books.
    later = book(api, configuration, start + dt.timedelta(hours=2))
    assert later.status_code == 200, later.content


def test_without_the_fresh_check_the_stale_cache_lets_the_slot_through(
    api, caldav, connected, monkeypatch
):
    """The control: the same race with the check switched off books over the event."""
    from bookings import services

    grant, work = connected
    configuration = page_for(grant)
    start = slot(3, 11, 30)
    caldav.put_event(
        work, "x", event("x", ical_time(start), ical_time(start + dt.timedelta(minutes=30)))
    )
    monkeypatch.setattr(services, "ask_connected_calendars", lambda *a, **k: None)
    assert book(api, configuration, start).status_code == 200


@pytest.fixture
def silent_server(loopback_destinations):
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/cal/"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


def test_a_server_that_does_not_answer_leaves_the_last_sync_and_the_booking_goes_through(
    api, silent_server, caplog
):
    grant, _token = sync_services.connect_grant(
        provider="caldav",
        values={"url": silent_server, "username": "u", "password": "p"},
        found=[providers.RemoteCalendar(source=silent_server, name="Silent", read_only=False)],
        email="silent@example.com",
        timezone_name=KOLKATA,
    )
    configuration = page_for(grant)
    began = time.monotonic()
    answer = book(api, configuration, slot(3, 10))
    took = time.monotonic() - began
    assert answer.status_code == 200, answer.content
    assert took < 5, took  # the 2 s budget, not the client's 10 s timeout
    assert "the last sync stands" in caplog.text
