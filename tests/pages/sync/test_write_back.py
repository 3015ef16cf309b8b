"""Issue #19 against a real Radicale: a booking's event lands in its host's CalDAV
booking calendar (one object, the invite's UID, TZID and VTIMEZONE, TENTATIVE while
pending, SCHEDULE-AGENT=CLIENT), follows every change through the API, and changes made
in the organizer's calendar come back; faults lose nothing and double nothing."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bookings.models import Booking, OutboxMessage
from pages.models import Configuration, Event, Grant, OutgoingEvent
from pages.sync import caldav_client as client
from pages.sync import passes, providers, sealing, writes
from tests.pages.sync.hosting import KOLKATA, page_for, slot

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC


@pytest.fixture
def host(api, api_key, caldav):
    """A grant connected to its Radicale account (one calendar, "Work"), synced."""
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
            "name": "Olive Organizer",
            "timezone": KOLKATA,
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 200, answer.content
    grant = Grant.objects.get(pk=answer.json()["data"]["id"])
    passes.sync_grant(grant)
    grant.work_url = work
    return grant


def handle(grant: Grant) -> client.Calendar:
    calendar = grant.calendars.get(is_primary=True)
    return providers.remote_calendar(
        grant.provider, sealing.open_sealed(grant.sealed_settings), calendar.source
    )


def objects_on_server(grant: Grant) -> dict[str, icalendar.Event]:
    """UID → VEVENT of every object in the host's calendar, read back over CalDAV."""
    calendar = handle(grant)
    found = client.changes(calendar, None)
    resources = client.fetch(calendar, [item.href for item in found.changed])
    events = {}
    for resource in resources:
        (vevent,) = icalendar.Calendar.from_ical(resource.ical).walk("VEVENT")
        events[str(vevent["UID"])] = vevent
    return events


def deliver_all(days: int = 1) -> list[str]:
    now = dt.datetime.now(UTC) + dt.timedelta(days=days)  # past the backoff of earlier tries
    return [writes.deliver(outgoing_id, now=now) for outgoing_id in writes.due(now)]


def book(api, configuration: Configuration, start: dt.datetime):
    begin = int(start.timestamp())
    answer = api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": begin,
            "end_time": begin + configuration.duration_minutes * 60,
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]


def uid_of(booking_id: str) -> str:
    return Event.objects.get(booking__id=booking_id).ical_uid


def test_a_booking_is_written_once_with_its_zone_status_attendees_and_schedule_agent(api, host):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10, 30))
    assert deliver_all() == ["written"]
    assert deliver_all() == []  # nothing more owed

    uid = uid_of(data["booking_id"])
    assert uid.startswith(data["booking_id"])
    (vevent,) = objects_on_server(host).values()
    assert str(vevent["UID"]) == uid
    assert vevent["DTSTART"].params["TZID"] == KOLKATA
    assert vevent.decoded("DTSTART") == slot(3, 10, 30)
    assert vevent.decoded("DTSTART").utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert str(vevent["STATUS"]) == "CONFIRMED"
    attendees = vevent.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    guest = next(a for a in attendees if "grace@example.com" in str(a))
    assert guest.params["SCHEDULE-AGENT"] == "CLIENT"
    assert vevent["ORGANIZER"].params["SCHEDULE-AGENT"] == "CLIENT"
    assert "/organizer/" in str(vevent["DESCRIPTION"])
    document = icalendar.Calendar.from_ical(
        client.get(handle(host), OutgoingEvent.objects.get().href).ical
    )
    assert [str(tz["TZID"]) for tz in document.walk("VTIMEZONE")] == [KOLKATA]

    # Written back by the next sync, it is not busy a second time.
    passes.sync_grant(host)
    assert not Event.objects.filter(calendar__grant=host, remote_event__isnull=False).exists()


