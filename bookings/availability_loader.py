"""Turns the database into the availability engine's plain data.

A fixed number of queries whatever the number of participants or events (the tests
assert it): the roster (participants, their calendars and open hours: bookings/roster.py)
and the busy time (events and bookings: bookings/busy_time.py) are one query each;
round-robin history and a group event's seats one more each when they apply.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from bookings.availability import Participant, Query, Seat
from bookings.busy_time import busy_by_grant, last_booked_by_grant
from bookings.models import Booking
from bookings.roster import Member, page_zone, roster_of
from pages.models import Configuration

BLOCKING_STATUSES = (Booking.Status.BOOKED, Booking.Status.PENDING)


def to_unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def from_unix(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@dataclass(frozen=True)
class ConfigurationData:
    """Everything the engine needs for one configuration and one range."""

    configuration: Configuration
    participants: tuple[Participant, ...]
    query: Query
    roster: tuple[Member, ...]


def configuration_zone(configuration: Configuration) -> str:
    return page_zone(configuration)


def load_configuration(
    configuration: Configuration,
    start_time: int,
    end_time: int,
    *,
    now: dt.datetime | None = None,
    exclude_booking_id=None,
    roster: list[Member] | None = None,
) -> ConfigurationData:
    """``roster`` may be given when the caller already holds it (from roster_of), saving
    the query."""
    now = now or timezone.now()
    zone = page_zone(configuration)
    if roster is None:
        roster = roster_of(configuration)
    available = [m for m in roster if m.has_availability and m.grant is not None]

    range_start, range_end = from_unix(start_time), from_unix(end_time)
    buffer_before = configuration.buffer_before * 60
    buffer_after = configuration.buffer_after * 60
    # A slot [t, t+d) must keep [t - before, t + d + after) clear: busy time that far
    # outside the range matters too.
    group_event = configuration.capacity > 1
    busy = busy_by_grant(
        [m.grant_id for m in available],
        {m.grant_id: m.calendar_ids for m in available},
        range_start - dt.timedelta(seconds=buffer_before),
        range_end + dt.timedelta(seconds=buffer_after),
        tentative_as_busy=configuration.tentative_as_busy,
        seat_configuration_id=configuration.pk if group_event else None,
        exclude_booking_id=exclude_booking_id,
    )
    last_booked = {}
    if configuration.is_round_robin:
        last_booked = last_booked_by_grant(
            configuration, [m.grant_id for m in roster if m.grant is not None]
        )

    participants = []
    for member in roster:
        if not member.has_availability:
            participants.append(Participant(email=member.email))
            continue
        participants.append(
            Participant(
                email=member.email,
                open_hours=member.open_hours,
                busy=tuple(busy.get(member.grant_id, ())),
                last_booked_at=last_booked.get(member.grant_id),
            )
        )

    seats: tuple[Seat, ...] = ()
    if group_event:
        # Seats, like busy time, matter as far as a slot's buffers reach outside the range.
        seats = group_seats(
            configuration,
            range_start - dt.timedelta(seconds=buffer_before),
            range_end + dt.timedelta(seconds=buffer_after),
            exclude_booking_id,
        )

    now_unix = to_unix(now)
    query = Query(
        start_time=start_time,
        end_time=end_time,
        duration=configuration.duration_minutes * 60,
        interval=configuration.effective_interval_minutes * 60,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        method=configuration.availability_method,
        earliest_start=now_unix + configuration.min_booking_notice * 60,
        latest_start=now_unix + configuration.available_days_in_future * 86400,
        capacity=configuration.capacity,
        seats=seats,
        round_to=configuration.round_to,
        timezone=zone,
    )
    return ConfigurationData(configuration, tuple(participants), query, tuple(roster))


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
