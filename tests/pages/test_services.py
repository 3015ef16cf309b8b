"""pages/services.py, called directly: keys and tokens shown once and stored hashed, a
grant's primary calendar, calendars and events with their rules, the named signals that
reach bookings, and configurations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pages import services, tokens
from pages.models import ApiKey, Calendar, Configuration, Event, Grant
from pages.signals import event_deleted, event_moved

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)  # 10:00 in Kolkata


def test_an_api_key_is_shown_once_and_stored_hashed():
    key, secret = services.create_api_key(name="backend")
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_digest == tokens.digest(secret) and secret not in stored.key_digest


def test_an_api_keys_use_is_recorded_at_most_once_a_minute():
    key, _ = services.create_api_key(name="backend")
    services.record_api_key_use(api_key=key, at=START)
    key.refresh_from_db()
    services.record_api_key_use(api_key=key, at=START + dt.timedelta(seconds=30))
    assert ApiKey.objects.get(pk=key.pk).last_used_at == START
    key.refresh_from_db()
    services.record_api_key_use(api_key=key, at=START + dt.timedelta(minutes=2))
    assert ApiKey.objects.get(pk=key.pk).last_used_at == START + dt.timedelta(minutes=2)


def test_a_grant_gets_a_primary_calendar_and_a_token_that_a_new_one_replaces():
    grant, token = services.create_grant(email="ada@example.com", timezone="Asia/Kolkata")
    assert grant.calendars.get().is_primary
    assert Grant.objects.get(access_token_digest=tokens.digest(token)) == grant
    new = services.issue_access_token(grant=grant)
    assert not Grant.objects.filter(access_token_digest=tokens.digest(token)).exists()
    assert Grant.objects.get(access_token_digest=tokens.digest(new)) == grant


def test_a_grant_with_an_unsafe_picture_is_refused():
    with pytest.raises(ValidationError):
        services.create_grant(email="p@example.com", picture_url="javascript:alert(1)")


def test_a_read_only_calendar_takes_no_events():
    grant, _ = services.create_grant(email="ada@example.com")
    feed = services.create_calendar(grant=grant, name="Feed", read_only=True)
    with pytest.raises(ValidationError):
        services.create_event(calendar=feed, start=START, end=START + dt.timedelta(hours=1))


def test_moving_and_deleting_an_event_are_announced_to_bookings():
    grant, _ = services.create_grant(email="ada@example.com")
    calendar = grant.calendars.get()
    event = services.create_event(calendar=calendar, start=START, end=START + dt.timedelta(hours=1))
    heard = []

    def moved(sender, event, old_start, old_end, **kwargs):
        heard.append(("moved", old_start))

    def deleted(sender, event, **kwargs):
        heard.append(("deleted", event.pk))

    event_moved.connect(moved)
    event_deleted.connect(deleted)
    try:
        services.update_event(
            event=event, start=START + dt.timedelta(hours=1), end=START + dt.timedelta(hours=2)
        )
        services.delete_event(event=Event.objects.get(pk=event.pk))
    finally:
        event_moved.disconnect(moved)
        event_deleted.disconnect(deleted)
    assert heard == [("moved", START), ("deleted", event.pk)]


def test_deleting_a_grant_takes_its_calendars_events_and_configurations():
    grant, _ = services.create_grant(email="ada@example.com")
    services.create_event(
        calendar=grant.calendars.get(), start=START, end=START + dt.timedelta(hours=1)
    )
    Configuration.objects.create(grant=grant, title="Intro")
    services.delete_grant(grant=grant)
    assert not Calendar.objects.exists() and not Event.objects.exists()
    assert not Configuration.objects.exists()


def test_a_new_edit_token_replaces_the_old():
    grant, _ = services.create_grant(email="ada@example.com")
    configuration = Configuration.objects.create(grant=grant, title="Intro")
    first = services.issue_edit_token(configuration=configuration)
    second = services.issue_edit_token(configuration=configuration)
    configuration.refresh_from_db()
    assert configuration.edit_token_digest == tokens.digest(second) != tokens.digest(first)
