"""Writes on the organizer side. Views, API views, admin and commands call these.

Each runs in one transaction. A problem the caller could have avoided is raised as a
django ValidationError keyed by model field; each API dialect turns it into its 400,
naming the field as its wire shape spells it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from pages.models import (
    AdditionalField,
    ApiKey,
    Calendar,
    Configuration,
    Event,
    Grant,
    OpenHours,
    Participant,
    Reminder,
    V2PageIdCounter,
)
from pages.signals import (
    announce_grant,
    configurations_deleting,
    event_changed,
    event_deleted,
    event_moved,
)

API_KEY_USE_RESOLUTION = dt.timedelta(minutes=1)


class IdTaken(Exception):
    """The id asked for (a migrating team keeps its hosted ids) is another object's."""

    def __init__(self, kind: str, object_id: uuid.UUID):
        self.kind = kind
        self.object_id = object_id
        super().__init__(f"A {kind} with the id {object_id} already exists.")


def claim_chosen_id(instance, chosen_id: uuid.UUID | None, kind: str) -> None:
    """Give a new ``instance`` the id asked for, unless it is taken (checked again by the
    primary key when the row is inserted: see insert_with_chosen_id)."""
    if chosen_id is None:
        return
    if type(instance).objects.filter(pk=chosen_id).exists():
        raise IdTaken(kind, chosen_id)
    instance.pk = chosen_id


def insert_with_chosen_id(instance, chosen_id: uuid.UUID | None, kind: str) -> None:
    """Insert ``instance``; a chosen id that a concurrent creation took in the meantime
    is IdTaken, not an IntegrityError (in a savepoint, so the caller's transaction goes
    on to raise it cleanly)."""
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        if chosen_id is not None and type(instance).objects.filter(pk=chosen_id).exists():
            raise IdTaken(kind, chosen_id) from None
        raise


@transaction.atomic
def create_api_key(*, name: str) -> tuple[ApiKey, str]:
    """A new application key and its secret (shown once, stored hashed)."""
    api_key = ApiKey(name=name)
    secret = api_key.set_new_key()
    api_key.save()
    return api_key, secret


def record_api_key_use(*, api_key: ApiKey, at: dt.datetime) -> None:
    """When the key was last used, at most once a minute: a write per request would
    serialize the API."""
    if api_key.last_used_at is None or at - api_key.last_used_at > API_KEY_USE_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=at)


def ensure_primary_calendar(grant: Grant) -> Calendar:
    calendar = grant.calendars.filter(is_primary=True).first()
    if calendar is None:
        calendar = Calendar.objects.create(
            grant=grant, name=grant.name or grant.email, timezone=grant.timezone, is_primary=True
        )
    return calendar


@transaction.atomic
def create_grant(
    *,
    email: str,
    name: str = "",
    timezone: str = "UTC",
    picture_url: str = "",
    grant_id: uuid.UUID | None = None,
) -> tuple[Grant, str]:
    """A new organizer with a primary calendar; returns the grant and its access token.
    ``grant_id``: the id it must have (a hosted grant's, kept); IdTaken if taken."""
    grant = Grant(email=email.strip(), name=name, timezone=timezone, picture_url=picture_url)
    claim_chosen_id(grant, grant_id, "grant")
    token = grant.set_new_access_token()
    grant.full_clean()
    insert_with_chosen_id(grant, grant_id, "grant")
    ensure_primary_calendar(grant)
    announce_grant(grant, "grant.created")
    return grant, token


@transaction.atomic
def issue_access_token(*, grant: Grant) -> str:
    """A new access token for ``grant`` (the old one stops working); shown this once."""
    token = grant.set_new_access_token()
    grant.save(update_fields=["access_token_digest", "updated_at"])
    return token


@transaction.atomic
def delete_grant(*, grant: Grant) -> None:
    """The grant, its calendars, events and configurations. Its events are announced one
    by one first (``event_deleted``), as if deleted through the events API, so a booking
    that made one is cancelled with its notices; its configurations are announced too
    (``configurations_deleting``)."""
    _announce_and_delete_events(Event.objects.filter(calendar__grant=grant))
    _announce_deleting(list(grant.configurations.values_list("pk", flat=True)))
    announce_grant(grant, "grant.deleted")
    grant.delete()


