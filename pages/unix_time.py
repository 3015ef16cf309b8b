"""Instants as the API writes them: whole Unix seconds, and back to aware UTC datetimes.
The one home of the conversion both apps use (the API, the loader, the payloads)."""

from __future__ import annotations

import datetime as dt


def to_unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def from_unix(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
