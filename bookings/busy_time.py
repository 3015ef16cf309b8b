"""When people are busy: the busy events of their calendars and the time their bookings
block (buffers included), as Unix-second intervals per grant, in one query; and when each
was last booked in a round-robin rotation, in one more.

Hand-written SQL for the same reason as bookings/roster.py: this runs on every
availability request and every booking. On PostgreSQL each calendar's and each host's
intervals come back aggregated into two integer arrays, which psycopg reads in C: a few
dozen rows instead of ten thousand tuples built in Python. They come in no particular
order (an ORDER BY inside the aggregates tripled the query's time); the engine sorts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.db import connection

from pages.hot_reads import db_uuid
from pages.models import Event

# Whole Unix seconds, rounded outwards (a busy interval never shrinks). On PostgreSQL
# date_part() is a double: EXTRACT() is numeric, which made the conversion most of the
# query's time.
_EPOCH = {
    "postgresql": "{rounding}(date_part('epoch', {column}))::bigint",
    # julianday() rather than strftime('%s'): the backend rewrites %s in SQL.
    "sqlite": "CAST(ROUND((julianday({column}) - 2440587.5) * 86400) AS integer)",
}

# A booking's own event and its host rows are left out of the busy time when that booking
# is being moved (exclude) or when its configuration is a group event being searched
# (seats, not busy time).
_NOT_EVENT_OF = (
    " AND NOT EXISTS (SELECT 1 FROM bookings_booking b WHERE b.event_id = e.id AND ({0}))"
)
_NOT_HOSTED_BY = (
    " AND NOT EXISTS (SELECT 1 FROM bookings_booking b WHERE b.id = h.booking_id AND ({0}))"
)


def _in(count: int) -> str:
    return "(" + ", ".join(["%s"] * count) + ")"


@cache
def _sql(vendor: str, calendars: int, statuses: int, grants: int, skip: tuple[str, ...]) -> str:
    """The statement for these list lengths and exclusions; built once per shape."""

    def start(column: str) -> str:
        return _EPOCH[vendor].format(rounding="floor", column=column)

    def end(column: str) -> str:
        return _EPOCH[vendor].format(rounding="ceil", column=column)

    event_end = 'e."end"'

    skip_sql = " OR ".join(f"b.{column} = %s" for column in skip)
    events_where = (
        f'e.calendar_id IN {_in(calendars)} AND e.start < %s AND e."end" > %s'
        f" AND e.busy AND e.status IN {_in(statuses)}"
        + (_NOT_EVENT_OF.format(skip_sql) if skip else "")
    )
    hosts_where = (
        f"h.grant_id IN {_in(grants)} AND h.active"
        " AND h.blocked_start < %s AND h.blocked_end > %s"
        + (_NOT_HOSTED_BY.format(skip_sql) if skip else "")
    )
    # Only placeholders and this module's constants are formatted into the SQL.
    if vendor == "postgresql":
        return (
            f"SELECT 'c', e.calendar_id, array_agg({start('e.start')}),"  # noqa: S608
            f" array_agg({end(event_end)})"
            f" FROM pages_event e WHERE {events_where} GROUP BY e.calendar_id"
            " UNION ALL "
            f"SELECT 'g', h.grant_id, array_agg({start('h.blocked_start')}),"
            f" array_agg({end('h.blocked_end')})"
            f" FROM bookings_bookinghost h WHERE {hosts_where} GROUP BY h.grant_id"
        )
    return (
        f"SELECT 'c', e.calendar_id, {start('e.start')}, {end(event_end)}"  # noqa: S608
        f" FROM pages_event e WHERE {events_where}"
        " UNION ALL "
        f"SELECT 'g', h.grant_id, {start('h.blocked_start')}, {end('h.blocked_end')}"
        f" FROM bookings_bookinghost h WHERE {hosts_where}"
    )


def busy_by_grant(
    grant_ids: Iterable,
    calendars_by_grant: dict,
    start: dt.datetime,
    end: dt.datetime,
    *,
    tentative_as_busy: bool,
    seat_configuration_id=None,
    exclude_booking_id=None,
) -> dict:
    """{grant id: [(start, end), ...]}: busy events of the given calendars, and the
    bookings (booked or pending) the grants host, overlapping [start, end). One query.

    With ``seat_configuration_id`` (a group event being searched), that configuration's
    own bookings and their events are left out: they are seats, not busy time. With
    ``exclude_booking_id``, that booking is (it is being moved).
    """
    grant_ids = list(grant_ids)
    calendar_owner = {
        calendar_id: grant_id
        for grant_id, calendar_ids in calendars_by_grant.items()
        for calendar_id in calendar_ids
    }
    busy: dict = defaultdict(list)
    if not grant_ids and not calendar_owner:
        return busy
    statuses = [Event.Status.CONFIRMED]
    if tentative_as_busy:
        statuses.append(Event.Status.TENTATIVE)
    skip, skip_values = [], []
    if seat_configuration_id is not None:
        skip.append("configuration_id")
        skip_values.append(db_uuid(seat_configuration_id))
    if exclude_booking_id is not None:
        skip.append("id")
        skip_values.append(db_uuid(exclude_booking_id))
    # IN () is not valid SQL: an impossible id stands in for an empty list.
    calendars = [db_uuid(c) for c in calendar_owner] or [None]
    grants = [db_uuid(g) for g in grant_ids] or [None]
    low = connection.ops.adapt_datetimefield_value(start)
    high = connection.ops.adapt_datetimefield_value(end)
    sql = _sql(connection.vendor, len(calendars), len(statuses), len(grants), tuple(skip))
    params = [*calendars, high, low, *statuses, *skip_values]
    params += [*grants, high, low, *skip_values]
    owner_of = {str(db_uuid(c)): g for c, g in calendar_owner.items()}
    grant_of = {str(db_uuid(g)): g for g in grant_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        for kind, key, starts, ends in rows:
            owner = owner_of[str(key)] if kind == "c" else grant_of[str(key)]
            busy[owner].extend(zip(starts, ends, strict=True))
        return busy
    for kind, key, begins, finishes in rows:
        owner = owner_of[str(key)] if kind == "c" else grant_of[str(key)]
        busy[owner].append((begins, finishes))
    return busy


@cache
def _last_booked_sql(grants: int, by_group: bool) -> str:
    rotation = (
        "b.configuration_id IN (SELECT id FROM pages_configuration WHERE round_robin_group_id = %s)"
        if by_group
        else "b.configuration_id = %s"
    )
    where = f"h.grant_id IN {_in(grants)} AND b.status <> %s AND {rotation}"
    return (
        "SELECT h.grant_id, MAX(b.created_at) FROM bookings_bookinghost h"  # noqa: S608
        f" JOIN bookings_booking b ON b.id = h.booking_id WHERE {where} GROUP BY h.grant_id"
    )


def last_booked_by_grant(configuration, grant_ids: list) -> dict:
    """{grant id: Unix seconds} of when each host was last given a booking (not since
    cancelled) in this rotation: the configuration, or every configuration sharing its
    round_robin_group_id. One query."""
    if not grant_ids:
        return {}
    group = configuration.round_robin_group_id
    sql = _last_booked_sql(len(grant_ids), bool(group))
    params = [db_uuid(g) for g in grant_ids]
    params += ["cancelled", group or db_uuid(configuration.pk)]
    grant_of = {str(db_uuid(g)): g for g in grant_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # A handful of rows: the instants are converted here, with the ORM's own rule.
    convert = connection.ops.convert_datetimefield_value if connection.vendor == "sqlite" else None
    found = {}
    for key, last in rows:
        if convert is not None:
            last = convert(last, None, connection)
        found[grant_of[str(key)]] = int(last.timestamp())
    return found
