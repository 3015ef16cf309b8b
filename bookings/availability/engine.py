"""The slot search.

A slot ``[t, t + duration)`` is offered when ``t`` is on the grid, inside the search
window and notice bounds, not blocked by a group booking, and the right people are free:
every participant (collective) or at least one (round-robin).

Speed comes from never looking at candidate slots one by one in Python. Each person's
availability is a *start set* — intervals of instants at which a meeting could start —
made of their open spans (``[a, b)`` admits starts in ``[a, b - duration]``) minus the
starts whose buffered window would overlap busy time. Collective is an intersection of
start sets, enumerated arithmetically on the grid.

Round-robin works on grid indices (start = anchor + index * interval) from the start:
open hours become index ranges once per distinct configuration, and one pass over each
person's busy time, sorted by start, cuts those into the person's free index ranges
(busy time outside open hours costs a single comparison). A sweep over everyone's range
boundaries then yields segments of consecutive indices with one fixed set of free people
(so one shared ``emails`` tuple), and the slots are built from columns in C.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import NamedTuple

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
from .windows import LOOKBACK, Piece, grid_pieces, intersect_windows, whole_line, windows_of

_start_of = itemgetter(0)
# Slot(...) runs the NamedTuple's Python-level __new__; tuple.__new__(Slot, row) is what
# that __new__ does, minus the Python frame, and can be mapped over rows in C.
_new_tuple = tuple.__new__


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
    if collective:
        lead = query.duration + query.buffer_after - 1
        if query.round_to is None:
            allowed = _AllowedStarts(query.duration, window)
            common = window
            for person in participants:
                if person.open_hours:
                    common = intersect(common, allowed(person.open_hours))
        else:
            pieces = collective_pieces(query, participants, low, high)
            common = intersect(window, pieces)
        for person in participants:
            if person.busy and common:
                common = subtract_busy(common, person.busy, lead, query.buffer_before)
            if not common:
                break
        emails = tuple(person.email for person in participants)
        if query.round_to is None:
            slots = _slots_in(common, emails, query, seats_left)
        else:
            slots = _slots_on_pieces(common, pieces, emails, query, seats_left)
        return Availability(slots=slots, order=())

    offered = [person for person, eligible in queue(participants, query.method) if eligible]
    if query.round_to is None:
        allowed = _AllowedStarts(query.duration, window)
        slots = _round_robin(offered, allowed, query, seats_left, grid_anchor(query))
    else:
        slots = _round_robin_by_window(offered, window, query, seats_left, low, high)
    return Availability(slots=slots, order=order)


def _search_span(query: Query, low: int, high: int) -> tuple[int, int]:
    """Where windows are looked for: far enough back to see where the piece holding the
    first start begins, and far enough on for the last start's slot to end."""
    return low - LOOKBACK, high - 1 + query.duration


def person_pieces(query: Query, entries: tuple[OpenHours, ...], low: int, high: int) -> list[Piece]:
    """One person's grid pieces (round-robin: each person's own windows)."""
    span_start, span_end = _search_span(query, low, high)
    if entries:
        windows = windows_of(entries, span_start, span_end)
    else:
        windows = whole_line(span_start, span_end, query.timezone)
    return grid_pieces(windows, query.duration, query.interval, query.round_to or 0)


def collective_pieces(
    query: Query, participants: Sequence[Participant], low: int, high: int
) -> list[Piece]:
    """The grid pieces of everyone's open hours intersected (collective)."""
    span_start, span_end = _search_span(query, low, high)
    windows = None
    seen: set[tuple[OpenHours, ...]] = set()  # teams share a handful of open hours
    for person in participants:
        if person.open_hours and person.open_hours not in seen:
            seen.add(person.open_hours)
            own = windows_of(person.open_hours, span_start, span_end)
            windows = own if windows is None else intersect_windows(windows, own)
            if not windows:
                return []
    if windows is None:
        windows = whole_line(span_start, span_end, query.timezone)
    return grid_pieces(windows, query.duration, query.interval, query.round_to or 0)


def _slots_on_pieces(
    starts: StartSet,
    pieces: list[Piece],
    emails: tuple[str, ...],
    query: Query,
    seats_left: dict[int, int],
) -> list[Slot]:
    """The grid points of ``starts`` (each interval inside one piece) as slots."""
    step, duration = query.interval, query.duration
    slot_starts: list[int] = []
    slot_ends: list[int] = []
    index = 0
    for low, high in starts:
        while pieces[index][1] <= low:
            index += 1
        first = first_on_grid(low, pieces[index][0], step)
        slot_starts += range(first, high, step)
        slot_ends += range(first + duration, high + duration, step)
    return _build_slots(slot_starts, slot_ends, repeat(emails), query, seats_left)


