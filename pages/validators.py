"""Validators shared by the models, the admin forms and the API serializers."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def web_url_problem(value: str) -> str | None:
    """Why ``value`` is no absolute http(s) address a page may link or load, or None."""
    if len(value) > 2000:
        return "must be at most 2000 characters"
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be an absolute https:// (or http://) address"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    return None


def validate_web_url(value: str) -> None:
    if value and (problem := web_url_problem(value)):
        raise ValidationError(problem)


def validate_timezone(value: str) -> None:
    if value and value not in known_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone name (such as America/Chicago).",
            code="invalid_timezone",
            params={"value": value},
        )
