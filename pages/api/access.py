"""Who may use the organizer routes (grants, calendars, events, configurations), and the
lookups every one of them starts with.

The API key reaches every grant; a grant access token reaches its own grant only, and
any other grant is a 404, exactly as if it did not exist. Edit tokens and sessions are
for other routes: 403.

``{grant_id}`` in a path is, as on the hosted service, the grant's ID, its email address
(any case), or ``me``: the grant of the access token sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models.functions import Lower
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.views import APIView

from pages.api import parsing as p
from pages.api.auth import BearerAuthentication, Caller, caller_for_secret
from pages.api.errors import BadRequest, Conflict, Forbidden, NotFound
from pages.api.openapi import ERROR
from pages.api.parsing import RefusesNulCharacters
from pages.models import Calendar, Grant

# Session ids carry this prefix (bookings.models.Session.set_new_token). Sessions belong
# to bookings, which pages may not import, so one is recognised by its shape: whether it
# is valid or not, a session is never accepted here.
SESSION_PREFIX = "ss_"
ORGANIZER_KINDS = ("api_key", "grant")
PRIMARY = "primary"
ME = "me"
GRANT_PATH_DESCRIPTION = (
    "The grant's ID, its email address (any case), or `me` for the grant of the access token sent."
)
NO_GRANT = "No grant with this ID."
ME_NEEDS_A_TOKEN = (
    "No grant with this ID: 'me' is the grant of the access token sent, and the API key "
    "has none (use the grant's ID or email)."
)


class OrganizerAuthentication(BearerAuthentication):
    """The API key (every grant) or a grant access token (that grant only)."""

    openapi_scheme_name = "organizer"

    def resolve(self, secret: str) -> Caller | None:
        caller = caller_for_secret(secret)
        if caller is None and secret.startswith(SESSION_PREFIX):
            raise Forbidden(
                "A scheduling session cannot use this endpoint: "
                "use the API key or a grant access token."
            )
        return caller


class OrganizerView(RefusesNulCharacters, APIView):
    """Base of the v3 organizer routes."""

    dialect = "v3"
    authentication_classes = [OrganizerAuthentication]
    permission_classes: list = []

    def caller(self) -> Caller:
        caller: Caller | None = self.request.auth
        if caller is None:
            # DRF's own exception: the handler adds the WWW-Authenticate header to the 401.
            raise NotAuthenticated(
                "This endpoint needs 'Authorization: Bearer <API key or grant token>'."
            )
        if caller.kind not in ORGANIZER_KINDS:
            raise Forbidden(
                f"A {caller.kind.replace('_', ' ')} cannot use this endpoint: "
                "use the API key or a grant access token."
            )
        return caller

    def grant(self, grant_id: str) -> Grant:
        """The grant in the URL, if the caller reaches it; else 404."""
        return grant_in_path(self.caller(), grant_id)


def grant_in_path(caller: Caller, grant_id: str) -> Grant:
    """The grant a ``{grant_id}`` path segment names (its ID, its email in any case, or
    ``me``), if ``caller`` reaches it; else 404, the same for a grant that does not exist
    and one the caller may not see."""
    if grant_id == ME:
        if caller.kind != "grant":
            raise NotFound(ME_NEEDS_A_TOKEN)
        grant = Grant.objects.filter(pk=caller.grant.pk).first()
    elif (grant_uuid := uuid_or_none(grant_id)) is not None:
        grant = Grant.objects.filter(pk=grant_uuid).first()
    elif "@" in grant_id:
        # Lower(), as the unique constraint is written: its index answers.
        grant = (
            Grant.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=grant_id.strip().lower())
            .first()
        )
    else:
        grant = None
    if grant is None or not caller.reaches_grant(grant.pk):
        raise NotFound(NO_GRANT)
    return grant


def chosen_id(body: Any, caller: Caller, model, kind: str) -> uuid.UUID | None:
    """The ``id`` a create request asks for (a migrating team keeps the hosted service's
    ids), or None. Only the API key may choose one; ids here are UUIDs, as the hosted
    service's grant and configuration ids are; a taken one is a 409."""
    value = p.as_object(body, "body").get("id")
    if value is None or value == "":
        return None
    if not caller.is_application:
        raise Forbidden(f"id: only the API key may set a new {kind}'s id.")
    parsed = uuid_or_none(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadRequest(
            f"must be a UUID (a {kind}'s id here is a UUID, as on the hosted service)",
            field="id",
        )
    if model.objects.filter(pk=parsed).exists():
        raise Conflict(f"id: a {kind} with the id {parsed} already exists.")
    return parsed


ID_TAKEN_RESPONSE = {
    409: OpenApiResponse(ERROR, description="conflict_error: the id asked for is taken")
}


def id_taken(error) -> Conflict:
    """The services' IdTaken (a creation with the same id that won a race) as the 409."""
    return Conflict(f"id: a {error.kind} with the id {error.object_id} already exists.")


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def find_calendar(grant: Grant, calendar_id: str) -> Calendar | None:
    """The grant's calendar with this ID, or its primary for ``primary``."""
    if calendar_id == PRIMARY:
        return grant.calendars.filter(is_primary=True).first()
    calendar_uuid = uuid_or_none(calendar_id)
    if calendar_uuid is None:
        return None
    return grant.calendars.filter(pk=calendar_uuid).first()


def calendar_in_url(grant: Grant, calendar_id: str) -> Calendar:
    calendar = find_calendar(grant, calendar_id)
    if calendar is None:
        raise NotFound("No calendar with this ID under this grant.")
    return calendar


def calendar_in_query(grant: Grant, query_params) -> Calendar:
    """``?calendar_id=`` of the events routes: required; ``primary`` allowed."""
    calendar_id = query_params.get("calendar_id")
    if not calendar_id:
        raise BadRequest("is required (a calendar ID, or primary)", field="calendar_id")
    return calendar_in_url(grant, calendar_id)


def document_grant_path(result, generator, request, public):
    """drf-spectacular post-processing hook: ``{grant_id}`` in every path is a string
    that may be the grant's ID, its email or ``me`` (grant_in_path)."""
    for path in result.get("paths", {}).values():
        for item in [path, *path.values()]:
            if not isinstance(item, dict):
                continue
            for parameter in item.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "grant_id":
                    parameter["schema"] = {"type": "string"}
                    parameter["description"] = GRANT_PATH_DESCRIPTION
    return result
