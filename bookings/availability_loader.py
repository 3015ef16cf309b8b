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
from bookings.models import Booking
from bookings.roster import Member, page_zone, roster_of
from bookings.sql import busy_by_grant, last_booked_by_grant
from pages.models import Configuration
from pages.unix_time import from_unix, to_unix

BLOCKING_STATUSES = (Booking.Status.BOOKED, Booking.Status.PENDING)


@dataclass(frozen=True)
class EngineInput:
    """Everything the engine needs for one configuration and one range: its query and
    its participants (with the roster they were read from)."""

    configuration: Configuration
    participants: tuple[Participant, ...]
    query: Query
    roster: tuple[Member, ...]


def configuration_zone(configuration: Configuration) -> str:
    return page_zone(configuration)


def load_engine_input(
    configuration: Configuration,
    start_time: int,
    end_time: int,
    *,
    now: dt.datetime | None = None,
    exclude_booking_id=None,
    roster: list[Member] | None = None,
) -> EngineInput:
    """The engine's input for ``configuration`` over ``[start_time, end_time]``, read in
    a constant number of queries. ``roster`` may be given when the caller already holds
    it (from roster_of), saving the query."""
    now = now or timezone.now()
    if roster is None:
        roster = roster_of(configuration)
    # A slot [t, t+d) must keep [t - before, t + d + after) clear: busy time (and group
    # bookings) that far outside the range matter too.
    reach_start = from_unix(start_time - configuration.buffer_before * 60)
    reach_end = from_unix(end_time + configuration.buffer_after * 60)
    participants = _participants(configuration, roster, reach_start, reach_end, exclude_booking_id)
    seats: tuple[Seat, ...] = ()
    if configuration.capacity > 1:
        seats = group_seats(configuration, reach_start, reach_end, exclude_booking_id)
    query = _query(configuration, start_time, end_time, now=now, seats=seats)
    return EngineInput(configuration, participants, query, tuple(roster))


def _participants(
    configuration: Configuration,
    roster: list[Member],
    reach_start: dt.datetime,
    reach_end: dt.datetime,
    exclude_booking_id,
) -> tuple[Participant, ...]:
    """Each member as the engine sees them: open hours, busy time in the reach of the
    range, and (round-robin) when they were last booked. Members without availability
    are always free."""
    available = [m for m in roster if m.has_availability and m.grant is not None]
    busy = busy_by_grant(
        [m.grant_id for m in available],
        {m.grant_id: m.calendar_ids for m in available},
        reach_start,
        reach_end,
        tentative_as_busy=configuration.tentative_as_busy,
        seat_configuration_id=configuration.pk if configuration.capacity > 1 else None,
        exclude_booking_id=exclude_booking_id,
    )
    last_booked = {}
    if configuration.is_round_robin:
        last_booked = last_booked_by_grant(
            configuration, [m.grant_id for m in roster if m.grant is not None]
        )
    return tuple(
        Participant(
            email=member.email,
            open_hours=member.open_hours,
            busy=tuple(busy.get(member.grant_id, ())),
            last_booked_at=last_booked.get(member.grant_id),
        )
        if member.has_availability
        else Participant(email=member.email)
        for member in roster
    )


def _query(
    configuration: Configuration,
    start_time: int,
    end_time: int,
    *,
    now: dt.datetime,
    seats: tuple[Seat, ...],
) -> Query:
    """The configuration's rules as the engine's query; the grid is the configuration's
    own (round_to and its zone: each open-hours window starts it)."""
    now_unix = to_unix(now)
    return Query(
        start_time=start_time,
        end_time=end_time,
        duration=configuration.duration_minutes * 60,
        interval=configuration.effective_interval_minutes * 60,
        buffer_before=configuration.buffer_before * 60,
        buffer_after=configuration.buffer_after * 60,
        method=configuration.availability_method,
        earliest_start=now_unix + configuration.min_booking_notice * 60,
        latest_start=now_unix + configuration.available_days_in_future * 86400,
        capacity=configuration.capacity,
        seats=seats,
        round_to=configuration.round_to,
        timezone=page_zone(configuration),
    )


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
