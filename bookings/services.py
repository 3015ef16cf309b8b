"""Every change to a booking. API views, hosted pages, admin actions, tasks and the
event-signal receivers call these and nothing else writes bookings.

Each function runs in one transaction and, for anything that takes a host's time:
1. locks the rows of every grant that could host it, in primary-key order (the order is
   what keeps two bookings that lock overlapping host sets from deadlocking);
2. re-runs the availability engine on fresh data for exactly the requested slot, inside
   the lock, so what it sees cannot change before the insert;
3. writes the booking, its host rows (the time it blocks, buffers included) and its
   calendar event, and records what must be sent (bookings.notifications).
On PostgreSQL the exclusion constraint on host rows is a backstop: a violation (which the
locks make impossible) still becomes a 409, never a double booking. On SQLite, write
transactions begin IMMEDIATE (settings), which serializes them.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from dataclasses import dataclass, replace

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from bookings import links, notifications
from bookings.availability import COLLECTIVE, find_slots
from bookings.availability_loader import load_engine_input
from bookings.guest_input import Guest
from bookings.models import Booking, BookingHost, Session
from bookings.notifications import calendar_invites, recipients
from bookings.problems import InvalidBooking, SlotUnavailable, TooLateToCancel, WrongState
from bookings.roster import Member, hosts_of, roster_of
from bookings.sql import lock_hosts
from pages import conferencing
from pages.models import Configuration, Event, Grant
from pages.sql import insert, insert_all
from pages.sync import fresh, writes
from pages.unix_time import from_unix, to_unix

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout that ran out
# The exclusion constraint on hosts' blocked time (bookings/migrations/0002).
HOST_OVERLAP_CONSTRAINT = "booking_host_no_overlap"


@dataclass(frozen=True)
class NewBooking:
    booking: Booking
    booking_ref: str


def offered_slot(
    configuration: Configuration,
    start: int,
    *,
    now: dt.datetime,
    exclude_booking_id=None,
    only_emails: set[str] | None = None,
    conflicts_only: bool = False,
    roster: list[Member] | None = None,
):
    """The engine's verdict on exactly [start, start + duration), from fresh data: the
    Slot when offered, else None. ``conflicts_only`` (confirming a pending booking) keeps
    only busy time and capacity, not open hours or notice: the organizer decides."""
    duration = configuration.duration_minutes * 60
    data = load_engine_input(
        configuration,
        start,
        start + duration,
        now=now,
        exclude_booking_id=exclude_booking_id,
        roster=roster,
    )
    participants = data.participants
    if only_emails is not None:
        participants = tuple(p for p in participants if p.email.lower() in only_emails)
    # The configuration's own grid: the engine places it by the open-hours windows, so a
    # search of this one slot sees exactly the starts a search of the month offered.
    query = data.query
    if conflicts_only:
        participants = tuple(replace(p, open_hours=()) for p in participants)
        query = replace(query, earliest_start=None, latest_start=None, round_to=None, origin=start)
    result = find_slots(query, participants)
    if result.slots and result.slots[0].start == start:
        return result.slots[0]
    return None


def _blocked_range(configuration: Configuration, start: dt.datetime, end: dt.datetime):
    return (
        start - dt.timedelta(minutes=configuration.buffer_before),
        end + dt.timedelta(minutes=configuration.buffer_after),
    )


def _host_rows(booking: Booking, grants: list[Grant]) -> list[BookingHost]:
    """The (unsaved) rows of the time ``booking`` blocks for each of ``grants``."""
    configuration = booking.configuration
    blocked_start, blocked_end = _blocked_range(configuration, booking.start, booking.end)
    return [
        BookingHost(
            booking=booking,
            grant=grant,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            active=True,
            exclusive=configuration.capacity == 1,
        )
        for grant in grants
    ]


def _choose_hosts(configuration, participants, slot) -> tuple[list[Member], Member]:
    """(hosts, organizer). Collective: every grant participant, organizer the one marked
    so. Round-robin: the first free person in queue order hosts and organizes."""
    by_email = {p.email.lower(): p for p in participants}
    if configuration.availability_method == COLLECTIVE:
        organizer = next((p for p in participants if p.is_organizer), None) or participants[0]
        return participants, organizer
    chosen = by_email[slot.emails[0].lower()]
    return [chosen], chosen


def _event_for(booking: Booking, organizer: Member, hosts: list[Member]) -> Event | None:
    """The (unsaved) calendar event of a new booking, in the organizer's booking calendar."""
    if organizer.booking_calendar_id is None:
        return None
    configuration = booking.configuration
    people = [{"email": booking.guest_email, "name": booking.guest_name}]
    people += [{"email": g["email"], "name": g.get("name", "")} for g in booking.additional_guests]
    if not configuration.hide_participants:
        people += [{"email": h.email, "name": h.name} for h in hosts]
    return Event(
        calendar_id=organizer.booking_calendar_id,
        title=configuration.title,
        description=configuration.description,
        location=conferencing.booking_location(configuration.location, booking.conferencing),
        start=booking.start,
        end=booking.end,
        busy=True,
        status=Event.Status.TENTATIVE
        if booking.status == Booking.Status.PENDING
        else Event.Status.CONFIRMED,
        participants=people,
        metadata={
            "booking_id": str(booking.id),
            "configuration_id": str(configuration.id),
            # The organizer's page for this booking, in the copy written to their calendar.
            "organizer_url": links.organizer_page_url(booking, organizer.email),
            # ...and the language that copy speaks: the one the host's emails speak.
            "organizer_language": recipients.language_of(booking),
        },
        # The guest's invite's UID: the organizer's calendar merges the two.
        ical_uid=calendar_invites.uid(booking),
    )


