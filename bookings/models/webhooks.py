"""Webhook endpoints (the /v3/webhooks API) and the log of every delivery attempt."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.db import models

TRIGGER_TYPES = (
    "booking.created",
    "booking.pending",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.reminder",
)
SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """Where booking events are POSTed.

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
