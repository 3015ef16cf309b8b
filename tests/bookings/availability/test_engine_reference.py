"""Property tests: the availability engine against a slow, obviously-correct reference.

The reference below checks every candidate start directly, minute by minute. Open hours
are decided by converting each minute to local time with ``zoneinfo`` and testing the
weekday, the local date and the wall-clock time — it never calls ``open_spans``. Search
windows are placed around real DST transitions (2025-2027) of zones with odd offsets,
30-minute shifts, midnight shifts and southern-hemisphere rules, where bugs would hide.

All generated times are whole minutes, and every offset involved is a whole number of
minutes, so "every minute in the slot is open" is exactly "the slot is open".
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from functools import lru_cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    METHODS,
    Availability,
    OpenHours,
    Participant,
    Query,
    Seat,
    Slot,
    explain_start,
    find_slots,
    grid_origin,
    open_spans,
)

MINUTE = 60
HOUR = 3600
DAY = 86_400
ZONES = (
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
    "Europe/Berlin",
    "America/Chicago",
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------
# Where the offsets change (found here by scanning, independently of the engine)


def _offset(zone: str, instant: int) -> datetime.timedelta:
    return datetime.datetime.fromtimestamp(instant, ZoneInfo(zone)).utcoffset()


def _transitions(zone: str) -> list[int]:
    """Offset changes between 2025 and 2027, to the minute: daily scan, then bisection."""
    begin = int(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC).timestamp())
    found = []
    for day in range(3 * 366):
        low, high = begin + day * DAY, begin + (day + 1) * DAY
        if _offset(zone, low) != _offset(zone, high):
            before = _offset(zone, low)
            while high - low > MINUTE:
                middle = (low + high) // 2 // MINUTE * MINUTE
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            found.append(high)
    return found


TRANSITIONS = {zone: _transitions(zone) for zone in ZONES}
ALL_TRANSITIONS = sorted({t for times in TRANSITIONS.values() for t in times})


def test_every_dst_zone_has_transitions_to_sample():
    # Two a year in 2025-2027 under today's rules; at least some, should a rule change.
    for zone in ZONES:
        assert (len(TRANSITIONS[zone]) >= 4) == (zone != "Asia/Kolkata"), zone


# ---------------------------------------------------------------------------------------
# The reference


@lru_cache(maxsize=200_000)
def _local(zone: str, instant: int) -> tuple[int, datetime.date, int]:
    """(weekday with 0 = Sunday, local date, minute of the local day) of an instant."""
    moment = datetime.datetime.fromtimestamp(instant, ZoneInfo(zone))
    return moment.isoweekday() % 7, moment.date(), moment.hour * 60 + moment.minute


def minute_is_open(entries: tuple[OpenHours, ...], instant: int) -> bool:
    """Is the minute starting at ``instant`` inside one of the entries (local rules)?"""
    for entry in entries:
        weekday, date, minute = _local(entry.timezone, instant)
        local_rule_holds = weekday in entry.days and date not in entry.exdates
        if local_rule_holds and entry.start <= minute < entry.end:
            return True
    return False


def reference_open_spans(entries: tuple[OpenHours, ...], start: int, end: int) -> list:
    spans: list[list[int]] = []
    for instant in range(start, end, MINUTE):
        if minute_is_open(entries, instant):
            if spans and spans[-1][1] == instant:
                spans[-1][1] = instant + MINUTE
            else:
                spans.append([instant, instant + MINUTE])
    return [tuple(span) for span in spans]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return b_start < b_end and a_start < b_end and b_start < a_end


def reference_slots(query: Query, participants: list[Participant]) -> Availability:
    """Every grid start, checked one by one against every rule."""
    d = query.duration
    before, after = query.buffer_before, query.buffer_after
    # Open minutes per person: prefix sums, so "all minutes of the slot open" is one lookup.
    open_count = []
    for person in participants:
        counts = [0]
        for instant in range(query.start_time, query.end_time, MINUTE):
            is_open = not person.open_hours or minute_is_open(person.open_hours, instant)
            counts.append(counts[-1] + is_open)
        open_count.append(counts)

    def free(index: int, t: int) -> bool:
        first = (t - query.start_time) // MINUTE
        counts = open_count[index]
        if counts[first + d // MINUTE] - counts[first] != d // MINUTE:
            return False
        busy = participants[index].busy
        return not any(_overlaps(t - before, t + d + after, s, e) for s, e in busy)

    def rank(position: int) -> tuple:
        booked = participants[position].last_booked_at
        return (booked is not None, booked or 0, position)

    queue = sorted(range(len(participants)), key=rank)
    never = [i for i in queue if participants[i].last_booked_at is None]
    oldest = min((p.last_booked_at or 0 for p in participants), default=0)
    eligible = never or [i for i in queue if participants[i].last_booked_at == oldest]

    slots = []
    t = query.start_time if query.origin is None else query.origin
    while t + d <= query.end_time:
        offered = t >= query.start_time
        offered &= query.earliest_start is None or t >= query.earliest_start
        offered &= query.latest_start is None or t < query.latest_start
        remaining = None
        if offered and query.capacity > 1:
            taken = sum(seat.taken for seat in query.seats if (seat.start, seat.end) == (t, t + d))
            others = [
                seat
                for seat in query.seats
                if (seat.start, seat.end) != (t, t + d)
                and _overlaps(t - before, t + d + after, seat.start, seat.end)
            ]
            offered = taken < query.capacity and not others
            remaining = query.capacity - taken
        if offered and participants:
            if query.method == COLLECTIVE:
                if all(free(i, t) for i in range(len(participants))):
                    emails = tuple(p.email for p in participants)
                    slots.append(Slot(t, t + d, emails, remaining))
            else:
                candidates = queue if query.method == MAX_AVAILABILITY else eligible
                emails = tuple(participants[i].email for i in candidates if free(i, t))
                if emails:
                    slots.append(Slot(t, t + d, emails, remaining))
        t += query.interval
    order = () if query.method == COLLECTIVE else tuple(participants[i].email for i in queue)
    return Availability(slots=slots, order=order)


# ---------------------------------------------------------------------------------------
# Strategies


@st.composite
def windows(draw, max_days: int = 4) -> tuple[str, int, int]:
    """(zone, start, end): 1 to ``max_days`` days, placed around one of the zone's
    transitions (Asia/Kolkata has none: it borrows another zone's)."""
    zone = draw(st.sampled_from(ZONES))
    pivot = draw(st.sampled_from(TRANSITIONS[zone] or ALL_TRANSITIONS))
    start = pivot + draw(st.integers(-3 * 24 * 12, 24 * 12)) * 5 * MINUTE
    length = draw(st.integers(24 * 12, max_days * 24 * 12)) * 5 * MINUTE
    return zone, start, start + length


def _local_dates(zone: str, start: int, end: int) -> list[datetime.date]:
    first = datetime.datetime.fromtimestamp(start, ZoneInfo(zone)).date()
    last = datetime.datetime.fromtimestamp(end, ZoneInfo(zone)).date()
    return [first + datetime.timedelta(days=n) for n in range(-1, (last - first).days + 2)]


@st.composite
def open_hours_entries(draw, zone: str, start: int, end: int) -> tuple[OpenHours, ...]:
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        entry_zone = draw(st.sampled_from((zone, zone, zone, *ZONES)))
        begin = draw(st.integers(0, 95))
        finish = draw(st.integers(begin + 1, 96))
        days = draw(st.frozensets(st.integers(0, 6), min_size=1))
        dates = _local_dates(entry_zone, start, end)
        exdates = draw(st.frozensets(st.sampled_from(dates), max_size=2))
        entries.append(OpenHours(days, begin * 15, finish * 15, entry_zone, exdates))
    return tuple(entries)


@st.composite
def scenarios(draw) -> tuple[Query, list[Participant]]:
    zone, start, end = draw(windows())
    minutes = (end - start) // MINUTE

    def instant_near_window() -> int:
        # On the 5-minute lattice of the window, like the grid, so that busy time and
        # buffers often exactly touch a slot (the edge cases worth testing).
        return start + draw(st.integers(-24, minutes // 5 + 24)) * 5 * MINUTE

    people = []
    for index in range(draw(st.sampled_from((2, 1, 3, 4, 2, 1, 3, 0)))):
        entries = ()
        if draw(st.integers(0, 5)):  # mostly with open hours; sometimes always open
            entries = draw(open_hours_entries(zone, start, end))
        busy = []
        for _ in range(draw(st.integers(0, 6))):
            busy_start = instant_near_window()
            busy.append((busy_start, busy_start + draw(st.integers(0, 240)) * MINUTE))
        booked = draw(st.sampled_from((None, None, 1_000, 2_000, 3_000)))
        people.append(Participant(f"p{index}@example.com", entries, tuple(busy), booked))

    duration = draw(st.integers(3, 24)) * 5 * MINUTE
    interval = draw(st.integers(1, 12)) * 5 * MINUTE
    origin = draw(st.one_of(st.none(), st.integers(-90, 90).map(lambda m: start + m * MINUTE)))
    if origin is not None and draw(st.booleans()):
        origin = start + (origin - start) // (5 * MINUTE) * 5 * MINUTE
    anchor = start if origin is None else origin

    def notice_bound(low: int, high: int) -> int | None:
        if not draw(st.sampled_from((False, True, False))):
            return None  # most searches have no notice bound inside the window
        if draw(st.booleans()):  # exactly on a grid point
            first, last = -(-(low - anchor) // interval), (high - anchor) // interval
            return anchor + draw(st.integers(min(first, last), last)) * interval
        return low + draw(st.integers(0, (high - low) // MINUTE)) * MINUTE

    capacity = draw(st.sampled_from((1, 1, 2, 3)))
    seats = []
    for _ in range(draw(st.integers(0, 3) if capacity > 1 else st.just(0))):
        if draw(st.sampled_from((True, True, False))):  # exactly a slot of this search
            seat_start = anchor + draw(st.integers(0, (end - anchor) // interval)) * interval
            seat_end = seat_start + duration
        else:
            seat_start = instant_near_window()
            seat_end = seat_start + draw(st.integers(0, 180)) * MINUTE
        taken = draw(st.sampled_from((capacity, capacity - 1, 0, capacity + 1)))
        seats.append(Seat(seat_start, seat_end, taken))
    query = Query(
        start_time=start,
        end_time=end,
        duration=duration,
        interval=interval,
        origin=origin,
        buffer_before=draw(st.integers(0, 12)) * 5 * MINUTE,
        buffer_after=draw(st.integers(0, 12)) * 5 * MINUTE,
        method=draw(st.sampled_from(METHODS)),
        earliest_start=notice_bound(start - HOUR, start + minutes // 2 * MINUTE),
        latest_start=notice_bound(start + minutes // 2 * MINUTE, end + HOUR),
        capacity=capacity,
        seats=tuple(seats),
    )
    return query, people


# ---------------------------------------------------------------------------------------
# Properties


@PROPERTY
@given(scenarios())
def test_find_slots_matches_the_minute_by_minute_reference(scenario):
    query, people = scenario
    assert find_slots(query, people) == reference_slots(query, people)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_seats_and_notice_bounds_placed_on_offered_slots(scenario, data):
    """Seats and notice bounds exactly at starts that would otherwise be offered: the cases
    random placement rarely hits (full vs. one seat left, bound inclusive vs. exclusive)."""
    query, people = scenario
    base = replace(query, earliest_start=None, latest_start=None, seats=(), capacity=1)
    offered = [slot.start for slot in reference_slots(base, people).slots]
    if not offered:
        return
    at_offered = st.sampled_from(offered)
    capacity = data.draw(st.integers(2, 4))
    seats = [
        Seat(start, start + query.duration, data.draw(st.sampled_from((capacity, capacity - 1, 0))))
        for start in data.draw(st.lists(at_offered, max_size=4))
    ]
    if data.draw(st.booleans()):  # a booking of another length, starting at an offered start
        start = data.draw(at_offered)
        seats.append(Seat(start, start + data.draw(st.integers(1, 240)) * MINUTE, 1))
    placed = replace(
        base,
        capacity=data.draw(st.sampled_from((1, capacity))),
        seats=tuple(seats),
        earliest_start=data.draw(st.one_of(st.none(), at_offered)),
        latest_start=data.draw(st.one_of(st.none(), at_offered)),
    )
    found = find_slots(placed, people)
    assert found == reference_slots(placed, people)
    assert_explain_agrees(placed, people, found, offered[:40])


def assert_explain_agrees(
    query: Query, people: list[Participant], found: Availability, starts: list[int]
) -> None:
    offered = {slot.start: slot for slot in found.slots}
    for start in starts:
        explanation = explain_start(query, people, start)
        slot = offered.get(start)
        assert explanation.available == (slot is not None)
        assert explanation.emails == (slot.emails if slot else ())
        assert (explanation.start, explanation.end) == (start, start + query.duration)
        if not explanation.available and people:
            assert explanation.reasons, "an unavailable start must say why"


@PROPERTY
@given(scenarios(), st.sampled_from((MAX_FAIRNESS, MAX_AVAILABILITY)))
def test_round_robin_without_history_is_the_same_in_both_modes(scenario, method):
    query, people = scenario
    people = [Participant(p.email, p.open_hours, p.busy) for p in people]
    other = MAX_AVAILABILITY if method == MAX_FAIRNESS else MAX_FAIRNESS
    first = find_slots(replace(query, method=method), people)
    second = find_slots(replace(query, method=other), people)
    assert first == second


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_explain_agrees_with_find_slots(scenario, data):
    query, people = scenario
    found = find_slots(query, people)
    anchor = query.start_time if query.origin is None else query.origin
    span = (query.end_time - query.start_time) // MINUTE
    minute_starts = st.integers(-60, span + 60).map(lambda m: query.start_time + m * MINUTE)
    grid_starts = st.integers(-3, span // 5).map(lambda k: anchor + k * query.interval)
    starts = data.draw(st.lists(st.one_of(minute_starts, grid_starts), max_size=25))
    if found.slots:
        offered = [slot.start for slot in found.slots]
        starts += data.draw(st.lists(st.sampled_from(offered), max_size=10))
    assert_explain_agrees(query, people, found, starts)


@PROPERTY
@given(windows(max_days=3), st.data())
def test_open_spans_matches_the_minute_reference(window, data):
    zone, start, end = window
    entries = data.draw(open_hours_entries(zone, start, end))
    assert open_spans(entries, start, end) == reference_open_spans(entries, start, end)


@PROPERTY
@given(
    windows(max_days=1),
    st.sampled_from((5, 10, 15, 20, 25, 30, 45, 60, 90, 120, 1440)),
    st.sampled_from((*ZONES, None)),
)
def test_grid_origin_is_the_first_aligned_local_minute(window, align, zone):
    _, start, _ = window
    expected = start
    while True:
        minute_of_day = expected % DAY // MINUTE if zone is None else _local(zone, expected)[2]
        if minute_of_day % align == 0:
            break
        expected += MINUTE
    assert grid_origin(start, align, zone) == expected
    assert grid_origin(start, None, zone) == start
