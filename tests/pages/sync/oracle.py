"""The oracle of recurring series, shared by the expansion's test (test_expansion_oracle.py)
and the end-to-end one on Radicale (test_sync_oracle.py): hypothesis draws a series, the
icalendar package writes it as text, and ``oracle`` expands it by brute force with
dateutil.rrule and zoneinfo (not the library the code uses).

The oracle's reading of time (RFC 5545): each occurrence is at its wall-clock time in its
zone, a time in the spring gap takes the offset before the gap (zoneinfo's fold=0), an
occurrence lasts the exact duration between DTSTART and DTEND, floating and all-day times
are in the calendar's zone, all-day events run midnight to midnight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule
from hypothesis import strategies as st

UTC = dt.UTC

# Both hemispheres, DST at 2:00, 3:00 and midnight, half- and quarter-hour offsets.
ZONES = [
    "America/Chicago",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
]
FREQS = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]


@dataclass
class Series:
    kind: str  # zoned | floating | allday
    zone: str  # the event's zone (zoned) or the calendar's (floating, all-day)
    start: dt.datetime | dt.date  # local wall clock (naive) or a date
    length: dt.timedelta  # wall-clock length of DTEND - DTSTART (whole days for all-day)
    freq: str
    interval: int
    count: int | None
    until: dt.datetime | dt.date | None  # local naive (or date); written as UTC when zoned
    byday: list[str]
    exdates: list[int]
    moves: dict[int, tuple[dt.timedelta, dt.timedelta] | None]  # index -> (shift, length)
    with_vtimezone: bool
    with_duration: bool  # DURATION instead of DTEND
    window_start: dt.datetime
    window_end: dt.datetime


def local_instant(value, zone: ZoneInfo) -> dt.datetime:
    """The oracle's reading of a local wall-clock time (or a date's midnight)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.replace(tzinfo=zone, fold=0).astimezone(UTC)


def base_rule(series: Series):
    """dateutil's rule for the series, without UNTIL (the oracle applies it itself)."""
    start = series.start
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    byweekday = None
    if series.byday:
        byweekday = []
        for day in series.byday:
            ordinal = day[:-2]
            weekday = WEEKDAYS[DAYS.index(day[-2:])]
            byweekday.append(weekday(int(ordinal)) if ordinal else weekday)
    return rrule.rrule(
        FREQS[series.freq],
        dtstart=start,
        interval=series.interval,
        count=series.count,
        byweekday=byweekday,
        cache=False,
    )


def oracle(series: Series) -> list[tuple[dt.datetime, dt.datetime]]:
    """Brute force: every occurrence from DTSTART on, one by one, then the window."""
    zone = ZoneInfo(series.zone)
    allday = series.kind == "allday"
    horizon = series.window_end.replace(tzinfo=None) + dt.timedelta(days=3)
    if allday:
        exact = None
    elif series.with_duration:
        exact = series.length  # hours of a DURATION are exact
    else:
        end = local_instant(series.start + series.length, zone)
        exact = end - local_instant(series.start, zone)
    found = []
    for index, local in enumerate(base_rule(series)):
        if local > horizon + dt.timedelta(days=60):
            break
        original = local.date() if allday else local
        if series.until is not None:
            if series.kind == "zoned":
                if local_instant(local, zone) > local_instant(series.until, zone):
                    break
            elif original > series.until:
                break
        if index in series.exdates:
            continue
        if index in series.moves:
            move = series.moves[index]
            if move is None:  # cancelled
                continue
            shift, length = move
            new_start = original + shift
            start = local_instant(new_start, zone)
            end = local_instant(new_start + length, zone)
        else:
            start = local_instant(original, zone)
            end = local_instant(original + series.length, zone) if allday else start + exact
        if end > start and start < series.window_end and end > series.window_start:
            found.append((start, end))
    return sorted(found)


