"""The configuration admin's tools that need the guest side: "Why isn't this time free?",
a week preview of offered slots in a chosen zone, and round-robin fairness at a glance.

pages may not import bookings, so bookings re-registers the configuration admin with
these added (bookings/admin.py calls register()).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from bookings.availability import BUFFER, BUSY, Explanation, find_slots
from bookings.availability_loader import load_engine_input
from bookings.explanations import explain
from bookings.models import Booking, BookingHost
from pages.admin import ConfigurationAdmin
from pages.admin_times import chosen_zone
from pages.models import Configuration, Event
from pages.validators import known_timezones

FAIRNESS_DAYS = 30


class MomentForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    timezone = forms.ChoiceField()

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(known_timezones())]
        self.fields["timezone"].initial = zone


class WeekForm(forms.Form):
    week_of = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.ChoiceField()

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(known_timezones())]
        self.fields["timezone"].initial = zone


def local_instant(day: dt.date, time: dt.time, zone: str) -> int:
    return int(dt.datetime.combine(day, time, zoneinfo.ZoneInfo(zone)).timestamp())


def week_of_slots(configuration: Configuration, first_day: dt.date, zone: str) -> list[tuple]:
    """[(local date, [local start times])] for seven days from ``first_day`` in ``zone``."""
    tz = zoneinfo.ZoneInfo(zone)
    start = int(dt.datetime.combine(first_day, dt.time(), tz).timestamp())
    end = int(dt.datetime.combine(first_day + dt.timedelta(days=7), dt.time(), tz).timestamp())
    data = load_engine_input(configuration, start, end)
    by_day = defaultdict(list)
    for slot in find_slots(data.query, data.participants).slots:
        local = dt.datetime.fromtimestamp(slot.start, tz)
        by_day[local.date()].append((local.strftime("%H:%M"), slot))
    return [
        (first_day + dt.timedelta(days=i), by_day[first_day + dt.timedelta(days=i)])
        for i in range(7)
    ]


# "Why isn't this time free?" in the admin's terms. The engine's reasons name instants in
# UTC and repeat a blocking item per participant and per source (a booking blocks each
# host, and its event sits in the organizer's calendar too): here each item is listed
# once, with whom it blocks, in the zone the admin chose.

_UTC_TEXT = re.compile(
    r"(?P<start>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)"
    r"(?:–(?P<end>(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}(?::\d{2})?))? UTC"
)


def _parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _utc_span(match: re.Match) -> tuple[dt.datetime, dt.datetime | None]:
    start = _parse_utc(match["start"])
    end_text = match["end"]
    if end_text is None:
        return start, None
    if len(end_text) <= 8:  # a time only: the same UTC day as the start
        end_text = f"{match['start'][:10]} {end_text}"
    return start, _parse_utc(end_text)


def _clock(moment: dt.datetime, with_date: bool) -> str:
    fmt = "%Y-%m-%d %H:%M" if with_date else "%H:%M"
    return moment.strftime(fmt if moment.second == 0 else fmt + ":%S")


def in_zone(detail: str, zone: str) -> str:
    """The engine's detail with each UTC instant or span rewritten in ``zone``
    ("busy 2026-12-07 14:00–15:00 UTC" → "busy 2026-12-07 19:30–20:30" in Kolkata)."""
    tz = zoneinfo.ZoneInfo(zone)

    def local(match: re.Match) -> str:
        start, end = _utc_span(match)
        start = start.astimezone(tz)
        text = _clock(start, with_date=True)
        if end is not None:
            end = end.astimezone(tz)
            text += "–" + _clock(end, with_date=end.date() != start.date())
        return text

    return _UTC_TEXT.sub(local, detail)


# The engine's reason codes in the admin's words (the code is shown beside them).
REASON_WORDS = {
    "outside_open_hours": "Outside open hours",
    "exdate": "A closed date",
    "busy": "Busy",
    "buffer": "Too close (buffer)",
    "min_booking_notice": "Too soon (booking notice)",
    "beyond_available_days": "Too far ahead",
    "off_interval": "Not one of the offered start times",
    "capacity_full": "Every seat taken",
    "not_next_in_round_robin": "Not next in the round-robin",
    "outside_range": "Outside the range asked about",
}


@dataclass
class BlockingItem:
    reason: str
    detail: str  # in the admin's zone
    what: str = ""  # the booking or event, when the database knows it
    link: str = ""
    who: list[str] = field(default_factory=list)  # whom it blocks; empty: the slot

    @property
    def reason_words(self) -> str:
        return REASON_WORDS.get(self.reason, self.reason)


def _seconds(moment: dt.datetime, rounding) -> int:
    return int(rounding(moment.timestamp()))


def _busy_sources(explanation: Explanation) -> dict[tuple[str, int, int], tuple[str, str, str]]:
    """(email, start, end) of busy time → (key, label, admin link) of the booking or event
    behind it, for the busy and buffer reasons' intervals, in two queries."""
    wanted = []
    for reason in explanation.reasons:
        match = _UTC_TEXT.search(reason.detail) if reason.reason in (BUSY, BUFFER) else None
        if reason.email and match and match["end"]:
            start, end = _utc_span(match)
            wanted.append((reason.email.lower(), int(start.timestamp()), int(end.timestamp())))
    if not wanted:
        return {}
    emails = {email for email, _, _ in wanted}
    low = dt.datetime.fromtimestamp(min(s for _, s, _ in wanted), dt.UTC)
    high = dt.datetime.fromtimestamp(max(e for _, _, e in wanted), dt.UTC)
    sources = {}

    def booking_source(booking: Booking) -> tuple[str, str, str]:
        label = f"Booking: {booking.guest_name} <{booking.guest_email}>"
        return (
            f"booking:{booking.pk}",
            label,
            reverse("admin:bookings_booking_change", args=[booking.pk]),
        )

    for row in BookingHost.objects.filter(
        active=True,
        grant__email__in=emails,
        blocked_start__lt=high,
        blocked_end__gt=low,
    ).select_related("booking", "grant"):
        key = (
            row.grant.email.lower(),
            _seconds(row.blocked_start, math.floor),
            _seconds(row.blocked_end, math.ceil),
        )
        sources[key] = booking_source(row.booking)
    for event in Event.objects.filter(
        calendar__grant__email__in=emails, start__lt=high, end__gt=low
    ).select_related("calendar__grant", "booking"):
        key = (
            event.calendar.grant.email.lower(),
            _seconds(event.start, math.floor),
            _seconds(event.end, math.ceil),
        )
        booking = getattr(event, "booking", None)
        if booking is not None:
            sources.setdefault(key, booking_source(booking))
        else:
            label = f"Event: {event.title or 'Busy'}"
            if event.calendar.is_remote:
                label += f" (in {event.calendar.name})"
            link = reverse("admin:pages_event_change", args=[event.pk])
            sources.setdefault(key, (f"event:{event.pk}", label, link))
    return sources


