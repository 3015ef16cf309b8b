"""The guest side's hand-written SQL: the one module of the bookings app that writes SQL by
hand. Table and column names come from the models' metadata, statuses from their choices.

When people are busy: the busy events of their calendars and the time their bookings
block (buffers included), as Unix-second intervals per grant, in one query; and when each
was last booked in a round-robin rotation, in one more. The booking path's row locks on
the hosts. What the booking page's shell shows.

Hand-written SQL for the same reason as bookings/roster.py: this runs on every
availability request and every booking. On PostgreSQL each calendar's and each host's
intervals come back aggregated into two integer arrays, which psycopg reads in C: a few
dozen rows instead of ten thousand tuples built in Python. They come in no particular
order (an ORDER BY inside the aggregates tripled the query's time); the engine sorts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.db import connection

from bookings.models import Booking, BookingHost, RateLimitCounter
from pages.models import Configuration, Event, Grant, Participant
from pages.sql import db_uuid

# Whole Unix seconds, rounded outwards (a busy interval never shrinks). On PostgreSQL
# date_part() is a double: EXTRACT() is numeric, which made the conversion most of the
# query's time.
_EPOCH = {
    "postgresql": {
        "floor": "floor(date_part('epoch', {column}))::bigint",
        "ceil": "ceil(date_part('epoch', {column}))::bigint",
    },
    # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" text: the whole seconds from
    # strftime ('%%s': the backend turns %% into %), plus one when a fraction follows
    # (julianday() is a double, and its rounding once shrank an interval by a second).
    "sqlite": {
        "floor": "CAST(strftime('%%s', {column}) AS integer)",
        "ceil": "(CAST(strftime('%%s', {column}) AS integer)"
        " + (CAST(substr({column}, 21) AS integer) > 0))",
    },
}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _in(count: int) -> str:
    return "(" + ", ".join(["%s"] * count) + ")"


@cache
def _sql(vendor: str, calendars: int, statuses: int, grants: int, skip: tuple[str, ...]) -> str:
    """The statement for these list lengths and exclusions; built once per shape. Names
    come from the models' metadata; values are parameters."""
    event, host, booking = (
        {name: _column(model, name) for name in names}
        for model, names in (
            (Event, ("calendar", "start", "end", "busy", "status", "id")),
            (BookingHost, ("grant", "active", "blocked_start", "blocked_end", "booking")),
            (Booking, ("id", "event", "configuration")),
        )
    )
    bookings_table = _table(Booking)

    def start(column: str) -> str:
        return _EPOCH[vendor]["floor"].format(column=column)

    def end(column: str) -> str:
        return _EPOCH[vendor]["ceil"].format(column=column)

    # A booking's own event and its host rows are left out of the busy time when that
    # booking is being moved (exclude) or when its configuration is a group event being
    # searched (seats, not busy time).
    skip_sql = " OR ".join(f"b.{booking[name]} = %s" for name in skip)
    not_event_of = (
        f" AND NOT EXISTS (SELECT 1 FROM {bookings_table} b"  # noqa: S608
        f" WHERE b.{booking['event']} = e.{event['id']} AND ({skip_sql}))"
    )
    not_hosted_by = (
        f" AND NOT EXISTS (SELECT 1 FROM {bookings_table} b"  # noqa: S608
        f" WHERE b.{booking['id']} = h.{host['booking']} AND ({skip_sql}))"
    )
    events_where = (
        f"e.{event['calendar']} IN {_in(calendars)} AND e.{event['start']} < %s"
        f" AND e.{event['end']} > %s AND e.{event['busy']}"
        f" AND e.{event['status']} IN {_in(statuses)}" + (not_event_of if skip else "")
    )
    hosts_where = (
        f"h.{host['grant']} IN {_in(grants)} AND h.{host['active']}"
        f" AND h.{host['blocked_start']} < %s AND h.{host['blocked_end']} > %s"
        + (not_hosted_by if skip else "")
    )
    events = f"FROM {_table(Event)} e WHERE {events_where}"
    hosts = f"FROM {_table(BookingHost)} h WHERE {hosts_where}"
    if vendor == "postgresql":
        return (
            f"SELECT 'c', e.{event['calendar']}, array_agg({start('e.' + event['start'])}),"  # noqa: S608
            f" array_agg({end('e.' + event['end'])}) {events} GROUP BY e.{event['calendar']}"
            " UNION ALL "
            f"SELECT 'g', h.{host['grant']}, array_agg({start('h.' + host['blocked_start'])}),"
            f" array_agg({end('h.' + host['blocked_end'])}) {hosts} GROUP BY h.{host['grant']}"
        )
    return (
        f"SELECT 'c', e.{event['calendar']}, {start('e.' + event['start'])},"  # noqa: S608
        f" {end('e.' + event['end'])} {events}"
        " UNION ALL "
        f"SELECT 'g', h.{host['grant']}, {start('h.' + host['blocked_start'])},"
        f" {end('h.' + host['blocked_end'])} {hosts}"
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
        skip.append("configuration")
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
    host = {n: _column(BookingHost, n) for n in ("grant", "booking")}
    booking = {n: _column(Booking, n) for n in ("id", "configuration", "status", "created_at")}
    configuration_id = _column(Configuration, "id")
    group = _column(Configuration, "round_robin_group_id")
    rotation = (
        f"b.{booking['configuration']} IN (SELECT {configuration_id}"  # noqa: S608
        f" FROM {_table(Configuration)} WHERE {group} = %s)"
        if by_group
        else f"b.{booking['configuration']} = %s"
    )
    where = f"h.{host['grant']} IN {_in(grants)} AND b.{booking['status']} <> %s AND {rotation}"
    return (
        f"SELECT h.{host['grant']}, MAX(b.{booking['created_at']})"  # noqa: S608
        f" FROM {_table(BookingHost)} h JOIN {_table(Booking)} b"
        f" ON b.{booking['id']} = h.{host['booking']} WHERE {where} GROUP BY h.{host['grant']}"
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
    params += [Booking.Status.CANCELLED, group or db_uuid(configuration.pk)]
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


def lock_hosts(grant_ids) -> None:
    """Row locks on these grants, in a fixed order, until the transaction ends. The race
    closed here: two requests both seeing a slot free and both inserting. Only inside a
    transaction: outside one the locks would be let go at once."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_hosts needs a transaction: its locks last until it ends")
    if settings.SCHEDULER_DISABLE_BOOKING_LOCKS:  # the race test's control run only
        return
    if not connection.features.has_select_for_update:
        return  # SQLite: the transaction began IMMEDIATE and holds the write lock
    # PostgreSQL connections carry lock_timeout (settings), so a wait here ends in a
    # 409 rather than hanging the request. The rows are locked in the ORDER BY's order.
    ids = sorted(set(grant_ids))
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(len(ids)), [db_uuid(grant_id) for grant_id in ids])


@cache
def _lock_sql(count: int) -> str:
    meta, quote = Grant._meta, connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    return f"SELECT {key} FROM {table} WHERE {key} IN {_in(count)} ORDER BY {key} FOR UPDATE"  # noqa: S608


# What the booking page's shell shows (bookings/views/shell_cache.py keys its cache on it).
_shell_sql: str | None = None


def _shell_statement() -> str:
    """The one statement behind the shell, named from the models' own metadata."""
    global _shell_sql
    if _shell_sql is None:
        q = connection.ops.quote_name
        c, g, p = Configuration._meta, Grant._meta, Participant._meta

        def col(meta, name: str) -> str:
            return q(meta.get_field(name).column)

        columns = [
            f"c.{col(c, name)}"
            for name in (
                "id",
                "title",
                "description",
                "location",
                "duration_minutes",
                "appearance",
                "locale",
                "timezone",
                "hide_participants",
                "availability_method",
            )
        ]
        columns += [f"g.{col(g, 'timezone')}"]
        columns += [f"p.{col(p, name)}" for name in ("name", "email", "is_organizer", "grant")]
        columns += [f"h.{col(g, 'picture_url')}", f"h.{col(g, 'name')}"]
        # Last, so the others keep their places: the header shows its conferencing.
        columns += [f"c.{col(c, 'extra')}"]
        _shell_sql = (
            f"SELECT {', '.join(columns)} FROM {q(c.db_table)} c "  # noqa: S608
            f"JOIN {q(g.db_table)} g ON g.{col(g, 'id')} = c.{col(c, 'grant')} "
            f"LEFT JOIN {q(p.db_table)} p ON p.{col(p, 'configuration')} = c.{col(c, 'id')} "
            f"LEFT JOIN {q(g.db_table)} h ON h.{col(g, 'id')} = p.{col(p, 'grant')} "
            f"WHERE c.{col(c, 'slug')} = %s AND c.{col(c, 'requires_session_auth')} = %s "
            f"ORDER BY p.{col(p, 'position')}, p.{col(p, 'email')}"
        )
    return _shell_sql


def _plain(value):
    """A column value as something hashable (JSON may come back decoded)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def shell_rows(slug: str) -> tuple:
    """What the shell of ``slug`` shows, as rows; () when there is no public page."""
    with connection.cursor() as cursor:
        cursor.execute(_shell_statement(), [slug, False])
        return tuple(tuple(_plain(v) for v in row) for row in cursor.fetchall())


def count_hit(key: str, window_start: int, expires_at: int) -> int:
    """One more request of ``key`` in the window that began at ``window_start``; the
    window's count with it. One atomic statement (INSERT ... ON CONFLICT DO UPDATE ...
    RETURNING, on PostgreSQL and SQLite alike), so two requests racing for the last
    allowance cannot both get it."""
    meta, quote = RateLimitCounter._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    key_column, window_column, expires_column, count_column = (
        quote(meta.get_field(name).column)
        for name in ("key", "window_start", "expires_at", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {expires_column},"  # noqa: S608
            f" {count_column}) VALUES (%s, %s, %s, 1)"
            f" ON CONFLICT ({key_column}, {window_column}) DO UPDATE"
            f" SET {count_column} = {table}.{count_column} + 1 RETURNING {count_column}",
            [key, window_start, expires_at],
        )
        return cursor.fetchone()[0]