def render(series: Series) -> str:
    """The series as iCalendar text, written by the icalendar package."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//oracle//EN")
    calendar.add("version", "2.0")
    zone = ZoneInfo(series.zone)

    def value(local):
        if series.kind == "zoned":
            return local.replace(tzinfo=zone)
        return local  # floating datetime or a date

    master = icalendar.Event()
    master.add("uid", "series@oracle")
    master.add("summary", "series")
    master.add("dtstart", value(series.start))
    if series.with_duration:
        master.add("duration", series.length)
    else:
        master.add("dtend", value(series.start + series.length))
    rule = {"freq": series.freq, "interval": series.interval}
    if series.count is not None:
        rule["count"] = series.count
    if series.until is not None:
        rule["until"] = (
            local_instant(series.until, zone) if series.kind == "zoned" else series.until
        )
    if series.byday:
        rule["byday"] = series.byday
    master.add("rrule", rule)

    starts = list(_first_starts(series))
    exdates = [starts[i] for i in series.exdates if i < len(starts)]
    if exdates:
        # Half in one EXDATE list, the rest one property each.
        half = len(exdates) // 2
        if half:
            master.add("exdate", [value(x) for x in exdates[:half]])
        for x in exdates[half:]:
            master.add("exdate", value(x))
    calendar.add_component(master)

    for index, move in series.moves.items():
        if index >= len(starts):
            continue
        original = starts[index]
        override = icalendar.Event()
        override.add("uid", "series@oracle")
        override.add("summary", "moved")
        override.add("recurrence-id", value(original))
        if move is None:
            override.add("dtstart", value(original))
            override.add("dtend", value(original + series.length))
            override.add("status", "CANCELLED")
        else:
            shift, length = move
            override.add("dtstart", value(original + shift))
            override.add("dtend", value(original + shift + length))
        calendar.add_component(override)
    if series.with_vtimezone and series.kind == "zoned":
        calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _first_starts(series: Series, limit: int = 41):
    """The first occurrences' local starts (dates for all-day), for EXDATE and overrides.

    Only occurrences the series has (UNTIL included): an override of an instance the rule
    never makes is an orphan whose meaning RFC 5545 leaves open (we keep it, as a plain
    event), so the oracle does not draw one.
    """
    zone = ZoneInfo(series.zone)
    for index, local in enumerate(base_rule(series)):
        if index >= limit:
            return
        original = local.date() if series.kind == "allday" else local
        if series.until is not None:
            if series.kind == "zoned":
                if local_instant(local, zone) > local_instant(series.until, zone):
                    return
            elif original > series.until:
                return
        yield original


def transitions(zone_name: str) -> list[dt.datetime]:
    """The zone's UTC-offset changes in 2024-2026, as the local wall time they happen at
    (read with the offset before them): 02:00 in Chicago, 00:00 in Santiago."""
    zone = ZoneInfo(zone_name)
    found = []
    instant = dt.datetime(2024, 1, 1, tzinfo=UTC)
    step = dt.timedelta(minutes=15)
    offset = instant.astimezone(zone).utcoffset()
    while instant < dt.datetime(2027, 1, 1, tzinfo=UTC):
        following = instant + step
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            found.append((following + offset).replace(tzinfo=None))
            offset = new_offset
        instant = following
    return found


TRANSITIONS = {name: transitions(name) for name in ZONES}


@st.composite
def recurring_series(draw) -> Series:
    kind = draw(st.sampled_from(["zoned", "zoned", "floating", "allday"]))
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    freq = draw(st.sampled_from(list(FREQS)))
    near = None  # a DST change the series is aimed at, most of the time
    if TRANSITIONS[zone] and draw(st.integers(0, 3)):
        near = draw(st.sampled_from(TRANSITIONS[zone]))
        steps = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 0}[freq] * draw(st.integers(0, 30))
        day = near.date() - dt.timedelta(days=steps)
    byday: list[str] = []
    if freq == "WEEKLY" and draw(st.booleans()):
        # DTSTART's own weekday is in BYDAY: RFC 5545 leaves a DTSTART off the rule undefined.
        extra = draw(st.lists(st.sampled_from(DAYS), max_size=3, unique=True))
        byday = sorted({DAYS[day.weekday()], *extra}, key=DAYS.index)
    elif freq == "MONTHLY" and draw(st.booleans()):
        ordinal = draw(st.sampled_from([1, 2, 3, 4, -1]))
        weekday = draw(st.sampled_from(DAYS))
        byday = [f"{ordinal}{weekday}"]
        # Start on the rule's first occurrence, for the same reason.
        day = rrule.rrule(
            rrule.MONTHLY,
            dtstart=dt.datetime.combine(day, dt.time()),
            byweekday=WEEKDAYS[DAYS.index(weekday)](ordinal),
            count=1,
        )[0].date()
    if kind == "allday":
        start = day
        length = dt.timedelta(days=draw(st.integers(1, 3)))
    else:
        hour = draw(st.integers(0, 23))
        if near is not None and draw(st.integers(0, 3)):
            # In the gap or the repeated hour, or just before the change.
            hour = (near.hour + draw(st.sampled_from([-2, -1, 0]))) % 24
        start = dt.datetime.combine(day, dt.time(hour, draw(st.sampled_from([0, 15, 30, 45]))))
        length = dt.timedelta(minutes=draw(st.integers(1, 16)) * 15)
    interval = draw(st.integers(1, 3))
    end = draw(st.sampled_from(["count", "until", "none"]))
    count = draw(st.integers(1, 40)) if end == "count" else None
    until = None
    if end == "until":
        until = start + dt.timedelta(days=draw(st.integers(0, 400)))
        if kind != "allday":
            until += dt.timedelta(minutes=draw(st.sampled_from([0, 15, -15])))
    exdates = draw(st.lists(st.integers(0, 40), max_size=4, unique=True))
    moved_indices = draw(
        st.lists(st.integers(0, 40).filter(lambda i: i not in exdates), max_size=3, unique=True)
    )
    moves = {}
    for index in moved_indices:
        if draw(st.booleans()):
            moves[index] = None
        elif kind == "allday":
            moves[index] = (
                dt.timedelta(days=draw(st.integers(-3, 3))),
                dt.timedelta(days=draw(st.integers(1, 2))),
            )
        else:
            moves[index] = (
                dt.timedelta(minutes=15 * draw(st.integers(-200, 200))),
                dt.timedelta(minutes=15 * draw(st.integers(1, 12))),
            )
    first = local_instant(start, ZoneInfo(zone))
    if near is not None and draw(st.integers(0, 3)):
        first = local_instant(near, ZoneInfo(zone))
        offset = draw(st.integers(-10, 1))
    else:
        offset = draw(st.one_of(st.integers(-2, 60), st.integers(0, 900)))
    window_start = first + dt.timedelta(days=offset, hours=draw(st.integers(0, 23)))
    window_end = window_start + dt.timedelta(days=draw(st.integers(1, 40)))
    return Series(
        kind=kind,
        zone=zone,
        start=start,
        length=length,
        freq=freq,
        interval=interval,
        count=count,
        until=until,
        byday=byday,
        exdates=exdates,
        moves=moves,
        with_vtimezone=draw(st.booleans()),
        with_duration=draw(st.booleans()),
        window_start=window_start,
        window_end=window_end,
    )