def blocking_items(explanation: Explanation, zone: str) -> list[BlockingItem]:
    """Each thing that stands in the way once, with the participants it blocks."""
    sources = _busy_sources(explanation)
    items: dict[tuple, BlockingItem] = {}
    for reason in explanation.reasons:
        detail = in_zone(reason.detail, zone)
        key, what, link = (reason.reason, detail), "", ""
        match = _UTC_TEXT.search(reason.detail)
        if reason.email and reason.reason in (BUSY, BUFFER) and match and match["end"]:
            start, end = _utc_span(match)
            span = (reason.email.lower(), int(start.timestamp()), int(end.timestamp()))
            if span in sources:
                source, what, link = sources[span]
                key = (source,)
        item = items.setdefault(key, BlockingItem(reason.reason, detail, what, link))
        if reason.reason == BUSY and item.reason == BUFFER:
            item.reason, item.detail = reason.reason, detail  # inside the slot says more
        if reason.email and reason.email not in item.who:
            item.who.append(reason.email)
    return list(items.values())


def fairness_counts(configuration: Configuration, now: dt.datetime) -> list[tuple[str, int]]:
    """Bookings per host over the last 30 days (cancelled ones left out), every
    grant participant listed, most booked first."""
    since = now - dt.timedelta(days=FAIRNESS_DAYS)
    counts = Counter(
        {
            row["grant__email"]: row["n"]
            for row in BookingHost.objects.filter(
                booking__configuration=configuration, booking__created_at__gte=since
            )
            .exclude(booking__status=Booking.Status.CANCELLED)
            .values("grant__email")
            .annotate(n=Count("id"))
        }
    )
    for participant in configuration.participants.exclude(grant=None):
        counts.setdefault(participant.email, 0)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def fairness_svg(counts: list[tuple[str, int]]) -> str:
    """A horizontal bar chart, drawn on the server (no script, no CDN)."""
    if not counts:
        return "No hosts."
    width, bar, gap, label_width = 520, 18, 8, 220
    top = max(n for _, n in counts) or 1
    height = len(counts) * (bar + gap) + gap
    rows = []
    for index, (email, n) in enumerate(counts):
        y = gap + index * (bar + gap)
        length = int((width - label_width - 50) * n / top)
        rows.append(
            (
                y + bar - 5,
                email,
                label_width,
                y,
                max(length, 1),
                bar,
                label_width + length + 6,
                y + bar - 5,
                n,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12" fill="#1f2937">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#2563eb" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="12" fill="#1f2937">{}</text>',
        rows,
    )
    return format_html(
        '<svg role="img" aria-label="Bookings per host, last {} days" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        FAIRNESS_DAYS,
        width,
        height,
        width,
        height,
        body,
    )


class ConfigurationToolsAdmin(ConfigurationAdmin):
    change_form_template = "admin/pages/configuration/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "fairness_chart"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.is_round_robin:
            fieldsets.insert(1, ("Round-robin fairness", {"fields": ["fairness_chart"]}))
        return fieldsets

    @admin.display(description=f"Bookings per host, last {FAIRNESS_DAYS} days")
    def fairness_chart(self, obj: Configuration) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return mark_safe(fairness_svg(fairness_counts(obj, timezone.now())))  # noqa: S308 built with format_html

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/why/",
                self.admin_site.admin_view(self.why_view),
                name="pages_configuration_why",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="pages_configuration_preview",
            ),
        ]
        return own + super().get_urls()

    def _configuration(self, request, object_id) -> Configuration:
        configuration = get_object_or_404(
            Configuration.objects.select_related("grant"), pk=object_id
        )
        if not self.has_view_or_change_permission(request, configuration):
            raise PermissionDenied
        return configuration

    def why_view(self, request, object_id):
        """Why isn't this time free? The explain endpoint's reasons, per participant."""
        configuration = self._configuration(request, object_id)
        form = MomentForm(request.GET or None, zone=chosen_zone(request))
        explanation, items, zone, span = None, [], None, ""
        if form.is_valid():
            zone = form.cleaned_data["timezone"]
            start = local_instant(form.cleaned_data["date"], form.cleaned_data["time"], zone)
            explanation = explain(configuration, start)
            items = blocking_items(explanation, zone)
            tz = zoneinfo.ZoneInfo(zone)
            begins = dt.datetime.fromtimestamp(explanation.start, tz)
            ends = dt.datetime.fromtimestamp(explanation.end, tz)
            span = f"{begins:%a %Y-%m-%d %H:%M}–{_clock(ends, ends.date() != begins.date())}"
        return TemplateResponse(
            request,
            "admin/pages/configuration/why.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": configuration,
                "title": f"Why isn't this time free? — {configuration}",
                "form": form,
                "explanation": explanation,
                "items": items,
                "zone": zone,
                "span": span,
                "change_url": reverse("admin:pages_configuration_change", args=[configuration.pk]),
            },
        )

    def preview_view(self, request, object_id):
        """A week of offered slots in a chosen zone."""
        configuration = self._configuration(request, object_id)
        zone = chosen_zone(request)
        data = request.GET or {"week_of": timezone.localdate().isoformat(), "timezone": zone}
        form = WeekForm(data, zone=zone)
        week = []
        if form.is_valid():
            week = week_of_slots(
                configuration, form.cleaned_data["week_of"], form.cleaned_data["timezone"]
            )
        return TemplateResponse(
            request,
            "admin/pages/configuration/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": configuration,
                "title": f"Offered slots — {configuration}",
                "form": form,
                "week": week,
                "change_url": reverse("admin:pages_configuration_change", args=[configuration.pk]),
            },
        )


def register() -> None:
    if admin.site.is_registered(Configuration):
        admin.site.unregister(Configuration)
    admin.site.register(Configuration, ConfigurationToolsAdmin)
