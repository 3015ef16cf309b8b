"""Writes of connected calendars: connecting a grant, changing its credentials, storing
what a sync found. Each runs in one transaction; the network is never called inside one
(pages/sync/passes.py talks to servers, then calls these with what it got).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pages.models import Calendar, Event, Grant, OutgoingEvent, RemoteEvent
from pages.services import claim_chosen_id, ensure_primary_calendar, insert_with_chosen_id
from pages.signals import announce_grant
from pages.sync import sealing
from pages.sync.expansion import BusyOccurrence
from pages.sync.providers import RemoteCalendar

MAX_ERROR = 2000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadObject:
    """A remote object as fetched, with its busy occurrences in the window."""

    href: str
    etag: str
    ical: str
    occurrences: tuple[BusyOccurrence, ...]
    problem: str = ""


# Grants


@transaction.atomic
def connect_grant(
    *,
    provider: str,
    values: dict,
    found: list[RemoteCalendar],
    email: str,
    name: str = "",
    timezone_name: str = "UTC",
    grant_id: uuid.UUID | None = None,
) -> tuple[Grant, str]:
    """A new grant of ``provider`` with its sealed settings and the calendars its server
    showed (``found``); returns the grant and its access token (shown once).
    ``grant_id``: the id it must have (a hosted grant's, kept); IdTaken if taken."""
    grant = Grant(
        email=email.strip(),
        name=name,
        timezone=timezone_name,
        provider=provider,
        sealed_settings=sealing.seal(values) if values else "",
    )
    claim_chosen_id(grant, grant_id, "grant")
    token = grant.set_new_access_token()
    grant.full_clean()
    insert_with_chosen_id(grant, grant_id, "grant")
    if grant.is_connected:
        _reconcile(grant, found)
    else:
        ensure_primary_calendar(grant)
    announce_grant(grant, "grant.created")
    return grant, token


@transaction.atomic
def change_grant_settings(*, grant: Grant, values: dict, found: list[RemoteCalendar]) -> Grant:
    """New credentials that reached the server: sealed, the grant valid again, its
    calendars those the server shows now (the sync state of those it still shows kept)."""
    was_invalid = grant.grant_status == Grant.Status.INVALID
    grant.sealed_settings = sealing.seal(values)
    grant.calendar_home_url = ""  # perhaps another account: discovered again
    grant.grant_status = Grant.Status.VALID
    grant.last_sync_error = ""
    grant.last_sync_error_at = None
    grant.save()
    _reconcile(grant, found)
    # Writes held back by the refused credentials are due again now.
    OutgoingEvent.objects.filter(calendar__grant=grant, pending=True).update(
        due_at=timezone.now(), attempts=0
    )
    announce_grant(grant, "grant.updated", reauthenticated=was_invalid)
    return grant


@transaction.atomic
def update_grant_details(
    *, grant: Grant, name: str | None = None, timezone_name: str | None = None
):
    if name is not None:
        grant.name = name
    if timezone_name is not None:
        grant.timezone = timezone_name
    grant.full_clean()
    grant.save()
    announce_grant(grant, "grant.updated")
    return grant


@transaction.atomic
def update_calendars(*, grant: Grant, found: list[RemoteCalendar], home_url: str = "") -> None:
    """The grant's remote calendars are those its server shows now (CalDAV: listed from
    ``home_url``, kept for the next pass)."""
    if home_url != grant.calendar_home_url:
        grant.calendar_home_url = home_url
        Grant.objects.filter(pk=grant.pk).update(calendar_home_url=home_url)
    _reconcile(grant, found)


def _reconcile(grant: Grant, found: list[RemoteCalendar]) -> None:
    kept = {c.source: c for c in grant.calendars.exclude(source="")}
    sources = {f.source for f in found}
    gone = [c.pk for source, c in kept.items() if source not in sources]
    if gone:
        # Occurrences of remote objects: no booking ever made one, nothing to announce.
        Calendar.objects.filter(pk__in=gone).delete()
    for remote in found:
        calendar = kept.get(remote.source)
        if calendar is None:
            Calendar.objects.create(
                grant=grant,
                name=remote.name[:200] or "Calendar",
                timezone=grant.timezone,
                read_only=remote.read_only,
                source=remote.source,
            )
        elif (calendar.name, calendar.read_only) != (remote.name[:200], remote.read_only):
            calendar.name = remote.name[:200] or calendar.name
            calendar.read_only = remote.read_only
            calendar.save(update_fields=["name", "read_only"])
    if not grant.calendars.filter(is_primary=True).exists():
        first = grant.calendars.exclude(source="").order_by("read_only", "created_at", "pk").first()
        if first is not None:
            Calendar.objects.filter(pk=first.pk).update(is_primary=True)


@transaction.atomic
def invalidate_grant(*, grant: Grant, error: str, at: dt.datetime) -> bool:
    """The server refused the grant's credentials: it is invalid until new ones come
    through PATCH; its last known busy time stays. True when it was valid until now:
    then ``grant.expired`` is owed (in this transaction)."""
    was_valid = (
        Grant.objects.filter(pk=grant.pk, grant_status=Grant.Status.VALID).update(
            grant_status=Grant.Status.INVALID,
            last_sync_error=error[:MAX_ERROR],
            last_sync_error_at=at,
        )
        > 0
    )
    if not was_valid:
        Grant.objects.filter(pk=grant.pk).update(
            last_sync_error=error[:MAX_ERROR], last_sync_error_at=at
        )
    grant.refresh_from_db()
    if was_valid:
        announce_grant(grant, "grant.expired")
    return was_valid


def record_grant_sync(*, grant: Grant, at: dt.datetime, error: str = "") -> None:
    """How the grant's last pass went."""
    if error:
        Grant.objects.filter(pk=grant.pk).update(
            last_sync_error=error[:MAX_ERROR], last_sync_error_at=at
        )
    else:
        Grant.objects.filter(pk=grant.pk).update(
            last_sync_at=at, last_sync_error="", last_sync_error_at=None
        )


# Calendars: the lease, and what a pass found


def take_lease(*, calendar_id, seconds: float, now: dt.datetime) -> bool:
    """The calendar is this pass's for ``seconds``, unless another pass holds it. One
    conditional UPDATE: atomic on every database, no transaction held over the network."""
    return (
        Calendar.objects.filter(pk=calendar_id)
        .filter(Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now))
        .update(sync_lease_until=now + dt.timedelta(seconds=seconds))
        > 0
    )


