"""The month calendar and the day's times a guest picks a slot from.

What the picker offers is what ``GET /v3/scheduling/availability`` answers for the same
range: the same loader, the same engine. A month is one engine run over the month in the
guest's zone (local midnight of the 1st to local midnight of the next 1st, plus one
duration so a slot starting late on the last day is kept), grouped by local date. A day
is a run over that day only. The grid belongs to the configuration (each open-hours
window starts it: see bookings/availability/windows.py), so a day shows exactly the
times its month showed, and a guest in any zone the same instants as the API.

Nothing here writes; bookings/services.py re-checks the chosen slot under lock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.availability import Slot, find_slots
from bookings.availability_loader import load_engine_input
from bookings.languages import date_and_time
from bookings.views.language import (
    clock,
    default_hours,
    first_weekday,
    format_date,
    local,
    weekday_headers,
    zone_info,
    zone_label,
)
from bookings.views.zone_list import resolve_zone
from pages.models import Configuration
from pages.unix_time import to_unix


@dataclass(frozen=True)
class PickerRequest:
    """What the URL asks the picker for (each part optional, all validated)."""

    zone: str
    month: dt.date | None = None  # the 1st of a month
    day: dt.date | None = None
    slot: int | None = None  # a slot's start, Unix seconds
    unknown_zone: str = ""  # what the guest typed as their zone, when it names none


def _month(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 7:
        return None
    try:
        return dt.date.fromisoformat(value + "-01")
    except ValueError:
        return None


def _day(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _start(value: object) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 11:
        return int(value)
    return None


def read_picker_request(params: Mapping, default_zone: str) -> PickerRequest:
    asked = params.get("tz")
    zone = resolve_zone(asked)
    # Said on the page rather than swapped silently: "Berlinn" shows times in the default.
    unknown = asked.strip()[:100] if zone is None and isinstance(asked, str) else ""
    zone = zone or default_zone
    month, day, slot = (
        _month(params.get("month")),
        _day(params.get("day")),
        _start(params.get("slot")),
    )
    if slot is not None:
        slot_day = local(slot, zone).date()
        if day is not None and day != slot_day:
            slot = None
        else:
            day = slot_day
    if day is not None:
        if month is not None and (month.year, month.month) != (day.year, day.month):
            day = slot = None
        else:
            month = day.replace(day=1)
    return PickerRequest(zone=zone, month=month, day=day, slot=slot, unknown_zone=unknown)


@dataclass(frozen=True)
class Offer:
    """Where slots come from: a configuration, now, and the booking being moved (its own
    time does not count as busy while it is rescheduled)."""

    configuration: Configuration
    now: dt.datetime
    exclude_booking_id: uuid.UUID | None = None

    @property
    def duration(self) -> int:
        return self.configuration.duration_minutes * 60

    @property
    def horizon(self) -> int:
        """No slot starts at or after this (available_days_in_future)."""
        return to_unix(self.now) + self.configuration.available_days_in_future * 86400


def local_midnight(day: dt.date, zone: str) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=zone_info(zone)).timestamp())


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date, zone: str) -> tuple[int, int]:
    return local_midnight(month, zone), local_midnight(next_month(month), zone)


def _search(offer: Offer, low: int, high: int) -> list[Slot]:
    """The engine's slots inside [low, high]. The range is cut to [now, horizon +
    duration]: the engine offers nothing outside it (notice and days-ahead rules), so
    loading that time would be wasted. The grid is the configuration's own (its open-hours
    windows start it), so no range and no guest's zone moves it."""
    low = max(low, to_unix(offer.now))
    high = min(high, offer.horizon + offer.duration)
    if high - low < offer.duration:
        return []
    data = load_engine_input(
        offer.configuration, low, high, now=offer.now, exclude_booking_id=offer.exclude_booking_id
    )
    return find_slots(data.query, data.participants).slots


def month_slots(offer: Offer, month: dt.date, zone: str) -> dict[dt.date, list[Slot]]:
    """The slots starting in ``month`` (in ``zone``), by local date. One engine run."""
    start, end = month_bounds(month, zone)
    by_day: dict[dt.date, list[Slot]] = {}
    for slot in _search(offer, start, end + offer.duration):
        if slot.start < end:
            by_day.setdefault(local(slot.start, zone).date(), []).append(slot)
    return by_day


