"""Who may use the API: application API keys, and grants (organizers)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower

from pages import page_urls, tokens
from pages.validators import validate_timezone


class ApiKey(models.Model):
    """An application-wide key (``Authorization: Bearer <key>``), stored hashed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=16, editable=False, help_text="First characters")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    def set_new_key(self) -> str:
        """Give this key a fresh secret and return it: the only time it is readable."""
        key = tokens.new_secret("sk_")
        self.key_digest = tokens.digest(key)
        self.key_hint = key[:8]
        return key


class Grant(models.Model):
    """An organizer: a person with calendars who can host meetings.

    A grant's calendars are kept here (``virtual-calendar``) or connected to the
    calendars the organizer really uses (``caldav``, ``icloud``, ``ics``): then its
    ``settings`` (the server's address, user name and password, or the feeds' secret
    addresses) are kept sealed (pages/sync/sealing.py) and pages/sync/ keeps its remote
    calendars' busy time in step."""

    class Provider(models.TextChoices):
        VIRTUAL_CALENDAR = "virtual-calendar", "Calendars kept here"
        CALDAV = "caldav", "CalDAV server"
        ICLOUD = "icloud", "iCloud"
        ICS = "ics", "iCal feeds"

    class Status(models.TextChoices):
        VALID = "valid"
        INVALID = "invalid"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(
        max_length=32, choices=Provider.choices, default=Provider.VIRTUAL_CALENDAR
    )
    grant_status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    # The provider's settings as sealed JSON (never plaintext: pages/sync/sealing.py).
    sealed_settings = models.TextField(blank=True, editable=False)
    # CalDAV: the calendar-home-set discovery found (like a calendar's own URL, not a
    # secret); a pass lists it in one request instead of discovering the account again.
    calendar_home_url = models.TextField(blank=True, editable=False)
    last_sync_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The last sync that succeeded"
    )
    last_sync_error = models.TextField(blank=True, editable=False)
    last_sync_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    picture_url = models.CharField(
        max_length=2000,
        blank=True,
        validators=[page_urls.validate],
        help_text="A picture of the organizer shown on their booking pages (https).",
    )
    access_token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="grant_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(provider__in=["virtual-calendar", "caldav", "icloud", "ics"]),
                name="grant_provider_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(grant_status__in=["valid", "invalid"]),
                name="grant_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def is_connected(self) -> bool:
        """Its calendars come from a server or feeds (pages/sync/)."""
        return self.provider != self.Provider.VIRTUAL_CALENDAR

    def set_new_access_token(self) -> str:
        token = tokens.new_secret("gt_")
        self.access_token_digest = tokens.digest(token)
        return token
