"""The guest side: sessions for private configurations, and bookings."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from pages import tokens
from pages.models.calendars import local_minute


class Session(models.Model):
    """Access to the scheduling endpoints of one private configuration, for a while."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    configuration = models.ForeignKey(
        "pages.Configuration", on_delete=models.CASCADE, related_name="sessions"
    )
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Session for {self.configuration} until {local_minute(self.expires_at)}"

    def set_new_token(self) -> str:
        token = tokens.new_secret("ss_")
        self.token_digest = tokens.digest(token)
        return token


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked"
        PENDING = "pending"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    configuration = models.ForeignKey(
        "pages.Configuration", on_delete=models.CASCADE, related_name="bookings"
    )
    hosts = models.ManyToManyField("pages.Grant", through="BookingHost", related_name="+")
    organizer = models.ForeignKey(
        "pages.Grant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.OneToOneField(
        "pages.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="booking"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    guest_name = models.CharField(max_length=200)
    guest_email = models.EmailField(max_length=254)
    additional_guests = models.JSONField(default=list, blank=True)
    additional_fields = models.JSONField(default=dict, blank=True)
    # Free-form strings the host page of an embed gave (pages/embeds.py): kept with the
    # booking and sent in its webhooks, never shown to the guest.
    metadata = models.JSONField(default=dict, blank=True)
    guest_timezone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=16, default="en")
    # The random part of booking_ref, stored hashed: the ref is shown to the guest once.
    salt_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The organizer's confirm/decline link carries a signed nonce; it is cleared when the
    # link is used, so a link works once (and cannot be derived from booking_ref).
    organizer_link_nonce = models.CharField(max_length=64, blank=True, editable=False)
    cancellation_reason = models.TextField(blank=True)
    # The meeting link it was given when made (pages/conferencing.py): {provider, details:
    # {url, meeting_code, password, pin, phone}}, {} for none. A reschedule keeps it.
    conferencing = models.JSONField(default=dict, blank=True, editable=False)
    # Set when the organizer declined it (status is then cancelled: its time is free and
    # the API says "cancelled", as the hosted service does); the admin shows "Declined".
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "pending", "cancelled"]),
                name="booking_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["configuration", "start"], name="booking_config_start")]

    def __str__(self) -> str:
        return f"{self.guest_name} {local_minute(self.start)} ({self.status_label.lower()})"

    @property
    def status_label(self) -> str:
        if self.status == self.Status.CANCELLED and self.declined_at is not None:
            return "Declined"
        return self.get_status_display().capitalize()

    def set_new_salt(self) -> str:
        salt = tokens.new_secret()
        self.salt_digest = tokens.digest(salt)
        return salt


class BookingHost(models.Model):
    """A host a booking occupies, with the time it blocks (its configuration's buffers
    included). One row per (booking, grant): the database locks and constrains a host's
    time through these rows. On PostgreSQL an exclusion constraint forbids two active
    exclusive (capacity 1) rows of one host from overlapping: the backstop behind the
    row locks taken by bookings/services.py."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="host_rows")
    grant = models.ForeignKey("pages.Grant", on_delete=models.CASCADE, related_name="+")
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    # Cleared when the booking is cancelled or declined.
    active = models.BooleanField(default=True)
    # False for group events (capacity > 1), whose guests share the host's time.
    exclusive = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "grant"], name="booking_host_once"),
            models.CheckConstraint(
                condition=Q(blocked_end__gt=F("blocked_start")), name="blocked_end_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["grant", "blocked_start", "blocked_end"], name="booking_host_blocked"
            ),
        ]

    def __str__(self) -> str:
        return str(self.grant)


class IdempotencyKey(models.Model):
    """Idempotency-Key of a booking request: the same key and body within 24 hours
    replays the first response; another body is refused; one still running is a 409."""

    key = models.CharField(max_length=255)
    # Who asked (API key, grant, session, page, or "public:" and a digest of an anonymous
    # client's address), so keys of callers never collide.
    scope = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once"),
        ]

    def __str__(self) -> str:
        return self.key
