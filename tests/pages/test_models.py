"""The rules the data model holds itself, in the database or in clean()."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bookings.models import Booking
from pages.models import ApiKey, Calendar, Configuration, Event, Grant, OpenHours

UTC = dt.UTC


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=UTC)


def test_a_new_grant_gets_exactly_one_primary_calendar(organizer):
    assert organizer.calendars.filter(is_primary=True).count() == 1


def test_the_database_refuses_a_second_primary_calendar(organizer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.create(grant=organizer, name="Another", is_primary=True)


def test_other_grants_have_their_own_primary(organizer):
    other = Grant.objects.create(email="other@example.com")
    Calendar.objects.create(grant=other, name="Primary", is_primary=True)
    assert Calendar.objects.filter(is_primary=True).count() == 2


def test_grant_emails_are_unique_ignoring_case(organizer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(email="ORGANIZER@example.com")


def test_the_database_refuses_an_event_that_ends_before_it_starts(organizer):
    calendar = organizer.calendars.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(calendar=calendar, start=at(10), end=at(10))


def test_clean_names_the_end_of_a_backwards_event(organizer):
    event = Event(calendar=organizer.calendars.get(), start=at(10), end=at(9))
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "end" in excinfo.value.message_dict


def test_the_database_refuses_a_backwards_booking(demo_page):
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            configuration=demo_page,
            start=at(11),
            end=at(10),
            guest_name="G",
            guest_email="g@example.com",
            salt_digest="x" * 64,
        )


def test_slugs_are_unique_but_may_be_empty(organizer):
    Configuration.objects.create(grant=organizer, slug=None)
    Configuration.objects.create(grant=organizer, slug=None)
    Configuration.objects.create(grant=organizer, slug="intro")
    with pytest.raises(IntegrityError), transaction.atomic():
        Configuration.objects.create(grant=organizer, slug="intro")


def test_open_hours_must_end_after_they_start(demo_page):
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenHours.objects.create(
            configuration=demo_page, days=[1], start_minute=600, end_minute=540
        )


@pytest.mark.parametrize("days", [[], [7], [1, 1], ["1"], "12345"])
def test_open_hours_days_are_validated(demo_page, days):
    hours = OpenHours(configuration=demo_page, days=days, start_minute=540, end_minute=1020)
    with pytest.raises(ValidationError) as excinfo:
        hours.full_clean()
    assert "days" in excinfo.value.message_dict


def test_an_unknown_timezone_is_refused_by_name(organizer):
    organizer.timezone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as excinfo:
        organizer.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_buffers_are_multiples_of_five_up_to_120(organizer):
    configuration = Configuration(grant=organizer, buffer_before=7, buffer_after=125)
    with pytest.raises(ValidationError) as excinfo:
        configuration.full_clean()
    assert {"buffer_before", "buffer_after"} <= set(excinfo.value.message_dict)


def test_api_keys_are_stored_only_as_a_digest(db):
    api_key = ApiKey(name="backend")
    secret = api_key.set_new_key()
    api_key.save()
    stored = ApiKey.objects.values().get(pk=api_key.pk)
    assert secret not in str(stored)
    assert stored["key_digest"] != secret
    assert stored["key_hint"] == secret[:8]


def test_grant_tokens_and_edit_tokens_are_stored_only_as_a_digest(organizer):
    token = organizer.set_new_access_token()
    organizer.save()
    configuration = Configuration(grant=organizer)
    edit_token = configuration.set_new_edit_token()
    configuration.save()
    assert token not in str(Grant.objects.values().get(pk=organizer.pk))
    assert edit_token not in str(Configuration.objects.values().get(pk=configuration.pk))
