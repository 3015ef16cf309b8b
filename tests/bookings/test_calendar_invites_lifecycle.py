"""Every calendar a booking reaches shows the truth: tentative while it waits for the
organizer, confirmed once booked, moved in place, gone when declined or cancelled; one
UID for its whole life and a SEQUENCE that only grows. The invites are parsed with
icalendar from the emails the outbox sends and from the .ics download.

The organizer works in Kolkata (UTC+05:30) and the guest in Kathmandu (UTC+05:45), so a
wrong offset anywhere shows in the instants."""

from __future__ import annotations

import datetime as dt
import email
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from bookings import calendar_links, links, services
from bookings.guest_input import Guest
from bookings.notifications import outbox, sending

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
TUESDAY = dt.date(2026, 12, 8)
GUEST = "grace@example.com"
ORGANIZER = "host@example.com"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def kolkata(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA).timestamp())


def make_page(make_configuration, **fields):
    return make_configuration(
        zones=["Asia/Kolkata"],
        title="Tax review",
        location="Room 4",
        description="Bring last year's return.",
        timezone="Asia/Kolkata",
        **fields,
    )


def book(configuration, day=MONDAY, hour=10):
    return services.create_booking(
        configuration=configuration,
        start=kolkata(day, hour),
        end=None,
        guest=Guest(
            name="Grace Guest",
            email=GUEST,
            timezone="Asia/Kathmandu",
            language="en",
            additional_guests=({"name": "Ada Extra", "email": "ada@example.com"},),
        ),
    )


@pytest.fixture
def pending(make_configuration):
    return book(make_page(make_configuration, booking_type="organizer-confirmation")).booking


@pytest.fixture
def booked(make_configuration):
    return book(make_page(make_configuration)).booking


def deliver_due() -> None:
    for claim in outbox.claim_due():
        assert sending.deliver(claim.message_id, claim.token) == "sent"


def invites_to(mailoutbox, address: str) -> list[tuple[str, icalendar.Calendar, object]]:
    """(subject, VCALENDAR, VEVENT) of each invite sent to ``address``, in order sent."""
    deliver_due()
    found = []
    for mail in mailoutbox:
        if not any(address in to for to in mail.to):
            continue
        message = email.message_from_bytes(mail.message().as_bytes())
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                assert part.get_param("method") == str(calendar["METHOD"])
                found.append((mail.subject, calendar, calendar.walk("VEVENT")[0]))
    return found


def last_invite(mailoutbox, address: str):
    return invites_to(mailoutbox, address)[-1]


def partstats(event) -> set[str]:
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return {str(a.params.get("PARTSTAT", "NEEDS-ACTION")) for a in attendees}


def download(client, booking) -> icalendar.Calendar:
    response = client.get(f"/booking/{links.booking_ref(booking)}/calendar.ics")
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def test_a_pending_booking_is_tentative_for_the_guest_and_the_organizer(
    pending, mailoutbox, client
):
    for address in (GUEST, ORGANIZER):
        [(_subject, calendar, event)] = invites_to(mailoutbox, address)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["STATUS"]) == "TENTATIVE"
        assert event["SEQUENCE"] == 0
        assert "ACCEPTED" not in partstats(event)
        assert event.decoded("DTSTART") == dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)
    # The additional guest is invited when the organizer confirms, not before.
    assert invites_to(mailoutbox, "ada@example.com") == []
    downloaded = download(client, pending).walk("VEVENT")[0]
    assert str(downloaded["STATUS"]) == "TENTATIVE"
    assert "ACCEPTED" not in partstats(downloaded)


def test_confirming_sends_the_confirmed_invite_with_the_same_uid_and_a_higher_sequence(
    pending, mailoutbox, client
):
    [(_s, _c, tentative)] = invites_to(mailoutbox, GUEST)
    services.confirm_booking(booking=pending)
    for address in (GUEST, ORGANIZER, "ada@example.com"):
        _subject, calendar, event = last_invite(mailoutbox, address)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["UID"]) == str(tentative["UID"])
        assert event["SEQUENCE"] > tentative["SEQUENCE"]
        assert partstats(event) == {"ACCEPTED"}
    downloaded = download(client, pending).walk("VEVENT")[0]
    assert str(downloaded["STATUS"]) == "CONFIRMED"
    assert downloaded["SEQUENCE"] == last_invite(mailoutbox, GUEST)[2]["SEQUENCE"]