def release_lease(*, calendar_id) -> None:
    Calendar.objects.filter(pk=calendar_id).update(sync_lease_until=None)


def record_calendar_failure(*, calendar: Calendar, error: str) -> None:
    """A pass failed: what is stored stays in force; the error is kept to show."""
    Calendar.objects.filter(pk=calendar.pk).update(last_sync_error=error[:MAX_ERROR])


def _occurrence_rows(calendar: Calendar, remote: RemoteEvent, read: ReadObject) -> list[Event]:
    return [
        Event(
            calendar=calendar,
            remote_event=remote,
            title=occurrence.summary[:500],
            start=occurrence.start,
            end=occurrence.end,
            busy=True,
            status=Event.Status.TENTATIVE if occurrence.tentative else Event.Status.CONFIRMED,
            ical_uid=occurrence.uid[:1000],
            recurrence_id=occurrence.recurrence_id,
        )
        for occurrence in read.occurrences
    ]


@transaction.atomic
def store_changes(
    *,
    calendar: Calendar,
    read: list[ReadObject],
    removed: list[str] = (),
    state: dict | None = None,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Objects new or changed on the server (``read``) replace what was stored under
    their href, with their occurrences; ``removed`` hrefs go. ``state`` (ctag,
    sync_token, feed validators) and ``window`` (what the occurrences now cover) are
    saved with them, in the same transaction, so a pass that dies half-way leaves the
    old state for the next one to redo; ``at`` marks the pass a success."""
    if removed:
        RemoteEvent.objects.filter(calendar=calendar, href__in=list(removed)).delete()
    if read:
        hrefs = [r.href for r in read]
        # Our own bookings' objects come back too: kept (for their etags), never busy a
        # second time (the booking already blocks its time, and a group keeps its seats).
        ours = set(
            OutgoingEvent.objects.filter(calendar=calendar, href__in=hrefs).values_list(
                "href", flat=True
            )
        )
        existing = {
            r.href: r for r in RemoteEvent.objects.filter(calendar=calendar, href__in=hrefs)
        }
        Event.objects.filter(remote_event__in=list(existing.values())).delete()
        rows = []
        for item in read:
            remote = existing.get(item.href)
            if remote is None:
                remote = RemoteEvent(calendar=calendar, href=item.href)
            remote.etag = item.etag
            remote.ical = item.ical
            remote.problem = item.problem[:MAX_ERROR]
            remote.save()
            if item.href not in ours:
                rows.extend(_occurrence_rows(calendar, remote, item))
        Event.objects.bulk_create(rows, batch_size=1000)
    fields = dict(state or {})
    if window is not None:
        fields["expanded_from"], fields["expanded_until"] = window
    if at is not None:
        fields["last_sync_at"] = at
        fields["last_sync_error"] = ""
    if fields:
        Calendar.objects.filter(pk=calendar.pk).update(**fields)
        for name, value in fields.items():
            setattr(calendar, name, value)


@transaction.atomic
def add_found_objects(*, calendar: Calendar, read: list[ReadObject]) -> None:
    """What a fresh check just before a booking found: stored like a sync's finds (the
    next sync keeps them in step), nothing removed."""
    store_changes(calendar=calendar, read=read)


@transaction.atomic
def reseal_all() -> int:
    """Every grant's settings sealed again with the first key (rotation)."""
    count = 0
    for grant in Grant.objects.exclude(sealed_settings="").select_for_update():
        Grant.objects.filter(pk=grant.pk).update(
            sealed_settings=sealing.reseal(grant.sealed_settings)
        )
        count += 1
    return count


