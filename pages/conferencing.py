"""A configuration's ``event_booking.conferencing`` (the hosted API's shape) and the
meeting link each booking gets from it.

Two forms, as the hosted API has them:

- ``{"provider": "Zoom Meeting", "details": {"url", "meeting_code", "password", "pin",
  "phone": [...]}}``: one meeting, the same for every booking (a personal room);
- ``{"provider": ..., "autocreate": {...}}``: a new meeting for each booking. The hosted
  service creates Google Meet, Zoom and Teams meetings through the organizer's account
  with that provider; a self-hosted install has no such account, so only what it can
  make alone is accepted: ``Jitsi Meet`` (a room on SCHEDULER_JITSI_URL) and
  ``url-template`` (``autocreate: {"url_template": "https://video.example.com/{room}"}``,
  the organizer's own video service, where any room name opens a meeting). Each room name
  is random (120 bits): a link cannot be guessed from another.

A booking keeps the link it was given (``Booking.conferencing``): a reschedule moves the
booking and keeps it; a cancelled booking's link is never handed out again, since every
new booking draws a new room.

Every link is an http(s) address (pages/page_urls.py), checked when stored and again
where shown. The configuration's conferencing is kept in ``Configuration.extra``
(``event_booking.conferencing``), where the v3 dialect keeps the event_booking keys it
has no column for, so it comes back from a GET exactly as normalised here.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from pages import page_urls

JITSI = "Jitsi Meet"
URL_TEMPLATE = "url-template"
ROOM_PLACEHOLDER = "{room}"
# Providers the hosted service creates meetings with, through accounts we cannot hold.
HOSTED_ONLY = ("Google Meet", "Zoom Meeting", "Microsoft Teams")
MAX_URL_LENGTH = 500  # a booking's event keeps its location in 500 characters
MAX_TEXT = 200
MAX_PHONES = 20
DETAIL_TEXTS = ("meeting_code", "password", "pin")


class ConferencingProblem(ValueError):
    """Bad conferencing input: ``path`` is where, below ``event_booking.conferencing``
    ("" for the object itself)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


