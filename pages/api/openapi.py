"""OpenAPI pieces shared by the v3 views: the envelopes, the errors, pagination and the
bearer scheme. These serializers only describe the wire shapes for drf-spectacular;
requests are read by the views' own input modules."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from pages.api import errors, parsing
from pages.validators import known_timezones


class BearerScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <secret>``. Each authentication class is its own scheme
    (they accept different secrets): named by its ``openapi_scheme_name`` and described
    by its docstring's first line."""

    target_class = "pages.api.auth.BearerAuthentication"
    match_subclasses = True

    @property
    def name(self) -> str:
        kind = type(self.target)
        return getattr(kind, "openapi_scheme_name", None) or f"bearer_{kind.__name__}"

    def get_security_definition(self, auto_schema):
        doc = (type(self.target).__doc__ or "").strip().splitlines()
        return {"type": "http", "scheme": "bearer", "description": doc[0] if doc else ""}


def enveloped(name: str, data: serializers.Field, *, listing: bool = False):
    """``{request_id, data}``; lists add ``next_cursor``."""
    fields: dict[str, serializers.Field] = {"request_id": serializers.UUIDField(), "data": data}
    if listing:
        fields["next_cursor"] = serializers.CharField(
            allow_null=True, help_text="Pass as page_token for the next page; null at the end."
        )
    return inline_serializer(name=name, fields=fields)


ERROR_TYPES = [
    errors.INVALID_REQUEST,
    errors.UNAUTHORIZED,
    errors.FORBIDDEN,
    errors.NOT_FOUND,
    errors.CONFLICT,
    errors.IDEMPOTENCY,
    errors.RATE_LIMIT,
    errors.METHOD_NOT_ALLOWED,
    errors.UNSUPPORTED_MEDIA_TYPE,
]

ERROR = inline_serializer(
    name="V3Error",
    fields={
        "request_id": serializers.UUIDField(),
        "error": inline_serializer(
            name="V3ErrorDetail",
            fields={
                "type": serializers.ChoiceField(choices=ERROR_TYPES),
                "message": serializers.CharField(
                    help_text="Starts with the field's path when a field is at fault."
                ),
            },
        ),
    },
)

DELETED = inline_serializer(name="V3Deleted", fields={"request_id": serializers.UUIDField()})

ERRORS = {
    400: OpenApiResponse(ERROR, description="invalid_request_error: the message names the field"),
    401: OpenApiResponse(ERROR, description="unauthorized: no or an unknown bearer secret"),
    403: OpenApiResponse(ERROR, description="forbidden: this kind of secret cannot use this"),
    404: OpenApiResponse(ERROR, description="not_found_error (also: a grant out of reach)"),
}

PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 200},
        description="Items per page, 1 to 200 (default 50).",
    ),
    OpenApiParameter("page_token", str, description="The next_cursor of the previous page."),
]


def responses(ok, **more) -> dict:
    return {200: ok, **ERRORS, **more}


def constant(value: str) -> serializers.Field:
    """A string that is always ``value``. Written as a pattern: a one-value enum would
    become a shared enum component, and every "object" field would fight for the name."""

    assert re.fullmatch(r"[a-z_-]+", value), "only plain words need no escaping"

    @extend_schema_field({"type": "string", "pattern": f"^{value}$", "example": value})
    class Constant(serializers.CharField):
        pass

    return Constant()


def unix_seconds_field(help_text: str = "", **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=parsing.MAX_UNIX,
        help_text=f"Unix seconds. {help_text}".strip(),
        **kwargs,
    )


@extend_schema_field(
    {
        "nullable": True,
        "oneOf": [
            {"$ref": "#/components/schemas/TimeZone"},
            {"type": "string", "maxLength": 0},
        ],
        "description": 'An IANA zone name; null or "" for the default',
    }
)
class ZoneOrBlankField(serializers.CharField):
    """What optional.zone_or_blank reads: an IANA name, "" or null."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)


@extend_schema_field(
    {
        "nullable": True,
        "oneOf": [
            {"type": "string", "format": "uuid"},
            {"type": "string", "maxLength": 0},
        ],
    }
)
class ChosenIdField(serializers.UUIDField):
    """What access.chosen_id reads: a UUID, or "" or null for none."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, **kwargs)


def add_time_zones(result, generator, request, public):
    """drf-spectacular post-processing hook: the TimeZone component, every IANA name this
    server knows (what parsing.timezone_name accepts)."""
    result.setdefault("components", {}).setdefault("schemas", {})["TimeZone"] = {
        "type": "string",
        "enum": sorted(known_timezones()),
    }
    return result


CLOSED: set[str] = set()


def closed(serializer):
    """An inline request serializer whose route refuses a key it does not list (a 400
    naming the key): its component gets ``additionalProperties: false`` (close_objects)."""
    CLOSED.add(serializer.__class__.__name__)
    return serializer


def close_objects(result, generator, request, public):
    """drf-spectacular post-processing hook: see closed()."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name in CLOSED or name.removeprefix("Patched") in CLOSED:
            component["additionalProperties"] = False
    return result


REQUIRED_BODIES: set[str] = set()


def body_required(operation_id: str) -> str:
    """An operation whose raw request schema drf-spectacular cannot mark required (a
    missing body is a 400 there): require_bodies marks it."""
    REQUIRED_BODIES.add(operation_id)
    return operation_id


def require_bodies(result, generator, request, public):
    """drf-spectacular post-processing hook: see body_required()."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and operation.get("operationId") in REQUIRED_BODIES:
                operation["requestBody"]["required"] = True
    return result


def document_unsupported_media_type(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation that takes a body can answer
    415 when the body is not sent as application/json, in its dialect's error envelope
    (v3 under /v3/, v2 elsewhere)."""
    for route, path in result.get("paths", {}).items():
        envelope = "V3Error" if route.startswith("/v3/") else "V2Error"
        for operation in path.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            operation.setdefault("responses", {}).setdefault(
                "415",
                {
                    "description": "unsupported_media_type: the body must be JSON "
                    "(application/json; a text/plain or untyped body is read as JSON)",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{envelope}"}}
                    },
                },
            )
    return result


def document_database_outage(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation can answer 503 with
    Retry-After while the database is out of reach (pages/database_outage.py), in its
    dialect's error envelope."""
    for route, path in result.get("paths", {}).items():
        envelope = "V3Error" if route.startswith("/v3/") else "V2Error"
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["responses"].setdefault(
                "503",
                {
                    "description": "service_unavailable: the database is out of reach; "
                    "try again after Retry-After seconds",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{envelope}"}}
                    },
                },
            )
    return result
