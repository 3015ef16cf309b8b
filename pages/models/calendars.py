"""Calendars and their events: an organizer's busy time comes from the events stored in
them, bookings included.

A calendar is kept here, or it is a connected grant's remote calendar (a CalDAV
collection or an iCal feed): then ``source`` names it on its server, each object the
server holds is a ``RemoteEvent`` (its iCalendar text, as fetched), and that object's busy
occurrences over the sync window are ordinary ``Event`` rows (``remote_event`` set), so
availability reads remote busy time with the same query as local busy time."""

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
    # How a feed's ``source`` begins (see ``source``); any other non-blank source is a
    # CalDAV collection's URL.
    FEED_PREFIX = "feed:"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    grant = models.ForeignKey("pages.Grant", on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_primary = models.BooleanField(default=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # A connected grant's remote calendar: ``source`` is the CalDAV collection's URL, or
    # "feed:" and the SHA-256 of a feed's address (the address is a secret: it stays
    # sealed in the grant's settings). Blank for a calendar kept here.
    source = models.CharField(max_length=2000, blank=True, editable=False)
    ctag = models.CharField(max_length=500, blank=True, editable=False)
    sync_token = models.CharField(max_length=2000, blank=True, editable=False)
    # A feed's validators for the next conditional GET.
    feed_etag = models.CharField(max_length=500, blank=True, editable=False)
    feed_last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # The window the stored occurrences cover; a sync re-expands when it has rolled.
    expanded_from = models.DateTimeField(null=True, blank=True, editable=False)
    expanded_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_error = models.TextField(blank=True, editable=False)
    # Two workers never sync one calendar at once: a pass takes this lease first.
    sync_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"], condition=Q(is_primary=True), name="one_primary_calendar"
            ),
            models.UniqueConstraint(
                fields=["grant", "source"], condition=~Q(source=""), name="one_calendar_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.grant.email})"

    @property
    def is_remote(self) -> bool:
        return bool(self.source)


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
    # An occurrence of a remote calendar's object (None for an event kept here): its UID
    # and, in a series, the occurrence's original start (RECURRENCE-ID).
    remote_event = models.ForeignKey(
        "pages.RemoteEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
        editable=False,
    )
    ical_uid = models.CharField(max_length=1000, blank=True, editable=False)
    recurrence_id = models.DateTimeField(null=True, blank=True, editable=False)
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


class RemoteEvent(models.Model):
    """One object of a remote calendar as its server holds it: a CalDAV resource (an
    event, or a series with its overrides) or a whole iCal feed. Its busy occurrences
    in the sync window are its ``occurrences`` (Event rows)."""

    id = models.BigAutoField(primary_key=True)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="remote_events")
    # The resource's path on the server; "" for a feed (the feed is one object).
    href = models.CharField(max_length=2000)
    etag = models.CharField(max_length=500, blank=True)
    ical = models.TextField()
    # Why part or all of it was not read (a malformed VEVENT...): it is skipped, the rest
    # of the calendar still counts.
    problem = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "href"], name="one_remote_event_per_href"),
        ]

    def __str__(self) -> str:
        return self.href or "feed"


class OutgoingEvent(models.Model):
    """A booking's event as it must be in its host's CalDAV calendar: the queue of its
    writes and, once written, where it is (href, etag). One row per event and calendar,
    written in the booking's own transaction and delivered by a task
    (pages/sync/writes.py), which always sends the event's state at that moment: a
    PUT while the event stands, a DELETE once it is cancelled or gone. Idempotent by
    UID: the href is the UID's, so a retry after a lost answer replaces, never adds."""

    id = models.BigAutoField(primary_key=True)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="outgoing")
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="outgoing"
    )
    uid = models.CharField(max_length=1000)
    href = models.CharField(max_length=2000)
    etag = models.CharField(max_length=500, blank=True, help_text="What the server last said")
    # Due: a write is owed from ``due_at`` on; delivered clears it.
    pending = models.BooleanField(default=True)
    # Bumped by every change queued: a delivery marks the row done only if no change
    # came in while it was on the wire.
    version = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "uid"], name="one_outgoing_per_uid"),
        ]
        indexes = [models.Index(fields=["pending", "due_at"], name="outgoing_due")]

    def __str__(self) -> str:
        return self.uid
