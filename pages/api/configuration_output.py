"""A configuration as v3 JSON: the shape a client sends (configuration_input), with its
``id`` and every default filled in, so a GET gives back what a POST or PUT stored. A
grant's primary calendar is written ``primary``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from pages.api.configuration_input import READ_ONLY_KEYS, SECTIONS, TOP_LEVEL_KEYS
from pages.models import Calendar, Configuration, OpenHours, Participant, Reminder
from pages.models.configurations import format_minute

PRIMARY = "primary"


def with_related(configurations: QuerySet[Configuration]) -> QuerySet[Configuration]:
    """What configuration_json reads, in a fixed number of queries for any number."""
    return configurations.prefetch_related(
        Prefetch(
            "participants",
            Participant.objects.select_related("booking_calendar").prefetch_related(
                Prefetch("availability_calendars", Calendar.objects.order_by("-is_primary", "pk")),
                Prefetch("open_hours", OpenHours.objects.order_by("pk")),
            ),
        ),
        Prefetch("open_hours", OpenHours.objects.filter(participant=None).order_by("pk")),
        Prefetch("reminders", Reminder.objects.order_by("pk")),
        "additional_fields",
    )


def calendar_ref(calendar: Calendar) -> str:
    return PRIMARY if calendar.is_primary else str(calendar.pk)


def open_hours_json(row: OpenHours) -> dict:
    return {
        "days": list(row.days),
        "start": format_minute(row.start_minute),
        "end": format_minute(row.end_minute),
        "timezone": row.timezone,
        "exdates": list(row.exdates),
    }


def participant_json(participant: Participant) -> dict:
    item: dict = {
        "email": participant.email,
        "name": participant.name,
        "is_organizer": participant.is_organizer,
        "timezone": participant.timezone,
    }
    if participant.has_availability:
        calendars = [calendar_ref(c) for c in participant.availability_calendars.all()]
        item["availability"] = {
            # No calendars chosen: the primary makes them busy (bookings' loader).
            "calendar_ids": calendars or [PRIMARY],
            "open_hours": [open_hours_json(row) for row in participant.open_hours.all()],
        }
    if participant.booking_calendar is not None:
        item["booking"] = {"calendar_id": calendar_ref(participant.booking_calendar)}
    return item


def configuration_json(configuration: Configuration) -> dict:
    """Expects ``with_related`` (else it still works, with more queries). Fields a client
    sent that we do not model come back as they were sent (kept in ``extra``)."""
    c = configuration
    extra = c.extra or {}
    unknown = {k: v for k, v in extra.items() if k not in TOP_LEVEL_KEYS | READ_ONLY_KEYS}
    nested = {s: extra[s] for s in SECTIONS if isinstance(extra.get(s), dict)}
    return {
        **unknown,
        "id": str(c.pk),
        "name": c.name,
        "slug": c.slug,
        "requires_session_auth": c.requires_session_auth,
        "locale": c.locale,
        "participants": [participant_json(person) for person in c.participants.all()],
        "availability": {**nested.get("availability", {}), **_availability_json(c)},
        "event_booking": {**nested.get("event_booking", {}), **_event_booking_json(c)},
        "scheduler": {**nested.get("scheduler", {}), **scheduler_json(c)},
        "appearance": c.appearance or {},
    }


def _availability_json(c: Configuration) -> dict:
    return {
        "duration_minutes": c.duration_minutes,
        "interval_minutes": c.effective_interval_minutes,
        "round_to": c.round_to,
        "availability_rules": {
            "availability_method": c.availability_method,
            "buffer": {"before": c.buffer_before, "after": c.buffer_after},
            "default_open_hours": [
                open_hours_json(row) for row in c.open_hours.all() if row.participant_id is None
            ],
            "round_robin_group_id": c.round_robin_group_id,
            "tentative_as_busy": c.tentative_as_busy,
        },
    }


def _event_booking_json(c: Configuration) -> dict:
    return {
        "title": c.title,
        "description": c.description,
        "location": c.location,
        "timezone": c.timezone,
        "booking_type": c.booking_type,
        "hide_participants": c.hide_participants,
        "disable_emails": c.disable_emails,
        "reminders": [
            {
                "type": r.type,
                "minutes_before_event": r.minutes_before_event,
                "recipient": r.recipient,
                "email_subject": r.email_subject,
            }
            for r in c.reminders.all()
        ],
        "capacity": c.capacity,
    }


def scheduler_json(c: Configuration) -> dict:
    """The v3 ``scheduler`` object of ``c`` (its own fields; what a client sent beyond
    them is laid over it by configuration_json)."""
    return {
        "available_days_in_future": c.available_days_in_future,
        "min_booking_notice": c.min_booking_notice,
        "min_cancellation_notice": c.min_cancellation_notice,
        "cancellation_policy": c.cancellation_policy,
        "confirmation_redirect_url": c.confirmation_redirect_url,
        "rescheduling_url": c.rescheduling_url,
        "cancellation_url": c.cancellation_url,
        "organizer_confirmation_url": c.organizer_confirmation_url,
        "hide_rescheduling_options": c.hide_rescheduling_options,
        "hide_cancellation_options": c.hide_cancellation_options,
        "hide_additional_guests": c.hide_additional_guests,
        "additional_fields": {
            f.key: {
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "default": f.default,
                "pattern": f.pattern,
                "order": f.order,
                "options": list(f.options),
            }
            for f in c.additional_fields.all()
        },
        "email_template": c.email_template or {},
    }