def _text(value: Any, path: str, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ConferencingProblem(path, "must be a string")
    if len(value) > limit:
        raise ConferencingProblem(path, f"must be at most {limit} characters")
    return value.strip()


def _link(value: Any, path: str) -> str:
    url = _text(value, path, limit=MAX_URL_LENGTH)
    if url and (why := page_urls.problem(url)):
        raise ConferencingProblem(path, why)
    return url


def _canonical_provider(name: str) -> str:
    for known in (JITSI, URL_TEMPLATE, *HOSTED_ONLY):
        if name.lower() == known.lower():
            return known
    return name


def read(value: Any) -> dict:
    """The conferencing to store, normalised; {} for none (null or {} sent). Raises
    ConferencingProblem naming the part that is wrong."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConferencingProblem("", "must be an object")
    if not value:
        return {}
    unknown = sorted(set(value) - {"provider", "autocreate", "details"})
    if unknown:
        raise ConferencingProblem(unknown[0], "is not a conferencing field")
    if value.get("provider") is None:
        raise ConferencingProblem("provider", "is required")
    provider = _canonical_provider(_text(value["provider"], "provider", limit=100))
    if not provider:
        raise ConferencingProblem("provider", "must not be empty")
    has_autocreate = value.get("autocreate") is not None
    has_details = value.get("details") is not None
    if has_autocreate and has_details:
        raise ConferencingProblem("", "give autocreate or details, not both")
    if has_autocreate:
        return {"provider": provider, "autocreate": _read_autocreate(provider, value["autocreate"])}
    if has_details:
        return {"provider": provider, "details": _read_details(value["details"])}
    raise ConferencingProblem(
        "", "needs autocreate (a new meeting per booking) or details (one meeting's link)"
    )


def _read_autocreate(provider: str, value: Any) -> dict:
    if not isinstance(value, Mapping):
        raise ConferencingProblem("autocreate", "must be an object")
    if provider == JITSI:
        if set(value) - {"conf_settings"}:
            key = sorted(set(value) - {"conf_settings"})[0]
            raise ConferencingProblem(f"autocreate.{key}", "is not a Jitsi Meet setting")
        return dict(value)  # conf_settings, if sent, is kept as sent (and not used)
    if provider == URL_TEMPLATE:
        if set(value) != {"url_template"}:
            if "url_template" not in value:
                raise ConferencingProblem("autocreate.url_template", "is required")
            key = sorted(set(value) - {"url_template"})[0]
            raise ConferencingProblem(f"autocreate.{key}", "is not a url-template setting")
        return {"url_template": _read_template(value["url_template"])}
    raise ConferencingProblem(
        "provider",
        f"{provider} meetings cannot be created by this server (the hosted service makes "
        "them through the organizer's own account with that provider); give the meeting's "
        "link in details instead, or autocreate with "
        f"{JITSI!r} or {URL_TEMPLATE!r}",
    )


def _read_template(value: Any) -> str:
    path = "autocreate.url_template"
    template = _text(value, path, limit=MAX_URL_LENGTH - 40)
    if template.count(ROOM_PLACEHOLDER) != 1:
        raise ConferencingProblem(path, f"must contain {ROOM_PLACEHOLDER} once (the room name)")
    if why := page_urls.problem(template.replace(ROOM_PLACEHOLDER, "room")):
        raise ConferencingProblem(path, why)
    return template


def _read_details(value: Any) -> dict:
    if not isinstance(value, Mapping):
        raise ConferencingProblem("details", "must be an object")
    known = {"url", "phone", *DETAIL_TEXTS}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ConferencingProblem(f"details.{unknown[0]}", "is not a conferencing detail")
    details: dict[str, Any] = {}
    if value.get("url") is not None:
        details["url"] = _link(value["url"], "details.url")
    for name in DETAIL_TEXTS:
        if value.get(name) is not None:
            details[name] = _text(value[name], f"details.{name}")
    if value.get("phone") is not None:
        phones = value["phone"]
        if not isinstance(phones, list):
            raise ConferencingProblem("details.phone", "must be a list of phone numbers")
        if len(phones) > MAX_PHONES:
            raise ConferencingProblem("details.phone", f"at most {MAX_PHONES} numbers")
        details["phone"] = [
            _text(number, f"details.phone[{i}]", limit=50) for i, number in enumerate(phones)
        ]
    if not details.get("url") and not details.get("phone"):
        raise ConferencingProblem("details.url", "is required (or details.phone)")
    return {k: v for k, v in details.items() if v not in ("", [])}


def of_configuration(configuration) -> dict:
    """The configuration's conferencing as stored ({} for none)."""
    extra = configuration.extra if isinstance(configuration.extra, dict) else {}
    event_booking = extra.get("event_booking")
    if not isinstance(event_booking, dict):
        return {}
    conferencing = event_booking.get("conferencing")
    return conferencing if isinstance(conferencing, dict) else {}


def with_conferencing(extra: Any, conferencing: dict) -> dict:
    """``extra`` (Configuration.extra) with this conferencing in it ({} removes it)."""
    extra = dict(extra) if isinstance(extra, dict) else {}
    event_booking = extra.get("event_booking")
    event_booking = dict(event_booking) if isinstance(event_booking, dict) else {}
    if conferencing:
        event_booking["conferencing"] = conferencing
    else:
        event_booking.pop("conferencing", None)
    if event_booking:
        extra["event_booking"] = event_booking
    else:
        extra.pop("event_booking", None)
    return extra


def new_room() -> str:
    """A room name nobody can guess: 120 random bits, lowercase letters and digits."""
    return base64.b32encode(secrets.token_bytes(15)).decode().lower()


def for_new_booking(conferencing: Mapping[str, Any]) -> dict:
    """The conferencing a new booking gets ({} for none): a new room when the
    configuration autocreates, else a copy of its details."""
    if not conferencing:
        return {}
    provider = conferencing.get("provider", "")
    if isinstance(conferencing.get("autocreate"), Mapping):
        if provider == JITSI:
            url = f"{settings.SCHEDULER_JITSI_URL}/{new_room()}"
        elif provider == URL_TEMPLATE:
            template = conferencing["autocreate"].get("url_template", "")
            url = template.replace(ROOM_PLACEHOLDER, new_room())
        else:
            return {}
        return {"provider": provider, "details": {"url": url}}
    details = conferencing.get("details")
    if isinstance(details, Mapping):
        return {"provider": provider, "details": dict(details)}
    return {}


@dataclass(frozen=True)
class Conference:
    """What guests and hosts are shown of a meeting's conferencing."""

    provider: str
    url: str  # "" when there is none (or it is not a safe http(s) address)
    meeting_code: str
    password: str
    pin: str
    phones: tuple[str, ...]
    autocreate: bool  # a configuration's: the link comes with each booking

    def __bool__(self) -> bool:
        return bool(self.url or self.phones or self.autocreate)

    @property
    def provider_label(self) -> str:
        return "" if self.provider == URL_TEMPLATE else self.provider


NO_CONFERENCE = Conference("", "", "", "", "", (), False)


def shown(conferencing: Any) -> Conference:
    """A stored conferencing (a booking's or a configuration's) for display."""
    if not isinstance(conferencing, Mapping) or not conferencing:
        return NO_CONFERENCE
    provider = conferencing.get("provider")
    provider = provider if isinstance(provider, str) else ""
    if isinstance(conferencing.get("autocreate"), Mapping):
        return Conference(provider, "", "", "", "", (), True)
    details = conferencing.get("details")
    details = details if isinstance(details, Mapping) else {}

    def text(name: str) -> str:
        value = details.get(name)
        return value if isinstance(value, str) else ""

    phones = details.get("phone") if isinstance(details.get("phone"), list) else []
    return Conference(
        provider=provider,
        url=page_urls.renderable(details.get("url")),
        meeting_code=text("meeting_code"),
        password=text("password"),
        pin=text("pin"),
        phones=tuple(p for p in phones if isinstance(p, str) and p),
        autocreate=False,
    )


def booking_location(location: str, conferencing: Any) -> str:
    """The one line a calendar event, an .ics LOCATION or a webhook's ``location`` has:
    the meeting link when there is one, else the configuration's location."""
    return shown(conferencing).url or location or ""
