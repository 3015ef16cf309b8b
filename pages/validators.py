"""Validators shared by the models, the admin forms and the API serializers."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value and value not in known_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone name (such as America/Chicago).",
            code="invalid_timezone",
            params={"value": value},
        )
