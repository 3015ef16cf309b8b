"""The loader hands min_booking_notice to the engine as elapsed time, across DST changes.

The engine's DST table (test_engine_dst.py) takes Query.earliest_start as given; this is
the other half: ``now + notice`` is counted in real minutes, so on a fall-back night two
hours' notice from 00:30 ends at the *second* 01:30, and notice that would end inside a
spring-forward gap on the wall clock ends an hour later by the clock. No database: the
configuration is unsaved and the roster is passed in empty.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.availability_loader import load_engine_input
from pages.models import Configuration


def wall(instant: int, zone: str) -> str:
    local = datetime.datetime.fromtimestamp(instant, ZoneInfo(zone))
    return local.isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("zone", "now", "notice", "earliest"),
    [
        ("America/Chicago", "2026-11-01T00:30-05:00", 60, "2026-11-01T01:30-05:00"),
        ("America/Chicago", "2026-11-01T00:30-05:00", 120, "2026-11-01T01:30-06:00"),
        ("America/Chicago", "2026-03-08T01:00-06:00", 75, "2026-03-08T03:15-05:00"),
        ("Europe/Berlin", "2026-03-29T01:15+01:00", 60, "2026-03-29T03:15+02:00"),
        ("Europe/Berlin", "2026-10-25T01:00+02:00", 150, "2026-10-25T02:30+01:00"),
        ("Australia/Lord_Howe", "2026-10-04T01:00+10:30", 70, "2026-10-04T02:40+11:00"),
        ("Australia/Lord_Howe", "2026-04-05T01:00+11:00", 45, "2026-04-05T01:45+11:00"),
        ("Australia/Lord_Howe", "2026-04-05T01:00+11:00", 75, "2026-04-05T01:45+10:30"),
    ],
)
def test_the_notice_bound_is_now_plus_the_notice_in_elapsed_minutes(zone, now, notice, earliest):
    moment = datetime.datetime.fromisoformat(now)
    configuration = Configuration(timezone=zone, duration_minutes=30, min_booking_notice=notice)
    start = int(moment.timestamp()) - 86_400
    data = load_engine_input(configuration, start, start + 3 * 86_400, now=moment, roster=[])
    assert wall(data.query.earliest_start, zone) == earliest
