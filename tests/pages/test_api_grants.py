"""/v3/grants: create (API key only), list, read, delete."""

from __future__ import annotations

import datetime as dt

import pytest

from pages import tokens
from pages.models import Calendar, Configuration, Event, Grant
from pages.signals import event_deleted

GRANT_KEYS = {
    "id",
    "object",
    "provider",
    "grant_status",
    "email",
    "name",
    "timezone",
    "picture_url",
    "created_at",
    "updated_at",
}


def test_the_api_key_creates_a_grant_and_sees_its_access_token_once(as_app, ok):
    grant = ok(
        as_app.post(
            "/v3/grants",
            {"email": "ada@example.com", "name": "Ada", "timezone": "Europe/London"},
            format="json",
        )
    )
    assert set(grant) == GRANT_KEYS | {"access_token"}
    assert grant["object"] == "grant"
    assert grant["provider"] == "virtual-calendar"
    assert grant["grant_status"] == "valid"
    assert (grant["email"], grant["name"], grant["timezone"]) == (
        "ada@example.com",
        "Ada",
        "Europe/London",
    )
    assert isinstance(grant["created_at"], int)
    stored = Grant.objects.get(pk=grant["id"])
    assert stored.access_token_digest == tokens.digest(grant["access_token"])
    assert "access_token" not in ok(as_app.get(f"/v3/grants/{grant['id']}"))


def test_a_new_grant_has_a_primary_calendar_in_its_zone(as_app, ok):
    grant = ok(as_app.post("/v3/grants", {"email": "b@example.com"}, format="json"))
    assert grant["timezone"] == "UTC"
    calendar = Calendar.objects.get(grant_id=grant["id"])
    assert calendar.is_primary


def test_the_new_access_token_reaches_its_grant(as_app, ok, client_with):
    grant = ok(as_app.post("/v3/grants", {"email": "c@example.com"}, format="json"))
    own = client_with(grant["access_token"])
    assert ok(own.get(f"/v3/grants/{grant['id']}"))["email"] == "c@example.com"


def test_a_grant_token_cannot_create_grants(as_owner, refused):
    response = as_owner.post("/v3/grants", {"email": "d@example.com"}, format="json")
    assert "API key" in refused(response, 403, "forbidden")
    assert not Grant.objects.filter(email="d@example.com").exists()


def test_a_duplicate_email_is_a_400_naming_email_whatever_its_case(as_app, owner, refused):
    response = as_app.post("/v3/grants", {"email": "OWNER@Example.com"}, format="json")
    assert refused(response, 400, "invalid_request_error").startswith("email: ")
    assert Grant.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not an email"}, "email"),
        ({"email": "x@"}, "email"),
        ({"email": "e@example.com", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "e@example.com", "name": 7}, "name"),
        ({"email": "e@example.com", "name": "n" * 201}, "name"),
    ],
)
def test_a_bad_grant_is_a_400_naming_the_field(as_app, refused, body, field):
    message = refused(as_app.post("/v3/grants", body, format="json"), 400)
    assert message.startswith(f"{field}: ")


def test_the_api_key_lists_every_grant(as_app, owner, outsider, ok):
    emails = [g["email"] for g in ok(as_app.get("/v3/grants"))]
    assert emails == ["owner@example.com", "outsider@example.com"]


def test_a_grant_token_lists_only_its_own_grant(as_owner, owner, outsider, ok):
    response = as_owner.get("/v3/grants")
    assert [g["id"] for g in ok(response)] == [str(owner.pk)]
    assert response.json()["next_cursor"] is None


def test_reading_a_grant(as_app, owner, ok):
    grant = ok(as_app.get(f"/v3/grants/{owner.pk}"))
    assert set(grant) == GRANT_KEYS | {"sync"}
    assert grant["id"] == str(owner.pk)
    assert grant["sync"] is None  # kept here: nothing to sync


def test_deleting_a_grant_removes_its_calendars_events_and_configurations(
    as_app, owner, ok, refused
):
    calendar = owner.calendars.get()
    start = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)
    Event.objects.create(calendar=calendar, start=start, end=start + dt.timedelta(hours=1))
    Configuration.objects.create(grant=owner)
    announced = []

    def receiver(sender, event, **kwargs):
        announced.append(event.pk)

    event_deleted.connect(receiver)
    try:
        assert set(as_app.delete(f"/v3/grants/{owner.pk}").json()) == {"request_id"}
    finally:
        event_deleted.disconnect(receiver)
    assert not Grant.objects.exists()
    assert not Calendar.objects.exists() and not Event.objects.exists()
    assert not Configuration.objects.exists()
    assert len(announced) == 1, "each event of the grant is announced as deleted"
    refused(as_app.get(f"/v3/grants/{owner.pk}"), 404, "not_found_error")


def test_a_grant_token_can_delete_its_own_grant(as_owner, owner):
    assert as_owner.delete(f"/v3/grants/{owner.pk}").status_code == 200
    assert not Grant.objects.filter(pk=owner.pk).exists()
