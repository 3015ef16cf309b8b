"""Public v2 routes for widgets built on them: /schedule/{slug}/... (page info, timeslots,
booking, and cancelling or confirming by hash). Same engine and services as everything
else; the v2 shapes and error envelope."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import links, services
from bookings.api import schemas
from bookings.api.availability_input import MAX_RANGE_SECONDS, read_range
from bookings.api.public_limits import guest_email_of, limit_public_write
from bookings.availability import find_slots
from bookings.availability_loader import load_engine_input
from bookings.guest_input import clean_guest
from bookings.models import Booking
from pages import conferencing
from pages.api import parsing as p
from pages.api.errors import BadRequest, NotFound, Unauthorized
from pages.api.v2_pages import page_json
from pages.api.v2_views import MAX_LIMIT, MAX_OFFSET, read_paging
from pages.models import Configuration
from pages.unix_time import to_unix

# The v2 widget routes answer the seed's shapes, which they document as free-form JSON.
ANY_LIST = {"type": "array", "items": {"type": "object"}}


class PublicV2View(p.RefusesNulCharacters, APIView):
    dialect = "v2"
    authentication_classes: list = []
    permission_classes: list = []

    def page(self, slug: str) -> Configuration:
        page = (
            Configuration.objects.select_related("grant")
            .filter(slug=slug, requires_session_auth=False)
            .first()
        )
        if page is None:
            raise NotFound("No scheduling page with this slug.")
        return page


def hosts_by_email(page: Configuration) -> dict:
    return {
        pt.email.lower(): pt
        for pt in page.participants.select_related("grant", "booking_calendar")
        if pt.grant_id
    }


class ProviderAvailabilityView(PublicV2View):
    """GET /schedule/availability/{google|o365}: the hosted service's check of the
    Google and Microsoft calendars connected to it, which are not reachable from here."""

    @extend_schema(
        operation_id="v2_schedule_provider_availability",
        tags=["v2"],
        responses={400: schemas.V2_ERRORS[400]},
    )
    def get(self, request, provider):
        raise BadRequest(
            "Google and Microsoft calendars are not connected here: connect a CalDAV "
            "account or an iCalendar feed instead, and its busy time counts.",
            field="provider",
        )


class InfoView(PublicV2View):
    """GET /schedule/{slug}/info"""

    @extend_schema(
        operation_id="v2_schedule_info",
        tags=["v2"],
        responses={200: OpenApiTypes.OBJECT, 404: schemas.V2_ERRORS[404]},
    )
    def get(self, request, slug):
        return Response(page_json(self.page(slug), public=True))


def timeslots_range(page, params) -> tuple[int, int]:
    """The range asked for; with neither bound given (the v2 SDKs send none), from now
    through the page's ``available_days_in_future`` (at most the 62 days any range may
    span): what the page offers at all."""
    if "start_time" in params or "end_time" in params:
        return read_range(params)
    start = int(timezone.now().timestamp())
    days = min(page.available_days_in_future, MAX_RANGE_SECONDS // 86_400)
    return start, start + days * 86_400


class TimeslotsView(PublicV2View):
    """GET|POST /schedule/{slug}/timeslots"""

    @extend_schema(
        operation_id="v2_schedule_timeslots",
        tags=["v2"],
        parameters=[
            OpenApiParameter("start_time", {"type": "integer", "minimum": 0}),
            OpenApiParameter("end_time", {"type": "integer", "minimum": 0}),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                description="Slots to skip.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description="Slots to return (default: all).",
            ),
        ],
        responses={200: ANY_LIST, **schemas.V2_ERRORS},
    )
    def get(self, request, slug):
        page = self.page(slug)
        offset, limit = read_paging(request.query_params, default_limit=None)
        start, end = timeslots_range(page, request.query_params)
        data = load_engine_input(page, start, end)
        hosts = hosts_by_email(page)
        slots = []
        for slot in find_slots(data.query, data.participants).slots:
            # One entry per host who could take it: the widget books one of them.
            emails = slot.emails if page.is_round_robin else slot.emails[:1]
            for email in emails:
                host = hosts.get(email.lower())
                if host is None:
                    continue
                slots.append(
                    {
                        "account_id": str(host.grant_id),
                        "calendar_id": str(host.booking_calendar_id)
                        if host.booking_calendar_id
                        else None,
                        "host_name": host.name or host.grant.name,
                        "start": slot.start,
                        "end": slot.end,
                    }
                )
        return Response(slots[offset : None if limit is None else offset + limit])

    @extend_schema(
        operation_id="v2_schedule_book",
        tags=["v2"],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **schemas.V2_ERRORS, **schemas.V2_RATE_LIMITED},
    )
    def post(self, request, slug):
        page = self.page(slug)
        limit_public_write(request, guest_email_of(request.data, "email"))
        body = p.as_object(request.data, "body")
        slot = p.as_object(body.get("slot"), "slot")
        if "start" not in slot:
            raise BadRequest("is required", field="slot.start")
        start = p.unix_seconds(slot["start"], "slot.start")
        end = p.unix_seconds(slot["end"], "slot.end") if "end" in slot else None
        host_emails = None
        if slot.get("account_id"):
            host = next(
                (
                    h
                    for h in hosts_by_email(page).values()
                    if str(h.grant_id) == str(slot["account_id"])
                ),
                None,
            )
            if host is None:
                raise BadRequest("is not one of this page's accounts", field="slot.account_id")
            host_emails = {host.email}
        extra_emails = p.as_list(body.get("additional_emails") or [], "additional_emails")
        guest = clean_guest(
            page,
            name=body.get("name"),
            email=body.get("email"),
            timezone=body.get("timezone"),
            language=body.get("locale") or body.get("email_language") or "",
            additional_guests=[{"email": e, "name": ""} for e in extra_emails],
            additional_fields=body.get("additional_values") or {},
            field_prefix="",
        )
        made = services.create_booking(
            configuration=page, start=start, end=end, guest=guest, host_emails=host_emails
        )
        return Response(booking_v2_json(made.booking, made.booking_ref))


def booking_v2_json(booking: Booking, edit_hash: str) -> dict:
    host = booking.host_rows.select_related("grant").first()
    return {
        "id": str(booking.id),
        "account_id": str(host.grant_id) if host else None,
        "calendar_event_id": str(booking.event_id) if booking.event_id else None,
        "calendar_id": str(booking.event.calendar_id) if booking.event_id else None,
        "edit_hash": edit_hash,
        "start_time": to_unix(booking.start),
        "end_time": to_unix(booking.end),
        "is_confirmed": booking.status == Booking.Status.BOOKED,
        "location": conferencing.booking_location(
            booking.configuration.location, booking.conferencing
        ),
        "title": booking.configuration.title,
        "recipient_email": booking.guest_email,
        "recipient_name": booking.guest_name,
        "recipient_tz": booking.guest_timezone,
        "additional_field_values": booking.additional_fields,
    }


class CancelView(PublicV2View):
    """POST /schedule/{slug}/{edit_hash}/cancel: the guest's hash (booking_ref)."""

    @extend_schema(
        operation_id="v2_schedule_cancel",
        tags=["v2"],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **schemas.V2_ERRORS, **schemas.V2_RATE_LIMITED},
    )
    def post(self, request, slug, edit_hash):
        page = self.page(slug)
        parsed = links.parse_booking_ref(edit_hash)
        booking = None
        if parsed and parsed[0] == page.pk:
            booking = Booking.objects.filter(pk=parsed[1], configuration=page).first()
        if booking is None:
            raise NotFound("No booking with this hash on this page.")
        limit_public_write(request, booking.guest_email)
        body = request.data if isinstance(request.data, dict) else {}
        reason = p.text(body.get("reason") or "", "reason")
        services.cancel_booking(booking=booking, reason=reason)
        return Response({"success": True})


class ConfirmView(PublicV2View):
    """POST /schedule/{slug}/{edit_hash}/confirm: the hash of the organizer's link (not the
    guest's booking_ref); body ``{"status": "cancelled", "reason": ...}`` declines."""

    @extend_schema(
        operation_id="v2_schedule_confirm",
        tags=["v2"],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **schemas.V2_ERRORS, **schemas.V2_CONFLICT},
    )
    def post(self, request, slug, edit_hash):
        page = self.page(slug)
        booking, problem = links.organizer_link_booking(edit_hash)
        if problem in ("expired", "invalid"):
            raise Unauthorized(f"The confirmation link is {problem}.")
        if booking is None or booking.configuration_id != page.pk:
            raise NotFound("No booking with this hash on this page.")
        if problem:
            raise Unauthorized("The confirmation link was already used.")
        body = request.data if isinstance(request.data, dict) else {}
        if body.get("status") == "cancelled":
            services.decline_booking(
                booking=booking, reason=p.text(body.get("reason") or "", "reason")
            )
        else:
            services.confirm_booking(booking=booking)
        return Response({"success": True})
