"""Who may use the organizer routes (grants, calendars, events, configurations), and the
lookups every one of them starts with.

The API key reaches every grant; a grant access token reaches its own grant only, and
any other grant is a 404, exactly as if it did not exist. Edit tokens and sessions are
for other routes: 403.
"""

from __future__ import annotations

import uuid

from rest_framework.exceptions import NotAuthenticated
from rest_framework.views import APIView

from pages.api.auth import BearerAuthentication, Caller, caller_for_secret
from pages.api.errors import BadRequest, Forbidden, NotFound
from pages.api.parsing import RefusesNulCharacters
from pages.models import Calendar, Grant

# Session ids carry this prefix (bookings.models.Session.set_new_token). Sessions belong
# to bookings, which pages may not import, so one is recognised by its shape: whether it
# is valid or not, a session is never accepted here.
SESSION_PREFIX = "ss_"
ORGANIZER_KINDS = ("api_key", "grant")
PRIMARY = "primary"


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
        caller = self.caller()
        grant_uuid = uuid_or_none(grant_id)
        grant = None
        if grant_uuid is not None and caller.reaches_grant(grant_uuid):
            grant = Grant.objects.filter(pk=grant_uuid).first()
        if grant is None:
            raise NotFound("No grant with this ID.")
        return grant


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
