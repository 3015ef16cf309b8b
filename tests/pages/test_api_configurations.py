"""/v3/grants/{grant_id}/scheduling/configurations: what is sent is stored in the model
and given back (GET == what POST/PUT returned); PUT replaces the nested objects sent and
keeps the rest; keys we do not know are kept."""

from __future__ import annotations

import copy

import pytest

from pages.models import Configuration, OpenHours, Participant

SEED_001 = {
    "requires_session_auth": False,
    "participants": [
        {
            "name": "Test",
            "email": "nylas_test_8",  # the seed's placeholder: replaced by a grant's email
            "is_organizer": True,
            "availability": {"calendar_ids": ["primary"]},
            "booking": {"calendar_id": "primary"},
        }
    ],
    "availability": {"duration_minutes": 30},
    "event_booking": {"title": "My test event"},
}


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/scheduling/configurations"


def test_the_seed_001_request_returns_200_with_the_configuration(as_app, owner, base, ok):
    body = copy.deepcopy(SEED_001)
    body["participants"][0]["email"] = owner.email
    configuration = ok(as_app.post(base, body, format="json"))
    assert configuration["id"]
    assert configuration["participants"] == [
        {
            "name": "Test",
            "email": owner.email,
            "is_organizer": True,
            "timezone": "",
            "availability": {"calendar_ids": ["primary"], "open_hours": []},
            "booking": {"calendar_id": "primary"},
        }
    ]
    assert configuration["availability"]["duration_minutes"] == 30
    assert configuration["event_booking"]["title"] == "My test event"
    assert configuration["requires_session_auth"] is False
    stored = Configuration.objects.get(pk=configuration["id"])
    assert stored.grant == owner
    participant = stored.participants.get()
    assert participant.grant == owner and participant.has_availability
    assert participant.booking_calendar == owner.calendars.get(is_primary=True)


def test_defaults_are_filled_in(as_app, owner, base, ok):
    body = {"participants": [{"email": owner.email, "is_organizer": True}]}
    configuration = ok(as_app.post(base, body, format="json"))
    assert configuration["slug"] is None and configuration["locale"] == "en"
    assert configuration["availability"] == {
        "duration_minutes": 30,
        "interval_minutes": 30,
        "round_to": 15,
        "availability_rules": {
            "availability_method": "collective",
            "buffer": {"before": 0, "after": 0},
            "default_open_hours": [],
            "round_robin_group_id": "",
            "tentative_as_busy": True,
        },
    }
    assert configuration["event_booking"]["capacity"] == 1
    assert configuration["event_booking"]["booking_type"] == "booking"
    assert configuration["scheduler"]["available_days_in_future"] == 30
    assert configuration["scheduler"]["min_booking_notice"] == 60
    assert configuration["appearance"] == {}


def test_every_field_round_trips(as_app, full_configuration, base, ok):
    body = full_configuration
    created = ok(as_app.post(base, body, format="json"))
    assert {k: v for k, v in created.items() if k != "id"} == body
    assert ok(as_app.get(f"{base}/{created['id']}")) == created


def test_what_is_sent_is_stored_in_the_model(as_app, owner, teammate, full_configuration, base, ok):
    created = ok(as_app.post(base, full_configuration, format="json"))
    c = Configuration.objects.get(pk=created["id"])
    assert (c.duration_minutes, c.interval_minutes, c.round_to) == (45, 15, 30)
    assert (c.buffer_before, c.buffer_after, c.tentative_as_busy) == (10, 15, False)
    assert (c.title, c.booking_type, c.capacity) == ("Intro", "organizer-confirmation", 3)
    assert (c.min_booking_notice, c.min_cancellation_notice) == (120, 30)
    olive, tim, observer = c.participants.order_by("position")
    assert olive.grant == owner and tim.grant == teammate
    assert [h.start_minute for h in olive.open_hours.order_by("pk")] == [540, 780]
    assert [h.end_minute for h in olive.open_hours.order_by("pk")] == [750, 1440]
    thursday = olive.open_hours.get(start_minute=780)
    assert (thursday.days, thursday.timezone, thursday.exdates) == ([4], "", [])
    assert set(tim.availability_calendars.values_list("name", flat=True)) == {
        teammate.name,
        "Travel",
    }
    assert tim.booking_calendar is None, "without booking: not on the event"
    assert (observer.grant, observer.has_availability, observer.booking_calendar) == (
        None,
        False,
        None,
    ), "without availability: always free"
    default = OpenHours.objects.get(configuration=c, participant=None)
    assert (default.days, default.start_minute, default.end_minute) == ([1, 2, 3, 4, 5], 480, 1080)
    assert list(c.reminders.values_list("minutes_before_event", flat=True)) == [1440, 60]
    assert list(c.additional_fields.values_list("key", flat=True)) == ["company", "size"]


def test_a_participant_email_matches_its_grant_whatever_the_case(as_app, owner, base, ok):
    body = {
        "participants": [
            {"email": "OWNER@Example.com", "is_organizer": True, "availability": {}, "booking": {}}
        ]
    }
    configuration = ok(as_app.post(base, body, format="json"))
    participant = Participant.objects.get(configuration_id=configuration["id"])
    assert participant.grant == owner
    assert configuration["participants"][0]["availability"]["calendar_ids"] == ["primary"]
    assert configuration["participants"][0]["booking"] == {"calendar_id": "primary"}


def test_listing_configurations(as_owner, owner, outsider, base, ok):
    body = {"participants": [{"email": owner.email, "is_organizer": True}]}
    first = ok(as_owner.post(base, {**body, "name": "One"}, format="json"))
    second = ok(as_owner.post(base, {**body, "name": "Two"}, format="json"))
    Configuration.objects.create(grant=outsider, name="Not ours")
    assert ok(as_owner.get(base)) == [first, second]


def test_deleting_a_configuration(as_app, owner, base, ok, refused):
    body = {"participants": [{"email": owner.email, "is_organizer": True}]}
    created = ok(as_app.post(base, body, format="json"))
    assert set(as_app.delete(f"{base}/{created['id']}").json()) == {"request_id"}
    refused(as_app.get(f"{base}/{created['id']}"), 404, "not_found_error")
    assert not Configuration.objects.exists()
