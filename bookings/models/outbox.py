"""The outbox: one row per email or webhook delivery a booking owes (or a grant or an
event changed through the API: their webhooks).

Rows are written by bookings.notifications inside the booking's own transaction (or the
grant's or event's), so a change that was committed has its rows, and a rolled-back one
has none. Celery sends
them later (bookings/notifications/sending.py explains the state machine and why a row
is sent once).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (waiting for its time or a retry)"
        SENDING = "sending", "Sending (claimed by a worker)"
        SENT = "sent"
        FAILED = "failed", "Failed (gave up)"
        CANCELLED = "cancelled", "Cancelled (no longer owed)"

    class Audience(models.TextChoices):
        GUEST = "guest"
        HOST = "host"
        ENDPOINT = "endpoint"

    # The id is also the email's Message-ID and the webhook's webhook-id: a receiver that
    # sees it twice (a worker died between the server's acceptance and our mark) can drop
    # the second copy.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # guest_confirmation, guest_pending, organizer_notice, organizer_request, rescheduled,
    # cancelled, declined, reminder (emails); the trigger type (webhooks).
    purpose = models.CharField(max_length=40)
    # Null once the booking was deleted with its configuration: what the row still owes
    # was kept in ``context`` first (bookings.notifications.keep_owed_messages). Null
    # from the start for grant.* and event.* webhooks (their payload is all they need).
    booking = models.ForeignKey(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    audience = models.CharField(max_length=16, choices=Audience.choices)
    # An email address, or the webhook endpoint's URL at the time (for the admin's list).
    recipient = models.CharField(max_length=2000)
    recipient_name = models.CharField(max_length=200, blank=True)
    endpoint = models.ForeignKey(
        "bookings.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    due_at = models.DateTimeField()
    # What rendering needs that may change later: the times of the booking when the row
    # was written, the old times of a reschedule, the reason of a cancellation, the
    # iCalendar SEQUENCE, a reminder's minutes and subject, a webhook's payload.
    context = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When a pending row may next be tried (its due time, then the retry schedule).
    next_attempt_at = models.DateTimeField()
    # The claim: who may send this row now, and until when. See sending.py.
    claim_token = models.CharField(max_length=64, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An admin re-send of a sent row makes a new row; this points back at the original.
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "outbox message"
        ordering = ["-due_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease"),
            models.Index(fields=["booking", "purpose"], name="outbox_booking_purpose"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["email", "webhook"]), name="outbox_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "cancelled"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="outbox_sending_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.recipient} ({self.status})"


class InviteSequence(models.Model):
    """The iCalendar SEQUENCE of a booking's invite: 0 when first sent, one more with each
    reschedule or cancellation, so calendar clients apply updates in order. (The UID is
    the booking id, stable by construction.)"""

    booking = models.OneToOneField(
        "bookings.Booking", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.sequence}"
