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
from weakref import WeakKeyDictionary

from django.db import connection, connections

from pages.models import AdditionalField, Configuration, Grant, Reminder

# The grant fields the hot paths use; the others stay deferred (loaded if ever touched).
GRANT_FIELDS = ("id", "email", "name", "timezone")

# The configuration with its grant's fields, and its additional fields and reminders as
# JSON arrays in their models' order: everything a booking page or a booking reads about
# the page, in one statement.
_CONFIGURATION_SQL = """
SELECT {columns}, g.email, g.name, g.timezone,
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
                ORDER BY minutes_before_event DESC) r) AS reminders_json,
       {participants} AS participants_json,
       {open_hours} AS open_hours_json
  FROM pages_configuration c JOIN pages_grant g ON g.id = c.grant_id
 WHERE c.{key} = %s
"""

# Who is on the page (read with it: bookings/roster.py turns this into the roster): each
# participant with their grant's fields, their chosen availability calendars and their
# grant's primary calendar; the open hours of the page and its participants. {page} is the
# configuration's id in the enclosing statement. Order is restored in Python (position,
# then email): an ORDER BY inside json_group_array needs SQLite 3.44.
_PARTICIPANTS_JSON = """(SELECT {array}({object}(
          'id', p.id, 'email', p.email, 'name', p.name, 'is_organizer', p.is_organizer,
          'timezone', p.timezone, 'has_availability', p.has_availability,
          'booking_calendar_id', p.booking_calendar_id, 'position', p.position,
          'grant_id', p.grant_id, 'grant_email', g.email, 'grant_name', g.name,
          'grant_timezone', g.timezone,
          'chosen', {json}((SELECT {array}(pc.calendar_id)
                              FROM pages_participant_availability_calendars pc
                             WHERE pc.participant_id = p.id)),
          'primary_calendar', (SELECT k.id FROM pages_calendar k
                                WHERE k.grant_id = p.grant_id AND k.is_primary LIMIT 1)))
     FROM pages_participant p LEFT JOIN pages_grant g ON g.id = p.grant_id
    WHERE p.configuration_id = {page})"""
_OPEN_HOURS_JSON = """(SELECT {array}({object}(
          'participant', o.participant_id, 'days', {json}(o.days), 'start', o.start_minute,
          'end', o.end_minute, 'timezone', o.timezone, 'exdates', {json}(o.exdates)))
     FROM (SELECT * FROM pages_openhours WHERE configuration_id = {page} ORDER BY id) o)"""
_ROSTER_SQL = "SELECT {participants}, {open_hours}"

JSON_FUNCTIONS = {
    "postgresql": {"array": "json_agg", "object": "json_build_object", "json": ""},
    "sqlite": {"array": "json_group_array", "object": "json_object", "json": "json"},
}


def _roster_parts(vendor: str, page: str) -> dict[str, str]:
    functions = JSON_FUNCTIONS[vendor]
    return {
        "participants": _PARTICIPANTS_JSON.format(page=page, **functions),
        "open_hours": _OPEN_HOURS_JSON.format(page=page, **functions),
    }


@cache
def _configuration_sql(vendor: str, key: str) -> str:
    columns = ", ".join(f'c."{f.column}"' for f in Configuration._meta.concrete_fields)
    return _CONFIGURATION_SQL.format(
        columns=columns, key=key, **_roster_parts(vendor, "c.id"), **JSON_FUNCTIONS[vendor]
    )


@cache
def _roster_sql(vendor: str) -> str:
    return _ROSTER_SQL.format(**_roster_parts(vendor, "%s"))