def _atomic_booking_write(function):
    """Run ``function`` in one transaction; turn the database's own refusals (the
    exclusion constraint, a lock wait that timed out) into a 409."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except IntegrityError as exc:
            # By the constraint's name, as PostgreSQL reports it (psycopg's diagnostics),
            # not by the wording of its message.
            diagnostics = getattr(exc.__cause__, "diag", None)
            if getattr(diagnostics, "constraint_name", None) == HOST_OVERLAP_CONSTRAINT:
                logger.warning("exclusion constraint refused an overlapping booking")
                raise SlotUnavailable(
                    "This time was just booked by someone else.", field="start_time"
                ) from exc
            raise
        except OperationalError as exc:
            # lock_timeout (SQLSTATE 55P03) ran out while another booking held a host:
            # a 409. Any other OperationalError (the statement timeout, a lost or silent
            # database) goes on up and is answered with a 503.
            if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise SlotUnavailable(
                    "This time is being booked right now; try again.", field="start_time"
                ) from exc
            raise

    return run


def _check_times(configuration: Configuration, start: int, end: int | None) -> None:
    duration = configuration.duration_minutes * 60
    if end is not None and end - start != duration:
        raise InvalidBooking(
            f"must be start_time + {configuration.duration_minutes} minutes", field="end_time"
        )


def ask_connected_calendars(
    configuration: Configuration, start: int, *, roster: list[Member] | None = None
) -> None:
    """Invariant 7: just before a booking is written, its hosts' CalDAV calendars are
    asked about its time (pages/sync/fresh.py: bounded, outside any transaction); what
    they show now is stored, so the check under the locks sees it. With the page's
    ``roster``, a page none of whose hosts has CalDAV calendars costs no query."""
    if transaction.get_connection().in_atomic_block:
        return  # never hold a transaction (SQLite: the write lock) over the network
    if roster is not None and not any(
        m.caldav_calendars for m in hosts_of(roster) if m.has_availability
    ):
        return
    calendars = fresh.calendars_of(configuration)
    if calendars:
        fresh.refresh_interval(
            calendars,
            from_unix(start - configuration.buffer_before * 60),
            from_unix(start + (configuration.duration_minutes + configuration.buffer_after) * 60),
        )


def create_booking(
    *,
    configuration: Configuration,
    start: int,
    end: int | None,
    guest: Guest,
    host_emails: set[str] | None = None,
    now: dt.datetime | None = None,
) -> NewBooking:
    """Book [start, start + duration) for ``guest``. 409 (SlotUnavailable) unless the slot
    is offered at this moment; host_emails narrows round-robin to those people.

    The roster is read once, before the transaction (as configuration_by reads it with
    the page): it says whose calendars to ask first and who can host; the busy time is
    what is re-read under the hosts' locks."""
    _check_times(configuration, start, end)
    roster = roster_of(configuration)
    ask_connected_calendars(configuration, start, roster=roster)
    return _create_booking(
        configuration=configuration,
        start=start,
        end=end,
        guest=guest,
        host_emails=host_emails,
        now=now,
        roster=roster,
    )


