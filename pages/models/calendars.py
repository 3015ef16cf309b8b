"""Calendars live here (no provider is reachable): an organizer's busy time comes from
the events stored in them, bookings included."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from pages.validators import validate_timezone


def local_minute(moment) -> str:
    """``2026-12-07 10:00 CST``: in the active zone (the admin's, in the admin), named."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


class Calendar(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    grant = models.ForeignKey("pages.Grant", on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_primary = models.BooleanField(default=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"], condition=Q(is_primary=True), name="one_primary_calendar"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.grant.email})"


class Event(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        TENTATIVE = "tentative"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=500, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    busy = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    participants = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The booking that made an event is its reverse one-to-one ``booking`` (declared on
    # bookings.Booking, because pages never imports bookings).

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "tentative", "cancelled"]),
                name="event_status_valid",
            ),
        ]
        indexes = [
            # "events of these calendars overlapping this range": calendar = ANY(...) AND
            # start < range_end AND end > range_start.
            models.Index(fields=["calendar", "start", "end"], name="event_calendar_range"),
        ]

    def __str__(self) -> str:
        return f"{self.title or 'Busy'} {local_minute(self.start)}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})
