"""Connecting a grant to the calendars its organizer uses: ``POST /v3/connect/custom``
(Nylas's custom authentication shape) and new credentials through ``PATCH
/v3/grants/{grant_id}``.

The settings are checked here, then the server is reached once (bounded: about 10 s)
before anything is stored: refused credentials, a server that is not CalDAV, or one that
cannot be reached is a 400 naming the setting and saying what the server answered. The
secrets are sealed by the services and never echoed.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from pages.api import parsing as p
from pages.api.access import ID_TAKEN_RESPONSE, OrganizerView, chosen_id, id_taken
from pages.api.envelope import v3
from pages.api.errors import BadRequest, Forbidden
from pages.api.grant_output import NewGrantSchema, grant_json
from pages.api.model_errors import NonFieldError, as_bad_request, service_errors
from pages.api.openapi import ChosenIdField, ZoneOrBlankField, closed, enveloped, responses
from pages.api.optional import given, zone_or_blank
from pages.models import Grant
from pages.services import IdTaken
from pages.sync import providers, queue
from pages.sync import services as sync_services

logger = logging.getLogger(__name__)

PROVIDERS = tuple(Grant.Provider.values)
EMAIL_TAKEN = "a grant with this email address already exists"


def read_settings(provider: str, values) -> dict:
    try:
        return providers.read_settings(provider, values)
    except ValidationError as error:
        raise as_bad_request(error, {}) from None


def reach(provider: str, values: dict) -> list:
    try:
        return providers.reach(provider, values)
    except providers.Unconnectable as error:
        raise BadRequest(error.message, field=error.setting) from None


def _email(body, provider: str, raw_settings) -> str:
    if body.get("email") not in (None, ""):
        return p.email_address(body["email"], "email")
    if isinstance(raw_settings, dict):
        for key in ("email", "username"):
            value = raw_settings.get(key)
            if isinstance(value, str) and "@" in value:
                return p.email_address(value, f"settings.{key}")
    raise BadRequest(
        "is required (the organizer's address; for caldav and icloud a user name that is "
        "an address is used when it is missing)",
        field="email",
    )


CONNECT_REQUEST = inline_serializer(
    name="ConnectCustomRequest",
    fields={
        "id": ChosenIdField(
            help_text="API key only: the id the new grant must have, so that a migrating "
            "team keeps the hosted service's grant ids (a UUID; a taken one is a 409)",
        ),
        "provider": serializers.ChoiceField(choices=PROVIDERS),
        "settings": serializers.DictField(
            required=False,
            help_text="caldav: {url, username, password}; icloud: {username, password} "
            "(an app-specific password); ics: {urls: [...]}; virtual-calendar: {email} "
            "(optional: the grant's email may be given at the top level instead)",
        ),
        # null: as if not sent
        "email": serializers.EmailField(required=False, allow_null=True),
        "name": serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=200
        ),
        "timezone": ZoneOrBlankField(),
        "state": serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=500
        ),
    },
)


class ConnectCustomView(OrganizerView):
    """POST /v3/connect/custom"""

    @extend_schema(
        operation_id="connect_custom",
        tags=["grants"],
        summary="Create a grant connected to a CalDAV server, iCloud or iCal feeds (API key)",
        request=CONNECT_REQUEST,
        responses=responses(enveloped("GrantConnected", NewGrantSchema())) | ID_TAKEN_RESPONSE,
    )
    def post(self, request):
        caller = self.caller()
        if not caller.is_application:
            raise Forbidden("Only the API key can create grants.")
        body = p.as_object(request.data, "body")
        grant_id = chosen_id(body, caller, Grant, "grant")
        if "provider" not in body:
            raise BadRequest("is required", field="provider")
        provider = p.one_of(body["provider"], "provider", PROVIDERS)
        raw_settings = given(body, "settings", {})
        values = read_settings(provider, raw_settings)
        email = _email(body, provider, raw_settings)
        if Grant.objects.filter(email__iexact=email).exists():
            raise BadRequest(EMAIL_TAKEN, field="email")
        name = p.text(given(body, "name", ""), "name", max_length=200)
        zone = zone_or_blank(body, "timezone", "timezone") or "UTC"
        state = p.text(given(body, "state", ""), "state", max_length=500)
        found = reach(provider, values)
        try:
            with service_errors({"timezone": "timezone"}):
                grant, token = sync_services.connect_grant(
                    provider=provider,
                    values=values,
                    found=found,
                    email=email,
                    name=name,
                    timezone_name=zone,
                    grant_id=grant_id,
                )
        except IdTaken as error:
            raise id_taken(error) from None
        except (IntegrityError, NonFieldError):
            raise BadRequest(EMAIL_TAKEN, field="email") from None
        if grant.is_connected:
            transaction.on_commit(lambda: queue.sync_soon(grant.pk))
        answer = {**grant_json(grant), "access_token": token}
        if state:
            answer["state"] = state
        return v3(answer)


def patch_grant(grant: Grant, body) -> Grant:
    """PATCH /v3/grants/{id}: ``settings`` (checked against the server like on creation;
    an invalid grant becomes valid again), ``name``, ``timezone``."""
    body = p.as_object(body, "body")
    if unknown := sorted(set(body) - {"settings", "name", "timezone", "scope", "state"}):
        raise BadRequest("cannot be changed", field=unknown[0])
    name = p.text(body["name"], "name", max_length=200) if body.get("name") is not None else None
    zone = zone_or_blank(body, "timezone", "timezone") or None
    if body.get("settings") is not None:
        if not grant.is_connected:
            raise BadRequest(
                "a virtual-calendar grant has no credentials to change", field="settings"
            )
        values = read_settings(grant.provider, body["settings"])
        found = reach(grant.provider, values)
        sync_services.change_grant_settings(grant=grant, values=values, found=found)
        transaction.on_commit(lambda: queue.sync_soon(grant.pk))
    if name is not None or zone is not None:
        with service_errors():
            sync_services.update_grant_details(grant=grant, name=name, timezone_name=zone)
    grant.refresh_from_db()
    return grant


PATCH_REQUEST = closed(
    inline_serializer(
        name="GrantUpdateRequest",
        fields={
            "settings": serializers.DictField(
                required=False,
                allow_null=True,
                help_text="New credentials, checked against the server (null: unchanged)",
            ),
            "name": serializers.CharField(required=False, allow_null=True, max_length=200),
            "timezone": ZoneOrBlankField(),
            "scope": serializers.JSONField(required=False, help_text="Accepted and not used"),
            "state": serializers.JSONField(required=False, help_text="Accepted and not used"),
        },
    )
)
