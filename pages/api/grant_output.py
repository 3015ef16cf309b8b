"""A grant as the v3 API shows it: its JSON and its OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from pages.api.openapi import constant
from pages.models import Grant, RemoteEvent
from pages.unix_time import to_unix


def grant_json(grant: Grant) -> dict:
    return {
        "id": str(grant.pk),
        "object": "grant",
        "provider": grant.provider,
        "grant_status": grant.grant_status,
        "email": grant.email,
        "name": grant.name,
        "timezone": grant.timezone,
        "picture_url": grant.picture_url or None,
        "created_at": to_unix(grant.created_at),
        "updated_at": to_unix(grant.updated_at),
    }


def sync_json(grant: Grant) -> dict | None:
    """How the grant's calendars are kept in step (connected grants only)."""
    if not grant.is_connected:
        return None
    return {
        "last_success_at": to_unix(grant.last_sync_at) if grant.last_sync_at else None,
        "last_error": grant.last_sync_error or None,
        "last_error_at": to_unix(grant.last_sync_error_at) if grant.last_sync_error_at else None,
        "calendars": grant.calendars.exclude(source="").count(),
        "events": RemoteEvent.objects.filter(calendar__grant=grant).count(),
    }


class GrantSchema(serializers.Serializer):
    id = serializers.UUIDField()
    object = constant("grant")
    provider = serializers.ChoiceField(choices=Grant.Provider.values)
    grant_status = serializers.ChoiceField(
        choices=Grant.Status.values,
        help_text="invalid: the server refused the credentials; PATCH new ones",
    )
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True)
    timezone = serializers.CharField(help_text="IANA zone")
    picture_url = serializers.CharField(
        allow_null=True, help_text="The organizer's picture on booking pages (https), or null"
    )
    created_at = serializers.IntegerField(help_text="Unix seconds")
    updated_at = serializers.IntegerField(help_text="Unix seconds")


class SyncSchema(serializers.Serializer):
    last_success_at = serializers.IntegerField(allow_null=True, help_text="Unix seconds")
    last_error = serializers.CharField(allow_null=True)
    last_error_at = serializers.IntegerField(allow_null=True, help_text="Unix seconds")
    calendars = serializers.IntegerField(help_text="Remote calendars")
    events = serializers.IntegerField(help_text="Remote objects (events and series) stored")


class GrantDetailSchema(GrantSchema):
    sync = SyncSchema(allow_null=True, help_text="Connected grants: how the sync goes")


class NewGrantSchema(GrantSchema):
    access_token = serializers.CharField(help_text="Shown once: stored hashed.")
