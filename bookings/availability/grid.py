"""Where the grid of candidate starts begins.

Nylas v2 ``round_start`` and v3 ``round_to`` promise starts on "round" wall-clock times
(:00, :15, :30 ...) rather than at whatever second the request began. "Round" is a
wall-clock notion, so it is decided in the organiser's zone: in Asia/Kolkata (+05:30) a
slot at 10:00 local is at 04:30 UTC, which a UTC-based rounding would never produce.
"""

from __future__ import annotations

from .open_hours import DAY, utc_offset


def _first_offset_change(zone_name: str, low: int, high: int) -> int | None:
    """The first instant in ``(low, high]`` whose UTC offset differs from the one at
    ``low``, or None if the offset at ``high`` equals the one at ``low`` (the span is then
    assumed to contain no change: ``high - low`` is at most a day)."""
    start_offset = utc_offset(zone_name, low)
    if utc_offset(zone_name, high) == start_offset:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if utc_offset(zone_name, middle) == start_offset:
            low = middle
        else:
            high = middle
    return high


def grid_origin(start_time: int, align_minutes: int | None, timezone: str | None) -> int:
    """The first candidate start of a search.

    With ``align_minutes`` None the grid is anchored at the request's ``start_time``.
    Otherwise: the first instant at or after ``start_time`` whose local wall-clock time in
    ``timezone`` (UTC when None) is a whole multiple of ``align_minutes`` after local
    midnight, with zero seconds. Multiples restart at each local midnight, so with an
    alignment that does not divide a day (say 25 minutes) midnight itself still counts.

    DST: while the offset is constant, local time runs with UTC, so the next aligned local
    time is reached after ``step`` seconds. If the offset changes before then, the wall
    clock jumps (forward or back); we restart the computation at the change instant, whose
    local time may itself be aligned (e.g. 03:00 right after a spring-forward gap).
    """
    if align_minutes is None:
        return start_time
    if align_minutes <= 0:
        raise ValueError("align_minutes must be positive")
    align = align_minutes * 60
    zone_name = timezone or "UTC"
    instant = start_time
    while True:
        offset = 0 if timezone is None else utc_offset(zone_name, instant)
        second_of_day = (instant + offset) % DAY
        remainder = second_of_day % align
        if remainder == 0:
            return instant
        wait = min(align - remainder, DAY - second_of_day)
        candidate = instant + wait
        change = None if timezone is None else _first_offset_change(zone_name, instant, candidate)
        if change is None:
            return candidate
        instant = change
