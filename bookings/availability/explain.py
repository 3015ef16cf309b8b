"""Why a start is (not) offered.

``explain_start`` evaluates the rules of ``find_slots`` for a single start, directly and
without the interval machinery, and names every cause it finds. It must agree with the
search (``available`` exactly when the start is among the found slots); the tests check
that as a property, which also makes this module a second, independent implementation.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from .engine import collective_pieces, person_pieces, validate
from .model import (
    BEYOND_AVAILABLE_DAYS,
    BUFFER,
    BUSY,
    CAPACITY_FULL,
    COLLECTIVE,
    EXDATE,
    MAX_FAIRNESS,
    MIN_BOOKING_NOTICE,
    NOT_NEXT_IN_ROUND_ROBIN,
    OFF_INTERVAL,
    OUTSIDE_OPEN_HOURS,
    OUTSIDE_RANGE,
    Explanation,
    OpenHours,
    Participant,
    Query,
    Reason,
)
from .open_hours import open_spans
from .rules import grid_anchor, on_grid, queue
from .windows import Piece, on_pieces, piece_containing

_UTC = datetime.UTC


def _time(instant: int, fmt: str) -> str:
    moment = datetime.datetime.fromtimestamp(instant, _UTC)
    return moment.strftime(fmt if moment.second == 0 else fmt + ":%S")


def format_instant(instant: int) -> str:
    """``2026-03-09 14:00 UTC``."""
    return _time(instant, "%Y-%m-%d %H:%M") + " UTC"


def format_span(start: int, end: int) -> str:
    """``2026-03-09 14:00–15:00 UTC`` (the date repeated only when the span crosses it)."""
    begins = _time(start, "%Y-%m-%d %H:%M")
    ends = _time(end, "%H:%M" if start // 86_400 == end // 86_400 else "%Y-%m-%d %H:%M")
    return f"{begins}–{ends} UTC"


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _overlaps(low: int, high: int, start: int, end: int) -> bool:
    return start < end and start < high and low < end


def _window_reasons(query: Query, start: int) -> list[Reason]:
    end = start + query.duration
    reasons: list[Reason] = []
    if start < query.start_time or end > query.end_time:
        detail = f"outside the search range {format_span(query.start_time, query.end_time)}"
        reasons.append(Reason(None, OUTSIDE_RANGE, detail))
    if query.round_to is None and not on_grid(query, start):
        anchor = format_instant(grid_anchor(query))
        detail = f"starts are every {_minutes(query.interval)} from {anchor}"
        reasons.append(Reason(None, OFF_INTERVAL, detail))
    if query.earliest_start is not None and start < query.earliest_start:
        detail = f"the earliest bookable start is {format_instant(query.earliest_start)}"
        reasons.append(Reason(None, MIN_BOOKING_NOTICE, detail))
    if query.latest_start is not None and start >= query.latest_start:
        detail = f"starts must be before {format_instant(query.latest_start)}"
        reasons.append(Reason(None, BEYOND_AVAILABLE_DAYS, detail))
    return reasons


def _seat_reasons(query: Query, start: int) -> list[Reason]:
    """Group events: the same slot may be booked again until full; any other existing
    booking that meets the buffered window blocks the start like busy time."""
    if query.capacity <= 1:
        return []
    end = start + query.duration
    low, high = start - query.buffer_before, end + query.buffer_after
    reasons: list[Reason] = []
    taken = 0
    for seat in query.seats:
        if seat.start == start and seat.end == end:
            taken += seat.taken
        elif _overlaps(start, end, seat.start, seat.end):
            detail = f"existing booking {format_span(seat.start, seat.end)}"
            reasons.append(Reason(None, BUSY, detail))
        elif _overlaps(low, high, seat.start, seat.end):
            detail = f"existing booking {format_span(seat.start, seat.end)} is within the buffer"
            reasons.append(Reason(None, BUFFER, detail))
    if taken >= query.capacity:
        reasons.append(Reason(None, CAPACITY_FULL, f"all {query.capacity} seats are taken"))
    return reasons


def _covers(entries: tuple[OpenHours, ...], start: int, end: int) -> bool:
    return open_spans(entries, start, end) == [(start, end)]


def _open_hours_reason(person: Participant, start: int, end: int) -> Reason | None:
    entries = person.open_hours
    if not entries or _covers(entries, start, end):
        return None
    if any(entry.exdates for entry in entries):
        without_exdates = tuple(dataclasses.replace(e, exdates=frozenset()) for e in entries)
        if _covers(without_exdates, start, end):
            hit = sorted({date.isoformat() for date in _exdates_hit(entries, start, end)})
            dates = ", ".join(hit) if hit else "a date in this slot"
            return Reason(person.email, EXDATE, f"{dates} is excluded from open hours")
    gap_start, gap_end = _first_gap(open_spans(entries, start, end), start, end)
    detail = f"{format_span(gap_start, gap_end)} is outside open hours"
    return Reason(person.email, OUTSIDE_OPEN_HOURS, detail)


def _exdates_hit(entries: tuple[OpenHours, ...], start: int, end: int) -> list[datetime.date]:
    """The exdates on which the slot's start or end (last second) falls, in each zone."""
    hit = []
    for entry in entries:
        for instant in (start, end - 1):
            local = datetime.datetime.fromtimestamp(instant, ZoneInfo(entry.timezone))
            if local.date() in entry.exdates:
                hit.append(local.date())
    return hit


