"""Plain data the availability engine works on.

No Django here: the engine takes these, and a loader (``bookings/availability_loader.py``)
builds them from the database or from an API request. All instants are Unix seconds (UTC);
all lengths are seconds; wall-clock times are minutes after local midnight in an IANA zone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

COLLECTIVE = "collective"
MAX_FAIRNESS = "max-fairness"
MAX_AVAILABILITY = "max-availability"
METHODS = (COLLECTIVE, MAX_FAIRNESS, MAX_AVAILABILITY)

Interval = tuple[int, int]  # half-open [start, end) in Unix seconds


@dataclass(frozen=True, slots=True)
class OpenHours:
    """One open-hours entry: the instants whose local weekday is in ``days`` and whose
    local wall-clock time is in ``[start, end)``, in ``timezone``, except on ``exdates``
    (local dates)."""

    days: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    start: int  # minutes after local midnight, 0..1439
    end: int  # minutes after local midnight, start < end <= 1440
    timezone: str  # IANA zone name, already validated
    exdates: frozenset[datetime.date] = frozenset()


@dataclass(frozen=True, slots=True)
class Participant:
    email: str
    # No entries means always open.
    open_hours: tuple[OpenHours, ...] = ()
    # Busy intervals, any order, may overlap or touch.
    busy: tuple[Interval, ...] = ()
    # When this person was last booked through the round-robin (None: never). Used for
    # the round-robin queue: least recently booked first, ties by position in the list.
    last_booked_at: int | None = None


@dataclass(frozen=True, slots=True)
class Seat:
    """An existing booking of a group event (capacity > 1) of the configuration being
    searched: the slot ``[start, end)`` has ``taken`` of its seats filled."""

    start: int
    end: int
    taken: int


@dataclass(frozen=True, slots=True)
class Query:
    start_time: int  # slots lie wholly inside [start_time, end_time]
    end_time: int
    duration: int  # seconds, > 0
    interval: int  # seconds between candidate starts, > 0
    origin: int | None = None  # first grid point; None means start_time
    buffer_before: int = 0
    buffer_after: int = 0
    method: str = COLLECTIVE
    earliest_start: int | None = None  # min_booking_notice: a slot starts at or after this
    latest_start: int | None = None  # available_days_in_future: a slot starts before this
    capacity: int = 1
    seats: tuple[Seat, ...] = ()
    # A configuration's grid (None: the stateless grid of ``origin`` / ``start_time``).
    # Set, each open-hours window starts its own grid at its first local multiple of
    # ``round_to`` minutes (see windows.py), whatever range is searched.
    round_to: int | None = None
    timezone: str = "UTC"  # the configuration's zone: days of people without open hours


class Slot(NamedTuple):
    """One offered slot. A NamedTuple rather than a frozen dataclass: a search builds
    thousands, and a tuple is built in C (about four times cheaper per slot)."""

    start: int
    end: int
    emails: tuple[str, ...]
    capacity_remaining: int | None = None  # set for group events (capacity > 1)


@dataclass(frozen=True, slots=True)
class Availability:
    slots: list[Slot]
    order: tuple[str, ...] = ()  # round-robin queue, next host first; () for collective


# Reasons a start is not offered (the explain endpoint's vocabulary).
OUTSIDE_OPEN_HOURS = "outside_open_hours"
EXDATE = "exdate"
BUSY = "busy"
BUFFER = "buffer"
MIN_BOOKING_NOTICE = "min_booking_notice"
BEYOND_AVAILABLE_DAYS = "beyond_available_days"
OFF_INTERVAL = "off_interval"
CAPACITY_FULL = "capacity_full"
NOT_NEXT_IN_ROUND_ROBIN = "not_next_in_round_robin"
OUTSIDE_RANGE = "outside_range"


@dataclass(frozen=True, slots=True)
class Reason:
    email: str | None  # None: the reason concerns the slot, not one participant
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class Explanation:
    start: int
    end: int
    available: bool
    emails: tuple[str, ...]  # who would be offered for this start (as in a Slot)
    reasons: tuple[Reason, ...] = field(default=())
