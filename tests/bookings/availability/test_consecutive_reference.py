"""Property tests: consecutive availability against a slow, obviously-correct reference.

The reference tries every grid start and every order of the groups, and checks every
person of every meeting minute by minute (open hours through ``zoneinfo``, busy time with
buffers by direct overlap), around real DST transitions of odd-offset zones.
"""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.availability import (
    MAX_GROUPS,
    OpenHours,
    Participant,
    Query,
    Slot,
    find_itineraries,
)
from tests.bookings.availability.test_engine_reference import (
    HOUR,
    MINUTE,
    _overlaps,
    minute_is_open,
    open_hours_entries,
    windows,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_itineraries(query: Query, groups: list[list[Participant]]) -> list:
    d = query.duration
    before, after = query.buffer_before, query.buffer_after

    def free(person: Participant, t: int) -> bool:
        if person.open_hours and not all(
            minute_is_open(person.open_hours, m) for m in range(t, t + d, MINUTE)
        ):
            return False
        return not any(_overlaps(t - before, t + d + after, s, e) for s, e in person.busy)

    if not groups or any(not group for group in groups):
        return []
    found = []
    t = query.start_time if query.origin is None else query.origin
    while t + len(groups) * d <= query.end_time:
        offered = t >= query.start_time
        offered &= query.earliest_start is None or t >= query.earliest_start
        offered &= query.latest_start is None or t < query.latest_start
        if offered:
            for order in permutations(range(len(groups))):
                meetings = [(t + k * d, groups[g]) for k, g in enumerate(order)]
                if all(free(p, start) for start, group in meetings for p in group):
                    found.append(
                        tuple(
                            Slot(start, start + d, tuple(p.email for p in group))
                            for start, group in meetings
                        )
                    )
        t += query.interval
    return found


@st.composite
def scenarios(draw) -> tuple[Query, list[list[Participant]]]:
    zone, start, end = draw(windows(max_days=2))
    minutes = (end - start) // MINUTE

    def instant_near_window() -> int:
        return start + draw(st.integers(-24, minutes // 5 + 24)) * 5 * MINUTE

    people = []
    for index in range(draw(st.integers(1, 5))):
        entries: tuple[OpenHours, ...] = ()
        if draw(st.integers(0, 3)):
            entries = draw(open_hours_entries(zone, start, end))
        busy = []
        for _ in range(draw(st.integers(0, 5))):
            busy_start = instant_near_window()
            busy.append((busy_start, busy_start + draw(st.integers(0, 240)) * MINUTE))
        people.append(Participant(f"p{index}@example.com", entries, tuple(busy)))
    # Groups of those people (one person may be in two groups: two meetings in a row).
    groups = [
        draw(st.lists(st.sampled_from(people), min_size=1, max_size=3, unique_by=id))
        for _ in range(draw(st.integers(1, 4)))
    ]
    duration = draw(st.integers(3, 18)) * 5 * MINUTE
    interval = draw(st.integers(1, 12)) * 5 * MINUTE
    origin = draw(st.one_of(st.none(), st.integers(-90, 90).map(lambda m: start + m * MINUTE)))
    anchor = start if origin is None else origin

    def notice_bound(low: int, high: int) -> int | None:
        if not draw(st.sampled_from((False, True, False))):
            return None
        if draw(st.booleans()):
            first, last = -(-(low - anchor) // interval), (high - anchor) // interval
            return anchor + draw(st.integers(min(first, last), last)) * interval
        return low + draw(st.integers(0, (high - low) // MINUTE)) * MINUTE

    buffer = draw(st.integers(0, 6)) * 5 * MINUTE
    query = Query(
        start_time=start,
        end_time=end,
        duration=duration,
        interval=interval,
        origin=origin,
        buffer_before=buffer,
        buffer_after=buffer,
        earliest_start=notice_bound(start - HOUR, start + minutes // 2 * MINUTE),
        latest_start=notice_bound(start + minutes // 2 * MINUTE, end + HOUR),
    )
    return query, groups


@PROPERTY
@given(scenarios())
def test_find_itineraries_matches_the_minute_by_minute_reference(scenario):
    query, groups = scenario
    assert find_itineraries(query, groups) == reference_itineraries(query, groups)


def test_the_order_that_fits_is_found():
    """Ann is free only 10:00-10:30 and Bo only 9:30-10:00: Bo first, then Ann."""
    nine = 1_800_000_000 - 1_800_000_000 % 86_400 + 9 * HOUR
    ann = Participant("ann@example.com", busy=((nine, nine + HOUR),))
    bo = Participant("bo@example.com", busy=((nine + HOUR, nine + 3 * HOUR), (0, nine + 1800)))
    query = Query(start_time=nine, end_time=nine + 3 * HOUR, duration=1800, interval=1800)
    assert find_itineraries(query, [[ann], [bo]]) == [
        (
            Slot(nine + 1800, nine + HOUR, ("bo@example.com",)),
            Slot(nine + HOUR, nine + HOUR + 1800, ("ann@example.com",)),
        )
    ]


def test_too_many_groups_is_refused():
    person = Participant("a@example.com")
    query = Query(start_time=0, end_time=86_400, duration=1800, interval=1800)
    with pytest.raises(ValueError):
        find_itineraries(query, [[person]] * (MAX_GROUPS + 1))
