"""INSERTs on the booking path, without building an InsertQuery per row.

A booking writes its calendar event, itself and its host rows. Model.save() and
bulk_create() compile an InsertQuery every time: a third of a booking's time on the web
process. ``insert`` prepares each value exactly as they do (``pre_save`` fills auto_now
fields, ``get_db_prep_save`` adapts UUIDs, JSON and datetimes for the backend) and runs
one INSERT whose SQL is built once per model. Models written this way have no save()
override and no save signal receivers (a test keeps it so).
"""

from __future__ import annotations

from django.db import connection

from pages.hot_reads import PerConnection


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
