"""What each provider's settings are, and reaching its server once with them.

``read_settings`` checks a ``settings`` object as the API receives it (a 400 names the
setting: ``settings.url``, ``settings.password``...) and returns the values to seal;
``reach`` connects with them, bounded in time, and returns the remote calendars found,
or raises ``Unconnectable`` naming the setting the server's answer is about and saying
what it answered. No database here: the services store what this found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from pages import page_urls
from pages.models import Calendar
from pages.sync import caldav_client as client

CONNECT_SECONDS = 10.0  # creation connects once, this long at most
MAX_FEEDS = 20
CALDAV = ("caldav", "icloud")


class Unconnectable(Exception):
    """The server refused the settings, is not CalDAV, or could not be reached."""

    def __init__(self, setting: str, message: str, *, credentials_refused: bool = False):
        super().__init__(message)
        self.setting = setting
        self.message = message
        self.credentials_refused = credentials_refused


@dataclass(frozen=True)
class RemoteCalendar:
    """A calendar found on the server: ``source`` names it (pages.models.Calendar.source)."""

    source: str
    name: str
    read_only: bool
    color: str | None = None
    ctag: str | None = None  # CalDAV: as listed, so a quiet pass asks nothing more
    sync_token: str | None = None


def feed_source(url: str) -> str:
    """A feed's name in the database: its address is a secret, its digest is not."""
    return Calendar.FEED_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def _text(values: dict, key: str, *, required: bool = True, max_length: int = 2000) -> str:
    value = values.get(key)
    if value is None or value == "":
        if required:
            raise ValidationError({f"settings.{key}": "is required"})
        return ""
    if not isinstance(value, str):
        raise ValidationError({f"settings.{key}": "must be a string"})
    if len(value) > max_length:
        raise ValidationError({f"settings.{key}": f"must be at most {max_length} characters"})
    return value


def _address(value: str, setting: str) -> str:
    """An http(s) address; ``webcal://`` (what calendar apps hand out) is https."""
    value = value.strip()
    if value.lower().startswith("webcal://"):
        value = "https://" + value[len("webcal://") :]
    if problem := page_urls.problem(value):
        raise ValidationError({setting: problem})
    parts = urlsplit(value)
    if parts.username or parts.password:
        raise ValidationError(
            {setting: "must not carry a user name or password: give them as settings"}
        )
    return urlunsplit(parts)


def read_settings(provider: str, values) -> dict:
    """The provider's settings, checked, as they will be sealed."""
    if not isinstance(values, dict):
        raise ValidationError({"settings": "must be an object"})
    known = {
        "caldav": {"url", "username", "password"},
        "icloud": {"username", "password"},
        "ics": {"urls"},
        "virtual-calendar": {"email"},
    }[provider]
    if unknown := sorted(set(values) - known):
        raise ValidationError(
            {
                f"settings.{unknown[0]}": (
                    f"is not a setting of {provider} ({', '.join(sorted(known)) or 'none'})"
                )
            }
        )
    if provider == "caldav":
        return {
            "url": _address(_text(values, "url"), "settings.url"),
            "username": _text(values, "username", max_length=500),
            "password": _text(values, "password", max_length=500),
        }
    if provider == "icloud":
        return {
            "username": _text(values, "username", max_length=500),
            "password": _text(values, "password", max_length=500),
        }
    if provider == "ics":
        urls = values.get("urls")
        if not isinstance(urls, list) or not urls:
            raise ValidationError({"settings.urls": "must be a list of at least one address"})
        if len(urls) > MAX_FEEDS:
            raise ValidationError({"settings.urls": f"at most {MAX_FEEDS} feeds"})
        checked = []
        for index, url in enumerate(urls):
            if not isinstance(url, str) or not url:
                raise ValidationError({f"settings.urls[{index}]": "must be an address"})
            checked.append(_address(url, f"settings.urls[{index}]"))
        return {"urls": list(dict.fromkeys(checked))}
    return {}


def server_url(provider: str, values: dict) -> str:
    return django_settings.SCHEDULER_ICLOUD_URL if provider == "icloud" else values["url"]


def credentials(values: dict) -> client.Credentials:
    return client.Credentials(values["username"], values["password"])


def remote_calendar(provider: str, values: dict, source: str) -> client.Calendar:
    """The client's handle on one stored calendar (its URL and credentials)."""
    return client.Calendar(url=source, credentials=credentials(values))


def reach(provider: str, values: dict, *, timeout: float = CONNECT_SECONDS) -> list[RemoteCalendar]:
    """The calendars the settings reach, found once within ``timeout`` seconds."""
    if provider in CALDAV:
        return caldav_account(provider, values, timeout=timeout)[0]
    if provider == "ics":
        found = []
        each = timeout / max(len(values["urls"]), 1)
        for index, url in enumerate(values["urls"]):
            try:
                feed = client.fetch_feed(url, timeout=max(each, 2.0))
            except client.SyncError as error:
                raise Unconnectable(
                    f"settings.urls[{index}]",
                    str(error),
                    credentials_refused=isinstance(error, client.CredentialsRefused),
                ) from None
            found.append(
                RemoteCalendar(
                    source=feed_source(url),
                    name=_feed_name(feed.ical or "") or urlsplit(url).hostname or "Feed",
                    read_only=True,
                )
            )
        return found
    return []


def caldav_account(
    provider: str, values: dict, *, home_url: str = "", timeout: float = CONNECT_SECONDS
) -> tuple[list[RemoteCalendar], str]:
    """A CalDAV account's calendars as the server lists them now, and the calendar home
    that listed them ("" for a grant of one collection). Given the ``home_url`` an
    earlier call returned, that is one request (discovery again only if it moved)."""
    url_setting = "settings.url" if provider == "caldav" else "settings.username"
    try:
        account = client.discover(
            server_url(provider, values),
            values["username"],
            values["password"],
            timeout=timeout,
            home_url=home_url or None,
        )
    except client.CredentialsRefused as error:
        raise Unconnectable("settings.password", str(error), credentials_refused=True) from None
    except client.SyncError as error:
        raise Unconnectable(url_setting, str(error)) from None
    if not account.calendars:
        raise Unconnectable(url_setting, "the account has no event calendar")
    found = [
        RemoteCalendar(
            source=calendar.url,
            name=calendar.name or urlsplit(calendar.url).path.rstrip("/").rsplit("/", 1)[-1],
            read_only=calendar.read_only,
            color=calendar.color,
            ctag=calendar.ctag,
            sync_token=calendar.sync_token,
        )
        for calendar in account.calendars
    ]
    return found, account.home_url or ""


def _feed_name(ical: str) -> str:
    for line in ical.splitlines()[:50]:
        if line.upper().startswith("X-WR-CALNAME:"):
            return line.split(":", 1)[1].strip()[:200]
    return ""
