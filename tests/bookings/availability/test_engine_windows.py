"""A configuration's grid belongs to its open-hours windows, never to the query.

The reference here finds the grid minute by minute, without the engine's span machinery:
it walks the time line, notices where a window opens (everyone open now, someone closed a
minute ago), where the local date changes in the window's zone, and the first minute of
each piece whose local minute of the day is a multiple of ``round_to``; a start is on the
grid when it is that minute plus whole intervals. The properties then say that
``find_slots`` agrees with it, that any sub-range of a search lists exactly the slots of
the whole search inside it (so no viewer and no ``start_time`` moves the grid), and that
``explain_start`` agrees with both.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bookings.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    OFF_INTERVAL,
    Availability,
    OpenHours,
    Participant,
    Query,
    Slot,
    explain_start,
    find_slots,
)
from tests.bookings.availability.test_engine_reference import (
    PROPERTY,
    ZONES,
    _local,
    _overlaps,
    scenarios,
)

MINUTE = 60
HOUR = 3600
DAY = 86_400


def utc(text: str) -> int:
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp())


def local_clock(instant: int, zone: str) -> str:
    return datetime.datetime.fromtimestamp(instant, ZoneInfo(zone)).strftime("%H:%M")


# ---------------------------------------------------------------------------------------
# The reference


def _entry_open(entry: OpenHours, instant: int) -> bool:
    weekday, date, minute = _local(entry.timezone, instant)
    return weekday in entry.days and date not in entry.exdates and entry.start <= minute < entry.end


def _grid_scan(
    opens: list[bool], opening_zone, first: int, round_to: int, interval: int
) -> list[bool]:
    """Per minute from ``first``: is a start there on its window's grid (fit not checked)?
    ``opens[i]`` says whether minute i is in a window; ``opening_zone(i)`` names the zone of
    the window that opens at minute i."""
    on_grid = [False] * len(opens)
    zone = None
    anchor = None
    for i, is_open in enumerate(opens):
        instant = first + i * MINUTE
        if not is_open:
            zone = None
            continue
        if zone is None:  # a window opens
            zone, anchor = opening_zone(i), None
        elif _local(zone, instant)[1] != _local(zone, instant - MINUTE)[1]:
            anchor = None  # a new local day: a new piece
        if anchor is None and _local(zone, instant)[2] % round_to == 0:
            anchor = instant
        on_grid[i] = anchor is not None and (instant - anchor) % interval == 0
    return on_grid


def reference_window_slots(query: Query, people: list[Participant]) -> Availability:
    first = query.start_time - 2 * DAY
    count = (query.end_time - first) // MINUTE
    instants = [first + i * MINUTE for i in range(count)]
    d, step, round_to = query.duration, query.interval, query.round_to

    def person_opens(person: Participant) -> list[bool]:
        if not person.open_hours:
            return [True] * count
        return [any(_entry_open(e, t) for e in person.open_hours) for t in instants]

    def opening_zone_of(person: Participant):
        def zone(i: int) -> str:
            if not person.open_hours or i == 0:
                return query.timezone if not person.open_hours else _zone_at(person, i)
            return _zone_at(person, i)

        return zone

    def _zone_at(person: Participant, i: int) -> str:
        return min(e.timezone for e in person.open_hours if _entry_open(e, instants[i]))

    own_opens = [person_opens(p) for p in people]

    def fits(opens: list[bool], i: int) -> bool:
        last = i + d // MINUTE
        return last <= count and all(opens[i:last])

    if query.method == COLLECTIVE:
        with_hours = [k for k, p in enumerate(people) if p.open_hours]
        opens = [all(own_opens[k][i] for k in with_hours) for i in range(count)]

        def collective_zone(i: int) -> str:
            if not with_hours:
                return query.timezone
            for k in with_hours:  # the first person whose own window opens here
                if i == 0 or not own_opens[k][i - 1]:
                    return _zone_at(people[k], i)
            return _zone_at(people[with_hours[0]], i)  # all open since the scan began

        grid = _grid_scan(opens, collective_zone, first, round_to, step)
        grids = [grid] * len(people)
        fits_in = [opens] * len(people)
    else:
        grids = [
            _grid_scan(own_opens[k], opening_zone_of(p), first, round_to, step)
            for k, p in enumerate(people)
        ]
        fits_in = own_opens

    def free(k: int, t: int) -> bool:
        i = (t - first) // MINUTE
        if not grids[k][i] or not fits(fits_in[k], i):
            return False
        before, after = query.buffer_before, query.buffer_after
        return not any(_overlaps(t - before, t + d + after, s, e) for s, e in people[k].busy)

    def rank(position: int) -> tuple:
        booked = people[position].last_booked_at
        return (booked is not None, booked or 0, position)

    queue = sorted(range(len(people)), key=rank)
    never = [i for i in queue if people[i].last_booked_at is None]
    oldest = min((p.last_booked_at or 0 for p in people), default=0)
    eligible = never or [i for i in queue if people[i].last_booked_at == oldest]

    slots = []
    for t in range(query.start_time, query.end_time - d + 1, MINUTE):
        offered = query.earliest_start is None or t >= query.earliest_start
        offered &= query.latest_start is None or t < query.latest_start
        remaining = None
        if offered and query.capacity > 1:
            same = [s for s in query.seats if (s.start, s.end) == (t, t + d)]
            others = [
                s
                for s in query.seats
                if (s.start, s.end) != (t, t + d)
                and _overlaps(t - query.buffer_before, t + d + query.buffer_after, s.start, s.end)
            ]
            taken = sum(s.taken for s in same)
            offered = taken < query.capacity and not others
            remaining = query.capacity - taken
        if not offered or not people:
            continue
        if query.method == COLLECTIVE:
            if all(free(k, t) for k in range(len(people))):
                slots.append(Slot(t, t + d, tuple(p.email for p in people), remaining))
        else:
            candidates = queue if query.method == MAX_AVAILABILITY else eligible
            emails = tuple(people[k].email for k in candidates if free(k, t))
            if emails:
                slots.append(Slot(t, t + d, emails, remaining))
    order = () if query.method == COLLECTIVE else tuple(people[i].email for i in queue)
    return Availability(slots=slots, order=order)


# ---------------------------------------------------------------------------------------
# Strategies


@st.composite
def configuration_scenarios(draw) -> tuple[Query, list[Participant]]:
    query, people = draw(scenarios())
    query = replace(
        query,
        origin=None,
        round_to=draw(st.sampled_from((5, 10, 15, 15, 20, 25, 30, 45, 60))),
        timezone=draw(st.sampled_from(ZONES)),
    )
    return query, people


# ---------------------------------------------------------------------------------------
# Properties


@PROPERTY
@given(configuration_scenarios())
def test_configuration_grid_matches_the_minute_by_minute_reference(scenario):
    query, people = scenario
    assert find_slots(query, people) == reference_window_slots(query, people)


@PROPERTY
@given(configuration_scenarios(), st.data())
def test_every_range_lists_the_same_instants(scenario, data):
    """Whatever range is asked (a guest's month in any zone, an API call from "now", the
    booking check of one slot), it lists exactly the whole search's slots inside it."""
    query, people = scenario
    whole = find_slots(query, people)
    minutes = (query.end_time - query.start_time) // MINUTE
    low = data.draw(st.integers(0, minutes), label="low")
    high = data.draw(st.integers(low, minutes), label="high")
    if data.draw(st.booleans(), label="one offered slot") and whole.slots:
        slot = data.draw(st.sampled_from(whole.slots), label="slot")
        start, end = slot.start, slot.end
    else:
        start, end = query.start_time + low * MINUTE, query.start_time + high * MINUTE
    part = find_slots(replace(query, start_time=start, end_time=end), people)
    inside = [slot for slot in whole.slots if slot.start >= start and slot.end <= end]
    assert part.slots == inside
    assert part.order == whole.order


