"""Which configuration a scheduling request is about, and whether the caller may use it."""

from __future__ import annotations

import uuid

from pages.api.auth import Caller
from pages.api.errors import BadRequest, Forbidden, NotFound, Unauthorized
from pages.models import Configuration
from pages.sql import configuration_by


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadRequest("is not a valid ID", field=field) from None


def require_caller(request, *kinds: str) -> Caller:
    caller: Caller | None = request.auth
    if caller is None:
        raise Unauthorized("This endpoint needs 'Authorization: Bearer <API key>'.")
    if caller.kind not in kinds:
        raise Forbidden(f"A {caller.kind.replace('_', ' ')} cannot use this endpoint.")
    return caller


def scheduling_configuration(request) -> Configuration:
    """The configuration named by ``configuration_id`` or ``slug`` (query), or by the
    session in the Authorization header. Public ones need no header; private ones need a
    session of theirs or the API key."""
    caller: Caller | None = request.auth
    params = request.query_params
    configuration_id, slug = params.get("configuration_id"), params.get("slug")
    if configuration_id:
        configuration = configuration_by(pk=parse_uuid(configuration_id, "configuration_id"))
    elif slug:
        configuration = configuration_by(slug=slug)
    elif caller is not None and caller.configuration is not None:
        configuration = caller.configuration
    else:
        raise BadRequest(
            "is required (or slug, or a session in the header)", field="configuration_id"
        )

    if caller is None:
        if configuration is None:
            raise NotFound("No configuration with this ID or slug.")
        if configuration.requires_session_auth:
            raise Unauthorized("This configuration is private: it needs a session.")
        return configuration
    if configuration is None:
        raise NotFound("No configuration with this ID or slug.")
    if caller.kind == "api_key":
        return configuration
    if caller.kind == "grant":
        if configuration.grant_id == caller.grant.pk or not configuration.requires_session_auth:
            return configuration
        raise NotFound("No configuration with this ID or slug.")
    if caller.configuration is not None and caller.configuration.pk == configuration.pk:
        return configuration
    if caller.kind == "session":
        raise Forbidden("This session is for another configuration.")
    if not configuration.requires_session_auth:
        return configuration
    raise NotFound("No configuration with this ID or slug.")


def public_configuration_in_query(request) -> Configuration | None:
    """The public configuration named by ``configuration_id`` or ``slug`` in the query,
    through which anyone may read, reschedule or cancel one of its bookings by id (seed
    001, "Manage existing bookings"). None when the query names none, or names a private
    one and the caller has credentials (which are then judged on their own); 404 when it
    names no configuration; 401 when it names a private one and there are no credentials.
    """
    params = request.query_params
    configuration_id, slug = params.get("configuration_id"), params.get("slug")
    if configuration_id:
        configuration = configuration_by(pk=parse_uuid(configuration_id, "configuration_id"))
    elif slug:
        configuration = configuration_by(slug=slug)
    else:
        return None
    if configuration is None:
        raise NotFound("No configuration with this ID or slug.")
    if not configuration.requires_session_auth:
        return configuration
    if request.auth is None:
        raise Unauthorized("This configuration is private: it needs a session.")
    return None
