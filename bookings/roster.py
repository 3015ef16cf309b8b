"""Who is on a page: a configuration's participants with their grants, the calendars
that make them busy, and the open hours that apply to them, read in one query.

The availability loader and the booking services read this on every request (the
booking page's day fragment, GET /v3/scheduling/availability, every booking), so it is
one hand-written statement run through the connection's cursor: building the same reads
with the ORM (participants with their grants, the chosen calendars, the primary calendars,
the open hours: four querysets) cost several times the database's own time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.db import connection

from bookings.availability import OpenHours
from pages.hot_reads import JSON_FUNCTIONS, as_uuid, db_uuid, from_json, grant_of
from pages.models import Configuration, Grant

# One row per participant, in the configuration's order (position, then email). The
# chosen availability calendars and the grant's primary calendar ride along, and the
# configuration's open hours (every entry, as JSON) on the first row: the whole roster is
# a single round trip.
_ROSTER_SQL = """
SELECT p.id, p.email, p.name, p.is_organizer, p.timezone, p.has_availability,
       p.booking_calendar_id, p.grant_id,
       g.email, g.name, g.timezone,
       (SELECT {array}(pc.calendar_id)
          FROM pages_participant_availability_calendars pc
         WHERE pc.participant_id = p.id) AS chosen,
       (SELECT c.id FROM pages_calendar c
         WHERE c.grant_id = p.grant_id AND c.is_primary
         LIMIT 1) AS primary_calendar,
       CASE WHEN row_number() OVER (ORDER BY p.position, p.email) = 1 THEN
       (SELECT {array}({object}('participant', o.participant_id, 'days', {json}(o.days),
                                'start', o.start_minute, 'end', o.end_minute,
                                'timezone', o.timezone, 'exdates', {json}(o.exdates)))
          FROM (SELECT * FROM pages_openhours WHERE configuration_id = %s ORDER BY id) o)
       END AS hours
  FROM pages_participant p
  LEFT JOIN pages_grant g ON g.id = p.grant_id
 WHERE p.configuration_id = %s
 ORDER BY p.position, p.email
"""


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

    @property
    def grant_id(self) -> uuid.UUID | None:
        return self.grant.pk if self.grant is not None else None


@cache
def _sql(vendor: str) -> str:
    return _ROSTER_SQL.format(**JSON_FUNCTIONS[vendor])


def _grant(row) -> Grant | None:
    return None if row[7] is None else grant_of(row[7], row[8], row[9], row[10])


def _hours(entries: list, zone: str) -> tuple[OpenHours, ...]:
    return tuple(
        OpenHours(
            days=frozenset(entry["days"]),
            start=entry["start"],
            end=entry["end"],
            timezone=entry["timezone"] or zone,
            exdates=frozenset(dt.date.fromisoformat(d) for d in entry["exdates"] or ()),
        )
        for entry in entries
    )


def page_zone(configuration: Configuration) -> str:
    return configuration.timezone or configuration.grant.timezone or "UTC"


def roster_of(configuration: Configuration) -> list[Member]:
    """The configuration's participants, in order. One query."""
    with connection.cursor() as cursor:
        key = db_uuid(configuration.pk)
        cursor.execute(_sql(connection.vendor), [key, key])
        rows = cursor.fetchall()
    zone = page_zone(configuration)
    entries_of: dict = defaultdict(list)  # participant id (None: the page's defaults)
    for entry in (from_json(rows[0][13]) if rows else None) or ():
        entries_of[as_uuid(entry["participant"])].append(entry)
    members = []
    defaults_by_zone: dict[str, tuple[OpenHours, ...]] = {}
    for row in rows:
        participant_id, grant = as_uuid(row[0]), _grant(row)
        person_zone = row[4] or (grant.timezone if grant else "") or zone
        own = entries_of.get(participant_id)
        if own:
            hours = _hours(own, person_zone)
        else:
            hours = defaults_by_zone.get(person_zone)
            if hours is None:
                hours = defaults_by_zone[person_zone] = _hours(entries_of[None], person_zone)
        chosen = tuple(as_uuid(c) for c in from_json(row[11]) or () if c is not None)
        primary = as_uuid(row[12])
        members.append(
            Member(
                id=participant_id,
                email=row[1],
                name=row[2],
                is_organizer=bool(row[3]),
                has_availability=bool(row[5]),
                grant=grant,
                booking_calendar_id=as_uuid(row[6]),
                zone=row[4] or (grant.timezone if grant else ""),
                calendar_ids=chosen or ((primary,) if primary else ()),
                open_hours=hours,
            )
        )
    return members


def hosts_of(members: list[Member]) -> list[Member]:
    """The members who are grants: the people a booking can occupy."""
    return [m for m in members if m.grant is not None]