# Calendars


@transaction.atomic
def create_calendar(
    *,
    grant: Grant,
    name: str,
    description: str = "",
    timezone: str | None = None,
    read_only: bool = False,
) -> Calendar:
    calendar = Calendar(
        grant=grant,
        name=name,
        description=description,
        timezone=timezone or grant.timezone,
        read_only=read_only,
    )
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def update_calendar(
    *,
    calendar: Calendar,
    name: str | None = None,
    description: str | None = None,
    timezone: str | None = None,
    read_only: bool | None = None,
) -> Calendar:
    """Sets the values given; ``None`` keeps a value."""
    changes = {
        "name": name,
        "description": description,
        "timezone": timezone,
        "read_only": read_only,
    }
    for attribute, value in changes.items():
        if value is not None:
            setattr(calendar, attribute, value)
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def delete_calendar(*, calendar: Calendar) -> None:
    if calendar.is_primary:
        raise ValidationError({"calendar": "The primary calendar cannot be deleted."})
    _announce_and_delete_events(Event.objects.filter(calendar=calendar))
    calendar.delete()


# Events


def _writable(calendar: Calendar) -> None:
    if calendar.read_only:
        raise ValidationError({"calendar": "The calendar is read-only."})
    if calendar.is_remote:
        raise ValidationError(
            {
                "calendar": "The calendar is a connected calendar: its events are changed "
                "in the organizer's own calendar app and come here with the next sync."
            }
        )


@transaction.atomic
def create_event(
    *,
    calendar: Calendar,
    start: dt.datetime,
    end: dt.datetime,
    title: str = "",
    description: str = "",
    location: str = "",
    busy: bool = True,
    status: str = Event.Status.CONFIRMED,
    participants: Sequence[Mapping[str, str]] = (),
    metadata: Mapping[str, str] | None = None,
) -> Event:
    _writable(calendar)
    event = Event(
        calendar=calendar,
        start=start,
        end=end,
        title=title,
        description=description,
        location=location,
        busy=busy,
        status=status,
        participants=[dict(p) for p in participants],
        metadata=dict(metadata or {}),
    )
    event.full_clean(exclude=["calendar"])
    event.save()
    event_changed.send(sender=Event, event=event, trigger="event.created")
    return event


@transaction.atomic
def update_event(
    *,
    event: Event,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    title: str | None = None,
    description: str | None = None,
    location: str | None = None,
    busy: bool | None = None,
    status: str | None = None,
    participants: Sequence[Mapping[str, str]] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> Event:
    """Sets the values given (``None`` keeps one). A change of time is announced with
    ``event_moved`` after the save, inside this transaction: a booking that made the
    event follows it, and if it cannot, the move is undone with it."""
    # Locked so that two moves of one event cannot both report the same old time.
    event = (
        Event.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=event.pk)
    )
    _writable(event.calendar)
    old_start, old_end = event.start, event.end
    changes: dict[str, Any] = {
        "start": start,
        "end": end,
        "title": title,
        "description": description,
        "location": location,
        "busy": busy,
        "status": status,
        "participants": None if participants is None else [dict(p) for p in participants],
        "metadata": None if metadata is None else dict(metadata),
    }
    for attribute, value in changes.items():
        if value is not None:
            setattr(event, attribute, value)
    event.full_clean(exclude=["calendar"])
    event.save()
    if (event.start, event.end) != (old_start, old_end):
        event_moved.send(sender=Event, event=event, old_start=old_start, old_end=old_end)
    event_changed.send(sender=Event, event=event, trigger="event.updated")
    return event


@transaction.atomic
def delete_event(*, event: Event, even_read_only: bool = False) -> None:
    """Announced with ``event_deleted`` before the delete, inside this transaction."""
    event = (
        Event.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=event.pk)
    )
    if not even_read_only:
        _writable(event.calendar)
    event_deleted.send(sender=Event, event=event)
    event_changed.send(sender=Event, event=event, trigger="event.deleted")
    event.delete()


