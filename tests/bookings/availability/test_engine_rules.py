"""The slot rules one at a time, on small hand-checked cases, plus every explain reason.

Most cases use participants without open hours (always open) on Wednesday 2026-03-11 in
UTC, so the arithmetic is visible in the test.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from bookings.availability import (
    BEYOND_AVAILABLE_DAYS,
    BUFFER,
    BUSY,
    CAPACITY_FULL,
    COLLECTIVE,
    EXDATE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    METHODS,
    MIN_BOOKING_NOTICE,
    NOT_NEXT_IN_ROUND_ROBIN,
    OFF_INTERVAL,
    OUTSIDE_OPEN_HOURS,
    OUTSIDE_RANGE,
    OpenHours,
    Participant,
    Query,
    Reason,
    Seat,
    Slot,
    explain_start,
    find_slots,
)

MINUTE = 60
HOUR = 3600
DAY = "2026-03-11"  # a Wednesday


def at(clock: str, day: str = DAY) -> int:
    moment = datetime.datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def clock(instant: int) -> str:
    return datetime.datetime.fromtimestamp(instant, datetime.UTC).strftime("%H:%M")


def query(start: str, end: str, duration: int = 30, interval: int = 30, **extra) -> Query:
    return Query(at(start), at(end), duration * MINUTE, interval * MINUTE, **extra)


def starts(q: Query, people: list[Participant]) -> list[str]:
    return [clock(slot.start) for slot in find_slots(q, people).slots]


def reasons(q: Query, people: list[Participant], start: str) -> list[tuple[str | None, str]]:
    return [(r.email, r.reason) for r in explain_start(q, people, at(start)).reasons]


def busy(email: str, *spans: tuple[str, str], **extra) -> Participant:
    return Participant(email, busy=tuple((at(s), at(e)) for s, e in spans), **extra)


def every(first: str, last: str, minutes: int) -> list[str]:
    return [clock(t) for t in range(at(first), at(last) + 1, minutes * MINUTE)]


# --- buffers ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_buffers_may_touch_busy_time_but_not_overlap_it(method):
    host = busy("host@example.com", ("10:00", "11:00"))
    buffers = {"buffer_before": 15 * MINUTE, "buffer_after": 15 * MINUTE}
    q = query("08:00", "13:00", interval=15, method=method, **buffers)
    # 09:15 + 30 min + 15 min buffer ends exactly at 10:00; 11:15 - 15 min starts at 11:00.
    assert starts(q, [host]) == every("08:00", "09:15", 15) + every("11:15", "12:30", 15)
    assert reasons(q, [host], "09:30") == [("host@example.com", BUFFER)]
    assert reasons(q, [host], "10:30") == [("host@example.com", BUSY)]
    assert reasons(q, [host], "11:00") == [("host@example.com", BUFFER)]
    detail = explain_start(q, [host], at("10:30")).reasons[0].detail
    assert detail == "busy 2026-03-11 10:00–11:00 UTC"


def test_without_buffers_a_slot_may_touch_busy_time():
    host = busy("host@example.com", ("10:00", "11:00"))
    assert starts(query("08:30", "12:00"), [host]) == ["08:30", "09:00", "09:30", "11:00", "11:30"]


@pytest.mark.parametrize("method", METHODS)
def test_zero_length_and_unsorted_overlapping_busy(method):
    host = busy(
        "host@example.com",
        ("11:30", "11:30"),  # zero length: blocks nothing
        ("09:45", "10:15"),
        ("09:00", "10:00"),  # overlaps the previous one
        ("09:10", "09:20"),  # nested
    )
    assert starts(query("08:00", "12:00", method=method), [host]) == [
        "08:00",
        "08:30",
        "10:30",
        "11:00",
        "11:30",
    ]


# --- the grid and the window -----------------------------------------------------------


def test_grid_starts_at_start_time_by_default():
    assert starts(query("08:07", "10:00"), [busy("a@example.com")]) == ["08:07", "08:37", "09:07"]


def test_grid_anchored_at_an_earlier_origin():
    q = query("08:07", "10:00", origin=at("07:00"))
    assert starts(q, [busy("a@example.com")]) == ["08:30", "09:00", "09:30"]
    assert reasons(q, [busy("a@example.com")], "08:45") == [(None, OFF_INTERVAL)]


def test_grid_anchored_at_a_later_origin():
    q = query("08:00", "10:00", origin=at("09:10"))
    assert starts(q, [busy("a@example.com")]) == ["09:10"]
    assert reasons(q, [busy("a@example.com")], "08:40") == [(None, OFF_INTERVAL)]


def test_slots_never_cross_end_time():
    people = [busy("a@example.com")]
    # 11:40 would end at 12:10.
    assert starts(query("10:00", "12:00", interval=20), people) == every("10:00", "11:20", 20)
    # A slot ending exactly at end_time is fine.
    assert starts(query("10:00", "12:00", interval=30), people) == every("10:00", "11:30", 30)
    assert reasons(query("10:00", "12:00", interval=20), people, "11:40") == [(None, OUTSIDE_RANGE)]


def test_notice_bounds():
    q = query("08:00", "12:00", earliest_start=at("09:00"), latest_start=at("10:30"))
    people = [busy("a@example.com")]
    assert starts(q, people) == ["09:00", "09:30", "10:00"]  # latest_start is exclusive
    assert reasons(q, people, "08:30") == [(None, MIN_BOOKING_NOTICE)]
    assert reasons(q, people, "10:30") == [(None, BEYOND_AVAILABLE_DAYS)]
    empty = query("08:00", "12:00", earliest_start=at("10:00"), latest_start=at("10:00"))
    assert starts(empty, people) == []


def test_no_participants_no_slots():
    q = query("08:00", "12:00")
    assert find_slots(q, []).slots == []
    assert find_slots(replace(q, method=MAX_FAIRNESS), []).slots == []
    assert not explain_start(q, [], at("09:00")).available


@pytest.mark.parametrize("bad", [{"duration": 0}, {"interval": 0}, {"method": "round-robin-ish"}])
def test_invalid_queries_are_rejected(bad):
    q = replace(query("08:00", "12:00"), **bad)
    with pytest.raises(ValueError):
        find_slots(q, [busy("a@example.com")])
    with pytest.raises(ValueError):
        explain_start(q, [busy("a@example.com")], at("09:00"))


# --- group events ----------------------------------------------------------------------


def group(capacity: int, seats: list[Seat], **extra) -> Query:
    return query("09:00", "15:00", 60, 60, capacity=capacity, seats=tuple(seats), **extra)


SEATS = [
    Seat(at("10:00"), at("11:00"), 1),  # the 10:00 slot: 2 of 3 seats left
    Seat(at("11:00"), at("12:00"), 3),  # the 11:00 slot: full
    Seat(at("13:00"), at("13:30"), 1),  # an older, shorter booking: occupies the hosts
]


def test_group_seats_left_and_full_slots():
    slots = find_slots(group(3, SEATS), [busy("a@example.com")]).slots
    assert [(clock(s.start), s.capacity_remaining) for s in slots] == [
        ("09:00", 3),
        ("10:00", 2),
        ("12:00", 3),  # ends exactly when the 13:00 booking starts
        ("14:00", 3),
    ]
    assert reasons(group(3, SEATS), [], "11:00") == [(None, CAPACITY_FULL)]
    assert reasons(group(3, SEATS), [], "13:00") == [(None, BUSY)]


def test_group_bookings_respect_buffers():
    q = group(3, SEATS, buffer_after=15 * MINUTE)
    slots = find_slots(q, [busy("a@example.com")]).slots
    # With the buffer, 09:00, 10:00 and 12:00 run into the bookings at 10:00, 11:00 and
    # 13:00 (the 10:00 slot itself is still bookable, but its buffer meets the full 11:00).
    assert [clock(s.start) for s in slots] == ["14:00"]
    assert reasons(q, [], "09:00") == [(None, BUFFER)]
    assert reasons(q, [], "10:00") == [(None, BUFFER)]


def test_identical_seats_add_up():
    seats = [Seat(at("10:00"), at("11:00"), 1), Seat(at("10:00"), at("11:00"), 1)]
    slots = find_slots(group(3, seats), [busy("a@example.com")]).slots
    assert {clock(s.start): s.capacity_remaining for s in slots}["10:00"] == 1


def test_capacity_one_ignores_seats():
    slots = find_slots(group(1, SEATS), [busy("a@example.com")]).slots
    assert [clock(s.start) for s in slots] == every("09:00", "14:00", 60)
    assert {s.capacity_remaining for s in slots} == {None}


# --- round-robin -----------------------------------------------------------------------

A = busy("a@example.com", last_booked_at=200)
B = busy("b@example.com", ("11:00", "12:00"))
C = busy("c@example.com", last_booked_at=100)
D = busy("d@example.com", ("10:00", "12:00"))


def offered(method: str, people: list[Participant]) -> dict[str, tuple[str, ...]]:
    availability = find_slots(query("09:00", "12:00", 60, 60, method=method), people)
    return {clock(s.start): tuple(e.split("@")[0] for e in s.emails) for s in availability.slots}


def test_round_robin_order_is_least_recently_booked_first():
    q = query("09:00", "12:00", 60, 60, method=MAX_FAIRNESS)
    expected = ("b@example.com", "d@example.com", "c@example.com", "a@example.com")
    assert find_slots(q, [A, B, C, D]).order == expected
    assert find_slots(replace(q, method=MAX_AVAILABILITY), [A, B, C, D]).order == (expected)
    assert find_slots(replace(q, method=COLLECTIVE), [A, B, C, D]).order == ()


def test_max_fairness_offers_only_the_never_booked():
    # b and d were never booked; a and c were. At 11:00 both b and d are busy, so the slot
    # is not offered even though a and c are free.
    assert offered(MAX_FAIRNESS, [A, B, C, D]) == {"09:00": ("b", "d"), "10:00": ("b",)}
    q = query("09:00", "12:00", 60, 60, method=MAX_FAIRNESS)
    assert reasons(q, [A, B, C, D], "11:00") == [
        ("b@example.com", BUSY),
        ("d@example.com", BUSY),
        ("c@example.com", NOT_NEXT_IN_ROUND_ROBIN),
        ("a@example.com", NOT_NEXT_IN_ROUND_ROBIN),
    ]


def test_max_fairness_ties_on_the_oldest_booking():
    e = busy("e@example.com", last_booked_at=100)
    every_hour = ("09:00", "10:00", "11:00")
    assert offered(MAX_FAIRNESS, [A, C, e]) == dict.fromkeys(every_hour, ("c", "e"))


def test_max_availability_offers_anyone_free_in_queue_order():
    assert offered(MAX_AVAILABILITY, [A, B, C, D]) == {
        "09:00": ("b", "d", "c", "a"),
        "10:00": ("b", "c", "a"),
        "11:00": ("c", "a"),
    }


def test_round_robin_slots_with_the_same_people_share_one_emails_tuple():
    # b's busy 09:20-09:25 blocks the starts in (09:05, 09:25): no grid point, so every
    # slot has the same people, and they share one tuple object (the API encodes each
    # distinct tuple object once).
    b = busy("b@example.com", ("09:20", "09:25"))
    slots = find_slots(query("09:00", "12:00", 15, 60, method=MAX_AVAILABILITY), [A, b]).slots
    assert [clock(slot.start) for slot in slots] == ["09:00", "10:00", "11:00"]
    assert slots[0].emails == ("b@example.com", "a@example.com")
    assert len({id(slot.emails) for slot in slots}) == 1


def test_round_robin_busy_time_across_several_days_of_open_hours():
    # a works 09:00-17:00 UTC on weekdays and is busy from Tuesday 12:00 to Thursday 10:00
    # (one interval covering a whole open-hours day); b is always free.
    weekdays = (OpenHours(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60, "UTC"),)
    away = ((at("12:00", "2026-03-10"), at("10:00", "2026-03-12")),)
    a = Participant("a@example.com", weekdays, away, last_booked_at=100)
    b = Participant("b@example.com", last_booked_at=200)
    q = Query(at("00:00", "2026-03-09"), at("00:00", "2026-03-14"), HOUR, HOUR)
    q = replace(q, method=MAX_AVAILABILITY)
    slots = find_slots(q, [a, b]).slots
    assert len(slots) == 5 * 24  # b: every hour of Monday to Friday
    with_a = [slot.start for slot in slots if slot.emails == ("a@example.com", "b@example.com")]
    days_and_hours = [("09", 9, 17), ("10", 9, 12), ("12", 10, 17), ("13", 9, 17)]
    assert with_a == [
        at(f"{hour:02d}:00", f"2026-03-{day}")
        for day, first, stop in days_and_hours
        for hour in range(first, stop)
    ]
    assert all(explain_start(q, [a, b], slot.start).emails == slot.emails for slot in slots)


def test_collective_needs_everyone():
    assert offered(COLLECTIVE, [A, B, C, D]) == {"09:00": ("a", "b", "c", "d")}
    q = query("09:00", "12:00", 60, 60)
    explanation = explain_start(q, [A, B, C, D], at("10:00"))
    assert not explanation.available and explanation.emails == ()
    assert [(r.email, r.reason) for r in explanation.reasons] == [("d@example.com", BUSY)]


# --- open hours in explanations --------------------------------------------------------


def test_outside_open_hours_and_exdate_reasons():
    # Berlin is UTC+1 in March: 09:00-17:00 local is 08:00-16:00 UTC.
    entry = OpenHours(
        frozenset({1, 2, 3, 4, 5}),
        9 * 60,
        17 * 60,
        "Europe/Berlin",
        frozenset({datetime.date(2026, 3, 12)}),
    )
    host = Participant("host@example.com", (entry,))
    q = query("06:00", "18:00", 60, 60, origin=at("00:00"))
    assert starts(q, [host]) == every("08:00", "15:00", 60)
    assert reasons(q, [host], "07:00") == [("host@example.com", OUTSIDE_OPEN_HOURS)]
    detail = explain_start(q, [host], at("07:00")).reasons[0].detail
    assert detail == "2026-03-11 07:00–08:00 UTC is outside open hours"
    next_day = replace(q, start_time=at("06:00", "2026-03-12"), end_time=at("18:00", "2026-03-12"))
    assert find_slots(next_day, [host]).slots == []
    explanation = explain_start(next_day, [host], at("09:00", "2026-03-12"))
    assert [(r.reason, r.detail) for r in explanation.reasons] == [
        (EXDATE, "2026-03-12 is excluded from open hours")
    ]


def test_explanation_of_an_available_start():
    host = busy("host@example.com")
    explanation = explain_start(query("08:00", "12:00"), [host], at("09:00"))
    assert explanation.available
    assert explanation.emails == ("host@example.com",)
    assert (explanation.start, explanation.end) == (at("09:00"), at("09:30"))
    assert explanation.reasons == ()


def test_reason_type_is_the_model_reason():
    q = query("08:00", "12:00")
    (reason,) = explain_start(q, [busy("a@example.com")], at("12:00")).reasons
    assert reason == Reason(None, OUTSIDE_RANGE, reason.detail)
    assert "2026-03-11 08:00–12:00 UTC" in reason.detail


# --- the Nylas v2 availability example ---------------------------------------------------


def test_nylas_v2_example_common_free_time():
    """Three people, 09:00-17:00 Chicago Mon-Fri; their busy times leave 10:00-14:30 common
    on Wednesday 2021-06-23 (CDT, UTC-5); 30-minute meetings every 10 minutes."""
    hours = (OpenHours(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60, "America/Chicago"),)
    day = "2021-06-23"
    people = [
        Participant("swag@nylas.com", hours, ((at("14:00", day), at("15:00", day)),)),
        Participant("one@example.com", hours, ((at("19:30", day), at("22:00", day)),)),
        Participant("two@example.com", hours, ((at("12:00", day), at("14:30", day)),)),
    ]
    q = Query(at("05:00", day), at("05:00", "2021-06-24"), 30 * MINUTE, 10 * MINUTE)
    slots = find_slots(q, people).slots
    # 10:00-14:00 Chicago starts = 15:00-19:00 UTC.
    assert [clock(s.start) for s in slots] == every("15:00", "19:00", 10)
    assert len(slots) == 25
    assert slots[0] == Slot(
        at("15:00", day),
        at("15:30", day),
        ("swag@nylas.com", "one@example.com", "two@example.com"),
    )
