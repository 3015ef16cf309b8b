"""Webhook endpoints (the /v3/webhooks API) and the log of every delivery attempt."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.db import models

from pages import signals

# What this server delivers: the scheduler's own triggers, the grants' (created, updated,
# deleted through the API; expired when a connected calendar refuses its credentials) and
# the events' (created, updated or deleted through the events API).
BOOKING_TRIGGERS = (
    "booking.created",
    "booking.pending",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.reminder",
)
GRANT_TRIGGERS = signals.GRANT_TRIGGERS  # what pages.signals.announce_grant may send
EVENT_TRIGGERS = ("event.created", "event.updated", "event.deleted")
DELIVERED_TRIGGERS = BOOKING_TRIGGERS + GRANT_TRIGGERS + EVENT_TRIGGERS
# The rest of the hosted service's list (its OpenAPI description and notification
# reference): a subscription may name them, so one made for the hosted service is kept
# as it is, but nothing here ever happens that would send them.
KEPT_TRIGGERS = (
    "grant.imap_sync_completed",
    "calendar.created",
    "calendar.updated",
    "calendar.deleted",
    "contact.updated",
    "contact.deleted",
    "folder.created",
    "folder.updated",
    "folder.deleted",
    "message.created",
    "message.created.cleaned",
    "message.created.truncated",
    "message.created.metadata",
    "message.updated",
    "message.updated.truncated",
    "message.updated.metadata",
    "message.deleted",
    "message.send_success",
    "message.send_failed",
    "message.bounce_detected",
    "message.opened",
    "message.opened.legacy",
    "message.link_clicked",
    "message.link_clicked.legacy",
    "thread.replied",
    "thread.replied.legacy",
    "message.transactional.bounced",
    "message.transactional.complaint",
    "message.transactional.delivered",
    "message.transactional.rejected",
    "message.bounced",
    "message.complaint",
    "message.delivered",
    "message.rejected",
    "message.intelligence.order",
    "message.intelligence.tracking",
    "message.intelligence.return",
    "message.intelligence.travel",
    "notetaker.created",
    "notetaker.updated",
    "notetaker.deleted",
    "notetaker.meeting_state",
    "notetaker.media",
)
TRIGGER_TYPES = DELIVERED_TRIGGERS + KEPT_TRIGGERS
SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """Where notifications (bookings, grants, events) are POSTed.

    The signing secret is kept as it was issued, not hashed like the other secrets
    (API.md): every delivery is signed with it, so the server must be able to read it.
    It is shown once (at creation and rotation) and never again, by the API or the admin.
    """

    class Status(models.TextChoices):
        ACTIVE = "active"
        PAUSE = "pause", "Paused"
        FAILED = "failed", "Failed (the receiver answered 410 Gone)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    description = models.CharField(max_length=500, blank=True)
    webhook_url = models.URLField(max_length=2000)
    trigger_types = models.JSONField(default=list)
    notification_email_addresses = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    secret = models.CharField(max_length=100, editable=False)
    secret_hint = models.CharField(max_length=16, editable=False, blank=True)
    status_updated_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "webhook endpoint"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description or self.webhook_url

    def set_new_secret(self) -> str:
        self.secret = new_webhook_secret()
        self.secret_hint = self.secret[:10]
        return self.secret


class WebhookAttempt(models.Model):
    """One POST of one delivery: what the receiver answered and how long it took."""

    message = models.ForeignKey(
        "bookings.OutboxMessage", on_delete=models.CASCADE, related_name="webhook_attempts"
    )
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(db_index=True)
    webhook_url = models.URLField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        verbose_name = "webhook attempt"
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40] or "no answer"
        return f"{self.message.purpose} → {self.webhook_url} ({outcome})"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