def _announce_and_delete_events(events) -> None:
    for event in events.select_for_update(of=("self",)).order_by("pk"):
        event_deleted.send(sender=Event, event=event)
    events.delete()


# Configurations

MAX_PARTICIPANTS = 50


@dataclass(frozen=True)
class OpenHoursSpec:
    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    timezone: str = ""  # empty: the participant's zone, then the configuration's
    exdates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParticipantSpec:
    """One participant. With availability and no calendars chosen, the grant's primary
    calendar makes them busy; without a booking calendar they are not on the event."""

    email: str
    name: str = ""
    is_organizer: bool = False
    timezone: str = ""
    grant: Grant | None = None
    has_availability: bool = False
    availability_calendars: tuple[Calendar, ...] = ()
    open_hours: tuple[OpenHoursSpec, ...] = ()
    booking_calendar: Calendar | None = None


@dataclass(frozen=True)
class ReminderSpec:
    minutes_before_event: int
    type: str = Reminder.Type.EMAIL
    recipient: str = Reminder.Recipient.ALL
    email_subject: str = ""


@dataclass(frozen=True)
class AdditionalFieldSpec:
    key: str
    label: str
    type: str = AdditionalField.Type.TEXT
    required: bool = False
    default: str = ""
    pattern: str = ""
    order: int = 0
    options: tuple[str, ...] = ()


@dataclass
class ConfigurationChanges:
    """What to write. ``fields`` are Configuration columns to set. A nested list left
    None keeps what is there; a list (even an empty one) replaces it. ``extra`` keys are
    set in Configuration.extra and ``extra_removed`` keys taken out; other keys of extra
    are kept (the other dialect keeps its own fields there)."""

    fields: dict[str, Any] = field(default_factory=dict)
    participants: list[ParticipantSpec] | None = None
    default_open_hours: list[OpenHoursSpec] | None = None
    reminders: list[ReminderSpec] | None = None
    additional_fields: list[AdditionalFieldSpec] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    extra_removed: set[str] = field(default_factory=set)


@transaction.atomic
def create_configuration(
    *,
    grant: Grant,
    changes: ConfigurationChanges,
    configuration_id: uuid.UUID | None = None,
) -> Configuration:
    """``configuration_id``: the id it must have (a hosted configuration's, kept, so its
    links keep working); IdTaken if taken."""
    configuration = Configuration(grant=grant)
    claim_chosen_id(configuration, configuration_id, "configuration")
    configuration.v2_page_id = _next_v2_page_id()
    _write_configuration(configuration, changes, chosen_id=configuration_id)
    return configuration


def _next_v2_page_id() -> int:
    """The next v2 page ID. The counter row is locked until the creation commits: two
    creations at once would otherwise read the same last ID (on SQLite the write
    transaction is already exclusive). Never below the highest ID in use, whatever gave
    it."""
    V2PageIdCounter.objects.get_or_create(pk=1)  # gone after a flush; made by pages 0003
    counter = V2PageIdCounter.objects.select_for_update().get(pk=1)
    highest = Configuration.objects.aggregate(highest=Max("v2_page_id"))["highest"] or 0
    counter.last_given = max(counter.last_given, highest) + 1
    counter.save(update_fields=["last_given"])
    return counter.last_given


@transaction.atomic
def update_configuration(
    *, configuration: Configuration, changes: ConfigurationChanges
) -> Configuration:
    # Locked: two updates at once would otherwise interleave their participant rows.
    configuration = Configuration.objects.select_for_update().get(pk=configuration.pk)
    _write_configuration(configuration, changes)
    return configuration


@transaction.atomic
def issue_edit_token(*, configuration: Configuration) -> str:
    """A new edit token for a page (the old one stops working); shown once."""
    token = configuration.set_new_edit_token()
    configuration.save(update_fields=["edit_token_digest", "updated_at"])
    return token


