"""The configuration admin's tools that need the guest side: "Why isn't this time free?",
a week preview of offered slots in a chosen zone, and round-robin fairness at a glance.

pages may not import bookings, so bookings re-registers the configuration admin with
these added (bookings/admin.py calls register()).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict

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

from bookings.availability import find_slots
from bookings.availability_loader import configuration_zone, load_configuration
from bookings.explanations import explain
from bookings.models import Booking, BookingHost
from pages.admin import ConfigurationAdmin
from pages.models import Configuration
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
    data = load_configuration(configuration, start, end)
    by_day = defaultdict(list)
    for slot in find_slots(data.query, data.participants).slots:
        local = dt.datetime.fromtimestamp(slot.start, tz)
        by_day[local.date()].append((local.strftime("%H:%M"), slot))
    return [
        (first_day + dt.timedelta(days=i), by_day[first_day + dt.timedelta(days=i)])
        for i in range(7)
    ]


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
        zone = configuration_zone(configuration)
        form = MomentForm(request.GET or None, zone=zone)
        explanation = None
        if form.is_valid():
            start = local_instant(
                form.cleaned_data["date"], form.cleaned_data["time"], form.cleaned_data["timezone"]
            )
            explanation = explain(configuration, start)
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
                "change_url": reverse("admin:pages_configuration_change", args=[configuration.pk]),
            },
        )

    def preview_view(self, request, object_id):
        """A week of offered slots in a chosen zone."""
        configuration = self._configuration(request, object_id)
        zone = configuration_zone(configuration)
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
