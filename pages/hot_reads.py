"""Reads on the hot paths (every booking page request, every availability request and
every booking), written as SQL rather than querysets.

Building a queryset and compiling it costs several times what the database spends
answering: for the configuration behind a booking page, ORM compilation was most of a
millisecond against a tenth for the query. These return ordinary model instances; the
rest of the code cannot tell them from the ORM's.
"""

from __future__ import annotations

import uuid

from django.db import connection

from pages.models import Configuration, Grant

# The grant fields the hot paths use; the others stay deferred (loaded if ever touched).
GRANT_FIELDS = ("id", "email", "name", "timezone")

_CONFIGURATION_SQL = (
    "SELECT c.*, g.email AS grant_email, g.name AS grant_name, g.timezone AS grant_timezone"
    " FROM pages_configuration c JOIN pages_grant g ON g.id = c.grant_id WHERE c.{} = %s"
)


def db_uuid(value: uuid.UUID):
    """A UUID as a query parameter: native on PostgreSQL, 32 hex digits on SQLite (as the
    ORM stores it)."""
    return value if connection.features.has_native_uuid_field else value.hex


def as_uuid(value) -> uuid.UUID | None:
    """A UUID column's value as the cursor returns it (a UUID, or hex text on SQLite)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(value)


def grant_of(grant_id, email: str, name: str, timezone: str) -> Grant:
    """A Grant with the hot paths' fields loaded and the rest deferred."""
    return Grant.from_db(connection.alias, GRANT_FIELDS, [as_uuid(grant_id), email, name, timezone])


def configuration_by(*, pk: uuid.UUID | None = None, slug: str | None = None):
    """The configuration with this id or slug, its grant attached, else None. One query."""
    if pk is not None:
        sql, value = _CONFIGURATION_SQL.format("id"), db_uuid(pk)
    else:
        sql, value = _CONFIGURATION_SQL.format("slug"), slug
    found = list(Configuration.objects.raw(sql, [value]))
    if not found:
        return None
    configuration = found[0]
    configuration.grant = grant_of(
        configuration.grant_id,
        configuration.grant_email,
        configuration.grant_name,
        configuration.grant_timezone,
    )
    return configuration
