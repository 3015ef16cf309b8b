"""Writes on the organizer side. Views, API views, admin and commands call these."""

from __future__ import annotations

from django.db import transaction

from pages.models import ApiKey, Calendar, Grant


@transaction.atomic
def create_api_key(*, name: str) -> tuple[ApiKey, str]:
    """A new application key and its secret (shown once, stored hashed)."""
    api_key = ApiKey(name=name)
    secret = api_key.set_new_key()
    api_key.save()
    return api_key, secret


def ensure_primary_calendar(grant: Grant) -> Calendar:
    calendar = grant.calendars.filter(is_primary=True).first()
    if calendar is None:
        calendar = Calendar.objects.create(
            grant=grant, name=grant.name or grant.email, timezone=grant.timezone, is_primary=True
        )
    return calendar


@transaction.atomic
def create_grant(*, email: str, name: str = "", timezone: str = "UTC") -> tuple[Grant, str]:
    """A new organizer with a primary calendar; returns the grant and its access token."""
    grant = Grant(email=email.strip(), name=name, timezone=timezone)
    token = grant.set_new_access_token()
    grant.full_clean()
    grant.save()
    ensure_primary_calendar(grant)
    return grant, token
