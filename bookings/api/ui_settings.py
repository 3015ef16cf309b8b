"""GET /v3/scheduling/ui-settings: what the Scheduling web component (@nylas/web-elements)
reads before it shows a configuration to a guest, and, with ``booking_id``, the booking
it is rescheduling. Only what a guest's page needs: never participants' calendars,
reminders, email templates, tokens or salts.

The fields are those the component reads from its ``configSettings`` (its source:
``configuration_id``, ``name``, ``slug``, ``booking_type``, ``organizer``, ``scheduler``,
``appearance``, ``booking``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from bookings.api import schemas
from bookings.api.availability import PublicSchedulingView
from bookings.api.scoping import parse_uuid, scheduling_configuration
from bookings.models import Booking
from pages import conferencing
from pages.api.configuration_output import scheduler_json
from pages.api.envelope import v3
from pages.api.errors import NotFound
from pages.models import Configuration, Participant
from pages.unix_time import to_unix


def organizer_of(configuration: Configuration) -> dict:
    person = (
        Participant.objects.filter(configuration=configuration)
        .order_by("-is_organizer", "position", "pk")
        .values("name", "email")
        .first()
    )
    if person is None:  # no participant yet: the grant that owns the configuration
        grant = configuration.grant
        return {"name": grant.name, "email": grant.email}
    return {"name": person["name"], "email": person["email"]}


def guest_settings_json(configuration: Configuration) -> dict:
    c = configuration
    return {
        "configuration_id": str(c.pk),
        "name": c.name,
        "slug": c.slug,
        "booking_type": c.booking_type,
        "locale": c.locale,
        "organizer": organizer_of(c),
        "event_booking": {
            "title": c.title,
            "description": c.description,
            "location": c.location,
            "timezone": c.timezone,
            "hide_participants": c.hide_participants,
        },
        "availability": {"duration_minutes": c.duration_minutes},
        # What a guest's page needs of the scheduler settings: all but the email template.
        "scheduler": {k: v for k, v in scheduler_json(c).items() if k != "email_template"},
        "appearance": dict(c.appearance or {}),
    }


def booking_settings_json(booking: Booking) -> dict:
    """The booking being rescheduled, as the component prefills its form from it."""
    configuration = booking.configuration
    organizer = booking.organizer
    zone = booking.guest_timezone or configuration.timezone or "UTC"
    return {
        "booking_id": str(booking.id),
        "status": booking.status,
        "guest": {"name": booking.guest_name, "email": booking.guest_email},
        "additional_guests": booking.additional_guests,
        "additional_fields": booking.additional_fields,
        "timezone": booking.guest_timezone,
        "email_language": booking.language,
        "event_data": {
            "location": conferencing.booking_location(configuration.location, booking.conferencing),
            "when": {
                "object": "timespan",
                "start_time": to_unix(booking.start),
                "end_time": to_unix(booking.end),
                "start_timezone": zone,
                "end_timezone": zone,
            },
        },
        "event_organizer": {
            "name": organizer.name if organizer else "",
            "email": organizer.email if organizer else "",
            "is_organizer": True,
        },
    }


UI_SETTINGS = inline_serializer(
    name="UISettings",
    fields={
        "configuration_id": serializers.UUIDField(),
        "name": serializers.CharField(allow_blank=True),
        "slug": serializers.CharField(allow_null=True),
        "booking_type": serializers.ChoiceField(choices=["booking", "organizer-confirmation"]),
        "locale": serializers.CharField(),
        "organizer": inline_serializer(
            name="UISettingsOrganizer",
            fields={
                "name": serializers.CharField(allow_blank=True),
                "email": serializers.EmailField(),
            },
        ),
        "event_booking": serializers.DictField(),
        "availability": serializers.DictField(),
        "scheduler": serializers.DictField(),
        "appearance": serializers.DictField(),
        "booking": serializers.DictField(required=False),
    },
)


class UISettingsView(PublicSchedulingView):
    """GET /v3/scheduling/ui-settings"""

    @extend_schema(
        operation_id="ui_settings_get",
        tags=["availability"],
        summary="What the Scheduling web component reads about a configuration (public by "
        "id or slug, a session, or the key)",
        parameters=[
            OpenApiParameter("configuration_id", {"type": "string", "format": "uuid"}),
            OpenApiParameter("slug", str),
            OpenApiParameter("client_id", str, description="Accepted and ignored."),
            OpenApiParameter(
                "booking_id",
                {"type": "string", "format": "uuid"},
                description="Add the booking being rescheduled (one of this configuration's).",
            ),
        ],
        responses=schemas.v3_responses(schemas.enveloped("UISettingsResponse", UI_SETTINGS)),
    )
    def get(self, request):
        configuration = scheduling_configuration(request)
        data = guest_settings_json(configuration)
        booking_id = request.query_params.get("booking_id")
        if booking_id:
            booking = (
                Booking.objects.select_related("configuration", "organizer")
                .filter(pk=parse_uuid(booking_id, "booking_id"), configuration=configuration)
                .first()
            )
            if booking is None:
                raise NotFound("No booking with this ID in this configuration.")
            data["booking"] = booking_settings_json(booking)
        return v3(data)
