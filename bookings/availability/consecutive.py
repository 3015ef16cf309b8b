"""Consecutive availability: back-to-back meetings with several groups.

Each group meets once, for ``duration``; the meetings follow each other without a gap
(the next starts when the previous ends), in whichever order of the groups fits. Within a
group everyone must be free (collective, with the person's open hours and buffered busy
time as for one meeting). An *itinerary* is one such sequence: its first meeting starts
on the grid, and all of it lies inside ``[start_time, end_time]``.

Every order of the groups is tried (at most ``MAX_GROUPS`` groups, so at most 720
orders). For one order ``g0, g1, ...`` the first starts that work are the intersection of
each group's start set moved back by its position: ``S(g0) ∩ (S(g1) - d) ∩ (S(g2) - 2d)
...``, computed on intervals, never start by start.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

from .engine import _AllowedStarts, validate
from .model import Participant, Query, Slot
from .rules import StartSet, first_on_grid, grid_anchor, intersect, subtract_busy

MAX_GROUPS = 6

Itinerary = tuple[Slot, ...]


def find_itineraries(query: Query, groups: Sequence[Sequence[Participant]]) -> list[Itinerary]:
    """Every itinerary, sorted by first start, then by the order of the groups
    (lexicographic on their positions in ``groups``). ``query.method``, capacity and seats
    do not apply (each meeting is collective within its group); notice bounds apply to
    the first start."""
    validate(query)
    if not groups or any(not group for group in groups):
        return []
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups")
    count, duration = len(groups), query.duration
    anchor = grid_anchor(query)
    # First starts: on or after the range's start and the grid's first point; the whole
    # itinerary ends by end_time.
    low = max(query.start_time, anchor)
    if query.earliest_start is not None:
        low = max(low, query.earliest_start)
    high = query.end_time - count * duration + 1
    if query.latest_start is not None:
        high = min(high, query.latest_start)
    if low >= high:
        return []
    # Any meeting starts in [low, high + (count - 1) * duration).
    window = [(low, high + (count - 1) * duration)]
    starts = [_group_starts(query, group, window) for group in groups]
    emails = [tuple(person.email for person in group) for group in groups]

    found: list[tuple[int, int, tuple[int, ...]]] = []
    for rank, order in enumerate(permutations(range(count))):
        first_starts: StartSet = [(low, high)]
        for position, group in enumerate(order):
            shift = position * duration
            moved = [(a - shift, b - shift) for a, b in starts[group]]
            first_starts = intersect(first_starts, moved)
            if not first_starts:
                break
        for a, b in first_starts:
            for start in range(first_on_grid(a, anchor, query.interval), b, query.interval):
                found.append((start, rank, order))
    found.sort(key=lambda item: (item[0], item[1]))
    return [
        tuple(
            Slot(start + k * duration, start + (k + 1) * duration, emails[group])
            for k, group in enumerate(order)
        )
        for start, _, order in found
    ]


def _group_starts(query: Query, group: Sequence[Participant], window: StartSet) -> StartSet:
    """The starts in ``window`` (any instant, not only grid points) at which everyone in
    the group is free for one meeting."""
    allowed = _AllowedStarts(query.duration, window)
    common = window
    for person in group:
        if person.open_hours:
            common = intersect(common, allowed(person.open_hours))
    lead = query.duration + query.buffer_after - 1
    for person in group:
        if not common:
            break
        if person.busy:
            common = subtract_busy(common, person.busy, lead, query.buffer_before)
    return common