def test_declining_cancels_the_tentative_event_for_the_guest_and_the_organizer(pending, mailoutbox):
    [(_s, _c, tentative)] = invites_to(mailoutbox, GUEST)
    services.decline_booking(booking=pending, reason="Away that week")
    for address in (GUEST, ORGANIZER):
        subject, calendar, event = last_invite(mailoutbox, address)
        assert subject == "Declined: Tax review"
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == str(tentative["UID"])
        assert event["SEQUENCE"] > tentative["SEQUENCE"]


def test_cancelling_sends_cancel_to_every_guest_and_the_organizer(booked, mailoutbox):
    [(_s, _c, first)] = invites_to(mailoutbox, GUEST)
    services.cancel_booking(booking=booked, reason="Ill")
    for address in (GUEST, "ada@example.com", ORGANIZER):
        subject, calendar, event = last_invite(mailoutbox, address)
        assert subject == "Cancelled: Tax review"
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == str(first["UID"])
        assert event["SEQUENCE"] > first["SEQUENCE"]


def test_a_guest_withdrawing_a_pending_request_cancels_the_tentative_event(pending, mailoutbox):
    [(_s, _c, tentative)] = invites_to(mailoutbox, GUEST)
    services.cancel_booking(booking=pending, reason="Found another time")
    for address in (GUEST, ORGANIZER):
        _subject, calendar, event = last_invite(mailoutbox, address)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["UID"]) == str(tentative["UID"])
        assert event["SEQUENCE"] > tentative["SEQUENCE"]


def test_a_reschedule_moves_the_same_event_with_a_higher_sequence(booked, mailoutbox):
    [(_s, _c, first)] = invites_to(mailoutbox, GUEST)
    services.reschedule_booking(booking=booked, start=kolkata(TUESDAY, 14, 30))
    for address in (GUEST, "ada@example.com", ORGANIZER):
        subject, calendar, event = last_invite(mailoutbox, address)
        assert subject == "Rescheduled: Tax review"
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["UID"]) == str(first["UID"])
        assert event["SEQUENCE"] > first["SEQUENCE"]
        assert event.decoded("DTSTART") == dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def test_a_pending_booking_moved_stays_tentative(pending, mailoutbox):
    services.reschedule_booking(booking=pending, start=kolkata(TUESDAY, 11))
    _subject, calendar, event = last_invite(mailoutbox, GUEST)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event["SEQUENCE"] == 1


def test_the_sequence_only_grows_over_a_whole_life(pending, mailoutbox, client):
    deliver_due()  # each email goes out before the next change, as a worker sends them
    services.confirm_booking(booking=pending)
    deliver_due()
    services.reschedule_booking(booking=pending, start=kolkata(TUESDAY, 11))
    deliver_due()
    services.reschedule_booking(booking=pending, start=kolkata(TUESDAY, 15))
    deliver_due()
    assert download(client, pending).walk("VEVENT")[0]["SEQUENCE"] == 3
    services.cancel_booking(booking=pending, reason="")
    for address in (GUEST, ORGANIZER):
        events = [event for _s, _c, event in invites_to(mailoutbox, address)]
        sequences = [event["SEQUENCE"] for event in events]
        assert sequences == [0, 1, 2, 3, 4]
        assert len({str(event["UID"]) for event in events}) == 1
        assert [str(event["STATUS"]) for event in events] == [
            "TENTATIVE",
            "CONFIRMED",
            "CONFIRMED",
            "CONFIRMED",
            "CANCELLED",
        ]


