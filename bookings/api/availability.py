"""Availability endpoints: v3 by configuration, v3 stateless, v2 (seed 003), free-busy,
and explain. Thin: read the request, load, run the engine, write the response."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api import availability_input, schemas
from bookings.api.auth import SchedulingAuthentication
from bookings.api.scoping import parse_uuid, require_caller, scheduling_configuration
from bookings.api.slots_json import v2_availability_response, v3_availability_response
from bookings.availability import find_itineraries, find_slots
from bookings.availability_loader import load_engine_input
from bookings.explanations import explain, explanation_json
from bookings.sql import busy_by_grant
from pages.api import parsing as p
from pages.api.access import grant_in_path
from pages.api.auth import Caller
from pages.api.envelope import v3
from pages.api.errors import BadRequest, NotFound
from pages.models import Calendar, Configuration
from pages.unix_time import from_unix


class SchedulingView(p.RefusesNulCharacters, APIView):
    dialect = "v3"
    authentication_classes = [SchedulingAuthentication]
    permission_classes: list = []


class PublicSchedulingView(SchedulingView):
    """A route a public configuration's guest calls with no header at all. AllowAny lets
    in what no permission class would either; it tells the schema that the header is
    optional (drf-spectacular adds ``{}`` to the operation's security)."""

    permission_classes = [AllowAny]


class ConfigurationAvailabilityView(PublicSchedulingView):
    """GET /v3/scheduling/availability"""

    @extend_schema(
        operation_id="availability_by_configuration",
        tags=["availability"],
        summary="Offered slots of a configuration (public by id or slug, a session, or the key)",
        parameters=schemas.AVAILABILITY_PARAMETERS,
        responses=schemas.v3_responses(
            schemas.enveloped("AvailabilityResponse", schemas.AVAILABILITY())
        ),
    )
    def get(self, request):
        configuration = scheduling_configuration(request)
        start, end = availability_input.read_range(request.query_params)
        booking_id = request.query_params.get("booking_id")
        exclude = parse_uuid(booking_id, "booking_id") if booking_id else None
        data = load_engine_input(configuration, start, end, exclude_booking_id=exclude)
        return v3_availability_response(find_slots(data.query, data.participants))


class StatelessAvailabilityView(SchedulingView):
    """POST /v3/calendars/availability"""

    @extend_schema(
        operation_id="availability_stateless",
        tags=["availability"],
        summary="Offered slots for participants and rules given in the request",
        request=schemas.STATELESS_REQUEST,
        responses=schemas.v3_responses(
            schemas.enveloped("StatelessAvailabilityResponse", schemas.AVAILABILITY())
        ),
    )
    def post(self, request):
        caller = require_caller(request, "api_key", "grant")
        body = p.as_object(request.data, "body")
        query, participants = availability_input.v3_request(body, caller)
        return v3_availability_response(find_slots(query, participants))


class V2AvailabilityView(SchedulingView):
    """POST /calendars/availability (v2)"""

    dialect = "v2"

    @extend_schema(
        operation_id="v2_availability",
        tags=["v2"],
        summary="v2 availability",
        request=schemas.V2_AVAILABILITY_REQUEST,
        responses=schemas.v2_responses(schemas.V2_AVAILABILITY),
    )
    def post(self, request):
        caller = require_caller(request, "api_key", "grant")
        body = p.as_object(request.data, "body")
        query, participants = availability_input.v2_request(body, caller)
        return v2_availability_response(find_slots(query, participants))


class V2ConsecutiveAvailabilityView(SchedulingView):
    """POST /calendars/availability/consecutive (v2): back-to-back meetings with several
    groups, in whichever order fits."""

    dialect = "v2"

    @extend_schema(
        operation_id="v2_consecutive_availability",
        tags=["v2"],
        summary="v2 consecutive availability",
        request=schemas.V2_CONSECUTIVE_REQUEST,
        responses=schemas.v2_responses(schemas.V2_CONSECUTIVE),
    )
    def post(self, request):
        caller = require_caller(request, "api_key", "grant")
        body = p.as_object(request.data, "body")
        query, groups = availability_input.v2_consecutive_request(body, caller)
        return Response(
            [
                [
                    {"emails": list(slot.emails), "start_time": slot.start, "end_time": slot.end}
                    for slot in itinerary
                ]
                for itinerary in find_itineraries(query, groups)
            ]
        )


# One answer for an email that is no grant's and for a grant the caller may not read:
# a grant token must not learn which addresses are grants.
NOT_READABLE = "No busy time these credentials can read for this email address."


def free_busy(body, caller: Caller) -> list[dict]:
    """Busy time of each email that is a grant's the caller may read (the API key: any;
    a grant token: its own): all its calendars and hosted bookings."""
    body = p.as_object(body, "body")
    start, end = availability_input.read_range(body)
    emails = [
        p.email_address(e, f"emails[{i}]")
        for i, e in enumerate(p.as_list(body.get("emails", []), "emails"))
    ]
    if not emails:
        raise BadRequest("must list at least one email", field="emails")
    if len(emails) > availability_input.MAX_PARTICIPANTS:
        raise BadRequest("at most 50 emails", field="emails")
    grants = availability_input.grants_by_email(emails, caller)
    calendars: dict = {}
    for calendar_id, grant_id in Calendar.objects.filter(
        grant__in=list(grants.values())
    ).values_list("id", "grant_id"):
        calendars.setdefault(grant_id, set()).add(calendar_id)
    busy = busy_by_grant(
        [g.pk for g in grants.values()],
        calendars,
        from_unix(start),
        from_unix(end),
        tentative_as_busy=True,
    )
    answer = []
    for email in emails:
        grant = grants.get(email.lower())
        if grant is None:
            answer.append({"object": "error", "email": email, "error": NOT_READABLE})
            continue
        merged = merge(busy.get(grant.pk, ()), start, end)
        answer.append(
            {
                "object": "free_busy",
                "email": email,
                "time_slots": [
                    {"object": "time_slot", "status": "busy", "start_time": s, "end_time": e}
                    for s, e in merged
                ],
            }
        )
    return answer


def merge(intervals, start: int, end: int) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        s, e = max(s, start), min(e, end)
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


class V3FreeBusyView(SchedulingView):
    """POST /v3/grants/{grant_id}/calendars/free-busy"""

    @extend_schema(
        operation_id="free_busy",
        tags=["availability"],
        summary="Busy time of grants by email",
        request=schemas.FREE_BUSY_REQUEST,
        responses=schemas.v3_responses(
            schemas.enveloped("FreeBusyResponse", schemas.FREE_BUSY_LIST())
        ),
    )
    def post(self, request, grant_id):
        caller = require_caller(request, "api_key", "grant")
        grant_in_path(caller, grant_id)  # the ID, the email or ``me``; 404 if not reached
        return v3(free_busy(request.data, caller))


class V2FreeBusyView(SchedulingView):
    """POST /calendars/free-busy (v2)"""

    dialect = "v2"

    @extend_schema(
        operation_id="v2_free_busy",
        tags=["v2"],
        summary="v2 free-busy",
        request=schemas.FREE_BUSY_REQUEST,
        responses=schemas.v2_responses(schemas.FREE_BUSY_LIST()),
    )
    def post(self, request):
        caller = require_caller(request, "api_key", "grant")
        return Response(free_busy(request.data, caller))


class ExplainView(SchedulingView):
    """GET /v3/grants/{grant_id}/scheduling/configurations/{id}/explain?start_time="""

    @extend_schema(
        operation_id="configuration_explain",
        tags=["availability"],
        summary="Why a start is or is not offered, per participant",
        parameters=[
            OpenApiParameter("start_time", {"type": "integer", "minimum": 0}, required=True)
        ],
        responses=schemas.v3_responses(schemas.enveloped("ExplainResponse", schemas.EXPLANATION)),
    )
    def get(self, request, grant_id, configuration_id):
        caller = require_caller(request, "api_key", "grant")
        try:
            grant = grant_in_path(caller, grant_id)
        except NotFound:
            grant = None
        configuration = None
        if grant is not None:
            configuration = (
                Configuration.objects.select_related("grant")
                .filter(pk=configuration_id, grant=grant)
                .first()
            )
        if configuration is None:
            raise NotFound("No configuration with this ID under this grant.")
        if "start_time" not in request.query_params:
            raise BadRequest("is required", field="start_time")
        start = p.unix_seconds(request.query_params["start_time"], "start_time")
        if start + configuration.duration_minutes * 60 > p.MAX_UNIX:
            raise BadRequest(
                "is out of range (the meeting would end after 2100)", field="start_time"
            )
        return v3(explanation_json(explain(configuration, start, name_events=True)))
