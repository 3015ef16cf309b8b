"""pages 0003 gives configurations made before v2 page IDs existed their IDs, in order of
creation, and starts the counter after them (the function the migration runs, on rows
without one)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from pages.models import Configuration, V2PageIdCounter

migration = importlib.import_module("pages.migrations.0005_configuration_v2_page_id")


def test_existing_configurations_are_numbered_in_order_of_creation(organizer):
    made = []
    for day in (3, 1, 2):
        configuration = Configuration.objects.create(grant=organizer, title=f"Day {day}")
        Configuration.objects.filter(pk=configuration.pk).update(
            created_at=dt.datetime(2026, 1, day, tzinfo=dt.UTC)
        )
        made.append((day, configuration.pk))
    assert set(Configuration.objects.values_list("v2_page_id", flat=True)) == {None}
    migration.number_existing_pages(apps, None)
    numbers = dict(Configuration.objects.values_list("pk", "v2_page_id"))
    assert [numbers[pk] for _, pk in sorted(made)] == [1, 2, 3]
    assert V2PageIdCounter.objects.get(pk=1).last_given == 3
