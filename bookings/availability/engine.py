"""The slot search.

A slot ``[t, t + duration)`` is offered when ``t`` is on the grid, inside the search
window and notice bounds, not blocked by a group booking, and the right people are free:
every participant (collective) or at least one (round-robin).

Speed comes from never looking at candidate slots one by one until the very end. Each
person's availability is turned into a *start set* — intervals of instants at which a
meeting could start — by taking their open spans (``[a, b)`` admits starts in
``[a, b - duration]``) and removing the starts whose buffered window would overlap busy
time. Collective is then an intersection of start sets; round-robin is one sweep over the
boundaries of everyone's start sets, where each segment between two boundaries has one
fixed set of free people (so one shared ``emails`` tuple). Grid points inside an interval
are enumerated arithmetically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain, compress, repeat
from operator import sub

from .model import COLLECTIVE, METHODS, Availability, OpenHours, Participant, Query, Slot
from .open_hours import open_spans
from .rules import (
    StartSet,
    first_on_grid,
    grid_anchor,
    intersect,
    queue,
    round_robin_order,
    seat_rules,
    start_window,
    subtract_busy,
)


def validate(query: Query) -> None:
    if query.duration <= 0 or query.interval <= 0:
        raise ValueError("duration and interval must be positive")
    if query.method not in METHODS:
        raise ValueError(f"unknown method {query.method!r}")


def find_slots(query: Query, participants: Sequence[Participant]) -> Availability:
    """All offered slots of ``query`` for ``participants``, sorted by start.

    ``order`` is the round-robin queue (next host first), ``()`` for collective. With
    capacity > 1 every slot carries the seats left; otherwise ``capacity_remaining`` is None.
    """
    validate(query)
    if not participants:
        return Availability(slots=[])
    collective = query.method == COLLECTIVE
    order = () if collective else round_robin_order(participants)
    low, high = start_window(query)
    if low >= high:
        return Availability(slots=[], order=order)
    seat_blocked, seats_left = seat_rules(query)
    window = subtract_busy([(low, high)], seat_blocked, 0, 0)
    if not window:
        return Availability(slots=[], order=order)
    open_hours_starts = _OpenHoursStarts(query.duration, window)
    lead = query.duration + query.buffer_after - 1
    trail = query.buffer_before

    def free_starts(person: Participant, allowed: StartSet) -> StartSet:
        """``allowed`` (a subset of the window) narrowed to this person's free starts."""
        if person.open_hours:
            in_open_hours = open_hours_starts(person.open_hours)
            allowed = in_open_hours if allowed is window else intersect(allowed, in_open_hours)
        if person.busy and allowed:
            allowed = subtract_busy(allowed, person.busy, lead, trail)
        return allowed

    if collective:
        emails = tuple(person.email for person in participants)
        common = window
        for person in participants:
            common = free_starts(person, common)
            if not common:
                break
        slots = _slots_in(common, emails, query, seats_left)
        return Availability(slots=slots, order=())

    offered = [person for person, eligible in queue(participants, query.method) if eligible]
    start_sets = [free_starts(person, window) for person in offered]
    slots = _sweep(start_sets, [person.email for person in offered], query, seats_left)
    return Availability(slots=slots, order=order)


class _OpenHoursStarts:
    """The window's starts that fit in open hours, computed once per distinct tuple of
    entries in a search (teams usually share a handful of open-hours configurations).

    An open span ``[a, b)`` admits the starts ``[a, b - duration]``.
    """

    def __init__(self, duration: int, window: StartSet) -> None:
        self.duration = duration
        self.window = window
        self.cache: dict[tuple[OpenHours, ...], StartSet] = {}

    def __call__(self, entries: tuple[OpenHours, ...]) -> StartSet:
        starts = self.cache.get(entries)
        if starts is None:
            duration = self.duration
            # The last start of the window is window[-1][1] - 1; its slot ends duration later.
            spans = open_spans(entries, self.window[0][0], self.window[-1][1] - 1 + duration)
            fitting = [(a, b - duration + 1) for a, b in spans if b - a >= duration]
            starts = self.cache[entries] = intersect(fitting, self.window)
        return starts


