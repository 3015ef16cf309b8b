"""A configuration's ``participants[]`` and open hours, read into the services' specs.

A participant with ``availability`` or ``booking`` is an organizer here: their email
must be a grant's (ignoring case), and their calendar IDs resolve within that grant.
One without ``availability`` is always free; one without ``booking`` is not on the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from pages.api import parsing as p
from pages.api.access import PRIMARY, uuid_or_none
from pages.api.auth import Caller
from pages.api.errors import BadRequest
from pages.api.optional import given, zone_or_blank
from pages.models import Calendar, Grant
from pages.services import MAX_PARTICIPANTS, OpenHoursSpec, ParticipantSpec

MAX_EXDATES = 1000


def read_open_hours_list(value: Any, field: str) -> list[OpenHoursSpec]:
    return [
        read_open_hours(item, f"{field}[{i}]") for i, item in enumerate(p.as_list(value, field))
    ]


def read_open_hours(value: Any, field: str) -> OpenHoursSpec:
    """``{days: [0-6], start: "9:00", end: "17:00", timezone, exdates: [YYYY-MM-DD]}``;
    a blank zone falls back to the participant's, then the configuration's."""
    entry = p.as_object(value, field)
    for name in ("days", "start", "end"):
        if entry.get(name) is None:
            raise BadRequest("is required", field=f"{field}.{name}")
    days = p.weekdays(entry["days"], f"{field}.days")
    start = p.wall_clock(entry["start"], f"{field}.start", allow_24=False)
    end = p.wall_clock(entry["end"], f"{field}.end", allow_24=True)
    if end <= start:
        raise BadRequest("must be after start", field=f"{field}.end")
    zone = zone_or_blank(entry, "timezone", f"{field}.timezone")
    exdates = p.as_list(given(entry, "exdates", []), f"{field}.exdates")
    if len(exdates) > MAX_EXDATES:
        raise BadRequest(f"at most {MAX_EXDATES} dates", field=f"{field}.exdates")
    dates = [p.iso_date(d, f"{field}.exdates[{i}]").isoformat() for i, d in enumerate(exdates)]
    return OpenHoursSpec(
        days=tuple(sorted(days)),
        start_minute=start,
        end_minute=end,
        timezone=zone,
        exdates=tuple(dict.fromkeys(dates)),
    )


class Directory:
    """The grants among the participants' emails and their calendars: two queries."""

    def __init__(self, emails: list[str]):
        lowered = sorted({e.lower() for e in emails})
        rows = Grant.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=lowered)
        self.grants = {g.email_lower: g for g in rows}
        self.calendars: dict = {g.pk: {} for g in self.grants.values()}
        self.primary: dict = {}
        for calendar in Calendar.objects.filter(grant__in=list(self.grants.values())):
            self.calendars[calendar.grant_id][calendar.pk] = calendar
            if calendar.is_primary:
                self.primary[calendar.grant_id] = calendar

    def calendar(self, grant: Grant, calendar_id: Any, field: str) -> Calendar:
        if calendar_id == PRIMARY:
            found = self.primary.get(grant.pk)
        else:
            calendar_uuid = uuid_or_none(calendar_id) if isinstance(calendar_id, str) else None
            found = self.calendars[grant.pk].get(calendar_uuid)
        if found is None:
            raise BadRequest(
                f"{calendar_id!r} is not a calendar of {grant.email} (use its ID, or primary)",
                field=field,
            )
        return found


def read_participants(value: Any, *, caller: Caller) -> list[ParticipantSpec]:
    if value is None:
        raise BadRequest("is required", field="participants")
    items = p.as_list(value, "participants")
    if not items:
        raise BadRequest("must list at least one participant", field="participants")
    if len(items) > MAX_PARTICIPANTS:
        raise BadRequest(f"at most {MAX_PARTICIPANTS} participants", field="participants")
    items = [p.as_object(item, f"participants[{i}]") for i, item in enumerate(items)]
    emails: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        field = f"participants[{i}].email"
        if item.get("email") is None:
            raise BadRequest("is required", field=field)
        email = p.email_address(item["email"], field)
        try:
            validate_email(email)  # the model's own rule, checked here to name the path
        except ValidationError:
            raise BadRequest(f"{email!r} is not an email address", field=field) from None
        if email.lower() in seen:
            raise BadRequest(f"{email} is listed twice", field=field)
        seen.add(email.lower())
        emails.append(email)
    directory = Directory(emails)
    return [
        read_participant(item, email, f"participants[{i}]", directory, caller)
        for i, (item, email) in enumerate(zip(items, emails, strict=True))
    ]


def read_participant(
    item: Mapping[str, Any], email: str, field: str, directory: Directory, caller: Caller
) -> ParticipantSpec:
    availability = item.get("availability")
    booking = item.get("booking")
    grant = None
    if availability is not None or booking is not None:
        grant = directory.grants.get(email.lower())
        if grant is None:
            raise BadRequest(
                "must be a grant's email: a participant with availability or booking "
                "needs calendars here",
                field=f"{field}.email",
            )
        if caller.kind == "grant" and grant.pk != caller.grant.pk:
            raise BadRequest(
                "is another grant's: with a grant access token only that grant can take "
                "part with availability or booking (use the API key)",
                field=f"{field}.email",
            )
    calendars: tuple[Calendar, ...] = ()
    open_hours: tuple[OpenHoursSpec, ...] = ()
    if availability is not None:
        availability = p.as_object(availability, f"{field}.availability")
        ids_field = f"{field}.availability.calendar_ids"
        ids = p.as_list(given(availability, "calendar_ids", []), ids_field)
        chosen = [directory.calendar(grant, c, f"{ids_field}[{j}]") for j, c in enumerate(ids)]
        calendars = tuple(dict.fromkeys(chosen))
        open_hours = tuple(
            read_open_hours_list(
                given(availability, "open_hours", []), f"{field}.availability.open_hours"
            )
        )
    booking_calendar = None
    if booking is not None:
        booking = p.as_object(booking, f"{field}.booking")
        calendar_field = f"{field}.booking.calendar_id"
        booking_calendar = directory.calendar(
            grant, given(booking, "calendar_id", PRIMARY), calendar_field
        )
        if booking_calendar.read_only:
            raise BadRequest(
                "is read-only: bookings could not be written to it", field=calendar_field
            )
    name = p.text(given(item, "name", ""), f"{field}.name", max_length=200)
    zone = zone_or_blank(item, "timezone", f"{field}.timezone")
    return ParticipantSpec(
        email=email,
        name=name,
        is_organizer=p.boolean(given(item, "is_organizer", False), f"{field}.is_organizer"),
        timezone=zone,
        grant=grant,
        has_availability=availability is not None,
        availability_calendars=calendars,
        open_hours=open_hours,
        booking_calendar=booking_calendar,
    )
