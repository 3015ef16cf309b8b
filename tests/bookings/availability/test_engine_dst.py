"""Slots around DST changes, asserted as concrete UTC instants.

Open hours are wall-clock rules, so the UTC times of "09:00-17:00 Chicago" move by an hour
across a change while the local times stay put; days with a gap are shorter, days with a
repeated hour longer; notice bounds and grid alignment have to cope with both.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

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


# min_booking_notice on the day of a change, as a table.
#
# The loader passes the notice as Query.earliest_start = now + min_booking_notice minutes of
# elapsed time (Unix seconds), not as a wall-clock addition: "two hours' notice" at 00:30 on
# a fall-back night is 01:30 the *second* time, which the clock reads as only one hour
# later. Each case's open hours cover only the local day of the change (so every slot is on
# it); "now" and the expected starts are written by hand as local wall-clock times with
# their UTC offset, which tells the two occurrences of a repeated time apart.


def wall(instant: int, zone: str) -> str:
    """``01:30-05:00``: local wall-clock time and the offset in force."""
    local = datetime.datetime.fromtimestamp(instant, ZoneInfo(zone))
    return local.isoformat(timespec="minutes")[11:]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


NOTICE_CASES = [
    # zone, local day of the change, open hours that day, duration/interval (minutes),
    # now (local), notice (minutes), the starts offered (local).
    pytest.param(
        "America/Chicago", "2026-11-01", ("00:00", "04:00"), (30, 30),
        "2026-11-01T00:00-05:00", 180,
        # 00:00 CDT + 3 h elapsed = 02:00 CST (on the wall clock that is only 2 h later).
        ["02:00-06:00", "02:30-06:00", "03:00-06:00", "03:30-06:00"],
        id="chicago-fall-back-notice-spans-the-change",
    ),
    pytest.param(
        "America/Chicago", "2026-11-01", ("00:00", "04:00"), (30, 30),
        "2026-11-01T00:30-05:00", 60,
        # Ends at the first 01:30 (CDT): the whole repeated hour is still ahead, and
        # 01:00 CST, although it reads earlier than 01:30, is later and offered.
        ["01:30-05:00", "01:00-06:00", "01:30-06:00", "02:00-06:00",
         "02:30-06:00", "03:00-06:00", "03:30-06:00"],
        id="chicago-notice-ends-in-the-first-repeated-hour",
    ),
    pytest.param(
        "America/Chicago", "2026-11-01", ("00:00", "04:00"), (30, 30),
        "2026-11-01T00:30-05:00", 120,
        # Ends at the second 01:30 (CST): both 01:00s and the first 01:30 are gone.
        ["01:30-06:00", "02:00-06:00", "02:30-06:00", "03:00-06:00", "03:30-06:00"],
        id="chicago-notice-ends-in-the-second-repeated-hour",
    ),
    pytest.param(
        "America/Chicago", "2026-03-08", ("01:00", "05:00"), (30, 30),
        "2026-03-08T01:00-06:00", 75,
        # 01:00 CST + 75 min = 03:15 CDT (02:15 would be inside the skipped hour).
        ["03:30-05:00", "04:00-05:00", "04:30-05:00"],
        id="chicago-notice-ends-inside-the-spring-gap",
    ),
    pytest.param(
        "Europe/Berlin", "2026-03-29", ("00:00", "05:00"), (30, 30),
        "2026-03-29T00:00+01:00", 90,
        # Ends at 01:30 CET, before the gap: 02:00-03:00 never shows, 03:00 CEST follows.
        ["01:30+01:00", "03:00+02:00", "03:30+02:00", "04:00+02:00", "04:30+02:00"],
        id="berlin-spring-notice-ends-before-the-gap",
    ),
    pytest.param(
        "Europe/Berlin", "2026-03-29", ("00:00", "05:00"), (30, 30),
        "2026-03-29T01:15+01:00", 60,
        # 01:15 CET + 1 h = 03:15 CEST (02:15 does not exist).
        ["03:30+02:00", "04:00+02:00", "04:30+02:00"],
        id="berlin-notice-ends-inside-the-spring-gap",
    ),
    pytest.param(
        "Europe/Berlin", "2026-10-25", ("01:00", "05:00"), (30, 30),
        "2026-10-25T01:00+02:00", 90,
        # Ends at the first 02:30 (CEST); 02:00 CET comes after it.
        ["02:30+02:00", "02:00+01:00", "02:30+01:00", "03:00+01:00",
         "03:30+01:00", "04:00+01:00", "04:30+01:00"],
        id="berlin-notice-ends-in-the-first-repeated-hour",
    ),
    pytest.param(
        "Europe/Berlin", "2026-10-25", ("01:00", "05:00"), (30, 30),
        "2026-10-25T01:00+02:00", 150,
        # Ends at the second 02:30 (CET).
        ["02:30+01:00", "03:00+01:00", "03:30+01:00", "04:00+01:00", "04:30+01:00"],
        id="berlin-notice-ends-in-the-second-repeated-hour",
    ),
    pytest.param(
        "Australia/Lord_Howe", "2026-10-04", ("01:00", "04:00"), (30, 15),
        "2026-10-04T00:45+10:30", 30,
        # Lord Howe skips 02:00-02:30. A meeting at 01:45 ends at 02:45 on the wall clock,
        # 30 minutes later: still inside the window, which is continuous in real time.
        ["01:15+10:30", "01:30+10:30", "01:45+10:30", "02:30+11:00",
         "02:45+11:00", "03:00+11:00", "03:15+11:00", "03:30+11:00"],
        id="lord-howe-spring-notice-ends-before-the-gap",
    ),
    pytest.param(
        "Australia/Lord_Howe", "2026-10-04", ("01:00", "04:00"), (30, 15),
        "2026-10-04T01:00+10:30", 70,
        # 01:00 +10:30 + 70 min = 02:40 +11:00 (02:10 would be inside the gap).
        ["02:45+11:00", "03:00+11:00", "03:15+11:00", "03:30+11:00"],
        id="lord-howe-notice-ends-inside-the-spring-gap",
    ),
    pytest.param(
        "Australia/Lord_Howe", "2026-04-05", ("01:00", "03:00"), (30, 15),
        "2026-04-05T01:00+11:00", 45,
        # Lord Howe repeats 01:30-02:00. Ends at the first 01:45 (+11:00); the second
        # 01:30 and 01:45 (+10:30) are later and offered.
        ["01:45+11:00", "01:30+10:30", "01:45+10:30", "02:00+10:30",
         "02:15+10:30", "02:30+10:30"],
        id="lord-howe-notice-ends-in-the-first-repeated-half-hour",
    ),
    pytest.param(
        "Australia/Lord_Howe", "2026-04-05", ("01:00", "03:00"), (30, 15),
        "2026-04-05T01:00+11:00", 75,
        # Ends at the second 01:45 (+10:30); a wall-clock addition would say 02:15.
        ["01:45+10:30", "02:00+10:30", "02:15+10:30", "02:30+10:30"],
        id="lord-howe-notice-ends-in-the-second-repeated-half-hour",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "day", "hours", "meeting", "now", "notice", "expected"), NOTICE_CASES
)
def test_min_booking_notice_on_the_day_of_a_change(
    zone, day, hours, meeting, now, notice, expected
):
    date = datetime.date.fromisoformat(day)
    weekday = date.isoweekday() % 7  # 0 = Sunday, as OpenHours counts
    people = [person(zone, minutes(hours[0]), minutes(hours[1]), {weekday})]
    earliest = int(datetime.datetime.fromisoformat(now).timestamp()) + notice * MINUTE
    duration, interval = meeting
    # From UTC midnight the day before to two days after: the grid is on whole quarter
    # hours of UTC, which are whole quarter hours in all three zones.
    query = Query(
        utc(f"{date - datetime.timedelta(days=1)} 00:00"),
        utc(f"{date + datetime.timedelta(days=2)} 00:00"),
        duration=duration * MINUTE,
        interval=interval * MINUTE,
        earliest_start=earliest,
    )
    found = find_slots(query, people).slots
    assert [wall(slot.start, zone) for slot in found] == expected
    # The grid point just before the first offered start is inside open hours: the notice,
    # and nothing else, refuses it. And the explanation agrees with the search everywhere.
    refused = explain_start(query, people, found[0].start - interval * MINUTE)
    assert not refused.available
    assert [r.reason for r in refused.reasons] == [MIN_BOOKING_NOTICE]
    offered = {slot.start for slot in found}
    grid = range(query.start_time, query.end_time - query.duration + 1, query.interval)
    assert [t for t in grid if explain_start(query, people, t).available] == sorted(offered)