def _slots_in(
    starts: StartSet, emails: tuple[str, ...], query: Query, seats_left: dict[int, int]
) -> list[Slot]:
    """The grid points of ``starts`` as slots, all offered to ``emails``."""
    anchor, step = grid_anchor(query), query.interval
    slot_starts: list[int] = []
    for low, high in starts:
        slot_starts += range(first_on_grid(low, anchor, step), high, step)
    return _build_slots(slot_starts, repeat(emails), query, seats_left)


def _build_slots(
    starts: list[int], emails: Iterable[tuple[str, ...]], query: Query, seats_left: dict[int, int]
) -> list[Slot]:
    """Slots from parallel columns, built by ``map`` so that no Python code runs per slot
    except the Slot constructor itself."""
    ends = map(query.duration.__add__, starts)
    if query.capacity > 1:
        capacities = map(seats_left.get, starts, repeat(query.capacity))
        return list(map(Slot, starts, ends, emails, capacities))
    return list(map(Slot, starts, ends, emails))


def _sweep(
    start_sets: list[StartSet], emails: list[str], query: Query, seats_left: dict[int, int]
) -> list[Slot]:
    """Round-robin: slots where at least one of the people is free, each listing the free
    ones in queue order (``start_sets`` and ``emails`` are in queue order).

    Works on grid indices (start = anchor + index * interval): each start interval becomes
    the index range of its grid points, so boundaries falling between the same two grid
    points coincide and every non-empty segment between boundaries holds a slot. A boundary
    is the single integer ``index << shift | rank << 1 | opening``, so sorting them is a fast
    integer sort (each person's list is an already sorted run) and applying one is a
    couple of bit operations. ``free`` holds each free person's email (None otherwise; an
    email is never empty) and becomes the emails tuple with a C-level ``filter`` once per
    segment.
    """
    rank_bits = max(len(start_sets) - 1, 1).bit_length()
    shift = rank_bits + 1
    anchor, step = grid_anchor(query), query.interval
    events: list[int] = []
    append = events.append
    for rank, starts in enumerate(start_sets):
        opening = rank << 1 | 1
        closing = rank << 1
        for low, high in starts:
            first = (low - anchor + step - 1) // step  # ceil: grid index of the first start
            stop = (high - anchor + step - 1) // step
            if first < stop:
                append(first << shift | opening)
                append(stop << shift | closing)
    if not events:
        return []
    events.sort()
    code_mask = (1 << shift) - 1
    # What a boundary writes into ``free``: the email when opening, None when closing.
    written = [email if opening else None for email in emails for opening in (0, 1)]
    free: list[str | None] = [None] * len(emails)
    # One entry per segment: its first grid index and who is free in it (() for nobody).
    segment_indices: list[int] = []
    segment_emails: list[tuple[str, ...]] = []
    segment_start = events[0] >> shift
    for event in events:
        index = event >> shift
        if index != segment_start:
            segment_indices.append(segment_start)
            segment_emails.append(tuple(filter(None, free)))
            segment_start = index
        code = event & code_mask
        free[code >> 1] = written[code]
    # Expand to one entry per grid index and keep the indices where someone is free; all
    # of it runs in C (map / chain / compress), none of it per slot in Python.
    lengths = map(sub, [*segment_indices[1:], segment_start], segment_indices)
    per_index = list(chain.from_iterable(map(repeat, segment_emails, lengths)))
    first = anchor + segment_indices[0] * step if segment_indices else anchor
    every_start = range(first, first + len(per_index) * step, step)
    slot_starts = list(compress(every_start, per_index))
    return _build_slots(slot_starts, filter(None, per_index), query, seats_left)
