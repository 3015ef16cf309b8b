"""Events: ``/v3/grants/{grant_id}/events[/{event_id}]?calendar_id=`` (required;
``primary`` allowed). Moving or deleting an event a booking made moves or cancels the
booking: the services announce it (pages.signals) and bookings follows."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from pages import services
from pages.api import parsing as p
from pages.api.access import OrganizerView, calendar_in_query, uuid_or_none
from pages.api.envelope import page_of, v3, v3_deleted
from pages.api.errors import BadRequest, NotFound
from pages.api.model_errors import service_errors
from pages.api.openapi import (
    DELETED,
    PAGE_PARAMETERS,
    constant,
    enveloped,
    responses,
    unix_seconds_field,
)
from pages.api.optional import given
from pages.models import Calendar, Event
from pages.unix_time import from_unix, to_unix

STATUSES = tuple(Event.Status.values)
MAX_EVENT_PARTICIPANTS = 100
MAX_METADATA_KEYS = 50
WIRE_NAMES = {
    "calendar": "calendar_id",
    "start": "when.start_time",
    "end": "when.end_time",
    "participants": "participants",
}


def event_json(event: Event) -> dict:
    return {
        "id": str(event.pk),
        "grant_id": str(event.calendar.grant_id),
        "calendar_id": str(event.calendar_id),
        "object": "event",
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "busy": event.busy,
        "status": event.status,
        "when": {
            "start_time": to_unix(event.start),
            "end_time": to_unix(event.end),
            "object": "timespan",
        },
        "participants": event.participants,
        "metadata": event.metadata,
        "created_at": to_unix(event.created_at),
        "updated_at": to_unix(event.updated_at),
    }


def read_event(body, *, event: Event | None) -> dict:
    """The service's keyword arguments for the values sent (``when`` is required to
    create; on update, a ``when`` with one of its times keeps the other)."""
    body = p.as_object(body, "body")
    values: dict = {}
    for name, limit in (("title", 500), ("description", 10_000), ("location", 500)):
        if body.get(name) is not None:
            values[name] = p.text(body[name], name, max_length=limit)
    if body.get("busy") is not None:
        values["busy"] = p.boolean(body["busy"], "busy")
    if body.get("status") is not None:
        values["status"] = p.one_of(body["status"], "status", STATUSES)
    if event is None or body.get("when") is not None:
        values.update(read_when(body.get("when"), event))
    if body.get("participants") is not None:
        values["participants"] = read_participants(body["participants"])
    if body.get("metadata") is not None:
        values["metadata"] = read_metadata(body["metadata"])
    return values


def read_when(value, event: Event | None) -> dict:
    if value is None:
        raise BadRequest("is required ({start_time, end_time})", field="when")
    when = p.as_object(value, "when")
    if when.get("object", "timespan") != "timespan":
        raise BadRequest("only timespan (start_time, end_time) is supported", field="when.object")
    times = {}
    for name, current in (
        ("start_time", event and event.start),
        ("end_time", event and event.end),
    ):
        if name in when:
            times[name] = p.unix_seconds(when[name], f"when.{name}")
        elif current:
            times[name] = to_unix(current)
        else:
            raise BadRequest("is required", field=f"when.{name}")
    if times["end_time"] <= times["start_time"]:
        raise BadRequest("must be after when.start_time", field="when.end_time")
    return {"start": from_unix(times["start_time"]), "end": from_unix(times["end_time"])}


def read_participants(value) -> list[dict]:
    items = p.as_list(value, "participants")
    if len(items) > MAX_EVENT_PARTICIPANTS:
        raise BadRequest(f"at most {MAX_EVENT_PARTICIPANTS} participants", field="participants")
    people = []
    for i, item in enumerate(items):
        item = p.as_object(item, f"participants[{i}]")
        if "email" not in item:
            raise BadRequest("is required", field=f"participants[{i}].email")
        email = p.email_address(item["email"], f"participants[{i}].email")
        name = p.text(given(item, "name", ""), f"participants[{i}].name", max_length=200)
        people.append({"email": email, "name": name})
    return people


def read_metadata(value) -> dict[str, str]:
    metadata = p.as_object(value, "metadata")
    if len(metadata) > MAX_METADATA_KEYS:
        raise BadRequest(f"at most {MAX_METADATA_KEYS} keys", field="metadata")
    for key, item in metadata.items():
        if not 1 <= len(key) <= 40:
            raise BadRequest("keys are 1 to 40 characters", field=f"metadata.{key[:40]}")
        p.text(item, f"metadata.{key}", max_length=500)
    return dict(metadata)


def read_range(query_params) -> dict:
    """``start``/``end`` (Unix seconds): events overlapping that range."""
    found = {}
    if query_params.get("start"):
        found["end__gt"] = from_unix(p.unix_seconds(query_params["start"], "start"))
    if query_params.get("end"):
        found["start__lt"] = from_unix(p.unix_seconds(query_params["end"], "end"))
    if "end__gt" in found and "start__lt" in found and found["start__lt"] <= found["end__gt"]:
        raise BadRequest("must be after start", field="end")
    return found


class WhenSchema(serializers.Serializer):
    start_time = unix_seconds_field()
    end_time = unix_seconds_field(help_text="After start_time")
    object = constant("timespan")


class EventParticipantSchema(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(required=False, allow_blank=True)


class EventSchema(serializers.Serializer):
    id = serializers.UUIDField()
    grant_id = serializers.UUIDField()
    calendar_id = serializers.UUIDField()
    object = constant("event")
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True)
    busy = serializers.BooleanField()
    status = serializers.ChoiceField(choices=STATUSES)
    when = WhenSchema()
    participants = EventParticipantSchema(many=True)
    metadata = serializers.DictField(child=serializers.CharField(), help_text="At most 50 keys")
    created_at = unix_seconds_field()
    updated_at = unix_seconds_field()


class EventUpdateSchema(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=500)
    busy = serializers.BooleanField(required=False, default=True)
    status = serializers.ChoiceField(choices=STATUSES, required=False, default="confirmed")
    when = WhenSchema(required=False, help_text="A time left out is kept.")
    participants = EventParticipantSchema(many=True, required=False)
    metadata = serializers.DictField(child=serializers.CharField(), required=False)


class EventCreateSchema(EventUpdateSchema):
    when = WhenSchema()


UNIX_SECONDS = {"type": "integer", "minimum": 0, "maximum": p.MAX_UNIX}
CALENDAR_QUERY = OpenApiParameter(
    "calendar_id",
    {"type": "string", "minLength": 1},
    required=True,
    description="A calendar ID of the grant, or primary.",
)
ONE = enveloped("EventOne", EventSchema())


class EventListView(OrganizerView):
    """GET|POST /v3/grants/{grant_id}/events?calendar_id="""

    @extend_schema(
        operation_id="events_list",
        tags=["events"],
        parameters=[
            CALENDAR_QUERY,
            OpenApiParameter(
                "start", UNIX_SECONDS, description="Unix seconds: events ending after."
            ),
            OpenApiParameter(
                "end",
                UNIX_SECONDS,
                description="Unix seconds: events starting before (after start).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses=responses(enveloped("EventList", EventSchema(many=True), listing=True)),
    )
    def get(self, request, grant_id):
        calendar = calendar_in_query(self.grant(grant_id), request.query_params)
        events = (
            Event.objects.filter(calendar=calendar, **read_range(request.query_params))
            .select_related("calendar")
            .order_by("start", "pk")
        )
        items, cursor = page_of(events, request.query_params)
        return v3([event_json(e) for e in items], next_cursor=cursor, listing=True)

    @extend_schema(
        operation_id="events_create",
        tags=["events"],
        parameters=[CALENDAR_QUERY],
        request=EventCreateSchema,
        responses=responses(ONE),
    )
    def post(self, request, grant_id):
        calendar = writable(calendar_in_query(self.grant(grant_id), request.query_params))
        values = read_event(request.data, event=None)
        with service_errors(WIRE_NAMES):
            event = services.create_event(calendar=calendar, **values)
        return v3(event_json(event))


def writable(calendar: Calendar) -> Calendar:
    if calendar.read_only:
        raise BadRequest("the calendar is read-only", field="calendar_id")
    return calendar


class EventDetailView(OrganizerView):
    """GET|PUT|DELETE /v3/grants/{grant_id}/events/{event_id}?calendar_id="""

    def event(self, grant_id, event_id) -> Event:
        calendar = calendar_in_query(self.grant(grant_id), self.request.query_params)
        event_uuid = uuid_or_none(event_id)
        event = None
        if event_uuid is not None:
            event = Event.objects.select_related("calendar").filter(pk=event_uuid).first()
        if event is None or event.calendar_id != calendar.pk:
            raise NotFound("No event with this ID in this calendar.")
        return event

    @extend_schema(
        operation_id="events_retrieve",
        tags=["events"],
        parameters=[CALENDAR_QUERY],
        responses=responses(ONE),
    )
    def get(self, request, grant_id, event_id):
        return v3(event_json(self.event(grant_id, event_id)))

    @extend_schema(
        operation_id="events_update",
        tags=["events"],
        summary="Update the fields sent; a new time moves the booking that made it",
        parameters=[CALENDAR_QUERY],
        request=EventUpdateSchema,
        responses=responses(ONE),
    )
    def put(self, request, grant_id, event_id):
        event = self.event(grant_id, event_id)
        writable(event.calendar)
        values = read_event(request.data, event=event)
        with service_errors(WIRE_NAMES):
            event = services.update_event(event=event, **values)
        return v3(event_json(event))

    @extend_schema(
        operation_id="events_destroy",
        tags=["events"],
        summary="Delete an event; the booking that made it is cancelled",
        parameters=[CALENDAR_QUERY],
        responses=responses(DELETED),
    )
    def delete(self, request, grant_id, event_id):
        event = self.event(grant_id, event_id)
        writable(event.calendar)
        with service_errors(WIRE_NAMES):
            services.delete_event(event=event)
        return v3_deleted()
