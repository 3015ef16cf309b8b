"""One iCalendar document in, the busy time it means out: recurrences expanded exactly.

Pure: no Django, no I/O. The sync code hands it a calendar object's text (one VEVENT or a
whole series with its overrides, or a whole feed) and the window it keeps busy time for;
it gets back plain data, every instant in UTC.

How time is read (RFC 5545 and what real servers send):

- A TZID is an IANA name, a zone a VTIMEZONE in the document defines, or a Windows zone
  name ("Pacific Standard Time"): icalendar maps those with the CLDR windowsZones table it
  ships (``icalendar.timezone.windows_to_olson``). A TZID that is none of these is read as
  floating.
- Floating times, and all-day dates, are in the calendar's zone: ``X-WR-TIMEZONE`` when the
  document names a zone we know, otherwise ``calendar_zone``. An all-day event is busy from
  midnight of its first day to midnight after its last (DTEND exclusive; no DTEND is one
  day). UTC times in a calendar with ``X-WR-TIMEZONE`` repeat at their wall-clock time in
  that zone (Google's meaning, through the ``x-wr-timezone`` package).
- An occurrence is at its wall-clock time in its zone on both sides of a DST change. A
  wall-clock time that does not exist (the spring gap) is read with the offset before the
  gap, so it moves forward by the gap (RFC 5545 3.3.5); a repeated one (autumn) is its
  first instant. Both are what ``zoneinfo`` does with ``fold=0``.
- An occurrence lasts the exact duration between its component's DTSTART and DTEND (RFC
  5545 3.8.5.3), so one that spans a DST change is not stretched or shrunk. The days of a
  DURATION are nominal (P1D ends at the same wall-clock time the next day), its hours exact
  (icalendar reads PT24H as P1D, so 24 hours or more written in hours count as days).
- An override whose RECURRENCE-ID is no instance of the series (an orphan, which RFC 5545
  leaves undefined) is kept as the event it describes: the organizer's calendar app shows
  it, so it is busy.
- RRULE (all of RFC 5545's parts), RDATE (dates, date-times, periods), EXDATE and overrides
  by RECURRENCE-ID (moved, resized, cancelled; RANGE=THISANDFUTURE included) are expanded
  by ``recurring-ical-events`` over the window only: a series that began years ago costs
  what next week's occurrences cost, not one step per occurrence since DTSTART.

Busy rules (API.md, "Connected calendars"): an occurrence is free when TRANSP is
TRANSPARENT, its STATUS is CANCELLED, or the grant's own ATTENDEE entry declined it. It is
tentative when STATUS is TENTATIVE or the grant's own entry answered TENTATIVE; tentative
occurrences are busy unless ``tentative_as_busy`` is false.

Nothing here raises on bad input: an object that cannot be read is left out and named in
``ExpandedCalendar.skipped`` with the reason, and the rest of the document still counts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from recurring_ical_events import CalendarQuery

UTC = dt.UTC

# A series that puts more occurrences than this in one window (plus the margin below) is cut
# there (and says so): a FREQ=SECONDLY rule must not make a sync pass run for ever.
MAX_OCCURRENCES_PER_SERIES = 10_000

# How far beyond the window the library is asked: floating and all-day times are read in the
# calendar's zone only after expansion, and no zone is more than 26 hours from UTC.
_MARGIN = dt.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class BusyOccurrence:
    """One occurrence of a remote event that blocks its host, in UTC."""

    start: dt.datetime
    end: dt.datetime
    uid: str
    # The occurrence's RECURRENCE-ID in UTC (its original start) when it belongs to a
    # series, None for a single event.
    recurrence_id: dt.datetime | None
    summary: str
    status: str  # CONFIRMED, TENTATIVE or "" (not given)
    tentative: bool  # busy only because tentative counts as busy


@dataclass(frozen=True, slots=True)
class SkippedObject:
    """An object of the document that was not read (or read only in part), and why."""

    uid: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ExpandedCalendar:
    busy: tuple[BusyOccurrence, ...]
    skipped: tuple[SkippedObject, ...]


def busy_intervals(
    calendar_text: str | bytes,
    *,
    window_start: dt.datetime,
    window_end: dt.datetime,
    calendar_zone: str,
    own_emails: Iterable[str] = (),
    tentative_as_busy: bool = True,
    max_occurrences_per_series: int = MAX_OCCURRENCES_PER_SERIES,
) -> ExpandedCalendar:
    """The busy occurrences of ``calendar_text`` that overlap [window_start, window_end).

    ``window_start``/``window_end`` are aware datetimes; ``calendar_zone`` is the IANA (or
    Windows) name of the zone floating and all-day times are read in when the document names
    none; ``own_emails`` are the grant's addresses (its ATTENDEE entry decides declined and
    tentative). The result is sorted by start, then UID.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window_start and window_end must be aware datetimes")
    window_start = window_start.astimezone(UTC)
    window_end = window_end.astimezone(UTC)
    own = {_address(email) for email in own_emails}
    skipped: list[SkippedObject] = []

    calendars = _parse(calendar_text, skipped)
    busy: list[BusyOccurrence] = []
    for calendar in calendars:
        named = _zone(str(calendar.get("X-WR-TIMEZONE", "")).strip())
        if named is not None:
            calendar["X-WR-TIMEZONE"] = named.key  # a Windows name, as the IANA zone it means
        zone = named or _zone(calendar_zone)
        if zone is None:
            raise ValueError(f"calendar_zone {calendar_zone!r} is not a known time zone")
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as error:  # noqa: BLE001 - a bad X-WR-TIMEZONE: read the times as written
            skipped.append(SkippedObject(None, f"X-WR-TIMEZONE not applied: {error}"))
        for uid, events in _series(calendar, skipped):
            busy.extend(
                _expand_series(
                    uid,
                    events,
                    window_start=window_start,
                    window_end=window_end,
                    zone=zone,
                    own=own,
                    tentative_as_busy=tentative_as_busy,
                    cap=max_occurrences_per_series,
                    skipped=skipped,
                )
            )
    busy.sort(key=lambda occurrence: (occurrence.start, occurrence.uid, occurrence.end))
    return ExpandedCalendar(busy=tuple(busy), skipped=tuple(skipped))


