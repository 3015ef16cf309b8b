"""pages.sql: the configuration read in one statement is the one the ORM reads,
with its grant, additional fields and reminders already there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import AdditionalField, Configuration, Reminder
from pages.sql import configuration_by, questions_of, reminders_of


@pytest.fixture
def configuration(make_grant):
    grant = make_grant("hot@example.com", zone="Asia/Kolkata", name="Hot Host")
    configuration = Configuration.objects.create(
        grant=grant, slug="hot", title="Hot", appearance={"color": "#123456"}, capacity=3
    )
    AdditionalField.objects.create(
        configuration=configuration, key="b", label="B", order=2, required=True
    )
    AdditionalField.objects.create(
        configuration=configuration,
        key="a",
        label="A",
        order=1,
        type="dropdown",
        options=["x", "y"],
        pattern="^x$",
        default="x",
    )
    Reminder.objects.create(configuration=configuration, minutes_before_event=60)
    Reminder.objects.create(
        configuration=configuration, minutes_before_event=1440, email_subject="Tomorrow"
    )
    return configuration


def fields_of(rows) -> list[tuple]:
    return [tuple(getattr(row, f.attname) for f in row._meta.concrete_fields) for row in rows]


@pytest.mark.django_db
def test_by_slug_and_by_id_read_what_the_orm_reads(configuration):
    for found in (configuration_by(slug="hot"), configuration_by(pk=configuration.pk)):
        expected = Configuration.objects.get(pk=configuration.pk)
        assert fields_of([found]) == fields_of([expected])
        assert (found.grant.pk, found.grant.email, found.grant.name, found.grant.timezone) == (
            expected.grant.pk,
            "hot@example.com",
            "Hot Host",
            "Asia/Kolkata",
        )
        with CaptureQueriesContext(connection) as queries:
            fields = questions_of(found)
            reminders = reminders_of(found)
        assert len(queries) == 0
        assert fields_of(fields) == fields_of(
            AdditionalField.objects.filter(configuration=expected)
        )
        assert [f.key for f in fields] == ["a", "b"]  # the model's order
        assert fields[1].required is True and fields[0].required is False
        assert fields[0].options == ["x", "y"]
        assert fields_of(reminders) == fields_of(Reminder.objects.filter(configuration=expected))
        assert [r.minutes_before_event for r in reminders] == [1440, 60]


@pytest.mark.django_db
def test_a_page_without_fields_or_reminders_reads_empty_lists(make_grant):
    grant = make_grant("bare@example.com")
    Configuration.objects.create(grant=grant, slug="bare")
    found = configuration_by(slug="bare")
    with CaptureQueriesContext(connection) as queries:
        assert questions_of(found) == []
        assert reminders_of(found) == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_an_unknown_page_is_none(configuration):
    assert configuration_by(slug="nope") is None
    assert configuration_by(pk=configuration.grant_id) is None