# "Add to Google Calendar" and "Add to Outlook"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_the_web_calendar_links_carry_utc_times_and_the_title():
    # 01:30 on the night Chicago leaves DST happens twice: the second one is 07:30 UTC.
    chicago = ZoneInfo("America/Chicago")
    start = dt.datetime(2026, 11, 1, 1, 30, tzinfo=chicago, fold=1)
    end = start + dt.timedelta(minutes=45)
    google = calendar_links.google_url(
        title="Tax review & more", start=start, end=end, location="Room 4", details="Notes"
    )
    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert query_of(google) == {
        "action": "TEMPLATE",
        "text": "Tax review & more",
        "dates": "20261101T073000Z/20261101T081500Z",
        "location": "Room 4",
        "details": "Notes",
    }
    outlook = calendar_links.outlook_url(title="Tax review & more", start=start, end=end)
    assert outlook.startswith("https://outlook.live.com/calendar/0/action/compose?")
    query = query_of(outlook)
    assert query["subject"] == "Tax review & more"
    assert (query["startdt"], query["enddt"]) == ("2026-11-01T07:30:00Z", "2026-11-01T08:15:00Z")
    assert query["rru"] == "addevent"


def test_the_confirmation_page_offers_google_and_outlook_beside_the_ics(booked, client):
    ref = links.booking_ref(booked)
    html = client.get(f"/booking/{ref}/?booked=1").content.decode()
    assert f"/booking/{ref}/calendar.ics" in html
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', html).group(1)
    outlook = re.search(r'href="(https://outlook\.live\.com/[^"]+)"', html).group(1)
    google, outlook = unescape(google), unescape(outlook)
    # Monday 10:00 in Kolkata is 04:30 UTC (the guest reads 10:15 in Kathmandu).
    assert query_of(google)["dates"] == "20261207T043000Z/20261207T050000Z"
    assert query_of(google)["text"] == "Tax review"
    assert f"/booking/{ref}/" in query_of(google)["details"]
    assert query_of(outlook)["startdt"] == "2026-12-07T04:30:00Z"
    assert query_of(outlook)["subject"] == "Tax review"
    assert "Add to Google Calendar" in html and "Add to Outlook" in html


def test_a_pending_booking_offers_only_the_tentative_ics(pending, client):
    html = client.get(f"/booking/{links.booking_ref(pending)}/?booked=1").content.decode()
    assert "calendar.ics" in html
    assert "calendar.google.com" not in html and "outlook.live.com" not in html


def test_the_confirmation_email_carries_the_web_calendar_links(booked, mailoutbox):
    deliver_due()
    [mail] = [m for m in mailoutbox if GUEST in m.to[0]]
    google = next(
        line.split(": ", 1)[1]
        for line in mail.body.splitlines()
        if line.startswith("Add to Google Calendar: ")
    )
    assert query_of(google)["dates"] == "20261207T043000Z/20261207T050000Z"
    assert query_of(google)["text"] == "Tax review"
    html = next(body for body, kind in mail.alternatives if kind == "text/html")
    assert "Add to Google Calendar</a>" in html and "Add to Outlook</a>" in html
    [notice] = [m for m in mailoutbox if ORGANIZER in m.to[0]]
    assert "Add to Outlook: https://outlook.live.com/" in notice.body


def test_a_host_a_round_robin_reschedule_moves_away_from_loses_the_event(
    make_configuration, busy_event, mailoutbox
):
    configuration = make_configuration(
        ("ann@example.com", "bob@example.com"),
        zones=["Asia/Kolkata", "Asia/Kolkata"],
        availability_method="max-availability",
        title="Tax review",
    )
    ann, bob = configuration.hosts
    booking = book(configuration).booking
    assert [row.grant for row in booking.host_rows.all()] == [ann]
    [(_s, _c, first)] = invites_to(mailoutbox, "ann@example.com")
    new_start = kolkata(TUESDAY, 11)
    busy_event(
        ann,
        dt.datetime.fromtimestamp(new_start, dt.UTC),
        dt.datetime.fromtimestamp(new_start + 3600, dt.UTC),
    )
    services.reschedule_booking(booking=booking, start=new_start)
    assert [row.grant for row in booking.host_rows.all()] == [bob]

    subject, calendar, event = last_invite(mailoutbox, "ann@example.com")
    assert subject == "Cancelled: Tax review"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == str(first["UID"])
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == first.decoded("DTSTART"), "the time Ann had"
    _subject, calendar, event = last_invite(mailoutbox, "bob@example.com")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert event.decoded("DTSTART") == dt.datetime.fromtimestamp(new_start, dt.UTC)