def _parse(text: str | bytes, skipped: list[SkippedObject]) -> list[icalendar.Calendar]:
    """The document's calendars; when the whole will not parse, each VEVENT on its own."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        calendars = list(icalendar.Calendar.from_ical(text, multiple=True))
    except Exception as error:  # noqa: BLE001 - fall back to one VEVENT at a time
        whole_error = error
    else:
        # An unclosed component makes icalendar drop what follows without a word: every
        # VEVENT the text begins must be there.
        found = sum(len(calendar.walk("VEVENT")) for calendar in calendars)
        if found >= len(re.findall(r"^BEGIN:VEVENT\s*$", text, re.M | re.I)):
            return calendars
        whole_error = "components not closed"
    # Unfold first (RFC 5545 3.1) so a BEGIN/END split across lines is still found.
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    head = re.search(r"BEGIN:VCALENDAR\r?\n(.*?)(?=BEGIN:V)", unfolded, re.S | re.I)
    header = "".join(
        line + "\r\n"
        for line in (head.group(1).splitlines() if head else [])
        if line.upper().startswith(("X-WR-TIMEZONE", "VERSION", "PRODID"))
    )
    zones = "".join(re.findall(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r?\n?", unfolded, re.S | re.I))
    blocks = re.findall(r"BEGIN:VEVENT.*?END:VEVENT", unfolded, re.S | re.I)
    if not blocks:
        skipped.append(SkippedObject(None, f"not an iCalendar document: {whole_error}"))
        return []
    calendars = []
    for block in blocks:
        uid = re.search(r"^UID[^:\r\n]*:(.*)$", block, re.M | re.I)
        wrapped = f"BEGIN:VCALENDAR\r\n{header}{zones}{block}\r\nEND:VCALENDAR\r\n"
        try:
            calendars.append(icalendar.Calendar.from_ical(wrapped))
        except Exception as error:  # noqa: BLE001 - this VEVENT only
            skipped.append(
                SkippedObject(uid.group(1).strip() if uid else None, f"unreadable: {error}")
            )
    return calendars


def _series(calendar, skipped: list[SkippedObject]):
    """(uid, [VEVENT, ...]) for each series: the master and its overrides share a UID."""
    groups: dict[str, list] = {}
    for number, event in enumerate(calendar.walk("VEVENT")):
        uid = str(event.get("UID", "")).strip() or f"(no UID, VEVENT #{number + 1})"
        reason = _unreadable(event)
        if reason:
            skipped.append(SkippedObject(uid, reason))
            continue
        groups.setdefault(uid, []).append(event)
    return groups.items()


def _unreadable(event) -> str | None:
    """Why this VEVENT cannot be expanded, or None."""
    if event.errors:
        return "; ".join(f"{name}: {message}" for name, message in event.errors)
    try:
        start = event.decoded("DTSTART")
    except KeyError:
        return "no DTSTART"
    except Exception as error:  # noqa: BLE001
        return f"DTSTART: {error}"
    if not isinstance(start, dt.date):
        return f"DTSTART: not a date or date-time: {start!r}"
    for name in ("DTEND", "DURATION", "RECURRENCE-ID"):
        if name in event:
            try:
                event.decoded(name)
            except Exception as error:  # noqa: BLE001
                return f"{name}: {error}"
    rules = event.get("RRULE", [])
    for rule in rules if isinstance(rules, list) else [rules]:
        # RFC 5545: a positive integer. dateutil never advances with 0 (a pass would spin).
        if any(int(value) < 1 for value in rule.get("INTERVAL", [])):
            return "RRULE: INTERVAL must be a positive integer"
    return None


def _expand_series(
    uid, events, *, window_start, window_end, zone, own, tentative_as_busy, cap, skipped
) -> list[BusyOccurrence]:
    holder = icalendar.Calendar()
    for event in events:
        holder.add_component(event)
    try:
        query = CalendarQuery(holder, components=("VEVENT",))
        occurrences = list(
            itertools.islice(
                (
                    occurrence
                    for series in query.series
                    for occurrence in series.between(window_start - _MARGIN, window_end + _MARGIN)
                ),
                cap + 1,
            )
        )
    except Exception as error:  # noqa: BLE001 - one bad series must not stop the others
        skipped.append(SkippedObject(uid, f"cannot expand: {type(error).__name__}: {error}"))
        return []
    if len(occurrences) > cap:
        occurrences = occurrences[:cap]
        skipped.append(
            SkippedObject(uid, f"more than {cap} occurrences in the window: only {cap} read")
        )

    in_series = len(events) > 1 or any(
        name in event for event in events for name in ("RRULE", "RDATE", "RECURRENCE-ID")
    )
    busy = []
    for occurrence in occurrences:
        try:
            found = _busy_occurrence(uid, occurrence, zone, own, tentative_as_busy, in_series)
        except Exception as error:  # noqa: BLE001
            skipped.append(SkippedObject(uid, f"occurrence unreadable: {error}"))
            continue
        if found and found.start < window_end and found.end > window_start:
            busy.append(found)
    return busy


def _busy_occurrence(
    uid, occurrence, zone, own, tentative_as_busy, in_series
) -> BusyOccurrence | None:
    component = occurrence.as_component(False)
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    status = str(component.get("STATUS", "")).upper()
    if status == "CANCELLED":
        return None
    answer = _own_answer(component, own)
    if answer == "DECLINED":
        return None
    tentative = status == "TENTATIVE" or answer == "TENTATIVE"
    if tentative and not tentative_as_busy:
        return None

    start = _instant(occurrence.start, zone)
    # The adapter of the VEVENT (master or override) this occurrence comes from: the library
    # has no public name for it (pinned below 4; the tests would catch a change).
    source = occurrence._adapter
    duration = source._component.get("DURATION")
    if (
        duration is not None
        and isinstance(occurrence.start, dt.datetime)
        and occurrence.end - occurrence.start == source.end - source.start  # not an RDATE PERIOD
    ):
        # A DURATION's days are nominal (RFC 5545 3.3.6): the same wall-clock time that many
        # days later, then the rest exactly.
        days = dt.timedelta(days=duration.dt.days)
        end = _instant(occurrence.start + days, zone) + (duration.dt - days)
    else:
        end = start + _exact_duration(
            source.start, source.end, occurrence.start, occurrence.end, zone
        )
    if end <= start:
        # RFC 5545 3.6.1: a date-time event without an end takes no time; an empty
        # interval blocks nothing.
        return None
    recurrence_id = None
    if in_series and "RECURRENCE-ID" in component:
        recurrence_id = _instant(component.decoded("RECURRENCE-ID"), zone)
    return BusyOccurrence(
        start=start,
        end=end,
        uid=uid,
        recurrence_id=recurrence_id,
        summary=str(component.get("SUMMARY", "")),
        status=status,
        tentative=tentative,
    )


def _exact_duration(source_start, source_end, start, end, zone) -> dt.timedelta:
    """How long the occurrence lasts in real time.

    All-day: whole days, from midnight to midnight in the calendar's zone (23 or 25 hours
    across a DST change). Otherwise the exact time between the component's own DTSTART and
    DTEND, whatever wall-clock times the occurrence falls on (unless the occurrence has an
    end of its own: an RDATE with a PERIOD).
    """
    if not isinstance(start, dt.datetime):
        return _instant(end, zone) - _instant(start, zone)
    if (
        isinstance(source_start, dt.datetime)
        and isinstance(source_end, dt.datetime)
        and end - start == source_end - source_start
    ):
        return _instant(source_end, zone) - _instant(source_start, zone)
    return _instant(end, zone) - _instant(start, zone)


def _instant(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A DATE, floating, zoned or UTC value as an instant in UTC.

    ``replace(tzinfo=...)`` keeps fold=0: a time in the spring gap takes the offset before
    the gap (it moves forward), a repeated time its first instant.
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    # An aware value is re-read at fold=0 too: arithmetic on aware datetimes is wall-clock
    # arithmetic, and the library may hand back a time in a gap.
    value = value.replace(tzinfo=zone) if value.tzinfo is None else value.replace(fold=0)
    return value.astimezone(UTC)


def _own_answer(component, own: set[str]) -> str | None:
    """The PARTSTAT of the grant's own ATTENDEE entry, upper-case, or None."""
    if not own:
        return None
    attendees = component.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        if _address(str(attendee)) in own:
            params = getattr(attendee, "params", {})
            return str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return None


def _address(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    return value.strip().lower()


def _zone(name: str) -> ZoneInfo | None:
    """The zone an IANA or Windows name means, or None."""
    if not name:
        return None
    name = WINDOWS_TO_OLSON.get(name, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
