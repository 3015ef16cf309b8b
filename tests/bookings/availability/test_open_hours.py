"""open_spans on concrete days: DST gaps, repeated hours, odd offsets, exdates.

Every expectation is a UTC instant worked out by hand from the zone's rules (noted next to
each case), so a wrong reading of the rules fails here with a readable diff.
"""

from __future__ import annotations

import datetime

import pytest

from bookings.availability import OpenHours, open_spans

ALL_DAYS = frozenset(range(7))
SUNDAY, MONDAY, SATURDAY = 0, 1, 6
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def utc(text: str) -> int:
    """``"2026-03-08 07:00"`` read as UTC, in Unix seconds."""
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def hours(start: str, end: str, zone: str, days=ALL_DAYS, exdates=()) -> OpenHours:
    def minutes(text: str) -> int:
        hour, minute = text.split(":")
        return int(hour) * 60 + int(minute)

    return OpenHours(frozenset(days), minutes(start), minutes(end), zone, frozenset(exdates))


def spans(*pairs: tuple[str, str]) -> list[tuple[int, int]]:
    return [(utc(start), utc(end)) for start, end in pairs]


@pytest.mark.parametrize(
    ("entry", "window", "expected"),
    [
        pytest.param(
            # 02:00 CST jumps to 03:00 CDT at 08:00 UTC: 01:00 CST = 07:00Z, 04:00 CDT = 09:00Z.
            hours("01:00", "04:00", "America/Chicago", {SUNDAY}),
            ("2026-03-07 00:00", "2026-03-10 00:00"),
            [("2026-03-08 07:00", "2026-03-08 09:00")],
            id="chicago-spring-window-over-the-gap-is-2h",
        ),
        pytest.param(
            # 02:00 CDT falls back to 01:00 CST at 07:00 UTC: 01:00 CDT = 06:00Z,
            # 02:00 CST = 08:00Z, so both 01:00 hours are inside.
            hours("01:00", "02:00", "America/Chicago", {SUNDAY}),
            ("2026-10-31 00:00", "2026-11-03 00:00"),
            [("2026-11-01 06:00", "2026-11-01 08:00")],
            id="chicago-fall-repeated-hour-counts-twice",
        ),
        pytest.param(
            hours("01:00", "01:30", "America/Chicago", {SUNDAY}),
            ("2026-10-31 00:00", "2026-11-03 00:00"),
            [("2026-11-01 06:00", "2026-11-01 06:30"), ("2026-11-01 07:00", "2026-11-01 07:30")],
            id="chicago-fall-half-hour-twice",
        ),
        pytest.param(
            hours("00:30", "02:00", "America/Chicago", {SUNDAY}),
            ("2026-10-31 00:00", "2026-11-03 00:00"),
            [("2026-11-01 05:30", "2026-11-01 08:00")],
            id="chicago-fall-2h30",
        ),
        pytest.param(
            # CET 02:00 jumps to CEST 03:00 at 01:00 UTC: 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z.
            hours("01:00", "04:00", "Europe/Berlin", {SUNDAY}),
            ("2026-03-28 00:00", "2026-03-31 00:00"),
            [("2026-03-29 00:00", "2026-03-29 02:00")],
            id="berlin-spring",
        ),
        pytest.param(
            hours("02:00", "03:00", "Europe/Berlin", {SUNDAY}),
            ("2026-03-28 00:00", "2026-03-31 00:00"),
            [],
            id="berlin-spring-window-entirely-in-the-gap",
        ),
        pytest.param(
            # CEST 03:00 falls back to CET 02:00 at 01:00 UTC: 02:00 CEST = 00:00Z,
            # 03:00 CET = 02:00Z.
            hours("02:00", "03:00", "Europe/Berlin", {SUNDAY}),
            ("2026-10-24 00:00", "2026-10-27 00:00"),
            [("2026-10-25 00:00", "2026-10-25 02:00")],
            id="berlin-fall",
        ),
        pytest.param(
            # Lord Howe falls back 30 minutes: 02:00 +11 -> 01:30 +10:30 at 15:00 UTC.
            # 01:30 +11 = 14:30Z; the repeated half hour follows; 02:00 +10:30 = 15:30Z.
            hours("01:30", "02:00", "Australia/Lord_Howe", {SUNDAY}),
            ("2026-04-03 00:00", "2026-04-06 00:00"),
            [("2026-04-04 14:30", "2026-04-04 15:30")],
            id="lord-howe-fall-30-minutes",
        ),
        pytest.param(
            # Lord Howe springs forward 30 minutes: 02:00 +10:30 -> 02:30 +11 at 15:30 UTC.
            hours("02:00", "03:00", "Australia/Lord_Howe", {SUNDAY}),
            ("2026-10-02 00:00", "2026-10-05 00:00"),
            [("2026-10-03 15:30", "2026-10-03 16:00")],
            id="lord-howe-spring-30-minutes",
        ),
        pytest.param(
            # Santiago falls back at 24:00 -03 on Saturday (03:00 UTC Sunday) to 23:00 -04:
            # Saturday has two 23:xx hours, 23:00 -03 = 02:00Z to 24:00 -04 = 04:00Z.
            hours("23:00", "24:00", "America/Santiago", {SATURDAY}),
            ("2026-04-03 00:00", "2026-04-07 00:00"),
            [("2026-04-05 02:00", "2026-04-05 04:00")],
            id="santiago-fall-two-23h-hours",
        ),
        pytest.param(
            # ... and that Saturday is 25 hours long (00:00 -03 = 03:00Z to 24:00 -04 = 04:00Z).
            hours("00:00", "24:00", "America/Santiago", {SATURDAY}),
            ("2026-04-03 00:00", "2026-04-07 00:00"),
            [("2026-04-04 03:00", "2026-04-05 04:00")],
            id="santiago-fall-25h-saturday",
        ),
        pytest.param(
            # Santiago springs forward at 24:00 -04 (04:00 UTC): Sunday starts at 01:00 -03.
            hours("00:00", "02:00", "America/Santiago", {SUNDAY}),
            ("2026-09-04 00:00", "2026-09-08 00:00"),
            [("2026-09-06 04:00", "2026-09-06 05:00")],
            id="santiago-spring-day-starts-at-1am",
        ),
        pytest.param(
            hours("00:00", "24:00", "America/Santiago", {SUNDAY}),
            ("2026-09-04 00:00", "2026-09-08 00:00"),
            [("2026-09-06 04:00", "2026-09-07 03:00")],
            id="santiago-spring-23h-sunday",
        ),
        pytest.param(
            # Chatham: +13:45 until 03:45 local on 2026-04-05 (14:00 UTC), then +12:45.
            hours("09:00", "10:00", "Pacific/Chatham", {SATURDAY, MONDAY}),
            ("2026-04-03 00:00", "2026-04-07 00:00"),
            [("2026-04-03 19:15", "2026-04-03 20:15"), ("2026-04-05 20:15", "2026-04-05 21:15")],
            id="chatham-quarter-hour-offsets",
        ),
        pytest.param(
            # St. John's: -03:30 before 2026-03-08, -02:30 after.
            hours("09:00", "17:00", "America/St_Johns", WEEKDAYS),
            ("2026-03-06 00:00", "2026-03-10 00:00"),
            [("2026-03-06 12:30", "2026-03-06 20:30"), ("2026-03-09 11:30", "2026-03-09 19:30")],
            id="st-johns-half-hour-offset-both-sides",
        ),
        pytest.param(
            hours("09:00", "17:00", "Asia/Kolkata", WEEKDAYS),
            ("2026-03-09 00:00", "2026-03-10 00:00"),
            [("2026-03-09 03:30", "2026-03-09 11:30")],
            id="kolkata-plus-5-30",
        ),
        pytest.param(
            # Exdates are local dates: 00:00-02:00 IST on 2026-03-10 is still 2026-03-09 in UTC.
            hours("00:00", "02:00", "Asia/Kolkata", ALL_DAYS, {datetime.date(2026, 3, 10)}),
            ("2026-03-08 12:00", "2026-03-11 12:00"),
            [("2026-03-08 18:30", "2026-03-08 20:30"), ("2026-03-10 18:30", "2026-03-10 20:30")],
            id="exdate-is-a-local-date",
        ),
        pytest.param(
            # The window starts exactly at the transition: the offset there is the new one
            # (03:00 CDT = 08:00 UTC), not the old one.
            hours("03:00", "04:00", "America/Chicago", {SUNDAY}),
            ("2026-03-08 08:00", "2026-03-08 12:00"),
            [("2026-03-08 08:00", "2026-03-08 09:00")],
            id="window-starting-at-the-transition",
        ),
        pytest.param(
            hours("01:00", "04:00", "America/Chicago", {SUNDAY}),
            ("2026-03-08 07:30", "2026-03-08 08:00"),
            [("2026-03-08 07:30", "2026-03-08 08:00")],
            id="window-ending-at-the-transition",
        ),
    ],
)
def test_open_spans(entry, window, expected):
    assert open_spans((entry,), utc(window[0]), utc(window[1])) == spans(*expected)


