"""/v3/scheduling/bookings and /v3/scheduling/sessions: read the request, call a service,
write the response."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from bookings import links, services
from bookings.api import schemas
from bookings.api.availability import PublicSchedulingView, SchedulingView
from bookings.api.public_limits import guest_email_of, limit_public_write
from bookings.api.scoping import (
    parse_uuid,
    public_configuration_in_query,
    require_caller,
    scheduling_configuration,
)
from bookings.guest_input import clean_guest
from bookings.idempotency import request_digest, run_once
from bookings.models import Booking, Session
from bookings.rate_limits import client_ip
from pages import conferencing, tokens
from pages.api import parsing as p
from pages.api.auth import Caller
from pages.api.envelope import v3, v3_deleted
from pages.api.errors import BadRequest, NotFound, Unauthorized, new_request_id
from pages.api.openapi import body_required
from pages.models import Configuration
from pages.unix_time import to_unix

MAX_SESSION_MINUTES = 30


def booking_json(booking: Booking) -> dict:
    configuration = booking.configuration
    organizer = booking.organizer
    return {
        "booking_id": str(booking.id),
        "event_id": str(booking.event_id) if booking.event_id else None,
        "configuration_id": str(configuration.id),
        "title": configuration.title,
        "description": configuration.description,
        "location": conferencing.booking_location(configuration.location, booking.conferencing),
        "status": booking.status,
        "organizer": {"name": organizer.name, "email": organizer.email} if organizer else None,
        "start_time": to_unix(booking.start),
        "end_time": to_unix(booking.end),
        "guest": {"name": booking.guest_name, "email": booking.guest_email},
        "additional_guests": booking.additional_guests,
        "additional_fields": booking.additional_fields,
        "timezone": booking.guest_timezone,
        "email_language": booking.language,
        "cancellation_reason": booking.cancellation_reason,
        "created_at": to_unix(booking.created_at),
        "updated_at": to_unix(booking.updated_at),
    }


def created_json(booking: Booking, booking_ref: str) -> dict:
    configuration = booking.configuration
    organizer = booking.organizer
    return {
        "booking_id": str(booking.id),
        "event_id": str(booking.event_id) if booking.event_id else None,
        "title": configuration.title,
        "description": configuration.description,
        "status": booking.status,
        "organizer": {"name": organizer.name, "email": organizer.email} if organizer else None,
        "booking_ref": booking_ref,
    }


def caller_scope(request) -> str:
    """Whose Idempotency-Keys these are: a credential's, or an anonymous client's address.

    Anonymous keys are bound to the client's address (behind SCHEDULER_TRUSTED_PROXY_HOPS
    proxies, the forwarded one), so another client replaying a key and an identical body
    runs its own request instead of receiving the first caller's booking_ref. The address
    is kept as a keyed digest, not in plain text."""
    caller: Caller | None = request.auth
    if caller is None:
        return public_scope(client_ip(request))
    if caller.kind == "api_key":
        return f"key:{caller.api_key.pk}"
    if caller.kind == "grant":
        return f"grant:{caller.grant.pk}"
    if caller.kind == "session":
        return f"session:{caller.session_id}"
    return f"page:{caller.configuration.pk}"


def public_scope(address: str) -> str:
    key = settings.SECRET_KEY.encode()
    return "public:" + hmac.new(key, b"idempotency:" + address.encode(), hashlib.sha256).hexdigest()


class BookingsView(PublicSchedulingView):
    """POST /v3/scheduling/bookings"""

    @extend_schema(
        operation_id="bookings_create",
        tags=["bookings"],
        summary="Book an offered slot",
        parameters=[
            OpenApiParameter("configuration_id", {"type": "string", "format": "uuid"}),
            OpenApiParameter("slug", str),
            OpenApiParameter(
                "Idempotency-Key",
                schemas.IDEMPOTENCY_KEY,
                location=OpenApiParameter.HEADER,
                description="Same key and body within 24 hours: the first answer again; "
                "same key, another body: 422; the first still running: 409.",
            ),
        ],
        request=schemas.BOOKING_REQUEST,
        responses=schemas.v3_responses(
            schemas.enveloped("BookingCreatedResponse", schemas.BOOKING_CREATED), 409, 422, 429
        ),
    )
    def post(self, request):
        configuration = scheduling_configuration(request)
        limit_public_write(request, guest_email_of(request.data, "guest", "email"))
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return v3(self.book(request, configuration))
        digest = request_digest("POST", request.path, dict(request.query_params), request.body)

        def work():
            return 200, _without_ref(self.book(request, configuration))

        status, body = run_once(key=key, scope=caller_scope(request), digest=digest, work=work)
        if "error" in body:
            return Response({"request_id": new_request_id(), **body}, status=status)
        booking = (
            Booking.objects.select_related("configuration", "organizer")
            .filter(pk=body["booking_id"])
            .first()
        )
        if booking is None:  # its configuration was deleted since
            raise NotFound("The booking this Idempotency-Key made no longer exists.")
        return v3({**body, "booking_ref": links.booking_ref(booking)}, status=status)

    def book(self, request, configuration: Configuration) -> dict:
        body = p.as_object(request.data, "body")
        for name in ("start_time", "guest"):
            if name not in body:
                raise BadRequest("is required", field=name)
        start = p.unix_seconds(body["start_time"], "start_time")
        end = p.unix_seconds(body["end_time"], "end_time") if "end_time" in body else None
        guest_body = p.as_object(body["guest"], "guest")
        guest = clean_guest(
            configuration,
            name=guest_body.get("name"),
            email=guest_body.get("email"),
            timezone=body.get("timezone"),
            language=body.get("email_language"),
            additional_guests=body.get("additional_guests") or [],
            additional_fields=body.get("additional_fields") or {},
        )
        host_emails = None
        if body.get("participants"):
            items = p.as_list(body["participants"], "participants")
            host_emails = {
                p.email_address(
                    p.as_object(item, f"participants[{i}]").get("email"), f"participants[{i}].email"
                )
                for i, item in enumerate(items)
            }
        made = services.create_booking(
            configuration=configuration,
            start=start,
            end=end,
            guest=guest,
            host_emails=host_emails,
        )
        return created_json(made.booking, made.booking_ref)


def _without_ref(body: dict) -> dict:
    # booking_ref is a secret: not kept in the idempotency table, recomputed on replay.
    return {k: v for k, v in body.items() if k != "booking_ref"}


def reachable_booking(request, booking_id: str, *, allow_salt: bool = False) -> Booking:
    """The booking named in the path (its id, or a guest's booking_ref), if the caller may
    act on it: the API key; a grant hosting it or owning its configuration; a session of
    its configuration; anyone holding its booking_ref; anyone naming its public
    configuration in the query; or (PUT) the organizer's link."""
    queryset = Booking.objects.select_related("configuration__grant", "organizer", "event")
    parsed_ref = links.parse_booking_ref(booking_id)
    if parsed_ref is not None:
        booking = queryset.filter(pk=parsed_ref[1], configuration_id=parsed_ref[0]).first()
        if booking is None:
            raise NotFound("No booking with this reference.")
        return booking
    try:
        pk = uuid.UUID(booking_id)
    except ValueError:
        raise NotFound("No booking with this ID or reference.") from None
    booking = queryset.filter(pk=pk).first()
    caller: Caller | None = request.auth
    if booking is not None and caller_reaches(caller, booking):
        return booking
    public = public_configuration_in_query(request)
    if public is not None:
        # A public configuration's bookings are reachable by id with its id or slug in
        # the query, as on the hosted service; the id must be one of its bookings.
        if booking is None or booking.configuration_id != public.pk:
            raise NotFound("No booking with this ID in this configuration.")
        return booking
    if caller is None:
        if allow_salt and isinstance(request.data, dict) and request.data.get("salt"):
            if booking is None:
                raise NotFound("No booking with this ID.")
            return booking  # the organizer's link token is checked by the PUT handler
        raise Unauthorized(
            "Give the API key, a session, the booking reference, or (for a public "
            "configuration) its configuration_id or slug in the query."
        )
    raise NotFound("No booking with this ID.")


def caller_reaches(caller: Caller | None, booking: Booking) -> bool:
    """Whether the credentials themselves (not a booking_ref) reach ``booking``: the API
    key; a grant hosting it or owning its configuration; a session of its configuration."""
    if caller is None:
        return False
    if caller.kind == "api_key":
        return True
    if caller.kind == "grant":
        hosts = set(booking.host_rows.values_list("grant_id", flat=True))
        return caller.grant.pk in hosts or booking.configuration.grant_id == caller.grant.pk
    return caller.configuration is not None and caller.configuration.pk == booking.configuration_id


def organizer_reaches(caller: Caller | None, booking: Booking) -> bool:
    """Whether the credentials are the organizer side's and reach ``booking``: a session
    is the guest's, so it never decides for the organizer."""
    return caller is not None and caller.kind != "session" and caller_reaches(caller, booking)


class BookingView(PublicSchedulingView):
    """GET|PUT|PATCH|DELETE /v3/scheduling/bookings/{booking_id}"""

    @extend_schema(
        operation_id="bookings_get",
        tags=["bookings"],
        summary="A booking (by id with a key, session or grant token, or with its public "
        "configuration in the query; or by booking_ref)",
        parameters=schemas.BOOKING_SCOPE_PARAMETERS,
        responses=schemas.v3_responses(schemas.enveloped("BookingResponse", schemas.BOOKING())),
    )
    def get(self, request, booking_id):
        return v3(booking_json(reachable_booking(request, booking_id)))

    @extend_schema(
        operation_id="bookings_decide",
        tags=["bookings"],
        summary="Confirm or decline a pending booking (or cancel a booked one)",
        request=schemas.BOOKING_DECISION,
        responses=schemas.v3_responses(
            schemas.enveloped("BookingDecisionResponse", schemas.BOOKING()), 409
        ),
    )
    def put(self, request, booking_id):
        """An organizer confirms or declines a pending booking."""
        booking = reachable_booking(request, booking_id, allow_salt=True)
        body = p.as_object(request.data, "body")
        status = p.one_of(body.get("status"), "status", ("confirmed", "cancelled"))
        reason = p.text(body.get("cancellation_reason") or "", "cancellation_reason")
        # The organizer's decision: a booking_ref is the guest's and decides nothing, and
        # neither does a session, which a widget hands to the guest's browser. Unless the
        # organizer's own credentials (API key, grant token, edit token) reach the
        # booking, the organizer's link must.
        if not organizer_reaches(request.auth, booking):
            check_organizer_link(booking, body.get("salt"))
        if status == "confirmed":
            booking = services.confirm_booking(booking=booking)
        elif booking.status == Booking.Status.PENDING:
            booking = services.decline_booking(booking=booking, reason=reason)
        else:
            booking = services.cancel_booking(booking=booking, reason=reason, enforce_notice=False)
        return v3(booking_json(booking))

    @extend_schema(
        operation_id="bookings_reschedule",
        tags=["bookings"],
        summary="Reschedule to an offered slot",
        parameters=schemas.BOOKING_SCOPE_PARAMETERS,
        request=schemas.BOOKING_MOVE,
        responses=schemas.v3_responses(
            schemas.enveloped("BookingRescheduleResponse", schemas.BOOKING()), 409, 429
        ),
    )
    def patch(self, request, booking_id):
        """Reschedule to an offered slot."""
        booking = reachable_booking(request, booking_id)
        limit_public_write(request, booking.guest_email)
        body = p.as_object(request.data, "body")
        if "start_time" not in body:
            raise BadRequest("is required", field="start_time")
        start = p.unix_seconds(body["start_time"], "start_time")
        end = p.unix_seconds(body["end_time"], "end_time") if "end_time" in body else None
        booking = services.reschedule_booking(booking=booking, start=start, end=end)
        return v3(booking_json(booking))

    @extend_schema(
        operation_id="bookings_cancel",
        tags=["bookings"],
        summary="Cancel a booking",
        parameters=schemas.BOOKING_SCOPE_PARAMETERS,
        request=schemas.BOOKING_CANCEL,
        responses=schemas.v3_responses(schemas.DELETED, 409, 429),
    )
    def delete(self, request, booking_id):
        booking = reachable_booking(request, booking_id)
        limit_public_write(request, booking.guest_email)
        body = request.data if isinstance(request.data, dict) else {}
        # The web component sends {"action": "cancel", "cancellation_reason": ...}.
        if body.get("action") is not None:
            p.one_of(body["action"], "action", ("cancel",))
        reason = p.text(body.get("cancellation_reason") or "", "cancellation_reason")
        services.cancel_booking(booking=booking, reason=reason)
        return v3_deleted()


def check_organizer_link(booking: Booking, salt) -> None:
    """The PUT's ``salt`` is the organizer's secret: the salt of the organizer's booking
    reference (what the web component sends), or the token of our emailed link; valid,
    unexpired, for this booking, and not used yet."""
    found, problem = booking, links.organizer_salt_problem(booking, salt)
    if problem is None:
        found, problem = links.organizer_link_booking(salt)
    if problem == "expired":
        raise Unauthorized("The organizer link is expired.")
    if problem == "invalid" or found is None or found.id != booking.id:
        raise Unauthorized("Give the API key, a session, or this booking's organizer link salt.")
    if problem:
        raise Unauthorized("The organizer link was already used.")


class SessionsView(SchedulingView):
    """POST /v3/scheduling/sessions"""

    @extend_schema(
        operation_id=body_required("sessions_create"),
        tags=["sessions"],
        summary="A session for one configuration (TTL in minutes, at most 30)",
        request=schemas.SESSION_REQUEST,
        responses=schemas.v3_responses(schemas.enveloped("SessionResponse", schemas.SESSION)),
    )
    def post(self, request):
        caller = require_caller(request, "api_key", "grant")
        body = p.as_object(request.data, "body")
        ttl = 5
        if body.get("time_to_live") is not None:
            ttl = p.whole_number(
                body["time_to_live"], "time_to_live", minimum=1, maximum=MAX_SESSION_MINUTES
            )
        configuration = None
        if body.get("configuration_id"):
            configuration_id = parse_uuid(body["configuration_id"], "configuration_id")
            configuration = Configuration.objects.filter(pk=configuration_id).first()
        elif body.get("slug"):
            configuration = Configuration.objects.filter(slug=p.text(body["slug"], "slug")).first()
        else:
            raise BadRequest("is required (or slug)", field="configuration_id")
        if configuration is None or (
            caller.kind == "grant" and configuration.grant_id != caller.grant.pk
        ):
            raise NotFound("No configuration with this ID or slug.")
        _session, secret = services.start_session(configuration=configuration, minutes=ttl)
        return v3({"session_id": secret})


class SessionView(SchedulingView):
    """GET|DELETE /v3/scheduling/sessions/{session_id}"""

    def find(self, request, session_id) -> Session:
        require_caller(request, "api_key", "grant", "session")
        session = (
            Session.objects.filter(
                token_digest=tokens.digest(session_id), expires_at__gt=timezone.now()
            )
            .select_related("configuration")
            .first()
        )
        if session is None:
            raise NotFound("No live session with this ID.")
        caller: Caller = request.auth
        if caller.kind == "grant" and session.configuration.grant_id != caller.grant.pk:
            raise NotFound("No live session with this ID.")
        # A session is a guest's: it may look at and end itself, no other session.
        if caller.kind == "session" and caller.session_id != session.pk:
            raise NotFound("No live session with this ID.")
        return session

    @extend_schema(
        operation_id="sessions_get",
        tags=["sessions"],
        summary="A live session",
        responses=schemas.v3_responses(
            schemas.enveloped("SessionInfoResponse", schemas.SESSION_INFO)
        ),
    )
    def get(self, request, session_id):
        session = self.find(request, session_id)
        return v3(
            {
                "session_id": session_id,
                "configuration_id": str(session.configuration_id),
                "created_at": to_unix(session.created_at),
                "expires_at": to_unix(session.expires_at),
            }
        )

    @extend_schema(
        operation_id="sessions_delete",
        tags=["sessions"],
        summary="End a session",
        responses=schemas.v3_responses(schemas.DELETED),
    )
    def delete(self, request, session_id):
        services.end_session(session=self.find(request, session_id))
        return v3_deleted()
