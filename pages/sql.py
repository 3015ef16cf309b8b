"""The organizer side's hand-written SQL: the one module of the pages app that writes SQL
by hand. Table and column names come from the models' metadata.

Reads on the hot paths (every booking page request, every availability request and
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

from pages.models import (
    AdditionalField,
    Calendar,
    Configuration,
    Grant,
    OpenHours,
    Participant,
    Reminder,
)

# The grant fields the hot paths use; the others stay deferred (loaded if ever touched).
GRANT_FIELDS = ("id", "email", "name", "timezone")

JSON_FUNCTIONS = {
    "postgresql": {"array": "json_agg", "object": "json_build_object", "json": ""},
    "sqlite": {"array": "json_group_array", "object": "json_object", "json": "json"},
}
# What a participant's JSON object carries besides the participant's own fields.
PARTICIPANT_EXTRAS = (
    "grant_email",
    "grant_name",
    "grant_timezone",
    "chosen",
    "primary_calendar",
    "caldav_calendars",
    "booking_calendar_caldav",
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _column(model, name: str) -> str:
    return _q(model._meta.get_field(name).column)


def _order_by(model, alias: str) -> str:
    """The model's Meta.ordering as SQL on ``alias`` (so SQL and ORM list rows alike)."""
    terms = []
    for name in model._meta.ordering:
        descending = name.startswith("-")
        field = "id" if name.lstrip("-") == "pk" else name.lstrip("-")
        terms.append(f"{alias}.{_column(model, field)}{' DESC' if descending else ''}")
    return ", ".join(terms)


def _json_object(model, alias: str, vendor: str, extras: tuple = ()) -> str:
    """A JSON object of every concrete field of ``model`` on ``alias``, keyed by attname
    (JSON fields embedded as JSON), then ``extras`` ((key, SQL) pairs). From the model's
    metadata: a field added to the model is read without touching this module."""
    functions = JSON_FUNCTIONS[vendor]
    parts = []
    for field in model._meta.concrete_fields:
        value = f"{alias}.{_q(field.column)}"
        if field.get_internal_type() == "JSONField" and functions["json"]:
            value = f"{functions['json']}({value})"
        parts.append(f"'{field.attname}', {value}")
    parts += [f"'{key}', {value}" for key, value in extras]
    return f"{functions['object']}({', '.join(parts)})"


def _rows_json(model, alias: str, vendor: str, where: str) -> str:
    """The ``model`` rows matching ``where`` (on ``alias``) as one JSON array, in the
    model's order."""
    functions = JSON_FUNCTIONS[vendor]
    return (
        f"(SELECT {functions['array']}({_json_object(model, alias, vendor)})"  # noqa: S608
        f" FROM (SELECT * FROM {_table(model)} {alias} WHERE {where}"
        f" ORDER BY {_order_by(model, alias)}) {alias})"
    )


def _caldav(alias: str) -> str:
    """SQL: the calendar ``alias`` is a connected CalDAV collection (a source that is not
    blank and not a feed's; Calendar.source)."""
    source = f"{alias}.{_column(Calendar, 'source')}"
    prefix = Calendar.FEED_PREFIX
    return f"{source} <> '' AND substr({source}, 1, {len(prefix)}) <> '{prefix}'"


def _participants_json(vendor: str, page: str) -> str:
    """Who is on the page (bookings/roster.py turns this into the roster): each
    participant with their grant's fields, their chosen availability calendars and their
    grant's primary calendar. Order is restored in Python (Meta.ordering): an ORDER BY
    inside json_group_array needs SQLite 3.44. ``page`` is the configuration's id.

    And what a booking asks of connected calendars, so that a page without any costs no
    query for them: ``caldav_calendars``, the grant is valid and has CalDAV calendars
    (pages/sync/fresh.py asks them just before a booking); ``booking_calendar_caldav``,
    the booking calendar is a writable CalDAV one (pages/sync/writes.py writes the
    booking's event to it). Each is an index lookup."""
    functions = JSON_FUNCTIONS[vendor]
    chosen = Participant.availability_calendars.through
    chosen_to = chosen._meta.get_field("calendar").column
    chosen_from = chosen._meta.get_field("participant").column
    grant_id = _column(Participant, "grant")
    extras = (
        ("grant_email", f"g.{_column(Grant, 'email')}"),
        ("grant_name", f"g.{_column(Grant, 'name')}"),
        ("grant_timezone", f"g.{_column(Grant, 'timezone')}"),
        (
            "chosen",
            f"{functions['json']}((SELECT {functions['array']}(pc.{_q(chosen_to)})"  # noqa: S608
            f" FROM {_table(chosen)} pc"
            f" WHERE pc.{_q(chosen_from)} = p.{_column(Participant, 'id')}))",
        ),
        (
            "primary_calendar",
            f"(SELECT k.{_column(Calendar, 'id')} FROM {_table(Calendar)} k"  # noqa: S608
            f" WHERE k.{_column(Calendar, 'grant')} = p.{grant_id}"
            f" AND k.{_column(Calendar, 'is_primary')} LIMIT 1)",
        ),
        (
            "caldav_calendars",
            f"(g.{_column(Grant, 'grant_status')} = '{Grant.Status.VALID.value}'"  # noqa: S608
            f" AND EXISTS (SELECT 1 FROM {_table(Calendar)} r"
            f" WHERE r.{_column(Calendar, 'grant')} = p.{grant_id} AND {_caldav('r')}))",
        ),
        (
            "booking_calendar_caldav",
            f"EXISTS (SELECT 1 FROM {_table(Calendar)} b"  # noqa: S608
            f" WHERE b.{_column(Calendar, 'id')} = p.{_column(Participant, 'booking_calendar')}"
            f" AND NOT b.{_column(Calendar, 'read_only')} AND {_caldav('b')})",
        ),
    )
    return (
        f"(SELECT {functions['array']}({_json_object(Participant, 'p', vendor, extras)})"  # noqa: S608
        f" FROM {_table(Participant)} p LEFT JOIN {_table(Grant)} g"
        f" ON g.{_column(Grant, 'id')} = p.{grant_id}"
        f" WHERE p.{_column(Participant, 'configuration')} = {page})"
    )


