"""Issue #18's "Done when", on a real Radicale: a grant connected through the API shows the
server's calendars; a weekly meeting that began two years before the pass, with one
occurrence moved across the spring DST change, blocks exactly the right instants (the
events stored and the free-busy the availability loader reads); an event added on the
server is respected by the next pass.

The pass runs at a fixed "now" (2027-03-20, eight days before Berlin's clocks go forward on
2027-03-28), so the expected instants are written out by hand in UTC, not computed."""

from __future__ import annotations

import datetime as dt

import pytest

from pages.models import Event, Grant
from pages.sync import passes
from tests.caldav_server import event

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 20, 12, 0, tzinfo=UTC)

BERLIN = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""

# Every Tuesday 10:00-11:00 in Berlin since 2025-03-18; the occurrence of Tuesday
# 2027-03-23 (still winter time) moved to Monday 2027-03-29 15:00-16:00 (summer time).
WEEKLY = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//scheduler tests//EN\r\n"
    + BERLIN
    + "BEGIN:VEVENT\r\nUID:weekly-sync\r\nDTSTAMP:20250301T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20250318T100000\r\n"
    "DTEND;TZID=Europe/Berlin:20250318T110000\r\n"
    "RRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly sync\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:weekly-sync\r\nDTSTAMP:20270301T000000Z\r\n"
    "RECURRENCE-ID;TZID=Europe/Berlin:20270323T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20270329T150000\r\n"
    "DTEND;TZID=Europe/Berlin:20270329T160000\r\n"
    "SUMMARY:Weekly sync (moved)\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def hour(start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return start, start + dt.timedelta(hours=1)


# The pass's window: from a day before NOW to 30 days ahead plus the 14-day margin.
EXPECTED = [
    hour(utc(2027, 3, 29, 13)),  # the moved one: 15:00 CEST
    hour(utc(2027, 3, 30, 8)),  # 10:00 CEST from here on
    hour(utc(2027, 4, 6, 8)),
    hour(utc(2027, 4, 13, 8)),
    hour(utc(2027, 4, 20, 8)),
    hour(utc(2027, 4, 27, 8)),
]


def busy(grant: Grant) -> list[tuple[dt.datetime, dt.datetime]]:
    return sorted(
        Event.objects.filter(calendar__grant=grant).values_list("start", "end").order_by()
    )


def free_busy(api, api_key, grant, start, end) -> list[tuple[dt.datetime, dt.datetime]]:
    answer = api.post(
        f"/v3/grants/{grant.pk}/calendars/free-busy",
        {
            "start_time": int(start.timestamp()),
            "end_time": int(end.timestamp()),
            "emails": [grant.email],
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 200, answer.content
    (found,) = answer.json()["data"]
    return [
        (
            dt.datetime.fromtimestamp(s["start_time"], UTC),
            dt.datetime.fromtimestamp(s["end_time"], UTC),
        )
        for s in found["time_slots"]
    ]


def test_a_weekly_meeting_of_two_years_moved_across_dst_blocks_exactly_its_instants(
    api, api_key, caldav
):
    work = caldav.make_calendar("work", "Work")
    caldav.make_calendar("home", "Home")
    caldav.put_event(work, "weekly-sync", WEEKLY)

    answer = api.post(
        "/v3/connect/custom",
        {
            "provider": "caldav",
            "settings": {
                "url": caldav.server_url,
                "username": caldav.username,
                "password": caldav.password,
            },
            "email": "organizer@example.com",
            "timezone": "Asia/Kolkata",
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 200, answer.content
    grant = Grant.objects.get(pk=answer.json()["data"]["id"])
    listed = api.get(
        f"/v3/grants/{grant.pk}/calendars", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    ).json()["data"]
    assert sorted(c["name"] for c in listed) == ["Home", "Work"]

    outcome = passes.sync_grant(grant, now=NOW)

    assert outcome.errors == [] and outcome.skipped == []
    assert busy(grant) == EXPECTED
    window = passes.window(NOW)
    assert free_busy(api, api_key, grant, *window) == EXPECTED
    # Not at the Tuesday the meeting was moved from, nor at 09:00 UTC after the change.
    assert free_busy(api, api_key, grant, utc(2027, 3, 23), utc(2027, 3, 24)) == []
    assert free_busy(api, api_key, grant, utc(2027, 4, 6, 9), utc(2027, 4, 6, 10)) == []
    titles = dict(Event.objects.filter(calendar__grant=grant).values_list("start", "title"))
    assert titles[utc(2027, 3, 29, 13)] == "Weekly sync (moved)"
    assert titles[utc(2027, 4, 6, 8)] == "Weekly sync"

    # A new event on the server: the next pass stores it, the rest unchanged.
    caldav.put_event(
        work, "dentist", event("dentist", "20270331T143000Z", "20270331T151500Z", "Dentist")
    )
    later = NOW + dt.timedelta(minutes=5)

    outcome = passes.sync_grant(grant, now=later)

    assert outcome.errors == [] and outcome.fetched == 1
    dentist = (utc(2027, 3, 31, 14, 30), utc(2027, 3, 31, 15, 15))
    assert busy(grant) == sorted([*EXPECTED, dentist])
    assert dentist in free_busy(api, api_key, grant, *window)