def day_slots(offer: Offer, day: dt.date, zone: str) -> list[Slot]:
    """The slots starting on ``day`` (in ``zone``): those its month's run shows."""
    start = local_midnight(day, zone)
    end = local_midnight(day + dt.timedelta(days=1), zone)
    slots = _search(offer, start, end + offer.duration)
    return [slot for slot in slots if slot.start < end]


@dataclass(frozen=True)
class DayCell:
    day: dt.date
    label: str  # the full date, for screen readers
    url: str | None  # set when the day has free slots
    selected: bool
    today: bool

    @property
    def aria_current(self) -> str:
        """The chosen day is the current one of the month's days ("true"); today, when
        it is not chosen, is the current date ("date")."""
        return "true" if self.selected else "date" if self.today else ""


@dataclass(frozen=True)
class SlotChoice:
    start: int
    end: int
    time: str  # "4:30 PM"
    label: str  # "Monday, December 7, 4:30 PM"
    url: str
    seats: int | None  # seats left of a group event
    current: bool = False  # the time of the booking being rescheduled

    @property
    def link(self) -> str:
        """The slot's link in the day's list. Built here rather than in the template: a
        day's dozens of links, each looking up half a dozen variables, were most of the
        template engine's time for a day fragment. The booking's own time (rescheduling)
        is shown, marked, but is no link: moving a booking to its time changes nothing."""
        if self.current:
            note = escape(_("Your current time"))
            return mark_safe(  # noqa: S308 - every part is escaped
                f'<span class="slot current">{escape(self.time)}'
                f'<span class="seats">{note}</span></span>'
            )
        left = ""
        if self.seats:
            left = ngettext("%(seats)s seat left", "%(seats)s seats left", self.seats) % {
                "seats": self.seats
            }
        url, seats = escape(self.url), ""
        if left:
            seats = f'<span class="seats">{escape(left)}</span>'
        label = escape(f"{self.label}, {left}" if left else self.label)
        return mark_safe(  # noqa: S308 - every part is escaped above
            f'<a class="slot" href="{url}#panel" hx-get="{url}" hx-target="#panel" '
            f'hx-swap="outerHTML" hx-push-url="{url}" aria-label="{label}">'
            f"{escape(self.time)}{seats}</a>"
        )


@dataclass
class Picker:
    """Everything the picker templates show; built by build_picker."""

    base_path: str
    zone: str
    language: str
    params: dict  # kept in every URL (tz, lang)
    zone_label: str = ""
    month: dt.date | None = None
    month_label: str = ""
    previous_url: str | None = None
    next_url: str | None = None
    weekdays: list = field(default_factory=list)
    weeks: list = field(default_factory=list)
    free_day_count: int = 0
    nothing_ahead: bool = False
    panel: str = "hint"  # hint | slots | form
    day: dt.date | None = None
    day_label: str = ""
    slots: list[SlotChoice] = field(default_factory=list)
    chosen: SlotChoice | None = None
    problem: str = ""
    focus: str = ""  # what an htmx swap moves focus to: "", "month", "panel"
    unknown_zone: str = ""  # the zone the guest asked for, when it names none
    current_start: int | None = None  # rescheduling: the booking's start, not offered
    hours: int = 12  # the clock times are written on: 12 or 24

    @property
    def clock_toggle(self) -> tuple[str, str]:
        """(label, URL) of the link that shows the same view on the other clock."""
        other = 24 if self.hours == 12 else 12
        state = {"clock": str(other)}
        if self.month:
            state["month"] = self.month.strftime("%Y-%m")
        if self.day:
            state["day"] = self.day.isoformat()
        label = _("Show 24-hour times") if other == 24 else _("Show 12-hour times")
        return label, self.url(**state)

    def url(self, **state) -> str:
        query = {**self.params, **{k: v for k, v in state.items() if v is not None}}
        return f"{self.base_path}?{urlencode(query)}"

    @property
    def day_param(self) -> str:
        return self.day.isoformat() if self.day else ""

    @property
    def day_url(self) -> str:
        """Back to the chosen day's times (from the form)."""
        if self.day is None:
            return self.url()
        return self.url(month=self.day.strftime("%Y-%m"), day=self.day.isoformat())

    @property
    def month_param(self) -> str:
        return self.month.strftime("%Y-%m") if self.month else ""


def current_time_message() -> str:
    """What rescheduling to the booking's own time is answered (nothing is moved)."""
    return _("This is your booking's current time. Please choose another one to move it to.")


