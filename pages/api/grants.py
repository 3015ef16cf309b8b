"""Grants (organizers): ``/v3/grants`` and ``/v3/grants/{grant_id}``."""

from __future__ import annotations

from django.db import IntegrityError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from pages import page_urls, services
from pages.api import connect
from pages.api import parsing as p
from pages.api.access import ID_TAKEN_RESPONSE, OrganizerView, chosen_id, id_taken
from pages.api.envelope import page_of, v3, v3_deleted
from pages.api.errors import BadRequest, Forbidden
from pages.api.grant_output import (
    GrantDetailSchema,
    GrantSchema,
    NewGrantSchema,
    grant_json,
    sync_json,
)
from pages.api.model_errors import NonFieldError, service_errors
from pages.api.openapi import (
    DELETED,
    PAGE_PARAMETERS,
    ChosenIdField,
    ZoneOrBlankField,
    enveloped,
    responses,
)
from pages.api.optional import given, zone_or_blank
from pages.models import Grant

EMAIL_TAKEN = "a grant with this email address already exists"


def read_new_grant(body) -> dict:
    body = p.as_object(body, "body")
    if "email" not in body:
        raise BadRequest("is required", field="email")
    email = p.email_address(body["email"], "email")
    if Grant.objects.filter(email__iexact=email).exists():
        raise BadRequest(EMAIL_TAKEN, field="email")
    name = p.text(given(body, "name", ""), "name", max_length=200)
    zone = zone_or_blank(body, "timezone", "timezone") or "UTC"
    picture = p.text(given(body, "picture_url", ""), "picture_url", max_length=2000).strip()
    if picture and (problem := page_urls.problem(picture)):
        raise BadRequest(problem, field="picture_url")
    return {"email": email, "name": name, "timezone": zone, "picture_url": picture}


ID_FIELD_HELP = (
    "API key only: the id the new grant must have, so that a migrating team keeps the "
    "hosted service's grant ids (a UUID; a taken one is a 409)"
)

NEW_GRANT_REQUEST = inline_serializer(
    name="GrantCreateRequest",
    fields={
        "id": ChosenIdField(help_text=ID_FIELD_HELP),
        "email": serializers.EmailField(),
        "name": serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=200
        ),
        "timezone": ZoneOrBlankField(help_text="IANA zone (default UTC)"),
        "picture_url": serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            max_length=2000,
            help_text="The organizer's picture on booking pages: an https address",
        ),
    },
)


class GrantListView(OrganizerView):
    """GET|POST /v3/grants"""

    @extend_schema(
        operation_id="grants_list",
        tags=["grants"],
        summary="List grants (the API key: all; a grant token: its own)",
        parameters=PAGE_PARAMETERS,
        responses=responses(enveloped("GrantList", GrantSchema(many=True), listing=True)),
    )
    def get(self, request):
        caller = self.caller()
        grants = Grant.objects.order_by("created_at", "pk")
        if not caller.is_application:
            grants = grants.filter(pk=caller.grant.pk)
        items, cursor = page_of(grants, request.query_params)
        return v3([grant_json(g) for g in items], next_cursor=cursor, listing=True)

    @extend_schema(
        operation_id="grants_create",
        tags=["grants"],
        summary="Create a grant (API key only); its access_token is shown once",
        request=NEW_GRANT_REQUEST,
        responses=responses(enveloped("GrantCreated", NewGrantSchema())) | ID_TAKEN_RESPONSE,
    )
    def post(self, request):
        caller = self.caller()
        if not caller.is_application:
            raise Forbidden("Only the API key can create grants.")
        grant_id = chosen_id(request.data, caller, Grant, "grant")
        values = read_new_grant(request.data)
        try:
            with service_errors():
                grant, token = services.create_grant(**values, grant_id=grant_id)
        except services.IdTaken as error:
            raise id_taken(error) from None
        except (IntegrityError, NonFieldError):
            # Two requests raced with one email: the unique constraint (which full_clean
            # checks too, as a non-field error) let one through.
            raise BadRequest(EMAIL_TAKEN, field="email") from None
        return v3({**grant_json(grant), "access_token": token})


class GrantDetailView(OrganizerView):
    """GET|PATCH|DELETE /v3/grants/{grant_id}"""

    @extend_schema(
        operation_id="grants_retrieve",
        tags=["grants"],
        responses=responses(enveloped("GrantOne", GrantDetailSchema())),
    )
    def get(self, request, grant_id):
        grant = self.grant(grant_id)
        return v3({**grant_json(grant), "sync": sync_json(grant)})

    @extend_schema(
        operation_id="grants_partial_update",
        tags=["grants"],
        summary="Change a grant's name, zone or credentials (checked against its server)",
        request=connect.PATCH_REQUEST,
        responses=responses(enveloped("GrantUpdated", GrantDetailSchema())),
    )
    def patch(self, request, grant_id):
        grant = connect.patch_grant(self.grant(grant_id), request.data)
        return v3({**grant_json(grant), "sync": sync_json(grant)})

    @extend_schema(
        operation_id="grants_destroy",
        tags=["grants"],
        summary="Delete a grant with its calendars, events and configurations",
        responses=responses(DELETED),
    )
    def delete(self, request, grant_id):
        services.delete_grant(grant=self.grant(grant_id))
        return v3_deleted()
