"""Who is on a page: a configuration's participants with their grants, the calendars
that make them busy, and the open hours that apply to them.

The availability loader and the booking services read this on every request (the
booking page's day fragment, GET /v3/scheduling/availability, every booking). The SQL is
in pages.sql: the configuration read carries the roster along (no query of its
own), and any other configuration costs one hand-written statement. Building the same
reads with the ORM (participants with their grants, the chosen calendars, the primary
calendars, the open hours: four querysets) cost several times the database's own time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from bookings.availability import OpenHours
from pages.models import Configuration, Grant
from pages.sql import grant_of, roster_source, uuid_from_column


@dataclass(frozen=True, slots=True)
class Member:
    """One participant of a page."""

    id: uuid.UUID
    email: str
    name: str
    is_organizer: bool
    has_availability: bool
    grant: Grant | None  # None: a participant without an account (never a host)
    booking_calendar_id: uuid.UUID | None
    zone: str  # the participant's zone, else their grant's, else "" (the page's applies)
    # The calendars whose busy events block them: those chosen, else their primary.
    calendar_ids: tuple[uuid.UUID, ...]
    open_hours: tuple[OpenHours, ...]  # their own entries, else the page's defaults
    # Connected calendars, read with the rest (no query of their own): their grant is
    # valid and has CalDAV calendars, asked just before a booking (pages/sync/fresh.py);
    # their booking calendar is a writable CalDAV one, where a booking's event is
    # written (pages/sync/writes.py).
    caldav_calendars: bool
    booking_calendar_caldav: bool

    @property
    def grant_id(self) -> uuid.UUID | None:
        return self.grant.pk if self.grant is not None else None


def _grant(person: dict) -> Grant | None:
    if person["grant_id"] is None:
        return None
    return grant_of(
        person["grant_id"], person["grant_email"], person["grant_name"], person["grant_timezone"]
    )


def _hours(entries: list, zone: str) -> tuple[OpenHours, ...]:
    return tuple(
        OpenHours(
            days=frozenset(entry["days"]),
            start=entry["start_minute"],
            end=entry["end_minute"],
            timezone=entry["timezone"] or zone,
            exdates=frozenset(dt.date.fromisoformat(d) for d in entry["exdates"] or ()),
        )
        for entry in entries
    )


def page_zone(configuration: Configuration) -> str:
    return configuration.timezone or configuration.grant.timezone or "UTC"


def roster_of(configuration: Configuration) -> list[Member]:
    """The configuration's participants, in order: read with the configuration when it
    came from pages.sql.configuration_by, else one query."""
    participants, open_hours = roster_source(configuration)
    zone = page_zone(configuration)
    entries_of: dict = defaultdict(list)  # participant id (None: the page's defaults)
    for entry in open_hours:
        entries_of[uuid_from_column(entry["participant_id"])].append(entry)
    members = []
    defaults_by_zone: dict[str, tuple[OpenHours, ...]] = {}
    for person in participants:
        participant_id, grant = uuid_from_column(person["id"]), _grant(person)
        own_zone = person["timezone"] or (grant.timezone if grant else "")
        person_zone = own_zone or zone
        own = entries_of.get(participant_id)
        if own:
            hours = _hours(own, person_zone)
        else:
            hours = defaults_by_zone.get(person_zone)
            if hours is None:
                hours = defaults_by_zone[person_zone] = _hours(entries_of[None], person_zone)
        chosen = tuple(uuid_from_column(c) for c in person["chosen"] or () if c is not None)
        primary = uuid_from_column(person["primary_calendar"])
        members.append(
            Member(
                id=participant_id,
                email=person["email"],
                name=person["name"],
                is_organizer=bool(person["is_organizer"]),
                has_availability=bool(person["has_availability"]),
                grant=grant,
                booking_calendar_id=uuid_from_column(person["booking_calendar_id"]),
                zone=own_zone,
                calendar_ids=chosen or ((primary,) if primary else ()),
                open_hours=hours,
                caldav_calendars=bool(person["caldav_calendars"]),
                booking_calendar_caldav=bool(person["booking_calendar_caldav"]),
            )
        )
    return members


def hosts_of(members: list[Member]) -> list[Member]:
    """The members who are grants: the people a booking can occupy."""
    return [m for m in members if m.grant is not None]
