"""Turns the database into the availability engine's plain data.

A fixed number of queries whatever the number of participants or events (the tests
assert it): configuration, participants, open hours, calendars, events, bookings and
round-robin history are each one query.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Func, Max, Q
from django.utils import timezone

from bookings.availability import (
    OpenHours,
    Participant,
    Query,
    Seat,
    grid_origin,
)
from bookings.models import Booking, BookingHost
from pages.models import Calendar, Configuration, Event
from pages.models import OpenHours as OpenHoursRow
from pages.models import Participant as ParticipantRow

BLOCKING_STATUSES = (Booking.Status.BOOKED, Booking.Status.PENDING)


class UnixSeconds(Func):
    """A datetime column as whole Unix seconds, computed by the database: building
    aware datetimes in Python only to turn them into integers was most of the cost of
    loading 10,000 events."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # julianday() rather than strftime('%s'): the backend rewrites %s in SQL.
        template = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra)


def intervals_by(queryset, key: str, start: str, end: str) -> dict:
    """{key: [(start seconds, end seconds), ...]} for the rows of ``queryset``.

    On PostgreSQL the rows are aggregated into two integer arrays per key, which psycopg
    reads in C: a few dozen rows instead of ten thousand tuples built in Python."""
    queryset = queryset.order_by()
    found: dict = defaultdict(list)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.aggregates import ArrayAgg

        grouped = (
            queryset.values(key)
            .annotate(starts=ArrayAgg(UnixSeconds(start)), ends=ArrayAgg(UnixSeconds(end)))
            .values_list(key, "starts", "ends")
        )
        for value, starts, ends in grouped:
            found[value].extend(zip(starts, ends, strict=True))
        return found
    for value, begins, finishes in queryset.values_list(key, UnixSeconds(start), UnixSeconds(end)):
        found[value].append((begins, finishes))
    return found