def _open_hours_json(vendor: str, page: str) -> str:
    where = f"o.{_column(OpenHours, 'configuration')} = {page}"
    return _rows_json(OpenHours, "o", vendor, where)


@cache
def _configuration_sql(vendor: str, key: str) -> str:
    """The configuration with its grant's fields, its additional fields, reminders,
    participants and open hours as JSON arrays: everything a booking page or a booking
    reads about the page, in one statement."""
    columns = ", ".join(f"c.{_q(f.column)}" for f in Configuration._meta.concrete_fields)
    page = f"c.{_column(Configuration, 'id')}"
    fields = _rows_json(
        AdditionalField, "f", vendor, f"f.{_column(AdditionalField, 'configuration')} = {page}"
    )
    reminders = _rows_json(
        Reminder, "r", vendor, f"r.{_column(Reminder, 'configuration')} = {page}"
    )
    return (
        f"SELECT {columns}, g.{_column(Grant, 'email')} AS grant_email,"  # noqa: S608
        f" g.{_column(Grant, 'name')} AS grant_name,"
        f" g.{_column(Grant, 'timezone')} AS grant_timezone,"
        f" {fields} AS additional_fields_json, {reminders} AS reminders_json,"
        f" {_participants_json(vendor, page)} AS participants_json,"
        f" {_open_hours_json(vendor, page)} AS open_hours_json"
        f" FROM {_table(Configuration)} c JOIN {_table(Grant)} g"
        f" ON g.{_column(Grant, 'id')} = c.{_column(Configuration, 'grant')}"
        f" WHERE c.{_column(Configuration, key)} = %s"
    )


@cache
def _roster_sql(vendor: str) -> str:
    return f"SELECT {_participants_json(vendor, '%s')}, {_open_hours_json(vendor, '%s')}"


def roster_source(configuration) -> tuple[list[dict], list[dict]]:
    """(participants, open hours) of the configuration as JSON objects: those read with
    it by configuration_by, else read now (one query)."""
    source = getattr(configuration, "roster_rows", None)
    if source is None:
        key = db_uuid(configuration.pk)
        with connection.cursor() as cursor:
            cursor.execute(_roster_sql(connection.vendor), [key, key])
            source = cursor.fetchone()
    participants, open_hours = (from_json(value) or [] for value in source)
    order = Participant._meta.ordering  # ["position", "email"]
    participants = sorted((p for p in participants if p), key=lambda p: [p[k] for k in order])
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


def _instances(model, rows: list[dict]) -> list:
    """Model instances from JSON objects keyed by attname (as _json_object writes them),
    with the values JSON cannot carry as they are made whole again: UUIDs (and keys to
    UUIDs), SQLite's 0 and 1 for booleans."""
    names, kinds = [], []
    for field in model._meta.concrete_fields:
        target = field.target_field if field.is_relation else field
        names.append(field.attname)
        kinds.append(target.get_internal_type())
    instances = []
    for row in rows:
        values = []
        for name, kind in zip(names, kinds, strict=True):
            value = row[name]
            if kind == "UUIDField":
                value = uuid_from_column(value)
            elif kind == "BooleanField" and value is not None:
                value = bool(value)
            values.append(value)
        instances.append(model.from_db(connection.alias, names, values))
    return instances


def questions_of(configuration) -> list:
    """The configuration's additional fields in their order: those read with it by
    configuration_by, else through the ORM."""
    read = getattr(configuration, "read_questions", None)
    return list(configuration.additional_fields.all()) if read is None else read


