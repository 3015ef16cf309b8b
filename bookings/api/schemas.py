"""OpenAPI descriptions of the scheduling routes (availability, bookings, sessions,
free-busy, explain) and of the v2 ones. They describe wire shapes for drf-spectacular
only; the views read requests with their own input modules."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from pages.api import errors
from pages.api.configuration_schema import RoundToField
from pages.api.openapi import (
    DELETED,
    ERROR,
    ERRORS,
    ZoneOrBlankField,
    constant,
    enveloped,
    unix_seconds_field,
)
from pages.api.parsing import MAX_UNIX

V2_ERROR = inline_serializer(
    name="V2Error",
    fields={
        "type": serializers.ChoiceField(
            choices=[
                errors.INVALID_REQUEST,
                errors.UNAUTHORIZED,
                errors.FORBIDDEN,
                errors.NOT_FOUND,
                errors.CONFLICT,
                errors.RATE_LIMIT,
                errors.METHOD_NOT_ALLOWED,
                errors.UNSUPPORTED_MEDIA_TYPE,
            ]
        ),
        "message": serializers.CharField(),
    },
)
V2_ERRORS = {
    status: OpenApiResponse(V2_ERROR, description=description)
    for status, description in [
        (400, "invalid_request_error: the message names the field"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not_found_error"),
    ]
}
MORE_ERRORS = {
    409: OpenApiResponse(
        ERROR,
        description="conflict_error: the slot is taken or not offered, "
        "the state changed, or the idempotency key is in flight",
    ),
    422: OpenApiResponse(
        ERROR, description="idempotency_error: the key was used with another body"
    ),
    429: OpenApiResponse(
        ERROR,
        description="rate_limit_error: too many public booking writes from this address "
        "or for this guest email (not counted for the API key); see Retry-After",
    ),
}
V2_CONFLICT = {
    409: OpenApiResponse(
        V2_ERROR, description="conflict_error: the slot is taken or the state changed"
    )
}
V2_RATE_LIMITED = {
    429: OpenApiResponse(
        V2_ERROR, description="rate_limit_error: too many from this address or guest email"
    )
}


def v3_responses(ok, *extra: int) -> dict:
    return {200: ok, **ERRORS, **{code: MORE_ERRORS[code] for code in extra}}


def v2_responses(ok) -> dict:
    return {200: ok, **V2_ERRORS}


class OfferedSlotSchema(serializers.Serializer):
    emails = serializers.ListField(child=serializers.EmailField())
    start_time = unix_seconds_field()
    end_time = unix_seconds_field()
    capacity_remaining = serializers.IntegerField(
        required=False, help_text="Group events (capacity > 1) only."
    )


class OfferedSlotsSchema(serializers.Serializer):
    time_slots = OfferedSlotSchema(many=True)
    order = serializers.ListField(
        child=serializers.EmailField(), help_text="Round-robin queue, next host first."
    )


def AVAILABILITY():  # noqa: N802
    return OfferedSlotsSchema()


UNIX_SECONDS = {"type": "integer", "minimum": 0, "maximum": MAX_UNIX}
AVAILABILITY_PARAMETERS = [
    OpenApiParameter("start_time", UNIX_SECONDS, required=True),
    OpenApiParameter("end_time", UNIX_SECONDS, required=True),
    OpenApiParameter("configuration_id", {"type": "string", "format": "uuid"}),
    OpenApiParameter("slug", str),
    OpenApiParameter(
        "booking_id",
        {"type": "string", "format": "uuid"},
        description="Leave this booking's own time out (rescheduling).",
    ),
]
# GET, PATCH and DELETE of a booking by its id: a public configuration's bookings need no
# header when the query names that configuration (seed 001).
BOOKING_SCOPE_PARAMETERS = [
    OpenApiParameter(
        "configuration_id",
        {"type": "string", "format": "uuid"},
        description="The booking's public configuration: then no Authorization is needed.",
    ),
    OpenApiParameter("slug", str, description="Or the public configuration's slug."),
    OpenApiParameter("client_id", str, description="Accepted and ignored (the web component)."),
]
OPEN_HOURS = inline_serializer(
    name="OpenHoursRequest",
    fields={
        "days": serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6)),
        "start": serializers.CharField(help_text='"9:00"'),
        "end": serializers.CharField(help_text='"17:00"'),
        "timezone": serializers.CharField(required=False),
        "exdates": serializers.ListField(child=serializers.DateField(), required=False),
    },
)
STATELESS_REQUEST = inline_serializer(
    name="StatelessAvailabilityRequest",
    fields={
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "duration_minutes": serializers.IntegerField(min_value=5, max_value=1440),
        "interval_minutes": serializers.IntegerField(min_value=5, max_value=1440, required=False),
        "round_to": RoundToField(min_value=5, max_value=60, required=False),
        "participants": serializers.ListField(
            child=inline_serializer(
                name="StatelessParticipant",
                fields={
                    "email": serializers.EmailField(),
                    "calendar_ids": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "open_hours": serializers.ListField(child=OPEN_HOURS, required=False),
                },
            ),
            max_length=50,
        ),
        "availability_rules": serializers.DictField(required=False),
    },
)
V2_SLOT = inline_serializer(
    name="V2TimeSlot",
    fields={
        "object": constant("time_slot"),
        "status": constant("free"),
        "start": unix_seconds_field(),
        "end": unix_seconds_field(),
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "emails": serializers.ListField(child=serializers.EmailField()),
    },
)
V2_AVAILABILITY = inline_serializer(
    name="V2Availability",
    fields={
        "object": constant("availability"),
        "time_slots": serializers.ListField(child=V2_SLOT),
        "order": serializers.ListField(child=serializers.EmailField()),
    },
)
V2_AVAILABILITY_REQUEST = inline_serializer(
    name="V2AvailabilityRequest",
    fields={
        "duration_minutes": serializers.IntegerField(min_value=5, max_value=1440),
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "interval_minutes": serializers.IntegerField(min_value=5, max_value=1440, required=False),
        "emails": serializers.ListField(child=serializers.EmailField(), max_length=50),
        "buffer": serializers.IntegerField(min_value=0, max_value=1440, required=False),
        "round_start": serializers.BooleanField(required=False),
        "round_robin": serializers.ChoiceField(
            choices=["max-availability", "max-fairness"], required=False
        ),
        "tentative_busy": serializers.BooleanField(required=False),
        "free_busy": serializers.ListField(child=serializers.DictField(), required=False),
        "open_hours": serializers.ListField(child=serializers.DictField(), required=False),
    },
)

V2_CONSECUTIVE_REQUEST = inline_serializer(
    name="V2ConsecutiveAvailabilityRequest",
    fields={
        "duration_minutes": serializers.IntegerField(
            min_value=5, max_value=1440, help_text="Of each meeting."
        ),
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "interval_minutes": serializers.IntegerField(min_value=5, max_value=1440, required=False),
        "emails": serializers.ListField(
            child=serializers.ListField(child=serializers.EmailField(), min_length=1),
            min_length=1,
            max_length=6,
            help_text="Groups, one meeting each (at most 50 emails in all).",
        ),
        "buffer": serializers.IntegerField(min_value=0, max_value=1440, required=False),
        "round_start": serializers.BooleanField(required=False),
        "tentative_busy": serializers.BooleanField(required=False),
        "free_busy": serializers.ListField(child=serializers.DictField(), required=False),
        "open_hours": serializers.ListField(child=serializers.DictField(), required=False),
    },
)


_UNIX = {"type": "integer", "minimum": 0, "maximum": 4_102_444_800, "description": "Unix seconds."}
# Itineraries: each a list of back-to-back meetings, one per group.
V2_CONSECUTIVE = {
    "type": "array",
    "items": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "emails": {"type": "array", "items": {"type": "string", "format": "email"}},
                "start_time": _UNIX,
                "end_time": _UNIX,
            },
            "required": ["emails", "start_time", "end_time"],
        },
    },
}


class BusySlotSchema(serializers.Serializer):
    object = constant("time_slot")
    status = constant("busy")
    start_time = unix_seconds_field()
    end_time = unix_seconds_field()


class FreeBusySchema(serializers.Serializer):
    object = serializers.ChoiceField(choices=["free_busy", "error"])
    email = serializers.EmailField()
    time_slots = BusySlotSchema(many=True, required=False)
    error = serializers.CharField(required=False)


def FREE_BUSY_LIST():  # noqa: N802
    return FreeBusySchema(many=True)


FREE_BUSY_REQUEST = inline_serializer(
    name="FreeBusyRequest",
    fields={
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "emails": serializers.ListField(child=serializers.EmailField(), max_length=50),
    },
)
EXPLANATION = inline_serializer(
    name="Explanation",
    fields={
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(),
        "available": serializers.BooleanField(),
        "emails": serializers.ListField(child=serializers.EmailField()),
        "reasons": serializers.ListField(
            child=inline_serializer(
                name="ExplanationReason",
                fields={
                    "email": serializers.EmailField(allow_null=True),
                    "reason": serializers.CharField(),
                    "detail": serializers.CharField(),
                },
            )
        ),
    },
)


class PersonSchema(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


def PERSON():  # noqa: N802 a fresh instance per use (DRF binds fields to one parent)
    return PersonSchema()


# A guest in a booking request: a name of one line, not blank, at most 200 characters
# (what guest_input.clean_name takes).
class GuestSchema(serializers.Serializer):
    name = serializers.CharField(
        max_length=200, validators=[RegexValidator(r"^[^\r\n\x00]*\S[^\r\n\x00]*$")]
    )
    email = serializers.EmailField()


BOOKING_REQUEST = inline_serializer(
    name="BookingRequest",
    fields={
        "start_time": unix_seconds_field(),
        "end_time": unix_seconds_field(required=False),
        "guest": GuestSchema(),
        "participants": serializers.ListField(
            child=inline_serializer(
                name="BookingParticipant", fields={"email": serializers.EmailField()}
            ),
            required=False,
        ),
        "additional_guests": serializers.ListField(
            child=GuestSchema(), required=False, max_length=10
        ),
        "additional_fields": serializers.DictField(required=False),
        "timezone": ZoneOrBlankField(help_text="The guest's IANA zone"),
        "email_language": serializers.CharField(
            required=False,
            help_text="en, fr, de, es, nl, sv, ja, zh or ko (a region such as fr-CA is "
            "read as its language); any other language is English.",
        ),
    },
)
BOOKING_CREATED = inline_serializer(
    name="BookingCreated",
    fields={
        "booking_id": serializers.UUIDField(),
        "event_id": serializers.UUIDField(allow_null=True),
        "title": serializers.CharField(),
        "description": serializers.CharField(allow_blank=True),
        "status": serializers.ChoiceField(choices=["booked", "pending"]),
        "organizer": PersonSchema(allow_null=True),
        "booking_ref": serializers.CharField(help_text="The guest's key to this booking."),
    },
)


class BookingSchema(serializers.Serializer):
    booking_id = serializers.UUIDField()
    event_id = serializers.UUIDField(allow_null=True)
    configuration_id = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["booked", "pending", "cancelled"])
    organizer = PersonSchema(allow_null=True)
    start_time = unix_seconds_field()
    end_time = unix_seconds_field()
    guest = PersonSchema()
    additional_guests = PersonSchema(many=True)
    additional_fields = serializers.DictField()
    timezone = serializers.CharField(allow_blank=True)
    email_language = serializers.CharField()
    cancellation_reason = serializers.CharField(allow_blank=True)
    created_at = unix_seconds_field()
    updated_at = unix_seconds_field()


def BOOKING():  # noqa: N802
    return BookingSchema()


BOOKING_DECISION = inline_serializer(
    name="BookingDecision",
    fields={
        "status": serializers.ChoiceField(choices=["confirmed", "cancelled"]),
        "cancellation_reason": serializers.CharField(required=False),
        "salt": serializers.CharField(
            required=False, help_text="The token of the organizer's emailed link."
        ),
    },
)
# What run_once() takes: 1 to 255 printable characters (a header's value is Latin-1 and
# loses its leading and trailing blanks on the way, so neither end is a space).
_KEY_CHARACTER = r"\x21-\x7e\xa1-\xac\xae-\xff"
IDEMPOTENCY_KEY = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": f"^[{_KEY_CHARACTER}]([ {_KEY_CHARACTER}]*[{_KEY_CHARACTER}])?$",
}
BOOKING_MOVE = inline_serializer(
    name="BookingReschedule",
    fields={"start_time": unix_seconds_field(), "end_time": unix_seconds_field(required=False)},
)
BOOKING_CANCEL = inline_serializer(
    name="BookingCancel",
    fields={
        "cancellation_reason": serializers.CharField(required=False),
        # What the Scheduling web component sends; "cancel" is the only action.
        "action": serializers.ChoiceField(choices=["cancel"], required=False),
    },
)
# Raw: a configuration_id (a UUID) or, without one, a non-empty slug is required, which
# a serializer cannot say (anyOf). null or "" stands for a field not sent.
SESSION_REQUEST = {
    "application/json": {
        "type": "object",
        "properties": {
            "configuration_id": {"type": "string", "format": "uuid", "nullable": True},
            "slug": {"type": "string", "nullable": True},
            "time_to_live": {
                "type": "integer",
                "minimum": 1,
                "maximum": 30,
                "nullable": True,
                "description": "Minutes (default 5)",
            },
        },
        "anyOf": [
            {
                "required": ["configuration_id"],
                "properties": {"configuration_id": {"type": "string", "format": "uuid"}},
            },
            {"required": ["slug"], "properties": {"slug": {"type": "string", "minLength": 1}}},
        ],
    }
}
SESSION = inline_serializer(name="Session", fields={"session_id": serializers.CharField()})
SESSION_INFO = inline_serializer(
    name="SessionInfo",
    fields={
        "session_id": serializers.CharField(),
        "configuration_id": serializers.UUIDField(),
        "created_at": unix_seconds_field(),
        "expires_at": unix_seconds_field(),
    },
)

__all__ = ["DELETED", "enveloped", "serializers"]
