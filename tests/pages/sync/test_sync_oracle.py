"""The oracle end to end: hypothesis draws a recurring series (tests/pages/sync/oracle.py:
daily, weekly or monthly, INTERVAL, COUNT or UNTIL, BYDAY, EXDATEs, moved and cancelled
overrides, DST zones of both hemispheres and half- and quarter-hour ones, floating and
all-day), the test PUTs it on Radicale, a sync pass reads it back over CalDAV, and the busy
intervals stored as the grant's events must be exactly what a brute-force dateutil.rrule
expansion of the series gives over the pass's window.

Each example has a Radicale user, a calendar and a grant of its own (in the calendar's
zone: floating and all-day times are read in it), and a pass at a "now" the series draws.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from pages.models import Event, Grant
from pages.sync import passes, providers, services
from tests.pages.sync.oracle import oracle, recurring_series, render

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]


def connected_grant(user, zone: str) -> Grant:
    values = {"url": user.server_url, "username": user.username, "password": user.password}
    grant, _token = services.connect_grant(
        provider="caldav",
        values=values,
        found=providers.reach("caldav", values),
        email=f"{user.username}@example.com",
        timezone_name=zone,
    )
    return grant


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(series=recurring_series())
def test_a_synced_series_blocks_exactly_what_a_brute_force_expansion_blocks(
    radicale, loopback_destinations, series
):
    now = series.window_start + passes.PAST
    start, end = passes.window(now)
    series = dataclasses.replace(series, window_start=start, window_end=end)
    user = radicale.new_user()
    calendar_url = user.make_calendar("oracle", "Oracle")
    text = render(series)
    user.put_event(calendar_url, "series", text)
    grant = connected_grant(user, series.zone)

    outcome = passes.sync_grant(grant, now=now)

    assert outcome.errors == [] and outcome.skipped == [], outcome
    stored = sorted(
        Event.objects.filter(calendar__grant=grant).values_list("start", "end").order_by()
    )
    assert stored == oracle(series), text
    grant.delete()
