"""The expansion against an oracle: hypothesis draws recurring series, the icalendar package
writes them as text, and pages.sync.expansion's busy intervals must equal a brute-force
expansion with dateutil.rrule and zoneinfo (tests/pages/sync/oracle.py, not the library the
code uses)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pages.sync.expansion import busy_intervals
from tests.pages.sync.oracle import oracle, recurring_series, render


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(series=recurring_series())
def test_expansion_blocks_exactly_what_a_brute_force_dateutil_expansion_blocks(series):
    text = render(series)
    result = busy_intervals(
        text,
        window_start=series.window_start,
        window_end=series.window_end,
        calendar_zone=series.zone,
    )
    assert result.skipped == ()
    assert [(o.start, o.end) for o in result.busy] == oracle(series), text
