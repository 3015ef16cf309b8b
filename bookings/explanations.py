"""Why a start is or is not offered, for the explain endpoint and the admin."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bookings.availability import BUFFER, BUSY, Explanation, explain_start
from bookings.availability_loader import load_engine_input
from pages.models import Configuration, Event
from pages.unix_time import from_unix, to_unix


def explain(
    configuration: Configuration,
    start: int,
    *,
    now: dt.datetime | None = None,
    name_events: bool = False,
) -> Explanation:
    """The engine's reasons for exactly [start, start + duration), on fresh data, with the
    configuration's grid (its open-hours windows'), as bookings use it. With
    ``name_events`` (the API), a busy time that is an event (a remote calendar's
    included) is named in its detail: its title and its calendar. (The admin links the
    event itself.)"""
    duration = configuration.duration_minutes * 60
    data = load_engine_input(configuration, start, start + duration, now=now)
    explanation = explain_start(data.query, data.participants, start)
    if not name_events:
        return explanation
    return _named(explanation, data, start, start + duration)


def _named(explanation: Explanation, data, start: int, end: int) -> Explanation:
    """Each participant's busy reasons, in the order the engine gives them (their busy
    intervals sorted), with the event behind each interval that is one."""
    low, high = start - data.query.buffer_before, end + data.query.buffer_after
    if not any(r.reason in (BUSY, BUFFER) and r.email for r in explanation.reasons):
        return explanation
    calendars = {
        calendar_id: member.email for member in data.roster for calendar_id in member.calendar_ids
    }
    events = (
        Event.objects.filter(
            calendar_id__in=list(calendars),
            start__lt=from_unix(high),
            end__gt=from_unix(low),
            busy=True,
        )
        .exclude(status=Event.Status.CANCELLED)
        .select_related("calendar")
    )
    by_span: dict = {}
    for event in events:
        key = (calendars[event.calendar_id], to_unix(event.start), to_unix(event.end))
        by_span.setdefault(key, event)
    intervals = {
        person.email: [(s, e) for s, e in sorted(person.busy) if s < high and e > low]
        for person in data.participants
    }
    reasons = []
    for reason in explanation.reasons:
        if reason.reason in (BUSY, BUFFER) and reason.email and intervals.get(reason.email):
            span = intervals[reason.email].pop(0)
            event = by_span.get((reason.email, *span))
            if event is not None:
                title = event.title or "Busy"
                reason = dataclasses.replace(
                    reason, detail=f"{reason.detail}: “{title}” in {event.calendar.name}"
                )
        reasons.append(reason)
    return dataclasses.replace(explanation, reasons=tuple(reasons))


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
