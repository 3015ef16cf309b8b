"""Why a start is or is not offered, for the explain endpoint and the admin."""

from __future__ import annotations

import datetime as dt

from bookings.availability import Explanation, explain_start
from bookings.availability_loader import load_engine_input
from pages.models import Configuration


def explain(
    configuration: Configuration, start: int, *, now: dt.datetime | None = None
) -> Explanation:
    """The engine's reasons for exactly [start, start + duration), on fresh data, with the
    configuration's grid (its open-hours windows'), as bookings use it."""
    duration = configuration.duration_minutes * 60
    data = load_engine_input(configuration, start, start + duration, now=now)
    return explain_start(data.query, data.participants, start)


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
