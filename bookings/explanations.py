"""Why a start is or is not offered, for the explain endpoint and the admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bookings.availability import Explanation, explain_start
from bookings.availability_loader import load_configuration, on_offer_grid
from pages.models import Configuration


def explain(
    configuration: Configuration, start: int, *, now: dt.datetime | None = None
) -> Explanation:
    """The engine's reasons for exactly [start, start + duration), on fresh data, with the
    grid rule bookings use: a start on the configuration's offer grid is judged as such,
    any other start is reported off_interval."""
    duration = configuration.duration_minutes * 60
    data = load_configuration(configuration, start, start + duration, now=now)
    query = data.query
    if on_offer_grid(configuration, start):
        query = replace(query, origin=start)
    return explain_start(query, data.participants, start)


def explanation_json(explanation: Explanation) -> dict:
    return {
        "start_time": explanation.start,
        "end_time": explanation.end,
        "available": explanation.available,
        "emails": list(explanation.emails),
        "reasons": [
            {"email": r.email, "reason": r.reason, "detail": r.detail} for r in explanation.reasons
        ],
    }
