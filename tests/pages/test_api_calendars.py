"""/v3/grants/{grant_id}/calendars: list, create, read, update, delete; ``primary``."""

from __future__ import annotations

import datetime as dt

import pytest

from pages.models import Calendar, Event
from pages.signals import event_deleted

CALENDAR_KEYS = {
    "id",
    "grant_id",
    "name",
    "description",
    "timezone",
    "is_primary",
    "read_only",
    "object",
}


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/calendars"


def test_listing_starts_with_the_primary_calendar(as_owner, owner, base, ok):
    owner.calendars.create(name="Another")
    calendars = ok(as_owner.get(base))
    assert [c["is_primary"] for c in calendars] == [True, False]
    assert set(calendars[0]) == CALENDAR_KEYS
    assert calendars[0]["object"] == "calendar"
    assert calendars[0]["grant_id"] == str(owner.pk)


def test_creating_a_calendar(as_owner, owner, base, ok):
    calendar = ok(
        as_owner.post(
            base,
            {"name": "Side projects", "description": "Evenings", "timezone": "Asia/Tokyo"},
            format="json",
        )
    )
    assert calendar["name"] == "Side projects"
    assert calendar["description"] == "Evenings"
    assert calendar["timezone"] == "Asia/Tokyo"
    assert (calendar["is_primary"], calendar["read_only"]) == (False, False)
    assert ok(as_owner.get(f"{base}/{calendar['id']}")) == calendar


def test_a_new_calendar_takes_the_grants_zone_by_default(as_owner, base, ok):
    assert ok(as_owner.post(base, {"name": "Work"}, format="json"))["timezone"] == (
        "America/Chicago"
    )


def test_primary_is_an_alias_of_the_primary_calendars_id(as_owner, owner, base, ok):
    primary = owner.calendars.get(is_primary=True)
    assert ok(as_owner.get(f"{base}/primary"))["id"] == str(primary.pk)
    assert ok(as_owner.get(f"{base}/{primary.pk}"))["id"] == str(primary.pk)


def test_updating_changes_only_the_fields_sent(as_owner, owner, base, ok):
    calendar = owner.calendars.create(name="Old", description="Kept", timezone="UTC")
    updated = ok(as_owner.put(f"{base}/{calendar.pk}", {"name": "New"}, format="json"))
    assert (updated["name"], updated["description"], updated["timezone"]) == (
        "New",
        "Kept",
        "UTC",
    )
    updated = ok(as_owner.put(f"{base}/primary", {"read_only": True}, format="json"))
    assert updated["read_only"] is True and updated["is_primary"] is True


def test_deleting_a_calendar_deletes_its_events_and_announces_each(as_owner, owner, base, ok):
    calendar = owner.calendars.create(name="Doomed")
    start = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)
    event = Event.objects.create(calendar=calendar, start=start, end=start + dt.timedelta(hours=1))
    announced = []

    def receiver(sender, event, **kwargs):
        announced.append(event.pk)

    event_deleted.connect(receiver)
    try:
        assert set(as_owner.delete(f"{base}/{calendar.pk}").json()) == {"request_id"}
    finally:
        event_deleted.disconnect(receiver)
    assert announced == [event.pk]
    assert not Calendar.objects.filter(pk=calendar.pk).exists()
    assert not Event.objects.filter(pk=event.pk).exists()


def test_the_primary_calendar_cannot_be_deleted(as_owner, base, refused):
    for calendar_id in ("primary", str(Calendar.objects.get(is_primary=True).pk)):
        message = refused(as_owner.delete(f"{base}/{calendar_id}"), 400, "invalid_request_error")
        assert message.startswith("calendar_id: ")
    assert Calendar.objects.filter(is_primary=True).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": ["x"]}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "Work", "timezone": "Nowhere/Special"}, "timezone"),
        ({"name": "Work", "read_only": "sometimes"}, "read_only"),
        ({"name": "Work", "is_primary": True}, "is_primary"),
        ({"name": "Work", "description": 5}, "description"),
    ],
)
def test_a_bad_calendar_is_a_400_naming_the_field(as_owner, base, refused, body, field):
    message = refused(as_owner.post(base, body, format="json"), 400, "invalid_request_error")
    assert message.startswith(f"{field}: ")


def test_a_body_that_is_not_json_is_a_400(as_owner, base, refused):
    response = as_owner.post(base, "{nope", content_type="application/json")
    refused(response, 400, "invalid_request_error")
