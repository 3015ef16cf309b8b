"""Bookings land in the organizer's real calendar: a booking's event, written to its
host's CalDAV booking calendar and kept in step.

The booking's transaction queues the write (``queue_new_event`` / ``queue_event_change``:
an OutgoingEvent row, in that same transaction); a task delivers it after the commit,
and beat's sweep delivers what a lost task or a down server left (retries back off).
A delivery sends the event as it is at that moment: a PUT of one VEVENT while it stands,
a DELETE once it is cancelled or gone. The object's name is its UID's, the UID is the
guest's invite's (calendar clients merge the two), so a retry after a lost answer
replaces the object, never adds one. A 412 (edited meanwhile) reads it again and applies
once more; a 404 on update creates it again.

The VEVENT: DTSTART/DTEND with the calendar's zone as TZID and its VTIMEZONE, SUMMARY
(a pending booking says it awaits confirmation, and is STATUS:TENTATIVE), DESCRIPTION
with the organizer's manage link, LOCATION, ORGANIZER and the guests as ATTENDEE with
SCHEDULE-AGENT=CLIENT: we send our own invitations; the server must not send its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from pages.models import Calendar, Event, Grant, OutgoingEvent
from pages.sync import caldav_client as client
from pages.sync import providers, queue, sealing, services

logger = logging.getLogger(__name__)

PRODID = "-//Scheduler//Booking//EN"
BACKOFF_SECONDS = (10, 60, 300, 1800, 7200, 21600)
LEASE_SECONDS = 120


def object_name(uid: str) -> str:
    """The object's name in the collection, from its UID: the same on every retry."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", uid)[:200] + ".ics"


def _writable(calendar_id) -> Calendar | None:
    """The calendar when it is a connected CalDAV calendar we may write; else None."""
    calendar = (
        Calendar.objects.filter(pk=calendar_id, read_only=False)
        .exclude(source="")
        .exclude(source__startswith=Calendar.FEED_PREFIX)
        .select_related("grant")
        .first()
    )
    if calendar is None or calendar.grant.provider not in providers.CALDAV:
        return None
    return calendar


def queue_new_event(
    event: Event, *, now: dt.datetime | None = None, caldav: bool | None = None
) -> OutgoingEvent | None:
    """Inside the booking's transaction: its new event is owed to its calendar's server
    (when that calendar is a connected CalDAV one). ``caldav``: what the caller read
    about the event's calendar with the rest (bookings' roster); False, no query at all;
    None, one query to find out."""
    if not event.ical_uid or caldav is False:
        return None
    calendar = _writable(event.calendar_id)
    if calendar is None:
        return None
    outgoing = OutgoingEvent.objects.create(
        calendar=calendar,
        event=event,
        uid=event.ical_uid,
        href=urlsplit(
            client.object_url(client.Calendar(url=calendar.source), object_name(event.ical_uid))
        ).path,
        due_at=now or timezone.now(),
    )
    _deliver_after_commit([outgoing.pk])
    return outgoing


def queue_event_change(event_id, *, now: dt.datetime | None = None) -> None:
    """Inside the transaction that changed the event (confirmed, moved, cancelled...):
    each server copy is owed the new state, and a calendar it moved into gets one."""
    now = now or timezone.now()
    rows = OutgoingEvent.objects.filter(event_id=event_id)
    rows.update(pending=True, due_at=now, version=F("version") + 1, attempts=0)
    ids = list(rows.values_list("pk", flat=True))
    event = Event.objects.filter(pk=event_id).first()
    if (
        event is not None
        and not OutgoingEvent.objects.filter(
            event_id=event_id, calendar_id=event.calendar_id
        ).exists()
    ):
        made = queue_new_event(event, now=now)
        if made is not None:
            ids.append(made.pk)
    _deliver_after_commit(ids)


def _deliver_after_commit(ids: list) -> None:
    if ids:
        transaction.on_commit(lambda: queue.deliver_soon(ids))


# The object


