"""Errors in the two dialects' envelopes.

v3: {"request_id": ..., "error": {"type": ..., "message": ...}}; v2: {"type": ..., "message": ...}.
Every 4xx names the field and the problem; nothing here ever turns bad input into a 500.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from pages import database_outage

logger = logging.getLogger(__name__)

INVALID_REQUEST = "invalid_request_error"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found_error"
CONFLICT = "conflict_error"
IDEMPOTENCY = "idempotency_error"
RATE_LIMIT = "rate_limit_error"
METHOD_NOT_ALLOWED = "method_not_allowed"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
SERVICE_UNAVAILABLE = database_outage.SERVICE_UNAVAILABLE


class ApiError(Exception):
    """An error with a status, a type and a message meant for the API client."""

    status_code = status.HTTP_400_BAD_REQUEST
    error_type = INVALID_REQUEST

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        self.message = f"{field}: {message}" if field else message
        super().__init__(self.message)


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    error_type = UNAUTHORIZED


class Forbidden(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    error_type = FORBIDDEN


class NotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    error_type = NOT_FOUND


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    error_type = CONFLICT


class IdempotencyMismatch(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    error_type = IDEMPOTENCY


def new_request_id() -> str:
    return str(uuid.uuid4())


def error_body(dialect: str, error_type: str, message: str) -> dict[str, Any]:
    if dialect == "v2":
        return {"type": error_type, "message": message}
    return {"request_id": new_request_id(), "error": {"type": error_type, "message": message}}


def first_validation_message(detail: Any, path: str = "") -> str:
    """The first problem in a DRF ValidationError's detail, prefixed with its field path
    (``participants[0].email: Enter a valid email address.``)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                return first_validation_message(value, path)
            sub = f"{path}.{key}" if path else str(key)
            return first_validation_message(value, sub)
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and value:
                # A list of dicts is a list of objects: number the item.
                sub = f"{path}[{index}]" if isinstance(value, dict) else path
                return first_validation_message(value, sub)
            if value:
                return f"{path}: {value}" if path else str(value)
    return f"{path}: {detail}" if path else str(detail)


_DRF_TYPES = [
    (exceptions.ParseError, INVALID_REQUEST),
    (exceptions.ValidationError, INVALID_REQUEST),
    (exceptions.NotAuthenticated, UNAUTHORIZED),
    (exceptions.AuthenticationFailed, UNAUTHORIZED),
    (exceptions.PermissionDenied, FORBIDDEN),
    (exceptions.NotFound, NOT_FOUND),
    (exceptions.MethodNotAllowed, METHOD_NOT_ALLOWED),
    (exceptions.UnsupportedMediaType, UNSUPPORTED_MEDIA_TYPE),
    (exceptions.NotAcceptable, INVALID_REQUEST),
    (exceptions.Throttled, RATE_LIMIT),
]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the view's dialect (``view.dialect``)."""
    view = context.get("view")
    dialect = getattr(view, "dialect", "v3")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApiError):
        return Response(error_body(dialect, exc.error_type, exc.message), status=exc.status_code)
    if database_outage.is_outage(exc):
        database_outage.log_outage(context["request"], exc)
        return Response(
            error_body(dialect, SERVICE_UNAVAILABLE, database_outage.OUTAGE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(database_outage.RETRY_AFTER_SECONDS)},
        )
    for kind, error_type in _DRF_TYPES:
        if isinstance(exc, kind):
            if isinstance(exc, exceptions.ValidationError):
                message = first_validation_message(exc.detail)
            elif isinstance(exc, exceptions.ParseError):
                message = f"The body is not valid JSON ({exc.detail})."
            elif isinstance(exc, exceptions.UnsupportedMediaType):
                message = f"{exc.detail} Send the body as application/json."
            else:
                message = str(exc.detail)
            headers = {}
            if isinstance(exc, exceptions.Throttled) and exc.wait:
                headers["Retry-After"] = str(int(exc.wait))
            if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return Response(
                error_body(dialect, error_type, message), status=exc.status_code, headers=headers
            )
    return None
