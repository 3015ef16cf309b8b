"""Grants and configurations exported from the hosted service, loaded with their ids and
slugs (``manage.py import_nylas``).

The objects are read as the hosted API returns them: a list response (``{request_id,
data: [...], next_cursor}``), a single object (``{request_id, data: {...}}``), or bare
objects and lists. Each goes through what the API's own creates go through: the same
input readers (read_new_grant, configuration_input, participant_input) and the same
services (create_grant, create_configuration) with the hosted id kept. So an imported
configuration is exactly what ``POST .../scheduling/configurations`` with that body and
``id`` would have made, and anything the API would refuse is skipped with the API's
reason.

Safe to run twice: an object whose id is here already is left as it is ("already
here"), and one skipped is skipped again for the same reason. Each object is its own
transaction, so one that is skipped leaves the others imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from pages import services
from pages.api.access import PRIMARY, uuid_or_none
from pages.api.auth import Caller
from pages.api.configuration_input import WIRE_PATHS, read_configuration
from pages.api.errors import ApiError
from pages.api.grants import read_new_grant
from pages.api.model_errors import as_bad_request
from pages.models import Calendar, Configuration, Grant

# The import acts as the application (the API key): it may set ids and name any grant.
APPLICATION = Caller(kind="api_key")
IMPORTED = "imported"
ALREADY_HERE = "already here"
SKIPPED = "skipped"
CONFIGURATION_KEYS = ("participants", "availability", "event_booking", "scheduler")


class UnreadableExport(ValueError):
    """A file that is not an export this command understands (nothing is imported)."""


@dataclass
class Outcome:
    kind: str  # "grant" | "configuration" | "object"
    label: str
    status: str  # IMPORTED | ALREADY_HERE | SKIPPED
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.kind} {self.label}: {self.status}"
        return f"{text} ({'; '.join(self.notes)})" if self.notes else text


def objects_in(document: Any) -> list:
    """The objects of one exported document: the ``data`` of an API response (a list or
    one object), or a bare object or list."""
    if isinstance(document, Mapping) and "data" in document and _is_envelope(document):
        document = document["data"]
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        return [document]
    raise UnreadableExport("is neither an API response nor an object or a list of objects")


def _is_envelope(document: Mapping) -> bool:
    return set(document) <= {"request_id", "data", "next_cursor"}


def kind_of(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return None
    if item.get("object") == "grant" or ("provider" in item and "email" in item):
        return "grant"
    if any(key in item for key in CONFIGURATION_KEYS):
        return "configuration"
    return None


def import_objects(items: Iterable[Any]) -> list[Outcome]:
    """Grants first (a configuration's participants must be grants by then), then
    configurations, each in the order given."""
    items = list(items)
    outcomes = []
    for item in items:
        if kind_of(item) is None:
            label = repr(item.get("id")) if isinstance(item, Mapping) else type(item).__name__
            outcomes.append(
                Outcome(
                    "object",
                    label,
                    SKIPPED,
                    ["neither a grant (provider, email) nor a configuration (participants, ...)"],
                )
            )
    outcomes += [import_grant(item) for item in items if kind_of(item) == "grant"]
    outcomes += [import_configuration(item) for item in items if kind_of(item) == "configuration"]
    return outcomes


def _hosted_id(item: Mapping, kind: str) -> tuple[uuid.UUID | None, str]:
    raw = item.get("id")
    parsed = uuid_or_none(raw) if isinstance(raw, str) else None
    if parsed is None:
        return None, f"its id {raw!r} is not a UUID: a {kind}'s id here is a UUID, as hosted"
    return parsed, ""


def import_grant(item: Mapping) -> Outcome:
    grant_id, problem = _hosted_id(item, "grant")
    outcome = Outcome("grant", f"{item.get('id')} <{item.get('email')}>", SKIPPED)
    if grant_id is None:
        outcome.notes.append(problem)
        return outcome
    existing = Grant.objects.filter(pk=grant_id).first()
    if existing is not None:
        if existing.email.lower() != str(item.get("email", "")).lower():
            outcome.notes.append(f"its id is the grant {existing.email}'s here")
            return outcome
        outcome.status = ALREADY_HERE
        return outcome
    provider = item.get("provider")
    body = {key: item.get(key) for key in ("email", "name", "timezone", "picture_url")}
    try:
        values = read_new_grant(body)
        grant, _token = services.create_grant(**values, grant_id=grant_id)
    except ApiError as error:
        outcome.notes.append(error.message)
        return outcome
    except ValidationError as error:
        outcome.notes.append(as_bad_request(error, {}).message)
        return outcome
    except services.IdTaken:
        outcome.status = ALREADY_HERE  # a concurrent run imported it
        return outcome
    outcome.status = IMPORTED
    if provider != Grant.Provider.VIRTUAL_CALENDAR:
        outcome.notes.append(
            f"as a virtual-calendar grant: its {provider} calendars cannot be connected "
            "from here, so its busy time is what is kept here (events, bookings)"
        )
    return outcome


def import_configuration(item: Mapping) -> Outcome:
    configuration_id, problem = _hosted_id(item, "configuration")
    slug = item.get("slug")
    label = f"{item.get('id')}" + (f" ({slug})" if slug else "")
    outcome = Outcome("configuration", label, SKIPPED)
    if configuration_id is None:
        outcome.notes.append(problem)
        return outcome
    if Configuration.objects.filter(pk=configuration_id).exists():
        outcome.status = ALREADY_HERE
        return outcome
    grant = _owner(item)
    if grant is None:
        outcome.notes.append(
            "no participant with availability or booking is a grant here, so it has no "
            "grant to belong to (import the organizer's grant first)"
        )
        return outcome
    body = {key: value for key, value in item.items() if key != "id"}
    body["participants"] = _with_known_calendars(body.get("participants"), outcome.notes)
    try:
        changes = read_configuration(body, caller=APPLICATION)
        services.create_configuration(
            grant=grant, changes=changes, configuration_id=configuration_id
        )
    except ApiError as error:
        outcome.notes = [error.message]
        return outcome
    except ValidationError as error:
        outcome.notes = [as_bad_request(error, WIRE_PATHS).message]
        return outcome
    except services.IdTaken:
        outcome.status = ALREADY_HERE
        return outcome
    outcome.status = IMPORTED
    return outcome


def _grants_by_email(participants: Any) -> dict[str, Grant]:
    if not isinstance(participants, list):
        return {}
    emails = {
        p["email"].strip().lower()
        for p in participants
        if isinstance(p, Mapping) and isinstance(p.get("email"), str)
    }
    rows = Grant.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    return {grant.email_lower: grant for grant in rows}


def _owner(item: Mapping) -> Grant | None:
    """The grant it belongs to: its ``grant_id`` when that is a grant here, else the
    organizer's grant, else the first participant's that is a grant."""
    owner_id = uuid_or_none(item["grant_id"]) if isinstance(item.get("grant_id"), str) else None
    if owner_id is not None and (grant := Grant.objects.filter(pk=owner_id).first()):
        return grant
    participants = item.get("participants")
    grants = _grants_by_email(participants)
    people = [p for p in participants or [] if isinstance(p, Mapping)]
    people.sort(key=lambda p: p.get("is_organizer") is not True)  # the organizer first
    for person in people:
        email = person.get("email")
        if isinstance(email, str) and email.strip().lower() in grants:
            return grants[email.strip().lower()]
    return None


def _with_known_calendars(participants: Any, notes: list[str]) -> Any:
    """The participants, their calendar IDs that are no calendar of theirs here (the
    hosted provider's IDs: a Google calendar's address, say) replaced with ``primary``,
    each replacement noted. Everything else is left to participant_input to judge."""
    if not isinstance(participants, list):
        return participants
    grants = _grants_by_email(participants)
    own = {
        grant.pk: {
            str(pk) for pk in Calendar.objects.filter(grant=grant).values_list("pk", flat=True)
        }
        for grant in grants.values()
    }
    result = []
    for i, person in enumerate(participants):
        email = person.get("email") if isinstance(person, Mapping) else None
        grant = grants.get(email.strip().lower()) if isinstance(email, str) else None
        if grant is None:
            result.append(person)
            continue
        person = dict(person)
        replaced: list[str] = []

        def known(calendar_id: Any, grant=grant, replaced=replaced) -> Any:
            parsed = uuid_or_none(calendar_id) if isinstance(calendar_id, str) else None
            if calendar_id == PRIMARY or (parsed is not None and str(parsed) in own[grant.pk]):
                return calendar_id
            if repr(calendar_id) not in replaced:
                replaced.append(repr(calendar_id))
            return PRIMARY

        availability = person.get("availability")
        if isinstance(availability, Mapping) and isinstance(availability.get("calendar_ids"), list):
            ids = [known(c) for c in availability["calendar_ids"]]
            person["availability"] = {**availability, "calendar_ids": list(dict.fromkeys(ids))}
        booking = person.get("booking")
        if isinstance(booking, Mapping) and booking.get("calendar_id") is not None:
            person["booking"] = {**booking, "calendar_id": known(booking["calendar_id"])}
        if replaced:
            notes.append(
                f"participants[{i}]: {', '.join(replaced)} "
                f"{'is no calendar' if len(replaced) == 1 else 'are no calendars'} of "
                f"{grant.email} here: its primary calendar is used instead"
            )
        result.append(person)
    return result
