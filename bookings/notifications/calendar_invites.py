"""The .ics a guest's email carries (iCalendar, RFC 5545/5546).

One booking is one calendar event for its whole life: the UID is the booking id at the
site's host, and the SEQUENCE goes up with every change after the booking is made (the
organizer's confirmation or decline, each reschedule, the cancellation), so a calendar
client applies a later message over an earlier one and never the reverse. The STATUS
says what the booking is: TENTATIVE while it waits for the organizer (and the attendees'
PARTSTAT is TENTATIVE, not ACCEPTED), CONFIRMED once booked, CANCELLED with METHOD:CANCEL.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from bookings.models import InviteSequence
from bookings.notifications.safe_headers import one_line
from pages import conferencing

PRODID = "-//Scheduler//Bookings//EN"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "scheduler.invalid"


def uid(booking) -> str:
    return f"{booking.id}@{site_host()}"


def current_sequence(booking) -> int:
    row = InviteSequence.objects.filter(booking=booking).first()
    return row.sequence if row else 0


def next_sequence(booking) -> int:
    """One more than the last invite's SEQUENCE. Called once per change of the booking,
    inside the booking service's transaction (which holds the booking's row lock), so two
    changes never get the same number."""
    row, created = InviteSequence.objects.get_or_create(booking=booking, defaults={"sequence": 1})
    if not created:
        InviteSequence.objects.filter(pk=row.pk).update(sequence=F("sequence") + 1)
        row.refresh_from_db()
    return row.sequence


def status_of(booking) -> str:
    """The STATUS of the booking's calendar event as it is now."""
    if booking.status == booking.Status.PENDING:
        return "TENTATIVE"
    if booking.status == booking.Status.CANCELLED:
        return "CANCELLED"
    return "CONFIRMED"


def conference_text(conference: conferencing.Conference) -> str:
    """The meeting's link, codes and phone numbers, a line each, in the active language."""
    lines = []
    if conference.url:
        lines.append(f"{_('Online meeting')}: {conference.url}")
    for label, value in (
        (_("Meeting code"), conference.meeting_code),
        (_("Password"), conference.password),
        (_("PIN"), conference.pin),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines += [f"{_('Phone')}: {phone}" for phone in conference.phones]
    return "\n".join(lines)


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
    status: str = "",
) -> bytes:
    """A VCALENDAR with METHOD ``REQUEST`` (new, confirmed or moved), ``CANCEL``, or
    ``PUBLISH`` (the download). ``status``: TENTATIVE or CONFIRMED (CANCELLED with
    CANCEL, whatever is given). Its text is in the active language."""
    if method == "CANCEL":
        status = "CANCELLED"
    elif status not in ("TENTATIVE", "CONFIRMED"):
        status = "CONFIRMED"
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
    conference = conferencing.shown(booking.conferencing)
    if conference:
        description = f"{description}\n\n{conference_text(conference)}".strip()
    if manage_url:
        # In the active language: the reader's, as the email around it or the page.
        link = _("Open this booking: %(url)s") % {"url": manage_url}
        description = f"{description}\n\n{link}".strip()
    if description:
        event.add("description", description)
    if location := conferencing.booking_location(configuration.location, booking.conferencing):
        event.add("location", location)
    # The meeting link is what a calendar offers to open; else the booking's own page.
    if url := conference.url or manage_url:
        event.add("url", url)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer_email, organizer_name))
    # A CANCEL names who is uninvited; their answer no longer matters.
    answer = {"CONFIRMED": {"PARTSTAT": "ACCEPTED"}, "TENTATIVE": {"PARTSTAT": "TENTATIVE"}}
    for email, name in attendees:
        event.add(
            "attendee",
            _address(email, name, ROLE="REQ-PARTICIPANT", **answer.get(status, {}), RSVP="FALSE"),
        )
    calendar.add_component(event)
    return calendar.to_ical()