def to_unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def from_unix(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def open_hours_of(row: OpenHoursRow, fallback_zone: str) -> OpenHours:
    return OpenHours(
        days=frozenset(row.days),
        start=row.start_minute,
        end=row.end_minute,
        timezone=row.timezone or fallback_zone,
        exdates=frozenset(dt.date.fromisoformat(d) for d in row.exdates or ()),
    )


@dataclass(frozen=True)
class ConfigurationData:
    """Everything the engine needs for one configuration and one range."""

    configuration: Configuration
    participants: tuple[Participant, ...]
    query: Query


def configuration_zone(configuration: Configuration) -> str:
    return configuration.timezone or configuration.grant.timezone or "UTC"


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
    """Busy intervals per grant: busy events of the given calendars, and the bookings
    (booked or pending) they host. Two queries.

    With ``seat_configuration_id`` (a group event being searched), that configuration's
    own bookings and their events are left out: they are seats, not busy time.
    """
    grant_ids = list(grant_ids)
    busy: dict = defaultdict(list)
    calendar_owner = {
        calendar_id: grant_id
        for grant_id, calendar_ids in calendars_by_grant.items()
        for calendar_id in calendar_ids
    }
    statuses = [Event.Status.CONFIRMED]
    if tentative_as_busy:
        statuses.append(Event.Status.TENTATIVE)
    events = Event.objects.filter(
        calendar_id__in=list(calendar_owner),
        start__lt=end,
        end__gt=start,
        busy=True,
        status__in=statuses,
    )
    if seat_configuration_id is not None:
        events = events.exclude(booking__configuration_id=seat_configuration_id)
    if exclude_booking_id is not None:
        events = events.exclude(booking__id=exclude_booking_id)
    for calendar_id, intervals in intervals_by(events, "calendar_id", "start", "end").items():
        busy[calendar_owner[calendar_id]].extend(intervals)

    # Bookings block their hosts for their blocked range: the booking plus its own
    # configuration's buffers, the same range the database's exclusion constraint
    # compares, so what is offered here is what the constraint lets through.
    hosted = BookingHost.objects.filter(
        grant_id__in=grant_ids, active=True, blocked_start__lt=end, blocked_end__gt=start
    )
    if seat_configuration_id is not None:
        hosted = hosted.exclude(booking__configuration_id=seat_configuration_id)
    if exclude_booking_id is not None:
        hosted = hosted.exclude(booking_id=exclude_booking_id)
    for grant_id, intervals in intervals_by(
        hosted, "grant_id", "blocked_start", "blocked_end"
    ).items():
        busy[grant_id].extend(intervals)
    return busy


def last_booked_by_grant(configuration: Configuration, grant_ids: list) -> dict:
    """When each host was last given a booking in this rotation (the configuration, or
    every configuration sharing its round_robin_group_id). One query."""
    if configuration.round_robin_group_id:
        rotation = Q(
            booking__configuration__round_robin_group_id=configuration.round_robin_group_id
        )
    else:
        rotation = Q(booking__configuration_id=configuration.pk)
    rows = (
        BookingHost.objects.filter(rotation, grant_id__in=grant_ids)
        .exclude(booking__status=Booking.Status.CANCELLED)
        .values("grant_id")
        .annotate(last=Max("booking__created_at"))
    )
    return {row["grant_id"]: to_unix(row["last"]) for row in rows}


def on_offer_grid(configuration: Configuration, start: int) -> bool:
    """Whether some availability request could offer ``start``: grids begin at a local
    multiple of round_to and step by the interval, so offered starts are exactly the
    local multiples of gcd(interval, round_to) minutes."""
    step = math.gcd(configuration.effective_interval_minutes, configuration.round_to) * 60
    zone = configuration.timezone or configuration.grant.timezone or "UTC"
    local = dt.datetime.fromtimestamp(start, zoneinfo.ZoneInfo(zone))
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return seconds % step == 0


def participant_rows_of(configuration: Configuration) -> list[ParticipantRow]:
    return list(
        ParticipantRow.objects.filter(configuration=configuration)
        .select_related("grant", "booking_calendar")
        .prefetch_related("availability_calendars")
    )


def load_configuration(
    configuration: Configuration,
    start_time: int,
    end_time: int,
    *,
    now: dt.datetime | None = None,
    exclude_booking_id=None,
    participant_rows: list[ParticipantRow] | None = None,
) -> ConfigurationData:
    """``participant_rows`` may be given when the caller already holds them (from
    participant_rows_of), saving the query."""
    now = now or timezone.now()
    zone = configuration_zone(configuration)
    if participant_rows is None:
        participant_rows = participant_rows_of(configuration)
    hours_rows = list(OpenHoursRow.objects.filter(configuration=configuration))
    default_hours = [row for row in hours_rows if row.participant_id is None]
    hours_by_participant = defaultdict(list)
    for row in hours_rows:
        if row.participant_id is not None:
            hours_by_participant[row.participant_id].append(row)

    # Participants with availability and no calendars chosen are busy per their primary.
    calendars_by_grant: dict = defaultdict(set)
    need_primary = []
    for row in participant_rows:
        if row.grant_id is None or not row.has_availability:
            continue
        chosen = [c.pk for c in row.availability_calendars.all()]
        if chosen:
            calendars_by_grant[row.grant_id].update(chosen)
        else:
            need_primary.append(row.grant_id)
    if need_primary:
        for calendar_id, grant_id in Calendar.objects.filter(
            grant_id__in=need_primary, is_primary=True
        ).values_list("id", "grant_id"):
            calendars_by_grant[grant_id].add(calendar_id)

    range_start, range_end = from_unix(start_time), from_unix(end_time)
    buffer_before = configuration.buffer_before * 60
    buffer_after = configuration.buffer_after * 60
    # A slot [t, t+d) must keep [t - before, t + d + after) clear: busy time that far
    # outside the range matters too.
    busy_start = range_start - dt.timedelta(seconds=buffer_before)
    busy_end = range_end + dt.timedelta(seconds=buffer_after)
    group_event = configuration.capacity > 1
    busy = busy_by_grant(
        [row.grant_id for row in participant_rows if row.has_availability and row.grant_id],
        calendars_by_grant,
        busy_start,
        busy_end,
        tentative_as_busy=configuration.tentative_as_busy,
        seat_configuration_id=configuration.pk if group_event else None,
        exclude_booking_id=exclude_booking_id,
    )
    last_booked = {}
    if configuration.is_round_robin:
        last_booked = last_booked_by_grant(
            configuration, [row.grant_id for row in participant_rows if row.grant_id]
        )

    participants = []
    for row in participant_rows:
        if not row.has_availability:
            participants.append(Participant(email=row.email))
            continue
        person_zone = row.timezone or (row.grant.timezone if row.grant else "") or zone
        rows = hours_by_participant.get(row.pk) or default_hours
        participants.append(
            Participant(
                email=row.email,
                open_hours=tuple(open_hours_of(h, person_zone) for h in rows),
                busy=tuple(busy.get(row.grant_id, ())),
                last_booked_at=last_booked.get(row.grant_id),
            )
        )

    seats: tuple[Seat, ...] = ()
    if group_event:
        seats = group_seats(configuration, range_start, range_end, exclude_booking_id)

    now_unix = to_unix(now)
    query = Query(
        start_time=start_time,
        end_time=end_time,
        duration=configuration.duration_minutes * 60,
        interval=configuration.effective_interval_minutes * 60,
        origin=grid_origin(start_time, configuration.round_to, zone),
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        method=configuration.availability_method,
        earliest_start=now_unix + configuration.min_booking_notice * 60,
        latest_start=now_unix + configuration.available_days_in_future * 86400,
        capacity=configuration.capacity,
        seats=seats,
    )
    return ConfigurationData(configuration, tuple(participants), query)


def group_seats(configuration, range_start, range_end, exclude_booking_id) -> tuple[Seat, ...]:
    bookings = Booking.objects.filter(
        configuration=configuration,
        status__in=BLOCKING_STATUSES,
        start__lt=range_end,
        end__gt=range_start,
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    taken: dict = defaultdict(int)
    for start, end in bookings.values_list("start", "end"):
        taken[(to_unix(start), to_unix(end))] += 1
    return tuple(Seat(start=s, end=e, taken=n) for (s, e), n in sorted(taken.items()))