def _fill_panel(picker: Picker, request: PickerRequest, day: dt.date, slots: list[Slot]) -> None:
    picker.day = day
    picker.day_label = day_label = format_date(day, "day", picker.language)
    day_url = picker.day_url
    zone, language, hours = zone_info(picker.zone), picker.language, picker.hours
    picker.slots = []
    for slot in slots:  # a day's slots all start on ``day`` in the picker's zone
        time = clock(dt.datetime.fromtimestamp(slot.start, zone), language, hours)
        picker.slots.append(
            SlotChoice(
                start=slot.start,
                end=slot.end,
                time=time,
                label=date_and_time(day_label, time, language),
                url=f"{day_url}&slot={slot.start}",
                seats=slot.capacity_remaining,
                current=slot.start == picker.current_start,
            )
        )
    picker.panel = "slots"
    if request.slot is not None:
        chosen = next((c for c in picker.slots if c.start == request.slot), None)
        if chosen is not None and chosen.current:
            picker.problem = current_time_message()
        elif chosen is None:
            picker.problem = _("That time is no longer available. Please choose another one.")
        else:
            picker.chosen = chosen
            picker.panel = "form"


def new_picker(
    base_path: str, zone: str, language: str, now: dt.datetime, hours: int = 0, **params
) -> Picker:
    """``hours`` is the clock (12 or 24; 0: the language's); ``params`` are kept in every
    URL, the clock among them when the guest chose it (``clock="24"``)."""
    kept = {"tz": zone, "lang": language, **{k: v for k, v in params.items() if v}}
    return Picker(
        base_path=base_path,
        zone=zone,
        language=language,
        params=kept,
        zone_label=zone_label(zone, now),
        hours=hours or default_hours(language),
    )


def build_month(picker: Picker, offer: Offer, request: PickerRequest) -> Picker:
    """The month view, and the panel for the requested (or first free) day."""
    zone, language = picker.zone, picker.language
    picker.unknown_zone = request.unknown_zone
    today = local(offer.now, zone).date()
    this_month = today.replace(day=1)
    last_month = local(offer.horizon, zone).date().replace(day=1)
    month = request.month or this_month
    month = min(max(month, this_month), max(last_month, this_month))
    by_day = month_slots(offer, month, zone)
    if request.month is None and not by_day and month < last_month:
        # Late in a month with nothing left: open on the next month rather than on an
        # empty calendar.
        month = next_month(month)
        by_day = month_slots(offer, month, zone)

    picker.month = month
    picker.month_label = format_date(month, "month", language)
    picker.previous_url = picker.url(month=previous_month(month).strftime("%Y-%m"))
    if month <= this_month:
        picker.previous_url = None
    picker.next_url = picker.url(month=next_month(month).strftime("%Y-%m"))
    if month >= last_month:
        picker.next_url = None
    picker.weekdays = weekday_headers(language)
    selected = request.day if request.day in by_day else None
    if selected is None and request.day is None and by_day:
        selected = min(by_day)
    weeks = calendar.Calendar(first_weekday(language)).monthdatescalendar(month.year, month.month)
    picker.weeks = [
        [
            DayCell(
                day=day,
                label=format_date(day, "day", language),
                url=picker.url(month=month.strftime("%Y-%m"), day=day.isoformat())
                if day in by_day
                else None,
                selected=day == selected,
                today=day == today,
            )
            if day.month == month.month
            else None
            for day in week
        ]
        for week in weeks
    ]
    picker.free_day_count = len(by_day)
    picker.nothing_ahead = not by_day and picker.next_url is None
    if request.day is not None and request.day not in by_day:
        _fill_panel(picker, request, request.day, [])
    elif selected is not None:
        _fill_panel(picker, request, selected, by_day[selected])
    if request.month is not None:
        picker.focus = "month"
    return picker


def build_day(picker: Picker, offer: Offer, request: PickerRequest) -> Picker:
    """Only the panel: the requested day's times (and the chosen one)."""
    if request.day is None:
        return picker
    _fill_panel(picker, request, request.day, day_slots(offer, request.day, picker.zone))
    picker.month = request.day.replace(day=1)
    picker.focus = "form" if picker.panel == "form" else "panel"
    return picker


def fresh_month(picker: Picker, offer: Offer, day: dt.date, problem: str) -> Picker:
    """The day's times after a refusal (the slot was taken meanwhile), with why, and its
    month: a day that has just filled up is no longer marked free (an htmx answer swaps
    the month out of band). One engine run, over the month."""
    build_month(picker, offer, PickerRequest(zone=picker.zone, month=day.replace(day=1), day=day))
    picker.problem = problem
    picker.focus = "panel"
    return picker