def _first_gap(covered: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    cursor = start
    for span_start, span_end in covered:
        if span_start > cursor:
            return cursor, span_start
        cursor = max(cursor, span_end)
    return cursor, end


def _person_reasons(query: Query, person: Participant, start: int) -> list[Reason]:
    end = start + query.duration
    reasons: list[Reason] = []
    open_reason = _open_hours_reason(person, start, end)
    if open_reason is not None:
        reasons.append(open_reason)
    low, high = start - query.buffer_before, end + query.buffer_after
    for busy_start, busy_end in sorted(person.busy):
        if _overlaps(start, end, busy_start, busy_end):
            reasons.append(Reason(person.email, BUSY, f"busy {format_span(busy_start, busy_end)}"))
        elif _overlaps(low, high, busy_start, busy_end):
            detail = f"busy {format_span(busy_start, busy_end)} is within the buffer"
            reasons.append(Reason(person.email, BUFFER, detail))
    return reasons


def _off_window_grid(
    query: Query, pieces: list[Piece], start: int, email: str | None
) -> Reason | None:
    """A configuration's start inside open hours but not on its window's grid."""
    if on_pieces(pieces, query.interval, start):
        return None
    piece = piece_containing(pieces, start)
    if piece is None:
        detail = f"starts are every {_minutes(query.interval)} from each window's first"
        detail += f" round {query.round_to}-minute time"
    else:
        detail = f"starts are every {_minutes(query.interval)} from {format_instant(piece[0])}"
    return Reason(email, OFF_INTERVAL, detail)


def explain_start(query: Query, participants: Sequence[Participant], start: int) -> Explanation:
    """Whether ``start`` would be offered, to whom, and every reason against it.

    Reasons with ``email`` None concern the slot as a whole (range, grid, notice bounds,
    group bookings) and come first; the others concern one participant, in input order
    for collective and queue order for round-robin. Under max-fairness a free person who
    is not among the least recently booked gets ``not_next_in_round_robin``. A round-robin
    start can be available and still carry reasons: they say who was left out and why.
    """
    validate(query)
    end = start + query.duration
    reasons = _window_reasons(query, start) + _seat_reasons(query, start)
    slot_ok = not reasons
    slot_reasons = len(reasons)
    free: list[str] = []
    windowed = query.round_to is not None
    if query.method == COLLECTIVE:
        for person in participants:
            person_reasons = _person_reasons(query, person, start)
            reasons.extend(person_reasons)
            if not person_reasons:
                free.append(person.email)
        if windowed and participants and len(free) == len(participants):
            # Everyone is free: the start must also lie on the grid of the common window
            # (only asked then: outside the common window someone's open hours say why).
            pieces = collective_pieces(query, participants, start, start + 1)
            off_grid = _off_window_grid(query, pieces, start, None)
            if off_grid is not None:
                reasons.insert(slot_reasons, off_grid)  # a reason of the slot: listed first
                slot_ok = False
        everyone = len(free) == len(participants)
        emails = tuple(free) if participants and everyone and slot_ok else ()
        return Explanation(start, end, bool(emails), emails, tuple(reasons))

    ordered = queue(participants, query.method)
    next_up = [person.email for person, eligible in ordered if eligible]
    for person, eligible in ordered:
        person_reasons = _person_reasons(query, person, start)
        if windowed and not person_reasons:
            pieces = person_pieces(query, person.open_hours, start, start + 1)
            off_grid = _off_window_grid(query, pieces, start, person.email)
            if off_grid is not None:
                person_reasons.append(off_grid)
        reasons.extend(person_reasons)
        if person_reasons:
            continue
        if eligible:
            free.append(person.email)
        elif query.method == MAX_FAIRNESS:
            detail = f"free, but booked more recently than {', '.join(next_up)}"
            reasons.append(Reason(person.email, NOT_NEXT_IN_ROUND_ROBIN, detail))
    emails = tuple(free) if slot_ok else ()
    return Explanation(start, end, bool(emails), emails, tuple(reasons))
