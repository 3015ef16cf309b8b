"""The web addresses a configuration stores and the pages and emails show: redirects after
booking, the rescheduling, cancellation and organizer-confirmation pages, logos.

Each becomes an ``href`` or ``src`` on our own origin or in an email, so a
``javascript:`` or ``data:`` address would run script for whoever clicks it. Two checks:

- on save (both API dialects, the Schedule Editor, the admin): ``https:`` only, or also
  ``http:`` while the site itself is served over http (SITE_URL), an absolute address
  with a host, no user name or password in it, no spaces or control characters;
- where shown (``renderable``, and the ``web_address`` template filter): anything that
  is not an absolute http(s) address becomes "", so a row written before these checks,
  or straight into the database, cannot run script either.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_LENGTH = 2000
# C0 controls, space, DEL, C1 controls, and the Unicode line separators: a browser drops
# some of them inside a scheme ("java\tscript:"), so none is let through.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]")
# The appearance map is free-form: these keys, and any ending in _url, are addresses.
APPEARANCE_ADDRESS_KEYS = frozenset({"logo", "company_logo", "picture", "image"})


def allowed_schemes() -> tuple[str, ...]:
    return ("https", "http") if settings.SITE_URL.startswith("http://") else ("https",)


def is_appearance_address(key: str) -> bool:
    key = key.lower()
    return key in APPEARANCE_ADDRESS_KEYS or key.endswith(("_url", "_logo"))


def problem(value: str) -> str | None:
    """Why ``value`` may not be stored as a page address, or None when it may."""
    if len(value) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if _UNSAFE.search(value):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return "is not a valid URL"
    schemes = allowed_schemes()
    if parts.scheme.lower() not in schemes or not parts.hostname:
        return "must be an absolute " + (
            "http(s) URL" if "http" in schemes else "https URL (this site is served over https)"
        )
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return None


def validate(value: str) -> None:
    """For forms and the admin: a ValidationError saying what is wrong."""
    if value and (why := problem(value)):
        raise ValidationError(f"This address {why}.", code="unsafe_url")


def renderable(value: object) -> str:
    """``value`` when it may become a link or an image source, else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > MAX_LENGTH or _UNSAFE.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return value