def reminders_of(configuration) -> list:
    """The configuration's reminders in their order: those read with it by
    configuration_by, else through the ORM."""
    read = getattr(configuration, "read_reminders", None)
    return list(configuration.reminders.all()) if read is None else read


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
        names = [column[0] for column in cursor.description]
    if row is None:
        return None
    reader = _ModelReader.of(Configuration)
    configuration = reader.instance(row)
    # The columns after the configuration's own, read by name.
    fields_count = len(reader.names)
    extra = dict(zip(names[fields_count:], row[fields_count:], strict=True))
    configuration.grant = grant_of(
        configuration.grant_id, extra["grant_email"], extra["grant_name"], extra["grant_timezone"]
    )
    # Read before any transaction the caller opens, as a roster read before taking the
    # hosts' locks always is: the busy time is what is re-read under the locks.
    configuration.roster_rows = (extra["participants_json"], extra["open_hours_json"])
    fields = [f for f in from_json(extra["additional_fields_json"]) or () if f]
    reminders = [r for r in from_json(extra["reminders_json"]) or () if r]
    configuration.read_questions = _instances(AdditionalField, fields)
    configuration.read_reminders = _instances(Reminder, reminders)
    return configuration


# --------------------------------------------------------------------------------------
# Writes. INSERTs on the booking path, without building an InsertQuery per row.
#
# A booking writes its calendar event, itself and its host rows. Model.save() and
# bulk_create() compile an InsertQuery every time: a third of a booking's time on the web
# process. ``insert`` prepares each value exactly as they do (``pre_save`` fills auto_now
# fields, ``get_db_prep_save`` adapts UUIDs, JSON and datetimes for the backend) and runs
# one INSERT whose SQL is built once per model. Models written this way have no save()
# override and no save signal receivers (a test keeps it so).
class _Inserter(PerConnection):
    def __init__(self, model, wrapper) -> None:
        self.wrapper = wrapper
        meta = model._meta
        # A database-generated key (an AutoField) is left to the database and read back.
        self.auto_pk = meta.pk if meta.pk.db_returning else None
        self.fields = [f for f in meta.local_concrete_fields if f is not self.auto_pk]
        quote = wrapper.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        # Names from the model's metadata, quoted by the backend; values are parameters.
        self.prefix = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.returning = ""
        if self.auto_pk is not None and wrapper.features.can_return_rows_from_bulk_insert:
            self.returning = f" RETURNING {quote(self.auto_pk.column)}"

    def statement(self, instances: list) -> tuple[str, list]:
        params = []
        for instance in instances:
            for field in self.fields:
                value = field.pre_save(instance, add=True)
                params.append(field.get_db_prep_save(value, connection=self.wrapper))
        return self.prefix + ", ".join([self.row] * len(instances)), params

    def finish(self, instances: list, keys) -> None:
        for index, instance in enumerate(instances):
            if keys:
                setattr(instance, self.auto_pk.attname, keys[index][0])
            instance._state.adding = False
            instance._state.db = self.wrapper.alias

    def insert(self, instances: list) -> None:
        sql, params = self.statement(instances)
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql + self.returning, params)
            keys = cursor.fetchall() if self.returning else ()
        self.finish(instances, keys)


def insert(*instances) -> None:
    """INSERT these new instances of one model in one statement, as save() would."""
    if instances:
        _Inserter.of(type(instances[0])).insert(list(instances))


def insert_all(*groups) -> None:
    """INSERT several groups of new instances, each of one model, in this order.

    On PostgreSQL in one statement, every group but the last in a data-modifying WITH
    clause (one round trip instead of one per group; the foreign keys between them are
    checked at commit, as Django declares them DEFERRABLE INITIALLY DEFERRED). Only the
    last group may have keys to read back. Elsewhere, one statement per group."""
    groups = [list(group) for group in groups if group]
    inserters = [_Inserter.of(type(group[0])) for group in groups]
    together = (
        len(groups) > 1
        and connection.vendor == "postgresql"
        and not any(inserter.returning for inserter in inserters[:-1])
    )
    if not together:
        for inserter, group in zip(inserters, groups, strict=True):
            inserter.insert(group)
        return
    clauses, params = [], []
    for index, (inserter, group) in enumerate(zip(inserters, groups, strict=True)):
        sql, values = inserter.statement(group)
        clauses.append(sql if index == len(groups) - 1 else f"w{index} AS ({sql})")
        params += values
    last = inserters[-1]
    sql = "WITH " + ", ".join(clauses[:-1]) + " " + clauses[-1] + last.returning
    with last.wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall() if last.returning else ()
    for index, (inserter, group) in enumerate(zip(inserters, groups, strict=True)):
        inserter.finish(group, keys if index == len(groups) - 1 else ())
