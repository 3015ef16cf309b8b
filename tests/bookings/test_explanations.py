"""Explain and booking judge a start by the same rule (DESIGN.md invariant 2)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.explanations import explain

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = dt.datetime(2026, 12, 7, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=dt.UTC), tick=False):
        yield


def at(hour, minute=0) -> int:
    return int(MONDAY.replace(hour=hour, minute=minute).timestamp())


@pytest.mark.parametrize(("minute", "offered"), [(0, True), (20, True), (25, False), (22, False)])
def test_explain_and_booking_agree_on_the_window_grid_of_ten_minutes_from_09_00(
    api, make_configuration, minute, offered
):
    configuration = make_configuration(duration_minutes=30, interval_minutes=10, round_to=15)
    explanation = explain(configuration, at(10, minute))
    assert explanation.available is offered
    if not offered:
        assert [r.reason for r in explanation.reasons] == ["off_interval"]
    response = api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {"start_time": at(10, minute), "guest": {"name": "G", "email": "g@example.com"}},
        format="json",
    )
    assert (response.status_code == 200) is offered