def _round_robin_by_window(
    offered: list[Participant],
    window: StartSet,
    query: Query,
    seats_left: dict[int, int],
    low: int,
    high: int,
) -> list[Slot]:
    """Round-robin where each person's windows start their own grids.

    Grids whose anchors differ by a whole number of intervals are one grid (one *phase*,
    ``anchor % interval``); the index sweep runs once per phase (usually one; two when a
    search crosses a DST change that moves the windows by a non-multiple of the interval)
    and the phases' slots, which never share a start, are merged by start.
    """
    step = query.interval
    pieces_of: dict[tuple[OpenHours, ...], list[Piece]] = {}
    for person in offered:
        if person.open_hours not in pieces_of:
            pieces_of[person.open_hours] = person_pieces(query, person.open_hours, low, high)
    anchors: dict[int, int] = {}  # phase -> its earliest anchor
    for pieces in pieces_of.values():
        for anchor, _ in pieces:
            phase = anchor % step
            if phase not in anchors or anchor < anchors[phase]:
                anchors[phase] = anchor
    results = []
    for phase, anchor in sorted(anchors.items()):
        cache: dict[tuple[OpenHours, ...], StartSet] = {}

        def allowed(entries: tuple[OpenHours, ...], phase: int = phase, cache=cache) -> StartSet:
            starts = cache.get(entries)
            if starts is None:
                own = [piece for piece in pieces_of[entries] if piece[0] % step == phase]
                starts = cache[entries] = intersect(window, own)
            return starts

        results.append(_round_robin(offered, allowed, query, seats_left, anchor))
    if len(results) == 1:
        return results[0]
    return list(heapq.merge(*results))


class _AllowedStarts:
    """The window's starts that fit in open hours (the whole window without entries),
    computed once per distinct tuple of entries in a search: teams usually share a handful
    of open-hours configurations.

    An open span ``[a, b)`` admits the starts ``[a, b - duration]``.
    """

    def __init__(self, duration: int, window: StartSet) -> None:
        self.duration = duration
        self.window = window
        self.cache: dict[tuple[OpenHours, ...], StartSet] = {(): window}

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
    anchor, step, duration = grid_anchor(query), query.interval, query.duration
    slot_starts: list[int] = []
    slot_ends: list[int] = []
    for low, high in starts:
        first = first_on_grid(low, anchor, step)
        slot_starts += range(first, high, step)
        slot_ends += range(first + duration, high + duration, step)
    return _build_slots(slot_starts, slot_ends, repeat(emails), query, seats_left)


def _build_slots(
    starts: Iterable[int],
    ends: Iterable[int],
    emails: Iterable[tuple[str, ...]],
    query: Query,
    seats_left: dict[int, int],
    keep: Iterable[object] | None = None,
) -> list[Slot]:
    """Slots from parallel columns (only the rows whose ``keep`` entry is true, if given),
    built entirely by C-level ``map`` / ``zip`` / ``compress``: no Python code per slot."""
    if query.capacity > 1:
        capacities = map(seats_left.get, starts, repeat(query.capacity))
    else:
        capacities = repeat(None)
    rows = zip(starts, ends, emails, capacities, strict=False)  # capacities may be endless
    if keep is not None:
        rows = compress(rows, keep)
    return list(map(_new_tuple, repeat(Slot), rows))


class _Grid(NamedTuple):
    """Grid arithmetic of one search. Grid index ``i`` is the start ``anchor + i * step``.

    A busy ``[s, e)`` blocks the starts ``[s - lead, e + trail)`` (see ``subtract_busy``),
    i.e. the indices ``[ceil((s - lead - anchor) / step), ceil((e + trail - anchor) / step))``
    = ``[(s + first_offset) // step, (e + stop_offset) // step)``.
    """

    anchor: int
    step: int
    lead: int
    trail: int
    first_offset: int
    stop_offset: int

    @classmethod
    def of(cls, query: Query, anchor: int) -> _Grid:
        step = query.interval
        lead, trail = query.duration + query.buffer_after - 1, query.buffer_before
        return cls(anchor, step, lead, trail, step - 1 - lead - anchor, step - 1 + trail - anchor)

    def ranges(self, starts: StartSet) -> list[tuple[int, int, int]]:
        """A start set as sorted, disjoint, non-touching index ranges ``[first, stop)``,
        each with ``last_blocker``: the latest busy start that can block one of its indices
        (a busy start ``s`` blocks from index ``(s + first_offset) // step``, which is below
        ``stop`` exactly when ``s <= anchor + (stop - 1) * step + lead``)."""
        anchor, step = self.anchor, self.step
        merged: list[list[int]] = []
        for low, high in starts:
            first = (low - anchor + step - 1) // step  # ceil; low >= anchor
            stop = (high - anchor + step - 1) // step
            if first < stop:
                if merged and merged[-1][1] == first:
                    merged[-1][1] = stop
                else:
                    merged.append([first, stop])
        return [(first, stop, anchor + (stop - 1) * step + self.lead) for first, stop in merged]