def test_nine_to_five_stays_local_on_both_sides_of_dst():
    entry = hours("09:00", "17:00", "America/Chicago", WEEKDAYS)
    # CST (UTC-6) until 2026-03-08: 09:00 = 15:00Z. CDT (UTC-5) after: 09:00 = 14:00Z.
    assert open_spans((entry,), utc("2026-03-06 00:00"), utc("2026-03-10 00:00")) == spans(
        ("2026-03-06 15:00", "2026-03-06 23:00"), ("2026-03-09 14:00", "2026-03-09 22:00")
    )
    # Back to CST on 2026-11-01.
    assert open_spans((entry,), utc("2026-10-30 00:00"), utc("2026-11-03 00:00")) == spans(
        ("2026-10-30 14:00", "2026-10-30 22:00"), ("2026-11-02 15:00", "2026-11-02 23:00")
    )


def test_entries_are_merged_and_clipped():
    monday_late = hours("22:00", "24:00", "Europe/Berlin", {MONDAY})
    tuesday_early = hours("00:00", "02:00", "Europe/Berlin", {2})
    overlapping = hours("23:00", "23:30", "Europe/Berlin", {MONDAY})
    # Monday 2026-03-09 22:00 CET = 21:00Z through Tuesday 02:00 CET = 01:00Z: one span.
    entries = (tuesday_early, monday_late, overlapping)
    assert open_spans(entries, utc("2026-03-09 00:00"), utc("2026-03-11 00:00")) == spans(
        ("2026-03-09 21:00", "2026-03-10 01:00")
    )
    # Clipped to the requested range.
    assert open_spans(entries, utc("2026-03-09 22:15"), utc("2026-03-10 00:10")) == spans(
        ("2026-03-09 22:15", "2026-03-10 00:10")
    )


def test_entries_in_different_zones_are_united():
    berlin = hours("09:00", "10:00", "Europe/Berlin", {MONDAY})  # 08:00-09:00Z
    kolkata = hours("14:00", "15:00", "Asia/Kolkata", {MONDAY})  # 08:30-09:30Z
    assert open_spans((berlin, kolkata), utc("2026-03-09 00:00"), utc("2026-03-10 00:00")) == (
        spans(("2026-03-09 08:00", "2026-03-09 09:30"))
    )


def test_nothing_to_expand():
    entry = hours("09:00", "17:00", "Europe/Berlin")
    assert open_spans((), utc("2026-03-09 00:00"), utc("2026-03-10 00:00")) == []
    assert open_spans((entry,), utc("2026-03-10 00:00"), utc("2026-03-09 00:00")) == []
    assert open_spans((hours("09:00", "17:00", "Europe/Berlin", ()),), 0, 10**6) == []