def test_reschedule_updates_the_same_object_and_cancel_deletes_it(api, host):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    moved = int(slot(3, 13).timestamp())
    answer = api.patch(
        f"/v3/scheduling/bookings/{data['booking_ref']}",
        {"start_time": moved, "end_time": moved + 1800},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert deliver_all() == ["written"]
    (vevent,) = objects_on_server(host).values()
    assert vevent.decoded("DTSTART") == slot(3, 13)

    answer = api.delete(f"/v3/scheduling/bookings/{data['booking_ref']}", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert deliver_all() == ["deleted"]
    assert objects_on_server(host) == {}


def test_pending_is_tentative_confirm_makes_it_confirmed_decline_deletes_it(api, api_key, host):
    configuration = page_for(host)
    Configuration.objects.filter(pk=configuration.pk).update(booking_type="organizer-confirmation")
    first = book(api, configuration, slot(3, 9))
    second = book(api, configuration, slot(3, 15))
    deliver_all()
    on_server = objects_on_server(host)
    for vevent in on_server.values():
        assert str(vevent["STATUS"]) == "TENTATIVE"
        assert "awaiting confirmation" in str(vevent["SUMMARY"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    assert (
        api.put(
            f"/v3/scheduling/bookings/{first['booking_id']}",
            {"status": "confirmed"},
            format="json",
            **auth,
        ).status_code
        == 200
    )
    assert (
        api.put(
            f"/v3/scheduling/bookings/{second['booking_id']}",
            {"status": "cancelled", "cancellation_reason": "busy"},
            format="json",
            **auth,
        ).status_code
        == 200
    )
    assert sorted(deliver_all()) == ["deleted", "written"]
    (vevent,) = objects_on_server(host).values()
    assert str(vevent["UID"]) == uid_of(first["booking_id"])
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "awaiting" not in str(vevent["SUMMARY"])


def test_a_read_only_booking_calendar_is_refused_naming_the_field(api, api_key, host):
    calendar = host.calendars.get()
    calendar.read_only = True
    calendar.save()
    answer = api.post(
        f"/v3/grants/{host.pk}/scheduling/configurations",
        {
            "participants": [
                {
                    "email": host.email,
                    "is_organizer": True,
                    "availability": {"calendar_ids": [str(calendar.pk)]},
                    "booking": {"calendar_id": str(calendar.pk)},
                }
            ],
            "availability": {"duration_minutes": 30},
            "event_booking": {"title": "Intro"},
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 400
    assert "participants[0].booking.calendar_id" in answer.content.decode()


# Changes made in the organizer's calendar


def edit_on_server(grant: Grant, uid: str, change) -> None:
    calendar = handle(grant)
    href = OutgoingEvent.objects.get(uid=uid).href
    current = client.get(calendar, href)
    document = icalendar.Calendar.from_ical(current.ical)
    (vevent,) = document.walk("VEVENT")
    change(vevent)
    client.put(calendar, href, document.to_ical().decode(), if_match=current.etag)


def emails(purpose: str) -> int:
    return OutboxMessage.objects.filter(kind="email", purpose=purpose).count()


def test_a_move_in_the_organizers_calendar_moves_the_booking_and_tells_the_guest_once(api, host):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    uid = uid_of(data["booking_id"])
    new_start = slot(4, 16, 45)

    def move(vevent):
        vevent["DTSTART"] = icalendar.vDDDTypes(new_start)
        vevent["DTEND"] = icalendar.vDDDTypes(new_start + dt.timedelta(minutes=30))

    edit_on_server(host, uid, move)
    before = emails("rescheduled")
    passes.sync_grant(host)
    booking = Booking.objects.get(pk=data["booking_id"])
    assert (booking.start, booking.end) == (new_start, new_start + dt.timedelta(minutes=30))
    assert emails("rescheduled") - before >= 1
    to_guest = OutboxMessage.objects.filter(kind="email", purpose="rescheduled", audience="guest")
    assert to_guest.count() == 1  # the guest is told once
    sent = emails("rescheduled")
    passes.sync_grant(host)  # the same state again: nothing more
    assert emails("rescheduled") == sent
    assert deliver_all() == []  # nothing to write back

    # A new title alone changes nothing.
    edit_on_server(host, uid, lambda vevent: vevent.__setitem__("SUMMARY", "Renamed"))
    passes.sync_grant(host)
    assert Booking.objects.get(pk=data["booking_id"]).start == new_start
    assert emails("rescheduled") == sent


def test_deleting_it_in_the_organizers_calendar_cancels_the_booking(api, host, caldav):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 11))
    deliver_all()
    href = OutgoingEvent.objects.get().href
    caldav.delete_event(href)
    passes.sync_grant(host)
    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.status == "cancelled"
    assert emails("cancelled") >= 1
    assert deliver_all() in ([], ["deleted"])  # already gone: nothing doubled
    assert objects_on_server(host) == {}


def test_a_move_onto_another_booking_is_refused_and_the_event_put_back(api, host):
    configuration = page_for(host)
    first = book(api, configuration, slot(3, 10))
    book(api, configuration, slot(3, 12))
    deliver_all()
    uid = uid_of(first["booking_id"])
    onto = slot(3, 12)

    def move(vevent):
        vevent["DTSTART"] = icalendar.vDDDTypes(onto)
        vevent["DTEND"] = icalendar.vDDDTypes(onto + dt.timedelta(minutes=30))

    edit_on_server(host, uid, move)
    passes.sync_grant(host)
    assert Booking.objects.get(pk=first["booking_id"]).start == slot(3, 10)
    assert deliver_all() == ["written"]
    assert objects_on_server(host)[uid].decoded("DTSTART") == slot(3, 10)


def test_a_group_events_written_objects_leave_its_remaining_seats(api, host):
    configuration = page_for(host)
    Configuration.objects.filter(pk=configuration.pk).update(capacity=5)
    start = slot(3, 14)
    for n in range(3):
        begin = int(start.timestamp())
        answer = api.post(
            f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
            {
                "start_time": begin,
                "end_time": begin + 1800,
                "guest": {"name": f"Guest {n}", "email": f"g{n}@example.com"},
            },
            format="json",
        )
        assert answer.status_code == 200, answer.content
    deliver_all()
    passes.sync_grant(host)
    begin = int(start.timestamp())
    slots = api.get(
        f"/v3/scheduling/availability?configuration_id={configuration.pk}"
        f"&start_time={begin}&end_time={begin + 1800}"
    ).json()["data"]["time_slots"]
    assert [(s["start_time"], s["capacity_remaining"]) for s in slots] == [(begin, 2)]


# Faults


def test_a_server_down_during_the_booking_gets_the_event_once_when_back(
    api, host, settings, caplog
):
    configuration = page_for(host)
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []  # the server is out of reach
    data = book(api, configuration, slot(3, 10))
    assert Booking.objects.filter(pk=data["booking_id"]).exists()  # the guest is booked
    assert deliver_all() == ["failed"]
    outgoing = OutgoingEvent.objects.get()
    assert outgoing.pending and outgoing.attempts == 1 and outgoing.last_error
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    assert deliver_all(days=2) == ["written"]
    assert len(objects_on_server(host)) == 1


def test_a_worker_that_dies_after_the_put_leaves_no_duplicate(api, host, monkeypatch):
    from pages.sync import services

    configuration = page_for(host)
    book(api, configuration, slot(3, 10))

    def crash(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "mark_written", crash)
    with pytest.raises(SystemExit):
        deliver_all()
    monkeypatch.undo()
    # The lease runs out; the sweep delivers again: the same object, replaced.
    later = dt.datetime.now(UTC) + dt.timedelta(days=2)
    assert [writes.deliver(i, now=later) for i in writes.due(later)] == ["written"]
    assert len(objects_on_server(host)) == 1


def test_an_object_edited_meanwhile_is_read_again_and_ours_applied(api, host):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    uid = uid_of(data["booking_id"])
    edit_on_server(host, uid, lambda vevent: vevent.__setitem__("SUMMARY", "Theirs"))
    moved = int(slot(3, 13).timestamp())
    api.patch(
        f"/v3/scheduling/bookings/{data['booking_ref']}",
        {"start_time": moved, "end_time": moved + 1800},
        format="json",
    )
    assert deliver_all() == ["written"]  # If-Match failed (412), read again, applied
    vevent = objects_on_server(host)[uid]
    assert vevent.decoded("DTSTART") == slot(3, 13)


def test_an_object_deleted_meanwhile_is_created_again_on_update(api, host, caldav):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    caldav.delete_event(OutgoingEvent.objects.get().href)
    moved = int(slot(3, 13).timestamp())
    api.patch(
        f"/v3/scheduling/bookings/{data['booking_ref']}",
        {"start_time": moved, "end_time": moved + 1800},
        format="json",
    )
    assert deliver_all() == ["written"]
    assert list(objects_on_server(host)) == [uid_of(data["booking_id"])]


def test_with_the_broker_down_the_sweep_delivers(api, host):
    from pages.sync import queue
    from scheduler_site.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.broker_transport_options = {}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        assert queue.deliver_soon([1]) == 0  # refused at once, never raises
        configuration = page_for(host)
        book(api, configuration, slot(3, 10))
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None
    assert OutgoingEvent.objects.get().pending
    assert deliver_all() == ["written"]


@pytest.mark.parametrize("first", ["organizer", "guest"])
def test_a_guest_reschedule_racing_a_move_in_the_calendar_ends_in_one_state(api, host, first):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    uid = uid_of(data["booking_id"])
    theirs, ours = slot(3, 12), slot(3, 15)

    def organizer_moves():
        def move(vevent):
            vevent["DTSTART"] = icalendar.vDDDTypes(theirs)
            vevent["DTEND"] = icalendar.vDDDTypes(theirs + dt.timedelta(minutes=30))

        edit_on_server(host, uid, move)

    def guest_moves():
        begin = int(ours.timestamp())
        answer = api.patch(
            f"/v3/scheduling/bookings/{data['booking_ref']}",
            {"start_time": begin, "end_time": begin + 1800},
            format="json",
        )
        assert answer.status_code == 200, answer.content

    # Both happen before either side hears of the other: the organizer's edit is on the
    # server, the guest's reschedule is committed here with its write still owed.
    if first == "organizer":
        organizer_moves()
        guest_moves()
    else:
        guest_moves()
        organizer_moves()
    passes.sync_grant(host)  # sees the organizer's edit while our write is pending
    deliver_all()
    passes.sync_grant(host)
    deliver_all(days=2)
    booking = Booking.objects.get(pk=data["booking_id"])
    on_server = objects_on_server(host)[uid].decoded("DTSTART")
    assert booking.start == on_server == ours
    assert list(objects_on_server(host)) == [uid]


def test_the_hosts_emailed_invite_and_the_calendar_object_are_one_event(api, host):
    """Side by side: the invite attached to the host's email and the object in their
    CalDAV calendar carry one UID, so the calendar app shows one event, not two."""
    from bookings.notifications import emails

    configuration = page_for(host)
    data = book(api, configuration, slot(3, 10))
    deliver_all()
    (server_uid,) = objects_on_server(host)
    notice = OutboxMessage.objects.get(kind="email", audience="host", booking_id=data["booking_id"])
    built = emails.build(notice)
    (invite,) = [part for part in built.attachments if "calendar" in part.get_content_type()]
    (vevent,) = icalendar.Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["UID"]) == server_uid == uid_of(data["booking_id"])


def test_status_cancelled_set_in_the_organizers_calendar_cancels_the_booking_once(api, host):
    configuration = page_for(host)
    data = book(api, configuration, slot(3, 11))
    deliver_all()
    uid = uid_of(data["booking_id"])
    edit_on_server(host, uid, lambda vevent: vevent.__setitem__("STATUS", "CANCELLED"))
    passes.sync_grant(host)
    assert Booking.objects.get(pk=data["booking_id"]).status == "cancelled"
    guest_cancellations = OutboxMessage.objects.filter(
        kind="email", purpose="cancelled", audience="guest"
    )
    assert guest_cancellations.count() == 1
    passes.sync_grant(host)
    assert guest_cancellations.count() == 1


def test_the_copy_in_the_organizers_calendar_speaks_the_pages_language(api, host):
    """A German page: the pending title and the manage line are German in the organizer's
    calendar, as the organizer's emails are."""
    configuration = page_for(host)
    Configuration.objects.filter(pk=configuration.pk).update(
        booking_type="organizer-confirmation", locale="de", title="Erstgespräch"
    )
    made = book(api, configuration, slot(4, 10))
    deliver_all()
    to_host = OutboxMessage.objects.filter(kind="email", audience="host")
    assert [m.context["language"] for m in to_host] == ["de"]
    (vevent,) = objects_on_server(host).values()
    assert str(vevent["SUMMARY"]) == "Erstgespräch (wartet auf Bestätigung)"
    assert "Diese Buchung verwalten: http" in str(vevent["DESCRIPTION"])
    assert "awaiting" not in str(vevent["SUMMARY"])
    booking = Booking.objects.get(pk=made["booking_id"])
    assert str(vevent["URL"]) in str(vevent["DESCRIPTION"])
    assert booking.status == Booking.Status.PENDING
