"""Calendars: ``/v3/grants/{grant_id}/calendars[/{calendar_id}]``; ``primary`` is an
alias of the grant's primary calendar's ID."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from pages import services
from pages.api import parsing as p
from pages.api.access import OrganizerView, calendar_in_url
from pages.api.envelope import page_of, v3, v3_deleted
from pages.api.errors import BadRequest
from pages.api.model_errors import service_errors
from pages.api.openapi import (
    DELETED,
    PAGE_PARAMETERS,
    ZoneOrBlankField,
    constant,
    enveloped,
    responses,
)
from pages.api.optional import zone_or_blank
from pages.models import Calendar

WIRE_NAMES = {"calendar": "calendar_id"}
CALENDAR_ID = OpenApiParameter(
    "calendar_id", str, OpenApiParameter.PATH, description="A calendar ID, or primary."
)


def calendar_json(calendar: Calendar) -> dict:
    return {
        "id": str(calendar.pk),
        "grant_id": str(calendar.grant_id),
        "object": "calendar",
        "name": calendar.name,
        "description": calendar.description,
        "timezone": calendar.timezone,
        "is_primary": calendar.is_primary,
        "read_only": calendar.read_only,
    }


def read_calendar(body, *, calendar: Calendar | None) -> dict:
    """The values sent (all of them optional on update); ``name`` is required to create."""
    body = p.as_object(body, "body")
    values: dict = {}
    if calendar is None and not body.get("name"):
        raise BadRequest("is required", field="name")
    if "name" in body:
        values["name"] = p.text(body["name"], "name", max_length=200)
        if not values["name"].strip():
            raise BadRequest("must not be empty", field="name")
    if body.get("description") is not None:
        values["description"] = p.text(body["description"], "description", max_length=10_000)
    if zone_or_blank(body, "timezone", "timezone"):
        values["timezone"] = body["timezone"]
    if body.get("read_only") is not None:
        values["read_only"] = p.boolean(body["read_only"], "read_only")
    is_primary = calendar.is_primary if calendar else False
    if body.get("is_primary") is not None and p.boolean(body["is_primary"], "is_primary") != (
        is_primary
    ):
        raise BadRequest("is set when the grant is made and cannot change", field="is_primary")
    return values


class CalendarSchema(serializers.Serializer):
    id = serializers.UUIDField()
    grant_id = serializers.UUIDField()
    object = constant("calendar")
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    timezone = serializers.CharField(help_text="IANA zone")
    is_primary = serializers.BooleanField()
    read_only = serializers.BooleanField(help_text="Events cannot be written to it.")


class CalendarUpdateSchema(serializers.Serializer):
    name = serializers.CharField(required=False, min_length=1, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    timezone = ZoneOrBlankField()
    read_only = serializers.BooleanField(required=False, allow_null=True)


class CalendarCreateSchema(CalendarUpdateSchema):
    name = serializers.CharField(min_length=1, max_length=200)


ONE = enveloped("CalendarOne", CalendarSchema())


class CalendarListView(OrganizerView):
    """GET|POST /v3/grants/{grant_id}/calendars"""

    @extend_schema(
        operation_id="calendars_list",
        tags=["calendars"],
        parameters=PAGE_PARAMETERS,
        responses=responses(enveloped("CalendarList", CalendarSchema(many=True), listing=True)),
    )
    def get(self, request, grant_id):
        calendars = self.grant(grant_id).calendars.order_by("-is_primary", "name", "pk")
        items, cursor = page_of(calendars, request.query_params)
        return v3([calendar_json(c) for c in items], next_cursor=cursor, listing=True)

    @extend_schema(
        operation_id="calendars_create",
        tags=["calendars"],
        request=CalendarCreateSchema,
        responses=responses(ONE),
    )
    def post(self, request, grant_id):
        grant = self.grant(grant_id)
        values = read_calendar(request.data, calendar=None)
        with service_errors(WIRE_NAMES):
            calendar = services.create_calendar(grant=grant, **values)
        return v3(calendar_json(calendar))


class CalendarDetailView(OrganizerView):
    """GET|PUT|DELETE /v3/grants/{grant_id}/calendars/{calendar_id}"""

    @extend_schema(
        operation_id="calendars_retrieve",
        tags=["calendars"],
        parameters=[CALENDAR_ID],
        responses=responses(ONE),
    )
    def get(self, request, grant_id, calendar_id):
        return v3(calendar_json(calendar_in_url(self.grant(grant_id), calendar_id)))

    @extend_schema(
        operation_id="calendars_update",
        tags=["calendars"],
        summary="Update the fields sent",
        parameters=[CALENDAR_ID],
        request=CalendarUpdateSchema,
        responses=responses(ONE),
    )
    def put(self, request, grant_id, calendar_id):
        calendar = calendar_in_url(self.grant(grant_id), calendar_id)
        values = read_calendar(request.data, calendar=calendar)
        with service_errors(WIRE_NAMES):
            calendar = services.update_calendar(calendar=calendar, **values)
        return v3(calendar_json(calendar))

    @extend_schema(
        operation_id="calendars_destroy",
        tags=["calendars"],
        summary="Delete a calendar (not the primary) and its events",
        parameters=[CALENDAR_ID],
        responses=responses(DELETED),
    )
    def delete(self, request, grant_id, calendar_id):
        calendar = calendar_in_url(self.grant(grant_id), calendar_id)
        if calendar.is_primary:
            raise BadRequest("the primary calendar cannot be deleted", field="calendar_id")
        with service_errors(WIRE_NAMES):
            services.delete_calendar(calendar=calendar)
        return v3_deleted()
