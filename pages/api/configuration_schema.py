"""The v3 configuration's wire shape for the OpenAPI schema (drf-spectacular). Requests
are read by configuration_input and written by configuration_output; these serializers
only describe them. One shape serves both: what a GET returns can be PUT back."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.api.openapi import ChosenIdField
from pages.models import AdditionalField, Configuration, Reminder


def optional(field_class, **kwargs):
    return field_class(required=False, **kwargs)


class OpenHoursSchema(serializers.Serializer):
    days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), help_text="0 is Sunday"
    )
    start = serializers.CharField(help_text='Local wall-clock time, "9:00"')
    end = serializers.CharField(help_text='Local wall-clock time, "17:00" ("24:00" allowed)')
    timezone = optional(
        serializers.CharField,
        allow_blank=True,
        help_text="IANA zone; blank: the participant's, then event_booking.timezone",
    )
    exdates = optional(
        serializers.ListField, child=serializers.DateField(), help_text="Local dates closed"
    )


class ParticipantAvailabilitySchema(serializers.Serializer):
    calendar_ids = optional(
        serializers.ListField,
        child=serializers.CharField(),
        help_text="The grant's calendar IDs, or primary (the default)",
    )
    open_hours = optional(serializers.ListField, child=OpenHoursSchema())


class ParticipantBookingSchema(serializers.Serializer):
    calendar_id = optional(
        serializers.CharField, help_text="Where booked events go: a calendar ID, or primary"
    )


class ParticipantSchema(serializers.Serializer):
    email = serializers.EmailField(
        help_text="With availability or booking, the email of a grant (any case); "
        "each participant's once"
    )
    name = optional(serializers.CharField, allow_blank=True)
    is_organizer = optional(serializers.BooleanField, default=False)
    timezone = optional(serializers.CharField, allow_blank=True)
    availability = optional(
        ParticipantAvailabilitySchema, help_text="Absent: always free (no calendars read)"
    )
    booking = optional(ParticipantBookingSchema, help_text="Absent: not on the booked event")


class BufferSchema(serializers.Serializer):
    before = optional(serializers.IntegerField, min_value=0, max_value=120, default=0)
    after = optional(serializers.IntegerField, min_value=0, max_value=120, default=0)


class AvailabilityRulesSchema(serializers.Serializer):
    availability_method = optional(
        serializers.ChoiceField, choices=Configuration.Method.values, default="collective"
    )
    buffer = optional(BufferSchema, help_text="Minutes, steps of 5")
    default_open_hours = optional(serializers.ListField, child=OpenHoursSchema())
    round_robin_group_id = optional(serializers.CharField, allow_blank=True)
    tentative_as_busy = optional(serializers.BooleanField, default=True)


@extend_schema_field(
    {"type": "integer", "minimum": 5, "maximum": 60, "multipleOf": 5, "default": 15}
)
class RoundToField(serializers.IntegerField):
    """Minutes that slot grids start on: 5 to 60, in steps of 5."""


class AvailabilitySchema(serializers.Serializer):
    duration_minutes = optional(serializers.IntegerField, min_value=5, max_value=1440, default=30)
    interval_minutes = optional(
        serializers.IntegerField,
        min_value=5,
        max_value=1440,
        allow_null=True,
        help_text="Default: duration_minutes",
    )
    round_to = optional(RoundToField, min_value=5, max_value=60, default=15)
    availability_rules = optional(AvailabilityRulesSchema)


class ReminderSchema(serializers.Serializer):
    type = optional(serializers.ChoiceField, choices=Reminder.Type.values, default="email")
    minutes_before_event = serializers.IntegerField(min_value=1, max_value=43200)
    recipient = optional(serializers.ChoiceField, choices=Reminder.Recipient.values, default="all")
    email_subject = optional(serializers.CharField, allow_blank=True, max_length=200)


class ConferencingDetailsSchema(serializers.Serializer):
    url = optional(serializers.CharField, max_length=500, help_text="An http(s) address")
    meeting_code = optional(serializers.CharField, max_length=200)
    password = optional(serializers.CharField, max_length=200)
    pin = optional(serializers.CharField, max_length=200)
    phone = optional(serializers.ListField, child=serializers.CharField(max_length=50))


class ConferencingAutocreateSchema(serializers.Serializer):
    url_template = optional(
        serializers.CharField,
        max_length=460,
        help_text='provider "url-template" only: an http(s) address with {room} once',
    )
    conf_settings = optional(serializers.DictField, help_text="Kept as sent, not used")


class ConferencingSchema(serializers.Serializer):
    provider = serializers.CharField(
        max_length=100,
        help_text='With autocreate: "Jitsi Meet" or "url-template" (Google Meet, Zoom '
        "Meeting and Microsoft Teams cannot be created here: give their details)",
    )
    autocreate = optional(ConferencingAutocreateSchema, help_text="A new meeting for each booking")
    details = optional(ConferencingDetailsSchema, help_text="One meeting for every booking")


class EventBookingSchema(serializers.Serializer):
    title = optional(serializers.CharField, max_length=500, default="Meeting")
    description = optional(serializers.CharField, allow_blank=True)
    location = optional(serializers.CharField, allow_blank=True, max_length=500)
    timezone = optional(serializers.CharField, allow_blank=True, help_text="IANA zone")
    booking_type = optional(
        serializers.ChoiceField, choices=Configuration.BookingType.values, default="booking"
    )
    hide_participants = optional(serializers.BooleanField, default=False)
    disable_emails = optional(serializers.BooleanField, default=False)
    reminders = optional(serializers.ListField, child=ReminderSchema())
    capacity = optional(
        serializers.IntegerField,
        min_value=1,
        max_value=1000,
        default=1,
        help_text="More than 1: a group event, that many guests share a slot",
    )
    conferencing = optional(ConferencingSchema, allow_null=True)


class AdditionalFieldSchema(serializers.Serializer):
    label = serializers.CharField(max_length=300)
    type = optional(serializers.ChoiceField, choices=AdditionalField.Type.values, default="text")
    required = optional(serializers.BooleanField, default=False)
    default = optional(serializers.CharField, allow_blank=True)
    pattern = optional(serializers.CharField, allow_blank=True, help_text="A regular expression")
    order = optional(serializers.IntegerField, default=0)
    options = optional(serializers.ListField, child=serializers.CharField())


class BookingConfirmedSchema(serializers.Serializer):
    title = optional(serializers.CharField, allow_blank=True)
    body = optional(serializers.CharField, allow_blank=True)


class EmailTemplateSchema(serializers.Serializer):
    logo = optional(serializers.CharField, allow_blank=True)
    booking_confirmed = optional(BookingConfirmedSchema)


class SchedulerSchema(serializers.Serializer):
    available_days_in_future = optional(
        serializers.IntegerField, min_value=1, max_value=730, default=30
    )
    min_booking_notice = optional(
        serializers.IntegerField, min_value=0, default=60, help_text="Minutes"
    )
    min_cancellation_notice = optional(
        serializers.IntegerField, min_value=0, default=0, help_text="Minutes"
    )
    cancellation_policy = optional(serializers.CharField, allow_blank=True)
    confirmation_redirect_url = optional(serializers.CharField, allow_blank=True)
    rescheduling_url = optional(serializers.CharField, allow_blank=True)
    cancellation_url = optional(serializers.CharField, allow_blank=True)
    organizer_confirmation_url = optional(
        serializers.CharField, allow_blank=True, help_text=":booking_ref is replaced"
    )
    hide_rescheduling_options = optional(serializers.BooleanField, default=False)
    hide_cancellation_options = optional(serializers.BooleanField, default=False)
    hide_additional_guests = optional(serializers.BooleanField, default=False)
    additional_fields = optional(
        serializers.DictField, child=AdditionalFieldSchema(), help_text="Questions, by key"
    )
    email_template = optional(EmailTemplateSchema)


class ConfigurationSchema(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = optional(serializers.CharField, allow_blank=True, max_length=200)
    slug = optional(serializers.CharField, allow_null=True, max_length=64)
    requires_session_auth = optional(serializers.BooleanField, default=False)
    locale = optional(serializers.CharField, default="en")
    participants = serializers.ListField(
        child=ParticipantSchema(),
        required=False,
        min_length=1,
        max_length=50,
        help_text="Required to create. 1 to 50; exactly one organizer unless round-robin",
    )
    availability = optional(AvailabilitySchema)
    event_booking = optional(EventBookingSchema)
    scheduler = optional(SchedulerSchema)
    appearance = optional(serializers.DictField, child=serializers.CharField())


class NewConfigurationSchema(ConfigurationSchema):
    """What POST takes: participants required (a PUT keeps them), and the id the new
    configuration must have."""

    id = ChosenIdField(
        help_text="API key only: the id the new configuration must have, so that a "
        "migrating team's links and stored ids keep working (a UUID; a taken one is a 409)",
    )
    participants = serializers.ListField(
        child=ParticipantSchema(),
        min_length=1,
        max_length=50,
        help_text="1 to 50; exactly one organizer unless round-robin",
    )