def render(outgoing: OutgoingEvent, event: Event, calendar: Calendar) -> str:
    grant = calendar.grant
    zone = ZoneInfo(calendar.timezone or grant.timezone or "UTC")
    document = icalendar.Calendar()
    document.add("prodid", PRODID)
    document.add("version", "2.0")
    vevent = icalendar.Event()
    vevent.add("uid", outgoing.uid)
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("sequence", int(event.updated_at.timestamp()) if event.updated_at else 0)
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    pending = event.status == Event.Status.TENTATIVE
    metadata = event.metadata or {}
    # The organizer reads this in their own calendar: in the page's language.
    with translation.override(metadata.get("organizer_language") or settings.LANGUAGE_CODE):
        title = event.title or gettext("Meeting")
        if pending:
            title = gettext("%(title)s (awaiting confirmation)") % {"title": title}
        description = event.description
        if link := metadata.get("organizer_url"):
            manage = gettext("Manage this booking: %(link)s") % {"link": link}
            description = f"{description}\n\n{manage}".strip()
            vevent.add("url", link)
    vevent.add("summary", title)
    if description:
        vevent.add("description", description)
    if event.location:
        vevent.add("location", event.location)
    vevent.add("status", "TENTATIVE" if pending else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{grant.email}")
    organizer.params["SCHEDULE-AGENT"] = "CLIENT"
    if grant.name:
        organizer.params["CN"] = grant.name
    vevent.add("organizer", organizer)
    seen = {grant.email.lower()}
    for person in event.participants or []:
        email = (person.get("email") or "").strip()
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params.update(
            {
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "TENTATIVE" if pending else "ACCEPTED",
                "RSVP": "FALSE",
                "SCHEDULE-AGENT": "CLIENT",
            }
        )
        if person.get("name"):
            attendee.params["CN"] = person["name"]
        vevent.add("attendee", attendee)
    vevent.add("x-scheduler-booking", (event.metadata or {}).get("booking_id", ""))
    document.add_component(vevent)
    document.add_missing_timezones()
    return document.to_ical().decode("utf-8")


# Delivery


def _claim(outgoing_id, now: dt.datetime) -> int | None:
    """The row's version when this delivery got it; None when another holds it or
    nothing is owed."""
    rows = OutgoingEvent.objects.filter(pk=outgoing_id, pending=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    version = rows.values_list("version", flat=True).first()
    if version is None:
        return None
    claimed = rows.filter(version=version).update(
        lease_until=now + dt.timedelta(seconds=LEASE_SECONDS)
    )
    return version if claimed else None


def deliver(outgoing_id, *, now: dt.datetime | None = None) -> str:
    """Send the event's current state to its server; what happened, for the task."""
    now = now or timezone.now()
    version = _claim(outgoing_id, now)
    if version is None:
        return "not due"
    outgoing = OutgoingEvent.objects.select_related("calendar__grant", "event").get(pk=outgoing_id)
    calendar, grant, event = outgoing.calendar, outgoing.calendar.grant, outgoing.event
    try:
        if grant.grant_status != Grant.Status.VALID:
            raise client.CredentialsRefused(grant.last_sync_error or "the grant is invalid")
        values = sealing.open_sealed(grant.sealed_settings)
        handle = providers.remote_calendar(grant.provider, values, calendar.source)
        stands = (
            event is not None
            and event.status != Event.Status.CANCELLED
            and event.calendar_id == outgoing.calendar_id
        )
        if stands:
            etag = _put(handle, outgoing, render(outgoing, event, calendar))
            services.mark_written(outgoing=outgoing, version=version, etag=etag, at=now)
            return "written"
        client.delete(handle, outgoing.href)
        services.mark_written(outgoing=outgoing, version=version, etag="", at=now, deleted=True)
        return "deleted"
    except (client.SyncError, sealing.Unreadable) as error:
        delay = BACKOFF_SECONDS[min(outgoing.attempts, len(BACKOFF_SECONDS) - 1)]
        services.retry_write(
            outgoing=outgoing, error=str(error), due_at=now + dt.timedelta(seconds=delay)
        )
        logger.warning(
            "writing %s to its calendar failed (retried in %s s): %s", outgoing.uid, delay, error
        )
        if (
            isinstance(error, client.CredentialsRefused)
            and grant.grant_status == Grant.Status.VALID
        ):
            services.invalidate_grant(grant=grant, error=str(error), at=now)
        return "failed"


def _put(handle, outgoing: OutgoingEvent, ical: str) -> str:
    """Create or replace the object; its etag afterwards."""
    try:
        if outgoing.etag:
            written = client.put(handle, outgoing.href, ical, if_match=outgoing.etag)
        else:
            written = client.put(handle, outgoing.href, ical, if_none_match=True)
    except (client.PreconditionFailed, client.Gone):
        # Edited or created meanwhile (an earlier attempt whose answer was lost), or
        # gone: read what is there and apply once more.
        current = client.get(handle, outgoing.href)
        if current is None:
            written = client.put(handle, outgoing.href, ical, if_none_match=True)
        else:
            written = client.put(handle, outgoing.href, ical, if_match=current.etag or None)
    if written.etag:
        return written.etag
    current = client.get(handle, outgoing.href)
    return current.etag if current else ""


def due(now: dt.datetime) -> list:
    return list(
        OutgoingEvent.objects.filter(pending=True, due_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