@_atomic_booking_write
def _create_booking(
    *,
    configuration: Configuration,
    start: int,
    end: int | None,
    guest: Guest,
    host_emails: set[str] | None,
    now: dt.datetime | None,
    roster: list[Member],
) -> NewBooking:
    now = now or timezone.now()
    participants = hosts_of(roster)
    if not participants:
        raise SlotUnavailable("This page has no host to book.", field="configuration_id")
    lock_hosts([p.grant_id for p in participants] + [configuration.grant_id])
    only = {e.lower() for e in host_emails} if host_emails else None
    slot = offered_slot(configuration, start, now=now, only_emails=only, roster=roster)
    if slot is None:
        raise SlotUnavailable("This time is no longer available.", field="start_time")
    hosts, organizer = _choose_hosts(configuration, participants, slot)
    pending = configuration.booking_type == Configuration.BookingType.ORGANIZER_CONFIRMATION
    booking = Booking(
        configuration=configuration,
        organizer=organizer.grant,
        start=from_unix(start),
        end=from_unix(start + configuration.duration_minutes * 60),
        status=Booking.Status.PENDING if pending else Booking.Status.BOOKED,
        guest_name=guest.name,
        guest_email=guest.email,
        additional_guests=list(guest.additional_guests),
        additional_fields=guest.additional_fields,
        metadata=guest.metadata,
        guest_timezone=guest.timezone,
        language=guest.language or configuration.locale or "en",
        # A new meeting room for each booking (never one a cancelled booking had).
        conferencing=conferencing.for_new_booking(conferencing.of_configuration(configuration)),
    )
    booking.salt_digest = links.salt_digest(booking.id)
    if pending:
        booking.organizer_link_nonce = links.new_organizer_nonce()
    booking.event = event = _event_for(booking, organizer, hosts)
    host_grants = [h.grant for h in hosts]
    # The event, the booking and its host rows: one round trip on PostgreSQL.
    insert_all([event] if event else [], [booking], _host_rows(booking, host_grants))
    if event is not None:
        writes.queue_new_event(event, now=now, caldav=organizer.booking_calendar_caldav)
    notifications.booking_created(booking, host_grants)
    return NewBooking(booking, links.booking_ref(booking))


def _locked_booking(booking: Booking) -> Booking:
    """The booking re-read under its hosts' locks (its state may have changed)."""
    grant_ids = list(booking.host_rows.values_list("grant_id", flat=True))
    configuration = booking.configuration
    if configuration.availability_method != COLLECTIVE:
        grant_ids += [m.grant_id for m in hosts_of(roster_of(configuration))]
    lock_hosts(grant_ids + [configuration.grant_id])
    return (
        Booking.objects.select_for_update()
        .select_related("configuration__grant")
        .get(pk=booking.pk)
    )


