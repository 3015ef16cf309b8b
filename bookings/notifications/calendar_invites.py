"""The .ics a guest's email carries (iCalendar, RFC 5545/5546).

One booking is one calendar event for its whole life: the UID is the booking id at the
site's host, and the SEQUENCE goes up with each reschedule and the cancellation, so a
calendar client applies a later message over an earlier one and never the reverse.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from bookings.models import InviteSequence
from bookings.notifications.safe_headers import one_line

PRODID = "-//Scheduler//Bookings//EN"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "scheduler.invalid"


def uid(booking) -> str:
    return f"{booking.id}@{site_host()}"


def current_sequence(booking) -> int:
    row = InviteSequence.objects.filter(booking=booking).first()
    return row.sequence if row else 0


def next_sequence(booking) -> int:
    """One more than the last invite's SEQUENCE (inside the booking's transaction)."""
    row, created = InviteSequence.objects.get_or_create(booking=booking, defaults={"sequence": 1})
    if not created:
        InviteSequence.objects.filter(pk=row.pk).update(sequence=F("sequence") + 1)
        row.refresh_from_db()
    return row.sequence


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(one_line(name))
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invite(
    booking,
    *,
    method: str,
    sequence: int,
    start: dt.datetime,
    end: dt.datetime,
    organizer_email: str,
    organizer_name: str,
    attendees: list[tuple[str, str]],
    manage_url: str = "",
) -> bytes:
    """A VCALENDAR with METHOD ``REQUEST`` (new or moved) or ``CANCEL``."""
    configuration = booking.configuration
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid(booking))
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", configuration.title)
    description = configuration.description
    if manage_url:
        description = f"{description}\n\n{manage_url}".strip()
    if description:
        event.add("description", description)
    if configuration.location:
        event.add("location", configuration.location)
    if manage_url:
        event.add("url", manage_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer_email, organizer_name))
    for email, name in attendees:
        event.add(
            "attendee",
            _address(email, name, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"),
        )
    calendar.add_component(event)
    return calendar.to_ical()
