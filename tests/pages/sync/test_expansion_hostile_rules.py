"""A recurrence rule no calendar should hold, from a feed or a server that lets it through:
skipped and recorded, in bounded time, never a pass that spins for ever (dateutil's rrule
never advances with INTERVAL=0)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from pages.sync.expansion import busy_intervals

UTC = dt.UTC


def document(rule: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:bad\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\n"
        f"{rule}\r\nSUMMARY:Bad\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:good\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20270106T100000Z\r\nDTEND:20270106T110000Z\r\nSUMMARY:Good\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize(
    "rule",
    ["RRULE:FREQ=WEEKLY;INTERVAL=0", "RRULE:FREQ=DAILY;INTERVAL=-2;COUNT=3"],
)
def test_a_rule_with_an_interval_below_one_is_skipped_in_bounded_time(rule):
    result = []
    worker = threading.Thread(
        target=lambda: result.append(
            busy_intervals(
                document(rule),
                window_start=dt.datetime(2027, 1, 1, tzinfo=UTC),
                window_end=dt.datetime(2027, 2, 1, tzinfo=UTC),
                calendar_zone="UTC",
            )
        ),
        daemon=True,
    )
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the expansion of the rule did not end"
    (expanded,) = result
    assert [o.summary for o in expanded.busy] == ["Good"]
    assert [s.uid for s in expanded.skipped] == ["bad"]
    assert "INTERVAL" in expanded.skipped[0].reason
