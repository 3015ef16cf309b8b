"""The oracle end to end: hypothesis draws a recurring series (tests/pages/sync/oracle.py:
daily, weekly or monthly, INTERVAL, COUNT or UNTIL, BYDAY, EXDATEs, moved and cancelled
overrides, DST zones of both hemispheres and half- and quarter-hour ones, floating and
all-day), the test PUTs it on Radicale, a sync pass reads it back over CalDAV, and the busy
intervals stored as the grant's events must be exactly what a brute-force dateutil.rrule
expansion of the series gives over the pass's window.

A second pass, days later with nothing changed on the server, must match the brute force
over its rolled window too (the stored objects expanded again, none fetched).

The same series served as an iCal feed by a loopback server goes through the feed's pass.

Each example has a Radicale user, a calendar and a grant of its own (in the calendar's
zone: floating and all-day times are read in it), and a pass at a "now" the series draws.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pages.models import Event
from pages.sync import passes
from tests.pages.sync.oracle import oracle, recurring_series, render
from tests.pages.sync.web import FeedBody, feed_handler

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(series=recurring_series(), roll=st.integers(2, 120))
def test_a_synced_series_blocks_exactly_what_a_brute_force_expansion_blocks(
    radicale, loopback_destinations, connect_grant, series, roll
):
    now = series.window_start + passes.PAST
    start, end = passes.window(now)
    series = dataclasses.replace(series, window_start=start, window_end=end)
    user = radicale.new_user()
    calendar_url = user.make_calendar("oracle", "Oracle")
    text = render(series)
    status, _headers, said = user.request(
        "PUT", f"{calendar_url}series.ics", text, {"Content-Type": "text/calendar"}
    )
    # Radicale's own validation refused a document once, while hypothesis was shrinking
    # after an unrelated failure (not reproduced since): such a draw proves nothing about
    # the sync, so it is set aside rather than failed.
    assume(status != 400)
    assert status == 201, (status, said)
    values = {"url": user.server_url, "username": user.username, "password": user.password}
    grant = connect_grant("caldav", values, series.zone)

    outcome = passes.sync_grant(grant, now=now)

    assert outcome.errors == [] and outcome.skipped == [], outcome
    stored = sorted(
        Event.objects.filter(calendar__grant=grant).values_list("start", "end").order_by()
    )
    assert stored == oracle(series), text

    # Days later, nothing changed on the server: the window has rolled, the stored text is
    # expanded again over the new one (no object fetched), and still matches.
    later = now + dt.timedelta(days=roll)
    start, end = passes.window(later)
    rolled = dataclasses.replace(series, window_start=start, window_end=end)

    outcome = passes.sync_grant(grant, now=later)

    assert outcome.errors == [] and outcome.fetched == 0, outcome
    stored = sorted(
        Event.objects.filter(calendar__grant=grant).values_list("start", "end").order_by()
    )
    assert stored == oracle(rolled), text
    grant.delete()


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(series=recurring_series())
def test_a_series_in_an_ical_feed_blocks_exactly_what_a_brute_force_expansion_blocks(
    web, connect_grant, series
):
    now = series.window_start + passes.PAST
    start, end = passes.window(now)
    series = dataclasses.replace(series, window_start=start, window_end=end)
    body = FeedBody(render(series))
    server = web(feed_handler(body))
    grant = connect_grant("ics", {"urls": [f"{server.url}feed.ics"]}, series.zone)

    outcome = passes.sync_grant(grant, now=now)

    assert outcome.errors == [] and outcome.skipped == [], outcome
    stored = sorted(
        Event.objects.filter(calendar__grant=grant).values_list("start", "end").order_by()
    )
    assert stored == oracle(series), body.text
    grant.delete()