@PROPERTY
@given(configuration_scenarios(), st.data())
def test_explain_agrees_on_the_configuration_grid(scenario, data):
    query, people = scenario
    found = find_slots(query, people)
    offered = {slot.start: slot for slot in found.slots}
    span = (query.end_time - query.start_time) // MINUTE
    starts = data.draw(
        st.lists(st.integers(-30, span).map(lambda m: query.start_time + m * MINUTE), max_size=20)
    )
    if found.slots:
        starts += data.draw(st.lists(st.sampled_from(sorted(offered)), max_size=10))
    for start in starts:
        explanation = explain_start(query, people, start)
        slot = offered.get(start)
        assert explanation.available == (slot is not None), start
        assert explanation.emails == (slot.emails if slot else ())
        if not explanation.available and people:
            assert explanation.reasons


# ---------------------------------------------------------------------------------------
# The cases the issue names


WEEKDAYS = frozenset(range(1, 6))


def chicago_page(**extra) -> tuple[Query, list[Participant]]:
    """A 45-minute page open 09:00-17:00 on weekdays in Chicago."""
    hours = (OpenHours(WEEKDAYS, 9 * 60, 17 * 60, "America/Chicago"),)
    query = Query(
        start_time=utc("2026-03-02 00:00"),
        end_time=utc("2026-03-16 00:00"),
        duration=45 * MINUTE,
        interval=45 * MINUTE,
        round_to=15,
        timezone="America/Chicago",
        **extra,
    )
    return query, [Participant("host@example.com", hours)]


