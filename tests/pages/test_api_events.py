"""/v3/grants/{grant_id}/events?calendar_id=: list (by range), create, read, update,
delete; read-only calendars refuse writes."""

from __future__ import annotations

import datetime as dt

import pytest

from pages.models import Event

UTC = dt.UTC
NINE = int(dt.datetime(2026, 12, 7, 15, tzinfo=UTC).timestamp())  # 09:00 Chicago
HOUR = 3600
EVENT_KEYS = {
    "id",
    "grant_id",
    "calendar_id",
    "object",
    "title",
    "description",
    "location",
    "busy",
    "status",
    "when",
    "participants",
    "metadata",
    "created_at",
    "updated_at",
}


@pytest.fixture
def events(owner):
    return f"/v3/grants/{owner.pk}/events"


def when(start: int, end: int) -> dict:
    return {"start_time": start, "end_time": end}


def add(client, events, ok, start=NINE, end=NINE + HOUR, calendar="primary", **fields):
    body = {"title": "Standup", "when": when(start, end), **fields}
    return ok(client.post(f"{events}?calendar_id={calendar}", body, format="json"))


def test_creating_an_event_with_every_field(as_owner, owner, events, ok):
    event = add(
        as_owner,
        events,
        ok,
        description="Daily",
        location="Room 1",
        busy=False,
        status="tentative",
        participants=[{"email": "guest@example.com", "name": "Guest"}, {"email": "b@example.com"}],
        metadata={"team": "core"},
    )
    assert set(event) == EVENT_KEYS
    primary = owner.calendars.get(is_primary=True)
    assert event["object"] == "event"
    assert (event["grant_id"], event["calendar_id"]) == (str(owner.pk), str(primary.pk))
    assert event["when"] == {"start_time": NINE, "end_time": NINE + HOUR, "object": "timespan"}
    assert (event["title"], event["description"], event["location"]) == (
        "Standup",
        "Daily",
        "Room 1",
    )
    assert (event["busy"], event["status"]) == (False, "tentative")
    assert event["participants"] == [
        {"email": "guest@example.com", "name": "Guest"},
        {"email": "b@example.com", "name": ""},
    ]
    assert event["metadata"] == {"team": "core"}
    stored = Event.objects.get(pk=event["id"])
    assert stored.start == dt.datetime.fromtimestamp(NINE, UTC)


def test_an_event_is_busy_and_confirmed_by_default(as_owner, events, ok):
    event = add(as_owner, events, ok)
    assert (event["busy"], event["status"]) == (True, "confirmed")


def test_times_may_be_numeric_strings(as_owner, events, ok):
    event = add(as_owner, events, ok, start=str(NINE), end=str(NINE + HOUR))
    assert event["when"]["start_time"] == NINE


def test_reading_an_event(as_owner, events, ok):
    event = add(as_owner, events, ok)
    assert ok(as_owner.get(f"{events}/{event['id']}?calendar_id=primary")) == event


def test_listing_returns_the_events_overlapping_the_range(as_owner, events, ok):
    for hour in range(5):  # 09:00, 10:00, ... 13:00, an hour each
        add(as_owner, events, ok, start=NINE + hour * HOUR, end=NINE + (hour + 1) * HOUR)
    everything = ok(as_owner.get(events, {"calendar_id": "primary"}))
    assert [e["when"]["start_time"] for e in everything] == [NINE + h * HOUR for h in range(5)]
    # 10:30 to 12:00 overlaps 10:00-11:00 and 11:00-12:00; half-open, so not 12:00-13:00.
    window = {"calendar_id": "primary", "start": NINE + 90 * 60, "end": NINE + 3 * HOUR}
    found = ok(as_owner.get(events, window))
    assert [e["when"]["start_time"] for e in found] == [NINE + HOUR, NINE + 2 * HOUR]
    assert len(ok(as_owner.get(events, {"calendar_id": "primary", "start": NINE + 4 * HOUR}))) == 1
    assert len(ok(as_owner.get(events, {"calendar_id": "primary", "end": NINE + 1}))) == 1


def test_listing_shows_only_the_calendar_asked_for(as_owner, owner, events, ok):
    other = owner.calendars.create(name="Other")
    add(as_owner, events, ok, calendar=other.pk)
    assert ok(as_owner.get(events, {"calendar_id": "primary"})) == []
    assert len(ok(as_owner.get(events, {"calendar_id": str(other.pk)}))) == 1


def test_updating_changes_only_the_fields_sent(as_owner, events, ok):
    event = add(as_owner, events, ok, description="Keep me", metadata={"a": "1"})
    path = f"{events}/{event['id']}?calendar_id=primary"
    updated = ok(as_owner.put(path, {"title": "Retro", "busy": False}, format="json"))
    assert (updated["title"], updated["busy"], updated["description"]) == (
        "Retro",
        False,
        "Keep me",
    )
    assert updated["metadata"] == {"a": "1"}
    assert updated["when"] == event["when"]