@transaction.atomic
def delete_configuration(*, configuration: Configuration) -> None:
    """The configuration and its bookings: announced first (``configurations_deleting``),
    so upcoming bookings are cancelled with their notices and nothing owed is lost."""
    _announce_deleting([configuration.pk])
    configuration.delete()


def _announce_deleting(configuration_ids: list) -> None:
    if configuration_ids:
        configurations_deleting.send(sender=Configuration, configuration_ids=configuration_ids)


def _write_configuration(
    configuration: Configuration,
    changes: ConfigurationChanges,
    *,
    chosen_id: uuid.UUID | None = None,
) -> None:
    creating = configuration._state.adding
    for attribute, value in changes.fields.items():
        setattr(configuration, attribute, value)
    extra = {k: v for k, v in configuration.extra.items() if k not in changes.extra_removed}
    configuration.extra = {**extra, **changes.extra}
    configuration.full_clean(exclude=["grant"])
    try:
        # A savepoint: a slug taken by a concurrent request fails here, not the whole
        # transaction.
        with transaction.atomic():
            configuration.save(force_insert=creating)
    except IntegrityError:
        taken = creating and chosen_id is not None
        if taken and Configuration.objects.filter(pk=chosen_id).exists():
            raise IdTaken("configuration", chosen_id) from None
        if configuration.slug and Configuration.objects.filter(slug=configuration.slug).exists():
            raise ValidationError({"slug": "This slug is taken."}) from None
        raise
    if changes.participants is not None:
        _replace_participants(configuration, changes.participants)
    if changes.default_open_hours is not None:
        configuration.open_hours.filter(participant=None).delete()
        _add_open_hours(configuration, None, changes.default_open_hours)
    if changes.reminders is not None:
        configuration.reminders.all().delete()
        _add_rows(
            [Reminder(configuration=configuration, **vars(spec)) for spec in changes.reminders]
        )
    if changes.additional_fields is not None:
        configuration.additional_fields.all().delete()
        _add_rows(
            [
                AdditionalField(
                    configuration=configuration, **{**vars(spec), "options": list(spec.options)}
                )
                for spec in changes.additional_fields
            ]
        )
    _check_participants(configuration)


def _replace_participants(configuration: Configuration, specs: list[ParticipantSpec]) -> None:
    configuration.participants.all().delete()  # their open hours go with them
    for position, spec in enumerate(specs):
        participant = Participant(
            configuration=configuration,
            grant=spec.grant,
            email=spec.email,
            name=spec.name,
            is_organizer=spec.is_organizer,
            timezone=spec.timezone,
            has_availability=spec.has_availability,
            booking_calendar=spec.booking_calendar,
            position=position,
        )
        participant.full_clean(exclude=["configuration"])
        participant.save()
        if spec.availability_calendars:
            participant.availability_calendars.set(spec.availability_calendars)
        _add_open_hours(configuration, participant, spec.open_hours)


def _add_open_hours(configuration, participant, specs) -> None:
    _add_rows(
        [
            OpenHours(
                configuration=configuration,
                participant=participant,
                days=list(spec.days),
                start_minute=spec.start_minute,
                end_minute=spec.end_minute,
                timezone=spec.timezone,
                exdates=list(spec.exdates),
            )
            for spec in specs
        ]
    )


def _add_rows(rows: list) -> None:
    for row in rows:
        row.full_clean(exclude=["configuration", "participant"])
    if rows:
        type(rows[0]).objects.bulk_create(rows)


def _check_participants(configuration: Configuration) -> None:
    organizers = list(configuration.participants.values_list("is_organizer", flat=True))
    if len(organizers) > MAX_PARTICIPANTS:
        raise ValidationError({"participants": f"At most {MAX_PARTICIPANTS} participants."})
    if not configuration.is_round_robin and sum(organizers) != 1:
        raise ValidationError(
            {
                "participants": "Exactly one participant must be the organizer "
                "(is_organizer), unless hosts are chosen round-robin."
            }
        )
