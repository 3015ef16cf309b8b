"""Expanding open-hours entries into UTC spans.

An open-hours entry is a *wall-clock* rule ("09:00-17:00 Monday to Friday in
America/Chicago"), so its UTC image moves with the zone's offset. The exact meaning used
here: an instant ``u`` is inside an entry when, in the entry's zone, the local weekday of
``u`` is in ``days``, the local date is not an exdate, and the local time of day is in
``[start, end)``. Consequences at DST changes, all intended:

* 09:00-17:00 stays 09:00-17:00 local on both sides of a change (its UTC image shifts);
* on a spring-forward day a window over the gap is shorter (01:00-04:00 on the day
  Chicago skips 02:00-03:00 is two hours long), because the skipped wall-clock times are
  never shown by any instant;
* on a fall-back day a window over the repeated hour covers both occurrences (01:00-01:30
  is two 30-minute spans an hour apart), because two instants show each of those times.

How it is computed, without touching every minute: the zone's history over the requested
range is split into *offset periods* ``[a, b)`` of constant UTC offset ``o``. Inside one
period, local time is simply ``u + o``, so the instants of that period whose local time
falls in a local day's window ``[S, E)`` are ``[S - o, E - o) ∩ [a, b)``. Doing this for
every period and every local day the period shows, then merging, gives the exact union.
Gaps (spring forward) come out naturally because no period shows those local times; the
repeated hour (fall back) is shown by two periods and therefore appears twice.

``zoneinfo`` has no public list of transitions, so we find them: the UTC offset is
sampled at each UTC midnight and, where two consecutive samples differ, the transition
instant is located by bisection on whole seconds. Results are cached per (zone, UTC day),
so repeated searches over the same weeks cost a dictionary lookup per day. A zone that
changes offset twice within one UTC day and returns to where it started would be missed;
no zone in the tz database does that in the modern era.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import OpenHours

DAY = 86_400
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_ONE_SECOND = datetime.timedelta(seconds=1)
# 1970-01-01 (day number 0) was a Thursday; weekdays here count 0 = Sunday.
_THURSDAY = 4

Span = tuple[int, int]
# (period start, period end, UTC offset in seconds) — one stretch of constant offset.
_Period = tuple[int, int, int]


def day_number(date: datetime.date) -> int:
    """Days since 1970-01-01 — the local date as an integer, for cheap arithmetic."""
    return date.toordinal() - _EPOCH_ORDINAL


def weekday_of_day_number(day: int) -> int:
    """Weekday of a day number, 0 = Sunday ... 6 = Saturday (the OpenHours convention)."""
    return (day + _THURSDAY) % 7


def utc_offset(zone_name: str, instant: int) -> int:
    """UTC offset in seconds in force at ``instant`` (the new offset at a transition)."""
    local = datetime.datetime.fromtimestamp(instant, ZoneInfo(zone_name))
    return local.utcoffset() // _ONE_SECOND  # type: ignore[operator]


@lru_cache(maxsize=65_536)
def _offset_at_utc_midnight(zone_name: str, utc_day: int) -> int:
    return utc_offset(zone_name, utc_day * DAY)


@lru_cache(maxsize=65_536)
def _transitions_in_utc_day(zone_name: str, utc_day: int) -> tuple[tuple[int, int], ...]:
    """Offset changes in ``(midnight, next midnight]`` of a UTC day as (instant, new offset).

    Bisection invariant: the offset at ``low`` is ``current`` and at ``high`` is not, so the
    first instant showing another offset is in ``(low, high]``; about 17 probes find it.
    Repeating from there catches a second change in the same day (it happens historically).
    """
    low = utc_day * DAY
    end = low + DAY
    current = _offset_at_utc_midnight(zone_name, utc_day)
    final = _offset_at_utc_midnight(zone_name, utc_day + 1)
    found: list[tuple[int, int]] = []
    while current != final:
        high = end
        while high - low > 1:
            middle = (low + high) // 2
            if utc_offset(zone_name, middle) == current:
                low = middle
            else:
                high = middle
        current = utc_offset(zone_name, high)
        found.append((high, current))
        low = high
    return tuple(found)


def offset_periods(zone_name: str, start: int, end: int) -> list[_Period]:
    """Split ``[start, end)`` into stretches of constant UTC offset in ``zone_name``."""
    if start >= end:
        return []
    periods: list[_Period] = []
    period_start = start
    offset = None
    for utc_day in range(start // DAY, (end - 1) // DAY + 1):
        if offset is None:
            offset = _offset_at_utc_midnight(zone_name, utc_day)
        for instant, new_offset in _transitions_in_utc_day(zone_name, utc_day):
            if instant <= start:
                offset = new_offset  # changed before our range begins: just adopt it
                continue
            if instant >= end:
                break
            periods.append((period_start, instant, offset))
            period_start, offset = instant, new_offset
    periods.append((period_start, end, offset))  # type: ignore[arg-type]
    return periods


@lru_cache(maxsize=4_096)
def _entry_rule(entry: OpenHours) -> tuple[frozenset[int], int, int, frozenset[int]]:
    """The entry in seconds and day numbers (cached: entries are immutable and reused)."""
    excluded = frozenset(day_number(date) for date in entry.exdates)
    return entry.days, entry.start * 60, entry.end * 60, excluded


def _entry_spans(entry: OpenHours, periods: Iterable[_Period], out: list[Span]) -> None:
    days, window_start, window_end, excluded = _entry_rule(entry)
    for period_start, period_end, offset in periods:
        # The local times this period shows: [period_start + offset, period_end + offset).
        local_low = period_start + offset
        local_high = period_end + offset
        for local_day in range(local_low // DAY, (local_high - 1) // DAY + 1):
            if (local_day + _THURSDAY) % 7 not in days or local_day in excluded:
                continue
            midnight = local_day * DAY
            low = max(midnight + window_start, local_low)
            high = min(midnight + window_end, local_high)
            if low < high:
                out.append((low - offset, high - offset))


def merge_spans(spans: list[Span]) -> list[Span]:
    """Sort and merge half-open spans; spans that touch become one."""
    if not spans:
        return []
    spans.sort()
    merged: list[Span] = []
    current_start, current_end = spans[0]
    for span_start, span_end in spans:
        if span_start <= current_end:
            if span_end > current_end:
                current_end = span_end
        else:
            merged.append((current_start, current_end))
            current_start, current_end = span_start, span_end
    merged.append((current_start, current_end))
    return merged


def open_spans(entries: tuple[OpenHours, ...], start: int, end: int) -> list[Span]:
    """The sorted, merged, half-open UTC spans inside ``[start, end)`` that lie in the union
    of ``entries`` (see the module docstring for the exact DST semantics).

    Entries sharing a zone share one offset-period computation.
    """
    if start >= end or not entries:
        return []
    periods_by_zone: dict[str, list[_Period]] = {}
    spans: list[Span] = []
    for entry in entries:
        periods = periods_by_zone.get(entry.timezone)
        if periods is None:
            periods = periods_by_zone[entry.timezone] = offset_periods(entry.timezone, start, end)
        _entry_spans(entry, periods, spans)
    return merge_spans(spans)


ZonedSpan = tuple[int, int, str]


def zoned_spans(entries: tuple[OpenHours, ...], start: int, end: int) -> list[ZonedSpan]:
    """The unmerged spans of ``entries`` inside ``[start, end)``, each with its entry's
    zone (for :func:`merge_zoned_spans`)."""
    if start >= end or not entries:
        return []
    periods_by_zone: dict[str, list[_Period]] = {}
    zoned: list[ZonedSpan] = []
    for entry in entries:
        periods = periods_by_zone.get(entry.timezone)
        if periods is None:
            periods = periods_by_zone[entry.timezone] = offset_periods(entry.timezone, start, end)
        spans: list[Span] = []
        _entry_spans(entry, periods, spans)
        zoned += [(low, high, entry.timezone) for low, high in spans]
    return zoned


def merge_zoned_spans(spans: list[ZonedSpan]) -> list[ZonedSpan]:
    """Like :func:`merge_spans`; a merged span keeps the zone of a span that opens it (the
    alphabetically first zone when several open at the same instant)."""
    if not spans:
        return []
    spans.sort(key=lambda span: (span[0], span[2]))
    merged: list[ZonedSpan] = []
    current_start, current_end, current_zone = spans[0]
    for span_start, span_end, zone in spans:
        if span_start <= current_end:
            if span_end > current_end:
                current_end = span_end
        else:
            merged.append((current_start, current_end, current_zone))
            current_start, current_end, current_zone = span_start, span_end, zone
    merged.append((current_start, current_end, current_zone))
    return merged