def test_a_45_minute_page_offers_the_same_times_to_every_viewer():
    query, people = chicago_page()
    expected = ["09:00", "09:45", "10:30", "11:15", "12:00", "12:45", "13:30", "14:15", "15:00"]
    expected.append("15:45")
    # A month in the guest's zone begins at the guest's midnight: Chicago, New York,
    # Berlin, Kolkata and Kathmandu guests, and an API call made at 10:07 Chicago time.
    for viewer_start in (
        utc("2026-03-02 06:00"),  # Chicago midnight
        utc("2026-03-02 05:00"),  # New York midnight
        utc("2026-03-01 23:00"),  # Berlin midnight
        utc("2026-03-01 18:30"),  # Kolkata midnight
        utc("2026-03-01 18:15"),  # Kathmandu midnight
        utc("2026-03-02 16:07"),  # "now" on Monday
    ):
        found = find_slots(replace(query, start_time=viewer_start), people)
        tuesday = [
            local_clock(slot.start, "America/Chicago")
            for slot in found.slots
            if datetime.datetime.fromtimestamp(slot.start, ZoneInfo("America/Chicago")).day == 3
        ]
        assert tuesday == expected, viewer_start


def test_the_grid_follows_the_window_across_the_spring_change():
    # Chicago springs forward on Sunday 2026-03-08: Monday the 9th opens at 09:00 CDT.
    query, people = chicago_page()
    found = find_slots(query, people)
    monday = [s.start for s in found.slots if s.start >= utc("2026-03-09 00:00")]
    assert local_clock(monday[0], "America/Chicago") == "09:00"
    assert monday[0] == utc("2026-03-09 14:00")


def test_a_kolkata_team_member_starts_on_the_hour_of_their_own_zone():
    """Round-robin with the page in Chicago and round_to 60: the Kolkata member's 09:00
    window starts their grid at 09:00 IST, not at the next Chicago hour."""
    kolkata = (OpenHours(WEEKDAYS, 9 * 60, 12 * 60, "Asia/Kolkata"),)
    chicago = (OpenHours(WEEKDAYS, 9 * 60, 12 * 60, "America/Chicago"),)
    people = [Participant("a@example.com", kolkata), Participant("b@example.com", chicago)]
    query = Query(
        start_time=utc("2026-03-02 00:00"),
        end_time=utc("2026-03-03 00:00"),
        duration=HOUR,
        interval=HOUR,
        method=MAX_AVAILABILITY,
        round_to=60,
        timezone="America/Chicago",
    )
    found = find_slots(query, people)
    kolkata_times = [
        local_clock(s.start, "Asia/Kolkata") for s in found.slots if "a@" in s.emails[0]
    ]
    assert kolkata_times == ["09:00", "10:00", "11:00"]


def test_without_open_hours_each_local_day_starts_a_grid():
    query = Query(
        start_time=utc("2026-03-02 05:00"),
        end_time=utc("2026-03-04 05:00"),
        duration=45 * MINUTE,
        interval=45 * MINUTE,
        round_to=15,
        timezone="Asia/Kathmandu",  # +05:45
    )
    found = find_slots(query, [Participant("host@example.com")])
    clocks = [local_clock(s.start, "Asia/Kathmandu") for s in found.slots]
    assert clocks.count("00:00") == 2  # one grid per local day
    assert clocks[clocks.index("00:00") - 1] == "23:15"  # the day before ended on its grid


def test_a_start_inside_the_window_but_off_its_grid_is_explained():
    query, people = chicago_page()
    off = utc("2026-03-03 15:15")  # 09:15 in Chicago, between 09:00 and 09:45
    explanation = explain_start(query, people, off)
    assert not explanation.available
    assert [r.reason for r in explanation.reasons] == [OFF_INTERVAL]
    assert "15:00 UTC" in explanation.reasons[0].detail  # 09:00 Chicago