@_atomic_booking_write
def confirm_booking(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """An organizer accepts a pending booking. Its time is re-checked under lock."""
    now = now or timezone.now()
    booking = _locked_booking(booking)
    if booking.status != Booking.Status.PENDING:
        raise WrongState(f"This booking is {booking.status}, not pending.", field="status")
    hosts = {e.lower() for e in booking.host_rows.values_list("grant__email", flat=True)}
    slot = offered_slot(
        booking.configuration,
        to_unix(booking.start),
        now=now,
        exclude_booking_id=booking.id,
        only_emails=hosts,
        conflicts_only=True,
    )
    if slot is None:
        raise SlotUnavailable("The host is no longer free at this time.", field="status")
    booking.status = Booking.Status.BOOKED
    booking.organizer_link_nonce = ""
    booking.save(update_fields=["status", "organizer_link_nonce", "updated_at"])
    if booking.event_id:
        Event.objects.filter(pk=booking.event_id).update(
            status=Event.Status.CONFIRMED, updated_at=now
        )
        writes.queue_event_change(booking.event_id, now=now)
    notifications.booking_confirmed(booking)
    return booking


def _release(booking: Booking, reason: str, now: dt.datetime, *, declined: bool = False) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancellation_reason = reason
    booking.organizer_link_nonce = ""
    booking.declined_at = now if declined else None
    booking.save(
        update_fields=[
            "status",
            "cancellation_reason",
            "organizer_link_nonce",
            "declined_at",
            "updated_at",
        ]
    )
    booking.host_rows.update(active=False)
    if booking.event_id:
        Event.objects.filter(pk=booking.event_id).update(
            status=Event.Status.CANCELLED, updated_at=now
        )
        writes.queue_event_change(booking.event_id, now=now)


@_atomic_booking_write
def decline_booking(*, booking: Booking, reason: str = "", now: dt.datetime | None = None):
    """An organizer refuses a pending booking: its time is free again."""
    now = now or timezone.now()
    booking = _locked_booking(booking)
    if booking.status != Booking.Status.PENDING:
        raise WrongState(f"This booking is {booking.status}, not pending.", field="status")
    _release(booking, reason, now, declined=True)
    notifications.booking_declined(booking, reason)
    return booking


@_atomic_booking_write
def cancel_booking(
    *,
    booking: Booking,
    reason: str = "",
    enforce_notice: bool = True,
    now: dt.datetime | None = None,
) -> Booking:
    """Cancel a booked or pending booking. With ``enforce_notice`` (guests and the API),
    refused inside the configuration's min_cancellation_notice."""
    now = now or timezone.now()
    booking = _locked_booking(booking)
    if booking.status == Booking.Status.CANCELLED:
        raise WrongState("This booking is already cancelled.", field="status")
    notice = dt.timedelta(minutes=booking.configuration.min_cancellation_notice)
    if enforce_notice and now > booking.start - notice:
        raise TooLateToCancel(
            f"Bookings can be cancelled up to {booking.configuration.min_cancellation_notice} "
            "minutes before they start.",
            field="booking_id",
        )
    _release(booking, reason, now)
    notifications.booking_cancelled(booking, reason)
    return booking


def reschedule_booking(
    *, booking: Booking, start: int, end: int | None = None, now: dt.datetime | None = None
) -> Booking:
    """Move a booking to another offered slot (its own time does not count as busy).
    Round-robin keeps the host when free, else the next free one takes it."""
    if start != to_unix(booking.start):
        ask_connected_calendars(booking.configuration, start)
    return _reschedule_booking(booking=booking, start=start, end=end, now=now)


@_atomic_booking_write
def _reschedule_booking(
    *, booking: Booking, start: int, end: int | None, now: dt.datetime | None
) -> Booking:
    now = now or timezone.now()
    booking = _locked_booking(booking)
    configuration = booking.configuration
    if booking.status == Booking.Status.CANCELLED:
        raise WrongState("A cancelled booking cannot be rescheduled.", field="status")
    _check_times(configuration, start, end)
    if start == to_unix(booking.start):
        return booking  # already there: nothing moves, nobody is told
    slot = offered_slot(configuration, start, now=now, exclude_booking_id=booking.id)
    if slot is None:
        raise SlotUnavailable("This time is not available.", field="start_time")
    participants = hosts_of(roster_of(configuration))
    current = set(booking.host_rows.values_list("grant_id", flat=True))
    if configuration.availability_method == COLLECTIVE:
        hosts, organizer = _choose_hosts(configuration, participants, slot)
    else:
        free = [p for p in participants if p.email in slot.emails]
        keep = [p for p in free if p.grant_id in current]
        organizer = keep[0] if keep else next(p for p in free if p.email == slot.emails[0])
        hosts = [organizer]
    old_start, old_end = booking.start, booking.end
    kept = {h.grant_id for h in hosts}
    dropped = [row.grant for row in booking.host_rows.select_related("grant")]
    dropped = [grant for grant in dropped if grant.pk not in kept]
    booking.start = from_unix(start)
    booking.end = from_unix(start + configuration.duration_minutes * 60)
    booking.organizer = organizer.grant
    booking.save(update_fields=["start", "end", "organizer", "updated_at"])
    booking.host_rows.all().delete()
    insert(*_host_rows(booking, [h.grant for h in hosts]))
    if booking.event_id:
        calendar_id = organizer.booking_calendar_id or booking.event.calendar_id
        Event.objects.filter(pk=booking.event_id).update(
            start=booking.start, end=booking.end, calendar_id=calendar_id, updated_at=now
        )
        writes.queue_event_change(booking.event_id, now=now)
    notifications.booking_rescheduled(booking, old_start, old_end, dropped_hosts=dropped)
    return booking


@_atomic_booking_write
def follow_moved_event(*, event: Event, old_start: dt.datetime, old_end: dt.datetime) -> None:
    """The organizer moved a booking's event in their calendar: the booking follows, with
    the same notices as a reschedule. Their calendar is authoritative, so open hours and
    notice are not re-checked; overlapping another booking is still refused (409)."""
    booking = Booking.objects.filter(event=event).exclude(status="cancelled").first()
    if booking is None or (event.start, event.end) == (booking.start, booking.end):
        return
    booking = _locked_booking(booking)
    blocked_start, blocked_end = _blocked_range(booking.configuration, event.start, event.end)
    _refuse_overlapping_bookings(booking, event.start, event.end, blocked_start, blocked_end)
    booking.start, booking.end = event.start, event.end
    booking.save(update_fields=["start", "end", "updated_at"])
    booking.host_rows.update(blocked_start=blocked_start, blocked_end=blocked_end)
    notifications.booking_rescheduled(booking, old_start, old_end)


def _refuse_overlapping_bookings(booking, start, end, blocked_start, blocked_end) -> None:
    """A moved booking may not block its hosts' time that another booking blocks (the
    comparison the PostgreSQL exclusion constraint makes), except as one more guest of the
    very same group-event slot while seats are left. Runs under the hosts' locks."""
    configuration = booking.configuration
    others = list(
        BookingHost.objects.filter(
            grant_id__in=booking.host_rows.values("grant_id"),
            active=True,
            blocked_start__lt=blocked_end,
            blocked_end__gt=blocked_start,
        )
        .exclude(booking_id=booking.pk)
        .values_list("booking__configuration_id", "booking__start", "booking__end", "grant_id")
    )
    if not others:
        return
    same_slot = [o for o in others if o[:3] == (configuration.pk, start, end)]
    if configuration.capacity > 1 and len(same_slot) == len(others):
        seats_taken = max(Counter(grant_id for *_, grant_id in same_slot).values())
        if seats_taken < configuration.capacity:
            return
    raise SlotUnavailable("The host has another booking at this time.", field="when.start_time")


def follow_deleted_event(*, event: Event) -> None:
    """The organizer deleted a booking's event: the booking is cancelled, with notices."""
    booking = Booking.objects.filter(event=event).exclude(status="cancelled").first()
    if booking is not None:
        cancel_booking(
            booking=booking,
            reason="The organizer removed this meeting from their calendar.",
            enforce_notice=False,
        )


def end_bookings_of_deleted_configurations(*, configuration_ids, now=None) -> None:
    """These configurations are being deleted, and their bookings with them (in the
    caller's transaction). Upcoming bookings are cancelled first, with their notices, and
    every message still owed is kept in its outbox row, so a guest is told and nothing
    owed is lost with the rows."""
    now = now or timezone.now()
    upcoming = Booking.objects.filter(
        configuration_id__in=configuration_ids,
        status__in=[Booking.Status.BOOKED, Booking.Status.PENDING],
        end__gt=now,
    ).order_by("start")
    for booking in upcoming:
        cancel_booking(
            booking=booking,
            reason="The organizer removed this booking page.",
            enforce_notice=False,
            now=now,
        )
    notifications.keep_owed_messages(
        Booking.objects.filter(configuration_id__in=configuration_ids).values("pk")
    )


@transaction.atomic
def start_session(*, configuration: Configuration, minutes: int) -> tuple[Session, str]:
    """A guest's session on a private configuration, for ``minutes``; returns it and its
    id (the secret: stored hashed, shown this once)."""
    session = Session(
        configuration=configuration, expires_at=timezone.now() + dt.timedelta(minutes=minutes)
    )
    secret = session.set_new_token()
    session.save()
    return session, secret


@transaction.atomic
def end_session(*, session: Session) -> None:
    session.delete()
