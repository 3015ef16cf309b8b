"""Reads on the hot paths (every booking page request, every availability request and
every booking), written as SQL rather than querysets.

Building a queryset and compiling it costs several times what the database spends
answering: for the configuration behind a booking page, ORM compilation was most of a
millisecond against a tenth for the query. These return ordinary model instances; the
rest of the code cannot tell them from the ORM's.
"""

from __future__ import annotations

import json
import uuid
from functools import cache

from django.db import connection

from pages.models import AdditionalField, Configuration, Grant, Reminder

# The grant fields the hot paths use; the others stay deferred (loaded if ever touched).
GRANT_FIELDS = ("id", "email", "name", "timezone")

# The configuration with its grant's fields, and its additional fields and reminders as
# JSON arrays in their models' order: everything a booking page or a booking reads about
# the page, in one statement.
_CONFIGURATION_SQL = """
SELECT c.*, g.email AS grant_email, g.name AS grant_name, g.timezone AS grant_timezone,
       (SELECT {array}({object}('id', f.id, 'key', f.key, 'label', f.label, 'type', f.type,
                                'required', f.required, 'default', f."default",
                                'pattern', f.pattern, 'order', f."order",
                                'options', {json}(f.options)))
          FROM (SELECT * FROM pages_additionalfield WHERE configuration_id = c.id
                ORDER BY "order", id) f) AS additional_fields_json,
       (SELECT {array}({object}('id', r.id, 'type', r.type,
                                'minutes_before_event', r.minutes_before_event,
                                'recipient', r.recipient, 'email_subject', r.email_subject))
          FROM (SELECT * FROM pages_reminder WHERE configuration_id = c.id
                ORDER BY minutes_before_event DESC) r) AS reminders_json
  FROM pages_configuration c JOIN pages_grant g ON g.id = c.grant_id
 WHERE c.{key} = %s
"""

JSON_FUNCTIONS = {
    "postgresql": {"array": "json_agg", "object": "json_build_object", "json": ""},
    "sqlite": {"array": "json_group_array", "object": "json_object", "json": "json"},
}


@cache
def _configuration_sql(vendor: str, key: str) -> str:
    return _CONFIGURATION_SQL.format(key=key, **JSON_FUNCTIONS[vendor])


def from_json(value):
    """PostgreSQL hands JSON over decoded; SQLite as text."""
    return json.loads(value) if isinstance(value, str) else value


def _prefetched(instance, name: str, model, rows: list[dict]) -> None:
    """Fill ``instance.<name>.all()`` with ``rows`` as Django's prefetch_related does, so
    that every reader of the relation gets them without a query."""
    booleans = {
        f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "BooleanField"
    }
    names = [f.attname for f in model._meta.concrete_fields]
    objects = []
    for row in rows:
        row = {**row, "configuration_id": instance.pk}
        for attname in booleans:
            row[attname] = bool(row[attname])  # SQLite's JSON has 0 and 1
        objects.append(model.from_db(connection.alias, names, [row[n] for n in names]))
    queryset = getattr(instance, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


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
    """The configuration with this id or slug, its grant, additional fields and reminders
    attached, else None. One query."""
    if pk is not None:
        sql, value = _configuration_sql(connection.vendor, "id"), db_uuid(pk)
    else:
        sql, value = _configuration_sql(connection.vendor, "slug"), slug
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
    fields = [f for f in from_json(configuration.additional_fields_json) or () if f]
    reminders = [r for r in from_json(configuration.reminders_json) or () if r]
    _prefetched(configuration, "additional_fields", AdditionalField, fields)
    _prefetched(configuration, "reminders", Reminder, reminders)
    return configuration
