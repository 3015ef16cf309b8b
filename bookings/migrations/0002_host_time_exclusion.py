"""On PostgreSQL, the database itself refuses two overlapping active exclusive bookings of
one host (the backstop behind the row locks in bookings/services.py). Other databases
rely on the locks alone (SQLite serializes writers with BEGIN IMMEDIATE)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_bookinghost ADD CONSTRAINT booking_host_no_overlap
    EXCLUDE USING gist (
        grant_id WITH =,
        tstzrange(blocked_start, blocked_end, '[)') WITH &&
    ) WHERE (active AND exclusive);
"""
DROP = "ALTER TABLE bookings_bookinghost DROP CONSTRAINT IF EXISTS booking_host_no_overlap;"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]
    operations = [migrations.RunPython(add_constraint, drop_constraint)]