def roster_source(configuration) -> tuple[list[dict], list[dict]]:
    """(participants, open hours) of the configuration as JSON objects: those read with
    it by configuration_by, else read now (one query)."""
    source = getattr(configuration, "_roster_source", None)
    if source is None:
        key = db_uuid(configuration.pk)
        with connection.cursor() as cursor:
            cursor.execute(_roster_sql(connection.vendor), [key, key])
            source = cursor.fetchone()
    participants, open_hours = (from_json(value) or [] for value in source)
    participants = sorted((p for p in participants if p), key=lambda p: (p["position"], p["email"]))
    return participants, [o for o in open_hours if o]


class PerConnection:
    """A helper built once per database connection and model (it holds what the
    connection's backend decides: converters, quoting, features)."""

    _by_connection: WeakKeyDictionary

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._by_connection = WeakKeyDictionary()

    def __init__(self, model, wrapper) -> None:
        raise NotImplementedError

    @classmethod
    def of(cls, model):
        wrapper = connections[connection.alias]
        built = cls._by_connection.setdefault(wrapper, {})
        helper = built.get(model)
        if helper is None:
            helper = built[model] = cls(model, wrapper)
        return helper


class _ModelReader(PerConnection):
    """Model instances from rows whose first columns are the model's concrete fields in
    order, converted as the ORM converts them (JSON text, SQLite's booleans, UUIDs and
    datetimes). The converters are looked up once per connection: a RawQuerySet looks
    them up, and reads the cursor's description, on every query."""

    def __init__(self, model, wrapper) -> None:
        self.model, self.wrapper = model, wrapper
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.converters = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            found = wrapper.ops.get_db_converters(column) + column.get_db_converters(wrapper)
            if found:
                self.converters.append((index, found, column))

    @property
    def select(self) -> str:
        """SELECT of the model's columns, in field order, from its table aliased t."""
        columns = ", ".join(f't."{f.column}"' for f in self.model._meta.concrete_fields)
        return f"SELECT {columns} FROM {self.model._meta.db_table} t"  # noqa: S608

    def instance(self, row):
        values = list(row[: len(self.names)])
        for index, converters, column in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, column, self.wrapper)
            values[index] = value
        return self.model.from_db(self.wrapper.alias, self.names, values)


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


def uuid_from_column(value) -> uuid.UUID | None:
    """A UUID column's value as the cursor returns it (a UUID, or hex text on SQLite)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(value)


def grant_of(grant_id, email: str, name: str, timezone: str) -> Grant:
    """A Grant with the hot paths' fields loaded and the rest deferred."""
    return Grant.from_db(
        connection.alias, GRANT_FIELDS, [uuid_from_column(grant_id), email, name, timezone]
    )


def configuration_by(*, pk: uuid.UUID | None = None, slug: str | None = None):
    """The configuration with this id or slug, its grant, additional fields and reminders
    attached, else None. One query."""
    if pk is not None:
        sql, value = _configuration_sql(connection.vendor, "id"), db_uuid(pk)
    else:
        sql, value = _configuration_sql(connection.vendor, "slug"), slug
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    configuration = _ModelReader.of(Configuration).instance(row)
    grant_email, grant_name, grant_timezone, fields, reminders = row[-7:-2]
    # Read before any transaction the caller opens, as a roster read before taking the
    # hosts' locks always is: the busy time is what is re-read under the locks.
    configuration._roster_source = row[-2:]
    configuration.grant = grant_of(configuration.grant_id, grant_email, grant_name, grant_timezone)
    fields = [f for f in from_json(fields) or () if f]
    reminders = [r for r in from_json(reminders) or () if r]
    _prefetched(configuration, "additional_fields", AdditionalField, fields)
    _prefetched(configuration, "reminders", Reminder, reminders)
    return configuration


def read_instances(model, where: str, params: list) -> list:
    """The ``model`` rows matching ``where`` (SQL on its table aliased ``t``, with an
    ORDER BY if order matters), as instances, without building a queryset."""
    reader = _ModelReader.of(model)
    with connection.cursor() as cursor:
        cursor.execute(f"{reader.select} WHERE {where}", params)
        return [reader.instance(row) for row in cursor.fetchall()]
