"""Optional values on the wire: a key that is missing or null is not given, and so is an
empty zone name ("timezone": "" is how our own output says "no zone of its own")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pages.api import parsing as p


def given(body: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The value sent, or ``default`` when the key is missing or null."""
    value = body.get(key)
    return default if value is None else value


def zone_or_blank(body: Mapping[str, Any], key: str, field: str) -> str:
    """An IANA zone name, or "" when none is given."""
    value = body.get(key)
    if value is None or value == "":
        return ""
    return p.timezone_name(value, field)
