"""An event edited in the admin goes through the services, as through the events API: a
booking's event moved there moves the booking (the guest is told), a move onto another
booking is refused with nothing changed, and a connected calendar's events are shown,
never edited. The host works in Kolkata (UTC+05:30), the admin types Kathmandu times
(UTC+05:45)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from bookings import services
from bookings.guest_input import Guest
from bookings.models import Booking, OutboxMessage
from pages.models import Calendar, Event
from pages.services import create_event

KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(zones=["Asia/Kolkata"], slug="review", timezone="Asia/Kolkata")


@pytest.fixture
def admin_client(staff_client):
    session = staff_client.session
    session["admin_timezone"] = "Asia/Kathmandu"
    session.save()
    return staff_client


def book(configuration, hour: int, minute: int = 0) -> Booking:
    start = dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=KOLKATA)
    return services.create_booking(
        configuration=configuration,
        start=int(start.timestamp()),
        end=None,
        guest=Guest(name="Grace Guest", email="grace@example.com", timezone="Asia/Kolkata"),
    ).booking


def change_page(event: Event) -> str:
    return reverse("admin:pages_event_change", args=[event.pk])


def post_move(admin_client, event: Event, start: dt.datetime, end: dt.datetime):
    """The change form as rendered, with new start and end typed in."""
    from tests.pages.test_admin import change_form_data

    data = change_form_data(admin_client.get(change_page(event)))
    # JSON fields as the browser sends them: the text in their box.
    data["participants"] = json.dumps(event.participants)
    data["metadata"] = json.dumps(event.metadata)
    zone = admin_zone(admin_client)
    for name, moment in (("start", start), ("end", end)):
        local = moment.astimezone(zone)
        data[f"{name}_0"] = local.strftime("%Y-%m-%d")
        data[f"{name}_1"] = local.strftime("%H:%M:%S")
        data.pop(name, None)
    return admin_client.post(change_page(event), data)


def admin_zone(admin_client) -> ZoneInfo:
    from pages.admin_times import SESSION_KEY

    return ZoneInfo(admin_client.session.get(SESSION_KEY) or "UTC")


def test_moving_a_bookings_event_in_the_admin_moves_the_booking_and_tells_the_guest(
    admin_client, page
):
    booking = book(page, 10)
    event = booking.event
    new_start = dt.datetime.combine(MONDAY, dt.time(14, 15), tzinfo=KOLKATA)
    new_end = new_start + (event.end - event.start)

    answer = post_move(admin_client, event, new_start, new_end)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    booking.refresh_from_db()
    event.refresh_from_db()
    assert (event.start, event.end) == (new_start, new_end)
    assert (booking.start, booking.end) == (new_start, new_end)
    assert set(booking.host_rows.values_list("blocked_start", flat=True)) == {new_start}
    told = OutboxMessage.objects.filter(booking=booking, purpose="rescheduled", audience="guest")
    assert told.count() == 1


def test_moving_it_onto_another_booking_is_refused_and_nothing_changes(admin_client, page):
    first = book(page, 10)
    book(page, 14)
    event = first.event
    before = (event.start, event.end)
    onto = dt.datetime.combine(MONDAY, dt.time(14), tzinfo=KOLKATA)

    answer = post_move(admin_client, event, onto, onto + (event.end - event.start))

    assert answer.status_code == 302
    shown = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(m.startswith("Not saved:") and "another booking" in m for m in shown), shown
    event.refresh_from_db()
    first.refresh_from_db()
    assert (event.start, event.end) == before == (first.start, first.end)
    assert not OutboxMessage.objects.filter(purpose="rescheduled").exists()


def test_an_event_added_in_the_admin_is_created_by_the_services(admin_client, page):
    calendar = page.hosts[0].calendars.get(is_primary=True)
    zone = admin_zone(admin_client)
    start = dt.datetime.combine(MONDAY, dt.time(9, 30), tzinfo=KOLKATA).astimezone(zone)
    data = {
        "calendar": str(calendar.pk),
        "title": "Dentist",
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": start.strftime("%Y-%m-%d"),
        "end_1": (start + dt.timedelta(minutes=45)).strftime("%H:%M:%S"),
        "busy": "on",
        "status": "confirmed",
        "participants": "[]",
        "metadata": "{}",
    }
    answer = admin_client.post(reverse("admin:pages_event_add"), data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    event = Event.objects.get(title="Dentist")
    assert event.start == start
    assert event.end - event.start == dt.timedelta(minutes=45)


def test_a_connected_calendars_event_is_shown_not_edited(admin_client, page):
    grant = page.hosts[0]
    remote = Calendar.objects.create(
        grant=grant, name="Work (CalDAV)", read_only=True, source="https://dav.example/w/"
    )
    event = Event.objects.create(
        calendar=remote,
        title="Synced",
        start=NOW + dt.timedelta(days=2),
        end=NOW + dt.timedelta(days=2, hours=1),
    )
    page_html = admin_client.get(change_page(event)).content.decode()
    assert "Synced" in page_html
    assert 'name="_save"' not in page_html
    answer = admin_client.post(change_page(event), {"title": "Edited"})
    assert answer.status_code == 403
    event.refresh_from_db()
    assert event.title == "Synced"
    # A local calendar's event is editable as ever.
    local = create_event(
        calendar=grant.calendars.get(is_primary=True),
        start=NOW + dt.timedelta(days=3),
        end=NOW + dt.timedelta(days=3, hours=1),
        title="Local",
    )
    assert 'name="_save"' in admin_client.get(change_page(local)).content.decode()
