"""Rules shared by the slot search and the explanation of a single start.

Both ``find_slots`` and ``explain_start`` must agree exactly, so the pieces that decide
the grid, the search window, group-event seats and the round-robin queue live here once.

Most of the search works on *start sets*: sorted lists of disjoint half-open integer
intervals ``[a, b)`` of permitted start instants (not of busy time). Turning every rule
into "which starts survive" lets a person's whole availability be a few dozen intervals
instead of thousands of candidate slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter

from .model import MAX_FAIRNESS, Participant, Query

StartSet = list[tuple[int, int]]
_start_of = itemgetter(0)


def grid_anchor(query: Query) -> int:
    """Candidate starts are ``anchor + k * interval`` for k >= 0."""
    return query.start_time if query.origin is None else query.origin


def on_grid(query: Query, start: int) -> bool:
    anchor = grid_anchor(query)
    return start >= anchor and (start - anchor) % query.interval == 0


def start_window(query: Query) -> tuple[int, int]:
    """``[low, high)``: the starts allowed by the search range, the grid's first point and
    the notice bounds. A slot must end by ``end_time``, hence ``end_time - duration + 1``."""
    low = max(query.start_time, grid_anchor(query))
    if query.earliest_start is not None:
        low = max(low, query.earliest_start)
    high = query.end_time - query.duration + 1
    if query.latest_start is not None:
        high = min(high, query.latest_start)
    return low, high


def first_on_grid(low: int, anchor: int, interval: int) -> int:
    """The smallest grid point >= ``low`` (``low`` >= ``anchor``): ceil, no stepping."""
    return low + (anchor - low) % interval


def intersect(first: StartSet, second: StartSet) -> StartSet:
    """Intersection of two start sets (linear merge)."""
    result: StartSet = []
    i = j = 0
    len_first, len_second = len(first), len(second)
    while i < len_first and j < len_second:
        a_start, a_end = first[i]
        b_start, b_end = second[j]
        low = a_start if a_start > b_start else b_start
        high = a_end if a_end < b_end else b_end
        if low < high:
            result.append((low, high))
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return result


def subtract_busy(
    allowed: StartSet, busy: Iterable[tuple[int, int]], lead: int, trail: int
) -> StartSet:
    """The starts of ``allowed`` whose buffered window misses all of ``busy``.

    A start ``t`` is blocked by a busy ``[s, e)`` when ``[t - before, t + duration + after)``
    overlaps it, i.e. ``t`` in ``[s - lead, e + trail)`` with ``lead = duration + after - 1``
    and ``trail = before``. Zero-length busy intervals block nothing; touching is fine.

    One pass over the busy intervals sorted by start, widened on the fly (no merged copy):
    a running cursor handles overlapping and nested intervals. A blocked interval is left
    behind only when the cursor is still below the current allowed interval's end after
    it; it therefore ends before the next allowed interval begins and can be forgotten.
    The one that pushes the cursor past the end is kept for the next allowed interval.
    """
    blocks = sorted(busy, key=_start_of)
    result: StartSet = []
    j = 0
    count = len(blocks)
    for low, high in allowed:
        cursor = low
        while j < count:
            busy_start, busy_end = blocks[j]
            block_start = busy_start - lead
            if block_start >= high:
                break
            if busy_start < busy_end:
                block_end = busy_end + trail
                if block_start > cursor:
                    result.append((cursor, block_start))
                if block_end > cursor:
                    cursor = block_end
                    if cursor >= high:
                        break  # this block may reach into the next allowed interval
            j += 1
        if cursor < high:
            result.append((cursor, high))
    return result


def seat_rules(query: Query) -> tuple[StartSet, dict[int, int]]:
    """Group events: the starts blocked by existing bookings (unsorted, possibly
    overlapping intervals of starts) and the seats left per start.

    A booking ``[s, e)`` occupies the hosts like busy time, except that the very same slot
    (``[s, s + duration)``) may be booked again while seats are left. Identical bookings
    are added up. With capacity 1 seats do not apply (the loader treats bookings as busy).
    """
    if query.capacity <= 1 or not query.seats:
        return [], {}
    lead = query.duration + query.buffer_after - 1
    trail = query.buffer_before
    taken_by_start: dict[int, int] = {}
    for seat in query.seats:
        if seat.end - seat.start == query.duration:
            taken_by_start[seat.start] = taken_by_start.get(seat.start, 0) + seat.taken
    remaining = {
        start: query.capacity - taken
        for start, taken in taken_by_start.items()
        if taken < query.capacity
    }
    pieces: list[tuple[int, int]] = []
    for seat in query.seats:
        if seat.start >= seat.end:
            continue
        low, high = seat.start - lead, seat.end + trail
        if seat.start in remaining and seat.end - seat.start == query.duration:
            pieces.append((low, seat.start))  # the same slot stays bookable
            pieces.append((seat.start + 1, high))
        else:
            pieces.append((low, high))
    return pieces, remaining


def round_robin_order(participants: Sequence[Participant]) -> tuple[str, ...]:
    """The queue: never booked first, then least recently booked; ties by position."""
    return tuple(participants[i].email for i in _queue_positions(participants))


def _queue_positions(participants: Sequence[Participant]) -> list[int]:
    def key(position: int) -> tuple[bool, int, int]:
        booked = participants[position].last_booked_at
        return (booked is not None, booked or 0, position)

    return sorted(range(len(participants)), key=key)


def queue(participants: Sequence[Participant], method: str) -> list[tuple[Participant, bool]]:
    """Participants in queue order, each with whether it may be offered under ``method``.

    max-fairness offers only the people tied for least recently booked: everyone never
    booked if anyone is, else everyone sharing the oldest booking time. max-availability
    offers anyone.
    """
    ordered = [participants[i] for i in _queue_positions(participants)]
    if method != MAX_FAIRNESS or not ordered:
        return [(person, True) for person in ordered]
    oldest = ordered[0].last_booked_at
    return [(person, person.last_booked_at == oldest) for person in ordered]
