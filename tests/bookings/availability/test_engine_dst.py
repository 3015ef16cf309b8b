"""Slots around DST changes, asserted as concrete UTC instants.

Open hours are wall-clock rules, so the UTC times of "09:00-17:00 Chicago" move by an hour
across a change while the local times stay put; days with a gap are shorter, days with a
repeated hour longer; notice bounds and grid alignment have to cope with both.
"""

from __future__ import annotations

import datetime

from bookings.availability import (
    COLLECTIVE,
    MIN_BOOKING_NOTICE,
    OpenHours,
    Participant,
    Query,
    explain_start,
    find_slots,
    grid_origin,
)

HOUR = 3600
MINUTE = 60
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
SUNDAY = 0


def utc(text: str) -> int:
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def iso(instant: int) -> str:
    return datetime.datetime.fromtimestamp(instant, datetime.UTC).strftime("%Y-%m-%d %H:%M")


def hourly(first: str, last: str) -> list[str]:
    """Every hour from ``first`` to ``last`` inclusive, as ``iso`` strings."""
    return [iso(t) for t in range(utc(first), utc(last) + 1, HOUR)]


def person(zone: str, start: int, end: int, days=WEEKDAYS, exdates=()) -> Participant:
    entry = OpenHours(frozenset(days), start, end, zone, frozenset(exdates))
    return Participant("host@example.com", (entry,))


def starts(query: Query, people: list[Participant]) -> list[str]:
    return [iso(slot.start) for slot in find_slots(query, people).slots]


def hour_slots(start: str, end: str, **extra) -> Query:
    return Query(utc(start), utc(end), duration=HOUR, interval=HOUR, **extra)


def test_chicago_nine_to_five_across_spring_forward():
    # Friday 2026-03-06 is CST (UTC-6): 09:00 = 15:00Z. Monday 03-09 is CDT (UTC-5): 14:00Z.
    people = [person("America/Chicago", 9 * 60, 17 * 60)]
    found = starts(hour_slots("2026-03-06 00:00", "2026-03-10 00:00"), people)
    assert found == hourly("2026-03-06 15:00", "2026-03-06 22:00") + hourly(
        "2026-03-09 14:00", "2026-03-09 21:00"
    )


def test_chicago_nine_to_five_across_fall_back():
    # Friday 2026-10-30 is CDT: 09:00 = 14:00Z. Monday 11-02 is CST: 15:00Z.
    people = [person("America/Chicago", 9 * 60, 17 * 60)]
    found = starts(hour_slots("2026-10-30 00:00", "2026-11-03 00:00"), people)
    assert found == hourly("2026-10-30 14:00", "2026-10-30 21:00") + hourly(
        "2026-11-02 15:00", "2026-11-02 22:00"
    )


def test_berlin_nine_to_five_across_both_changes():
    people = [person("Europe/Berlin", 9 * 60, 17 * 60)]
    # Friday 2026-03-27 CET (UTC+1): 08:00Z. Monday 03-30 CEST (UTC+2): 07:00Z.
    found = starts(hour_slots("2026-03-27 00:00", "2026-03-31 00:00"), people)
    assert found == hourly("2026-03-27 08:00", "2026-03-27 15:00") + hourly(
        "2026-03-30 07:00", "2026-03-30 14:00"
    )
    # Friday 2026-10-23 CEST: 07:00Z. Monday 10-26 CET: 08:00Z.
    found = starts(hour_slots("2026-10-23 00:00", "2026-10-27 00:00"), people)
    assert found == hourly("2026-10-23 07:00", "2026-10-23 14:00") + hourly(
        "2026-10-26 08:00", "2026-10-26 15:00"
    )


def test_chicago_spring_day_window_over_the_gap_is_two_hours():
    # 01:00-04:00 local on 2026-03-08 is 07:00Z-09:00Z (02:00-03:00 does not exist).
    people = [person("America/Chicago", 60, 240, {SUNDAY})]
    query = Query(utc("2026-03-08 00:00"), utc("2026-03-09 00:00"), 30 * MINUTE, 30 * MINUTE)
    half_hours = ["2026-03-08 07:00", "2026-03-08 07:30", "2026-03-08 08:00", "2026-03-08 08:30"]
    assert starts(query, people) == half_hours
    # A one-hour meeting from 01:30 CST runs to 03:30 CDT on the wall clock: still inside.
    query = Query(utc("2026-03-08 00:00"), utc("2026-03-09 00:00"), HOUR, 30 * MINUTE)
    assert starts(query, people) == ["2026-03-08 07:00", "2026-03-08 07:30", "2026-03-08 08:00"]


def test_chicago_fall_day_window_covers_both_one_oclock_hours():
    # 01:00-02:00 local on 2026-11-01 is 06:00Z (01:00 CDT) to 08:00Z (02:00 CST).
    people = [person("America/Chicago", 60, 120, {SUNDAY})]
    query = Query(utc("2026-11-01 00:00"), utc("2026-11-02 00:00"), HOUR, 30 * MINUTE)
    assert starts(query, people) == ["2026-11-01 06:00", "2026-11-01 06:30", "2026-11-01 07:00"]