def _round_robin(
    offered: list[Participant],
    allowed: Callable[[tuple[OpenHours, ...]], StartSet],
    query: Query,
    seats_left: dict[int, int],
    anchor: int,
) -> list[Slot]:
    """Slots where at least one of ``offered`` (in queue order) is free, each listing the
    free ones in queue order.

    A boundary of someone's free ranges is the single integer ``index << shift | code`` with
    ``code = rank << 1 | opening``, so sorting all of them is a fast sort of small ints and,
    at equal indices, a person's closing sorts before their reopening.
    """
    grid = _Grid.of(query, anchor)
    shift = (2 * len(offered) - 1).bit_length()
    ranges_of: dict[tuple[OpenHours, ...], list[tuple[int, int, int]]] = {}
    events: list[int] = []
    for rank, person in enumerate(offered):
        ranges = ranges_of.get(person.open_hours)
        if ranges is None:
            ranges = ranges_of[person.open_hours] = grid.ranges(allowed(person.open_hours))
        if ranges:
            _free_boundaries(person.busy, ranges, grid, rank << 1, shift, events)
    if not events:
        return []
    events.sort()
    return _sweep(events, shift, [person.email for person in offered], grid, query, seats_left)


def _free_boundaries(
    busy: Iterable[tuple[int, int]],
    ranges: list[tuple[int, int, int]],
    grid: _Grid,
    closing: int,
    shift: int,
    events: list[int],
) -> None:
    """Append to ``events`` the boundaries of one person's free index ranges: ``ranges``
    minus the indices their busy time blocks (``closing`` is their code without the
    opening bit).

    One pass over the busy intervals sorted by start. ``cursor`` is the first index not
    yet known to be blocked; a busy interval ending by ``clear_after`` cannot push it, so
    the many intervals outside open hours cost one comparison each. An interval starting
    after the current range's ``last_blocker`` closes that range (and any others it skips).
    """
    append = events.append
    opening = closing | 1
    anchor, step, _, trail, first_offset, stop_offset = grid
    clear_base = anchor - trail
    pending = iter(ranges)
    first, stop, last_blocker = next(pending)
    cursor = first
    clear_after = cursor * step + clear_base
    for busy_start, busy_end in sorted(busy, key=_start_of):
        if busy_end <= clear_after:
            continue  # cannot block the cursor or anything after it
        if busy_start > last_blocker:
            if cursor < stop:
                append(cursor << shift | opening)
                append(stop << shift | closing)
            for first, stop, last_blocker in pending:
                if cursor < first:
                    cursor = first
                if busy_start <= last_blocker:
                    break
                if cursor < stop:
                    append(cursor << shift | opening)
                    append(stop << shift | closing)
            else:
                return  # every range is done
            clear_after = cursor * step + clear_base
            if busy_end <= clear_after:
                continue
        first_blocked = (busy_start + first_offset) // step
        stop_blocked = (busy_end + stop_offset) // step
        if busy_start >= busy_end or first_blocked >= stop_blocked:
            continue  # zero-length, or no grid point among the starts it blocks
        if first_blocked > cursor:
            append(cursor << shift | opening)
            append(first_blocked << shift | closing)
        cursor = stop_blocked
        clear_after = cursor * step + clear_base
    if cursor < stop:
        append(cursor << shift | opening)
        append(stop << shift | closing)
    for first, stop, _ in pending:
        if cursor < first:
            cursor = first
        if cursor < stop:
            append(cursor << shift | opening)
            append(stop << shift | closing)


def _sweep(
    events: list[int],
    shift: int,
    emails: list[str],
    grid: _Grid,
    query: Query,
    seats_left: dict[int, int],
) -> list[Slot]:
    """Turn the sorted boundaries into slots.

    Between two consecutive boundary indices the free people do not change: that is one
    segment, with one emails tuple, repeated once per grid index of the segment into
    ``per_index`` (``()`` where nobody is free). ``names`` holds the free people's emails
    in queue order and ``free_bits`` their ranks as bits, so a boundary inserts or deletes
    one email at the position given by counting the free people ranked before, and a
    segment's tuple is a copy of ``names`` rather than a scan over everybody.
    """
    code_mask = (1 << shift) - 1
    email_of = [email for email in emails for _ in (0, 1)]  # by code = rank << 1 | opening
    own_bit = [1 << rank for rank in range(len(emails)) for _ in (0, 1)]  # by code
    ranked_before = [bit - 1 for bit in own_bit]  # by code: the bits of lower ranks
    free_bits = 0
    names: list[str] = []
    per_index: list[tuple[str, ...]] = []
    add_index = per_index.append
    first_index = segment_first = events[0] >> shift
    boundary = (segment_first + 1) << shift  # the smallest event of a later index
    for event in events:
        if event >= boundary:
            index = event >> shift
            if index - segment_first == 1:  # the common case, without the list product
                add_index(tuple(names))
            else:
                per_index += [tuple(names)] * (index - segment_first)
            segment_first = index
            boundary = (index + 1) << shift
        code = event & code_mask
        position = (free_bits & ranked_before[code]).bit_count()
        free_bits ^= own_bit[code]
        if code & 1:
            names.insert(position, email_of[code])
        else:
            del names[position]
    # The last boundary closed the last free range; build the slots of the indices where
    # someone is free (the empty tuple is false).
    step, duration = grid.step, query.duration
    first_start = grid.anchor + first_index * step
    stop = first_start + len(per_index) * step
    starts = range(first_start, stop, step)
    ends = range(first_start + duration, stop + duration, step)
    return _build_slots(starts, ends, per_index, query, seats_left, keep=per_index)
