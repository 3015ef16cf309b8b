"""The same instants for every guest, every range and the booking check.

A 45-minute page whose organizer is open 09:00-17:00 in Chicago offers 09:00, 09:45,
10:30 ... Chicago time to a guest in Chicago, New York, Berlin, Kolkata (+05:30) or
Kathmandu (+05:45), to an API call that asks from "now" or from any odd second, and the
booking check accepts exactly those; across the March change as well.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Booking

NOW = dt.datetime(2027, 3, 1, 16, 7, 13, tzinfo=dt.UTC)  # Monday, 10:07:13 in Chicago
CHICAGO = ZoneInfo("America/Chicago")
HTMX = {"HTTP_HX_REQUEST": "true"}
VIEWERS = ("America/Chicago", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu")
EXPECTED = ["09:00", "09:45", "10:30", "11:15", "12:00", "12:45", "13:30", "14:15", "15:00"]
EXPECTED.append("15:45")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(
        slug="consult",
        duration_minutes=45,
        timezone="America/Chicago",
        available_days_in_future=30,
    )


def chicago_clock(instant: int) -> str:
    return dt.datetime.fromtimestamp(instant, CHICAGO).strftime("%H:%M")


def chicago_day(instant: int) -> dt.date:
    return dt.datetime.fromtimestamp(instant, CHICAGO).date()


def api_starts(client, start: int, end: int) -> list[int]:
    response = client.get(
        "/v3/scheduling/availability", {"slug": "consult", "start_time": start, "end_time": end}
    )
    assert response.status_code == 200, response.content
    return [slot["start_time"] for slot in response.json()["data"]["time_slots"]]


def page_starts(client, zone: str, day: dt.date) -> list[int]:
    url = f"/book/consult/?tz={zone}&day={day.isoformat()}"
    html = client.get(url, **HTMX, HTTP_HX_TARGET="panel").content.decode()
    return [int(s) for s in re.findall(r'class="slot" href="[^"]*slot=(\d+)', html)]


def seen_by(client, zone: str, chicago_date: dt.date) -> list[int]:
    """The starts a guest in ``zone`` is shown on the Chicago date (which spans two local
    dates in far zones)."""
    local_zone = ZoneInfo(zone)
    days = {
        dt.datetime.combine(chicago_date, dt.time(h), tzinfo=CHICAGO).astimezone(local_zone).date()
        for h in (9, 16)
    }
    seen = set()
    for day in days:
        seen.update(s for s in page_starts(client, zone, day) if chicago_day(s) == chicago_date)
    return sorted(seen)


def test_every_viewer_sees_the_organizers_grid(client, page):
    for zone in VIEWERS:
        seen = seen_by(client, zone, dt.date(2027, 3, 3))
        assert [chicago_clock(s) for s in seen] == EXPECTED, zone


def test_the_api_offers_the_same_instants_from_any_start_time(client, page):
    month_end = int(dt.datetime(2027, 3, 31, tzinfo=dt.UTC).timestamp())
    whole = api_starts(client, int(NOW.timestamp()), month_end)
    assert whole, "the page offers times"
    assert {chicago_clock(s) for s in whole} <= set(EXPECTED)
    for offset in (1, 7 * 60 + 13, 15 * 60, 29 * 60 + 59, 3 * 3600 + 1, 86_400 + 1234):
        start = int(NOW.timestamp()) + offset
        assert api_starts(client, start, month_end) == [s for s in whole if s >= start], offset


def test_the_grid_stays_at_nine_after_the_march_change(client, page):
    # Chicago springs forward on 2027-03-14; the page and the API agree on both sides.
    for day in (dt.date(2027, 3, 12), dt.date(2027, 3, 15)):
        low = int(dt.datetime.combine(day, dt.time(0), tzinfo=CHICAGO).timestamp())
        offered = api_starts(client, low, low + 86_400)
        assert [chicago_clock(s) for s in offered] == EXPECTED, day
        for zone in ("Asia/Kolkata", "America/Chicago", "Australia/Lord_Howe"):
            assert seen_by(client, zone, day) == offered, (day, zone)


def test_the_booking_check_takes_the_grid_and_nothing_else(api, page):
    monday = dt.date(2027, 3, 8)

    def book(hour: int, minute: int):
        start = int(dt.datetime.combine(monday, dt.time(hour, minute), tzinfo=CHICAGO).timestamp())
        return api.post(
            "/v3/scheduling/bookings?slug=consult",
            {"start_time": start, "guest": {"name": "Guest", "email": "guest@example.com"}},
            format="json",
        )

    # 09:15 and 09:30 are local multiples of round_to (15) but not on the page's grid.
    assert book(9, 15).status_code == 409
    assert book(9, 30).status_code == 409
    assert book(9, 45).status_code == 200
    assert Booking.objects.count() == 1