def test_lord_howe_thirty_minute_shift():
    # Lord Howe is +11 until 2026-04-05 02:00 local, then +10:30.
    # Friday 04-03 09:00 +11 = 04-02 22:00Z; Monday 04-06 09:00 +10:30 = 04-05 22:30Z.
    people = [person("Australia/Lord_Howe", 9 * 60, 17 * 60)]
    query = Query(utc("2026-04-02 00:00"), utc("2026-04-07 00:00"), HOUR, 30 * MINUTE)
    found = starts(query, people)
    friday = [s for s in found if "2026-04-02 12:00" < s < "2026-04-04"]
    monday = [s for s in found if "2026-04-05" < s < "2026-04-06 12:00"]
    assert (friday[0], friday[-1], len(friday)) == ("2026-04-02 22:00", "2026-04-03 05:00", 15)
    assert (monday[0], monday[-1], len(monday)) == ("2026-04-05 22:30", "2026-04-06 05:30", 15)


def test_santiago_midnight_shift_and_aligned_grid():
    # Chile springs forward at 24:00 -04 on Saturday 2026-09-05 (04:00Z): Sunday 09-06
    # starts at 01:00 -03 and has 23 hours, the last starting at 23:00 -03 = 02:00Z.
    people = [person("America/Santiago", 0, 24 * 60, {SUNDAY})]
    origin = grid_origin(utc("2026-09-06 03:30"), 60, "America/Santiago")
    # 03:30Z is 23:30 Saturday; the next whole local hour is 01:00 Sunday (midnight
    # never happens), i.e. the transition instant itself.
    assert iso(origin) == "2026-09-06 04:00"
    query = Query(utc("2026-09-06 03:30"), utc("2026-09-07 06:00"), HOUR, HOUR, origin=origin)
    assert starts(query, people) == hourly("2026-09-06 04:00", "2026-09-07 02:00")


def test_exdate_removes_one_local_day():
    people = [person("America/Chicago", 9 * 60, 17 * 60, exdates={datetime.date(2026, 3, 9)})]
    found = starts(hour_slots("2026-03-06 00:00", "2026-03-11 00:00"), people)
    assert found == hourly("2026-03-06 15:00", "2026-03-06 22:00") + hourly(
        "2026-03-10 14:00", "2026-03-10 21:00"
    )


def test_min_notice_bound_on_the_day_of_the_change():
    # Open 01:00-05:00 Chicago on Sunday 2026-03-08: 07:00Z (01:00 CST) to 10:00Z (05:00 CDT).
    # The notice bound at 07:30Z (01:30 CST) removes only the first start.
    people = [person("America/Chicago", 60, 300, {SUNDAY})]
    query = Query(
        utc("2026-03-08 06:00"),
        utc("2026-03-08 12:00"),
        duration=30 * MINUTE,
        interval=30 * MINUTE,
        earliest_start=utc("2026-03-08 07:30"),
        method=COLLECTIVE,
    )
    assert starts(query, people) == [
        "2026-03-08 07:30",  # 01:30 CST
        "2026-03-08 08:00",  # 03:00 CDT, right after the gap
        "2026-03-08 08:30",
        "2026-03-08 09:00",
        "2026-03-08 09:30",  # 04:30 CDT, ends at 05:00
    ]
    explanation = explain_start(query, people, utc("2026-03-08 07:00"))
    assert not explanation.available
    assert [r.reason for r in explanation.reasons] == [MIN_BOOKING_NOTICE]


def test_grid_origin_in_odd_offsets_and_gaps():
    # Kolkata is +05:30: 03:07Z is 08:37 IST; next quarter hour 08:45 IST = 03:15Z,
    # next whole hour 09:00 IST = 03:30Z (a UTC-based rounding would say 04:00Z).
    assert iso(grid_origin(utc("2026-03-09 03:07"), 15, "Asia/Kolkata")) == "2026-03-09 03:15"
    assert iso(grid_origin(utc("2026-03-09 03:07"), 60, "Asia/Kolkata")) == "2026-03-09 03:30"
    # Chicago 07:50Z on 2026-03-08 is 01:50 CST. 02:00 does not exist; the clock reads
    # 03:00 CDT at 08:00Z, which is a whole hour.
    assert iso(grid_origin(utc("2026-03-08 07:50"), 60, "America/Chicago")) == "2026-03-08 08:00"
    # With 25-minute alignment (multiples from midnight: ..., 02:05, ..., 03:20), 02:05 is
    # skipped and 03:00 is not a multiple: 03:20 CDT = 08:20Z.
    assert iso(grid_origin(utc("2026-03-08 07:50"), 25, "America/Chicago")) == "2026-03-08 08:20"
    # Fall back: 06:50Z is 01:50 CDT; at 07:00Z the clock shows 01:00 CST, a whole hour.
    assert iso(grid_origin(utc("2026-11-01 06:50"), 60, "America/Chicago")) == "2026-11-01 07:00"
    # UTC when no zone; already aligned stays put; None keeps the request's start.
    assert iso(grid_origin(utc("2026-03-09 03:07"), 15, None)) == "2026-03-09 03:15"
    assert iso(grid_origin(utc("2026-03-09 03:15"), 15, "Europe/Berlin")) == "2026-03-09 03:15"
    assert (
        grid_origin(utc("2026-03-09 03:07") + 5, None, "Europe/Berlin")
        == utc("2026-03-09 03:07") + 5
    )
