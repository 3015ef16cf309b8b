"""Benchmark: the availability engine against a naive sweep over candidate starts.

Run: ``python tests/benchmarks/bench_engine.py`` (from anywhere). Workload: 50 people,
200 random busy intervals each over 60 days, four zones spread over the people,
Monday-Friday 09:00-17:00 local open hours, 30-minute meetings on a 15-minute grid with
10-minute buffers. Both implementations run in the same process; the table shows the
median of several repetitions and checks that both found exactly the same slots.
"""

from __future__ import annotations

import bisect
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bookings.availability import (  # noqa: E402
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    OpenHours,
    Participant,
    Query,
    Slot,
    find_slots,
    open_spans,
)

ZONES = ("America/Chicago", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")
START = 1_772_409_600  # 2026-03-02 00:00 UTC, a Monday; the window crosses three DST changes
DAYS = 60
MINUTE = 60
REPEAT = 15


def workload(seed: int = 7) -> list[Participant]:
    rng = random.Random(seed)
    people = []
    for index in range(50):
        zone = ZONES[index % len(ZONES)]
        hours = (OpenHours(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60, zone),)
        busy = []
        for _ in range(200):
            begin = START + rng.randrange(0, DAYS * 24 * 12) * 5 * MINUTE
            busy.append((begin, begin + rng.choice((15, 30, 45, 60, 90, 120)) * MINUTE))
        # A third never booked (so max-fairness differs from max-availability).
        booked = None if index % 3 == 0 else START - rng.randrange(1, 90) * 86_400
        people.append(Participant(f"p{index:02d}@example.com", hours, tuple(busy), booked))
    return people


def naive_slots(query: Query, people: list[Participant]) -> list[Slot]:
    """Per candidate start, per person: is the slot inside an open span, and does the
    buffered window miss every busy interval? Obviously right, and slow."""
    d, before, after = query.duration, query.buffer_before, query.buffer_after
    prepared = []
    for person in people:
        spans = open_spans(person.open_hours, query.start_time, query.end_time)
        busy = sorted(person.busy)
        longest = max((e - s for s, e in busy), default=0)
        prepared.append((person, [s for s, _ in spans], spans, busy, [s for s, _ in busy], longest))
    if query.method == MAX_FAIRNESS:
        never = [p for p in prepared if p[0].last_booked_at is None]
        oldest = min(p[0].last_booked_at or 0 for p in prepared)
        prepared = never or [p for p in prepared if p[0].last_booked_at == oldest]
    if query.method != COLLECTIVE:
        prepared.sort(key=lambda p: (p[0].last_booked_at is not None, p[0].last_booked_at or 0))

    def free(entry: tuple, t: int) -> bool:
        _, span_starts, spans, busy, busy_starts, longest = entry
        i = bisect.bisect_right(span_starts, t) - 1
        if i < 0 or t + d > spans[i][1]:
            return False
        low, high = t - before, t + d + after
        j = bisect.bisect_left(busy_starts, low - longest)
        while j < len(busy) and busy[j][0] < high:
            s, e = busy[j]
            if s < e and e > low:
                return False
            j += 1
        return True

    slots = []
    t = query.start_time
    while t + d <= query.end_time:
        if query.method == COLLECTIVE:
            if all(free(entry, t) for entry in prepared):
                slots.append(Slot(t, t + d, tuple(p.email for p in people)))
        else:
            emails = tuple(entry[0].email for entry in prepared if free(entry, t))
            if emails:
                slots.append(Slot(t, t + d, emails))
        t += query.interval
    return slots


def median_ms(function, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def main() -> None:
    people = workload()
    rows = []
    cases = [
        (COLLECTIVE, people, "50 people, 4 zones"),
        (COLLECTIVE, [p for p in people if p.open_hours[0].timezone == ZONES[1]][:3], "3, Berlin"),
        (MAX_AVAILABILITY, people, "50 people, 4 zones"),
        (MAX_FAIRNESS, people, "50 people, 4 zones"),
    ]
    for method, group, label in cases:
        query = Query(
            start_time=START,
            end_time=START + DAYS * 86_400,
            duration=30 * MINUTE,
            interval=15 * MINUTE,
            buffer_before=10 * MINUTE,
            buffer_after=10 * MINUTE,
            method=method,
        )
        engine_ms, found = median_ms(lambda q=query, g=group: find_slots(q, g).slots, REPEAT)
        naive_ms, expected = median_ms(lambda q=query, g=group: naive_slots(q, g), 3)
        same = found == expected
        rows.append((method, label, len(found), engine_ms, naive_ms, naive_ms / engine_ms, same))
    header = f"{'method':<17} {'people':<19} {'slots':>6} {'engine ms':>10} {'naive ms':>10}"
    print(header + f" {'ratio':>7}  same")
    for method, label, count, engine_ms, naive_ms, ratio, same in rows:
        print(
            f"{method:<17} {label:<19} {count:>6} {engine_ms:>10.2f} {naive_ms:>10.1f}"
            f" {ratio:>6.0f}x  {'yes' if same else 'NO'}"
        )
    print()
    # A configuration's grid (each open-hours window starts its own): what the hosted
    # pages and GET /v3/scheduling/availability run. Against the same search on the
    # stateless grid: the cost of placing the grid by the windows.
    header = f"{'configuration grid':<37} {'slots':>6} {'engine ms':>10} {'stateless':>10}"
    print(f"{header} {'ratio':>7}")
    for method, group, label in cases:
        stateless = Query(
            start_time=START,
            end_time=START + DAYS * 86_400,
            duration=30 * MINUTE,
            interval=15 * MINUTE,
            buffer_before=10 * MINUTE,
            buffer_after=10 * MINUTE,
            method=method,
        )
        windowed = replace(stateless, round_to=15, timezone=ZONES[0])
        window_ms, found = median_ms(lambda q=windowed, g=group: find_slots(q, g).slots, REPEAT)
        plain_ms, _ = median_ms(lambda q=stateless, g=group: find_slots(q, g).slots, REPEAT)
        print(
            f"{method + ', ' + label:<37} {len(found):>6} {window_ms:>10.2f} {plain_ms:>10.2f}"
            f" {window_ms / plain_ms:>6.2f}x"
        )
    print()
    entries = tuple(OpenHours(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60, z) for z in ZONES)
    span = (START, START + 62 * 86_400)
    warm_ms, _ = median_ms(lambda: open_spans(entries, *span), REPEAT)
    cold_ms, _ = median_ms(lambda: _cold_open_spans(entries, *span), REPEAT)
    print(f"open_spans, 4 entries x 62 days: {warm_ms:.3f} ms (zone cache warm)")
    print(f"{'':33}{cold_ms:.3f} ms (caches cleared first)")
    if not all(row[-1] for row in rows):
        sys.exit("engine and naive sweep disagree")


def _cold_open_spans(entries: tuple[OpenHours, ...], start: int, end: int) -> list:
    from bookings.availability import open_hours

    open_hours._offset_at_utc_midnight.cache_clear()
    open_hours._transitions_in_utc_day.cache_clear()
    open_hours._entry_rule.cache_clear()
    return open_spans(entries, start, end)


if __name__ == "__main__":
    main()