# Writes of bookings' events


def mark_written(
    *, outgoing, version: int, etag: str, at: dt.datetime, deleted: bool = False
) -> None:
    """The server has the state of ``version``: done, unless a change came meanwhile
    (then the row stays pending, due now, for the next delivery)."""
    fields = {"etag": etag[:500], "written_at": at, "lease_until": None, "last_error": ""}
    done = OutgoingEvent.objects.filter(pk=outgoing.pk, version=version).update(
        pending=False, attempts=0, **fields
    )
    if not done:
        OutgoingEvent.objects.filter(pk=outgoing.pk).update(**fields)


def retry_write(*, outgoing, error: str, due_at: dt.datetime) -> None:
    OutgoingEvent.objects.filter(pk=outgoing.pk).update(
        attempts=F("attempts") + 1,
        due_at=due_at,
        lease_until=None,
        last_error=error[:MAX_ERROR],
    )


# A booking's event changed in the organizer's own calendar app


def follow_remote_change(*, outgoing, etag: str, start=None, end=None, cancelled=False) -> bool:
    """The organizer moved (``start``/``end``) or cancelled/deleted (``cancelled``) a
    booking's event in their calendar: announced like a change through the events API
    (``event_moved`` / ``event_deleted``), so the booking follows with its emails and
    webhooks. False when the booking refused the move (onto another booking's time):
    then the event is written back as it was."""
    from pages.signals import event_deleted, event_moved

    try:
        with transaction.atomic():
            event = (
                Event.objects.select_for_update(of=("self",)).filter(pk=outgoing.event_id).first()
            )
            if event is None or event.status == Event.Status.CANCELLED:
                return True
            OutgoingEvent.objects.filter(pk=outgoing.pk).update(etag=etag[:500])
            if cancelled:
                event_deleted.send(sender=Event, event=event)
                return True
            if start is None or (start, end) == (event.start, event.end):
                return True
            old_start, old_end = event.start, event.end
            event.start, event.end = start, end
            event.save(update_fields=["start", "end", "updated_at"])
            event_moved.send(sender=Event, event=event, old_start=old_start, old_end=old_end)
            return True
    except Exception as error:  # noqa: BLE001 - the booking's refusal, whatever its type
        logger.warning("a move in the organizer's calendar was refused: %s", error)
    with transaction.atomic():
        from pages.sync import writes

        writes.queue_event_change(outgoing.event_id)
    return False