def test_a_when_with_one_time_keeps_the_other(as_owner, events, ok):
    event = add(as_owner, events, ok)
    path = f"{events}/{event['id']}?calendar_id=primary"
    moved = ok(as_owner.put(path, {"when": {"end_time": NINE + 2 * HOUR}}, format="json"))
    assert moved["when"]["start_time"] == NINE
    assert moved["when"]["end_time"] == NINE + 2 * HOUR


def test_deleting_an_event(as_owner, events, ok, refused):
    event = add(as_owner, events, ok)
    path = f"{events}/{event['id']}?calendar_id=primary"
    assert set(as_owner.delete(path).json()) == {"request_id"}
    refused(as_owner.get(path), 404, "not_found_error")


def test_a_read_only_calendar_refuses_every_write_naming_calendar_id(
    as_owner, owner, events, ok, refused
):
    event = add(as_owner, events, ok)
    owner.calendars.filter(is_primary=True).update(read_only=True)
    path = f"{events}/{event['id']}?calendar_id=primary"
    for response in (
        as_owner.post(
            f"{events}?calendar_id=primary", {"when": when(NINE, NINE + 60)}, format="json"
        ),
        as_owner.put(path, {"title": "x"}, format="json"),
        as_owner.delete(path),
    ):
        assert refused(response, 400, "invalid_request_error").startswith("calendar_id: ")
    assert ok(as_owner.get(path))["title"] == "Standup", "reading is still fine"


def test_calendar_id_is_required(as_owner, events, refused):
    assert refused(as_owner.get(events), 400).startswith("calendar_id: ")
    response = as_owner.post(events, {"when": when(NINE, NINE + 60)}, format="json")
    assert refused(response, 400).startswith("calendar_id: ")


def test_an_unknown_calendar_is_a_404(as_owner, outsider, events, refused):
    other_grants = outsider.calendars.get().pk
    refused(as_owner.get(events, {"calendar_id": str(other_grants)}), 404, "not_found_error")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "when"),
        ({"when": "tomorrow"}, "when"),
        ({"when": {"end_time": NINE}}, "when.start_time"),
        ({"when": {"start_time": NINE}}, "when.end_time"),
        ({"when": when(NINE, NINE)}, "when.end_time"),
        ({"when": when(NINE, NINE - 60)}, "when.end_time"),
        ({"when": {**when(NINE, NINE + 60), "object": "date"}}, "when.object"),
        ({"when": when(-5, NINE)}, "when.start_time"),
        ({"when": when("soon", NINE)}, "when.start_time"),
        ({"when": when(NINE, NINE + 60), "title": 5}, "title"),
        ({"when": when(NINE, NINE + 60), "title": "t" * 501}, "title"),
        ({"when": when(NINE, NINE + 60), "busy": "maybe"}, "busy"),
        ({"when": when(NINE, NINE + 60), "status": "done"}, "status"),
        ({"when": when(NINE, NINE + 60), "participants": {}}, "participants"),
        ({"when": when(NINE, NINE + 60), "participants": [{}]}, "participants[0].email"),
        (
            {"when": when(NINE, NINE + 60), "participants": [{"email": "x"}]},
            "participants[0].email",
        ),
        ({"when": when(NINE, NINE + 60), "metadata": []}, "metadata"),
        ({"when": when(NINE, NINE + 60), "metadata": {"n": 1}}, "metadata.n"),
        (
            {"when": when(NINE, NINE + 60), "metadata": {str(i): "v" for i in range(51)}},
            "metadata",
        ),
        ({"when": when(NINE, NINE + 60), "metadata": {"k" * 41: "v"}}, "metadata." + "k" * 40),
        ({"when": when(NINE, NINE + 60), "metadata": {"k": "v" * 501}}, "metadata.k"),
    ],
)
def test_a_bad_event_is_a_400_naming_the_field(as_owner, events, refused, body, field):
    response = as_owner.post(f"{events}?calendar_id=primary", body, format="json")
    assert refused(response, 400, "invalid_request_error").startswith(f"{field}: ")
    assert not Event.objects.exists()


def test_a_bad_range_is_a_400(as_owner, events, refused):
    params = {"calendar_id": "primary", "start": NINE, "end": NINE}
    assert refused(as_owner.get(events, params), 400).startswith("end: ")
    params = {"calendar_id": "primary", "start": "yesterday"}
    assert refused(as_owner.get(events, params), 400).startswith("start: ")
