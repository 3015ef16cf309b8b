"""pages.services' event writes announce moves and deletes (pages.signals) for every
event, inside their transaction: a receiver that fails undoes the change."""

from __future__ import annotations

import datetime as dt

import pytest

from pages import services
from pages.api.errors import Conflict
from pages.models import Event
from pages.signals import event_deleted, event_moved

UTC = dt.UTC
NINE = dt.datetime(2026, 12, 7, 15, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def event(owner):
    return services.create_event(
        calendar=owner.calendars.get(is_primary=True), start=NINE, end=NINE + HOUR, title="Call"
    )


@pytest.fixture
def heard():
    """Records what event_moved and event_deleted are sent with."""
    calls = []

    def moved(sender, **kwargs):
        calls.append(("moved", sender, kwargs))

    def deleted(sender, **kwargs):
        still_stored = Event.objects.filter(pk=kwargs["event"].pk).exists()
        # The instance loses its pk once deleted: note it now.
        calls.append(
            ("deleted", sender, {**kwargs, "pk": kwargs["event"].pk, "still_stored": still_stored})
        )

    event_moved.connect(moved)
    event_deleted.connect(deleted)
    yield calls
    event_moved.disconnect(moved)
    event_deleted.disconnect(deleted)


@pytest.fixture
def failing():
    """Connects a receiver that raises; the change it hears about must be undone."""
    connected = []

    def connect(signal, error: Exception):
        def receiver(sender, **kwargs):
            raise error

        signal.connect(receiver)
        connected.append((signal, receiver))

    yield connect
    for signal, receiver in connected:
        signal.disconnect(receiver)


def event_path(event) -> str:
    return f"/v3/grants/{event.calendar.grant_id}/events/{event.pk}?calendar_id=primary"


def test_moving_an_event_through_the_api_sends_event_moved_with_the_old_times(
    as_owner, event, heard, ok
):
    new_start = int((NINE + 2 * HOUR).timestamp())
    body = {"when": {"start_time": new_start, "end_time": new_start + 1800}}
    ok(as_owner.put(event_path(event), body, format="json"))
    [(name, sender, kwargs)] = heard
    assert (name, sender) == ("moved", Event)
    assert kwargs["old_start"] == NINE and kwargs["old_end"] == NINE + HOUR
    assert kwargs["event"].pk == event.pk
    assert kwargs["event"].start == NINE + 2 * HOUR, "the event is saved with its new times"
    assert kwargs["event"].end == NINE + 2 * HOUR + dt.timedelta(minutes=30)


def test_a_change_of_end_alone_is_a_move(event, heard):
    services.update_event(event=event, end=NINE + 2 * HOUR)
    assert [name for name, _, _ in heard] == ["moved"]


def test_an_update_that_keeps_the_times_sends_nothing(as_owner, event, heard, ok):
    ok(as_owner.put(event_path(event), {"title": "Renamed"}, format="json"))
    services.update_event(event=event, start=NINE, end=NINE + HOUR)
    assert heard == []


def test_deleting_an_event_through_the_api_sends_event_deleted_before_the_delete(
    as_owner, event, heard, ok
):
    assert as_owner.delete(event_path(event)).status_code == 200
    [(name, sender, kwargs)] = heard
    assert (name, sender) == ("deleted", Event)
    assert kwargs["pk"] == event.pk
    assert kwargs["still_stored"], "receivers hear of the delete while the event exists"
    assert not Event.objects.filter(pk=event.pk).exists()


def test_a_receiver_that_fails_undoes_the_move(event, failing):
    failing(event_moved, RuntimeError("bookings could not follow"))
    with pytest.raises(RuntimeError):
        services.update_event(event=event, start=NINE + HOUR, end=NINE + 2 * HOUR, title="New")
    event.refresh_from_db()
    assert (event.start, event.end, event.title) == (NINE, NINE + HOUR, "Call")


def test_a_receiver_that_fails_undoes_the_delete(event, failing):
    failing(event_deleted, RuntimeError("bookings could not cancel"))
    with pytest.raises(RuntimeError):
        services.delete_event(event=event)
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_refusal_from_a_receiver_reaches_the_client_and_the_event_stays(
    as_owner, event, failing, refused
):
    failing(event_moved, Conflict("the booking's new time is taken"))
    later = int((NINE + 3 * HOUR).timestamp())
    body = {"when": {"start_time": later, "end_time": later + 3600}}
    assert "taken" in refused(as_owner.put(event_path(event), body, format="json"), 409)
    event.refresh_from_db()
    assert event.start == NINE


def test_deleting_a_calendar_undoes_everything_if_a_receiver_fails(owner, failing):
    calendar = owner.calendars.create(name="Side")
    services.create_event(calendar=calendar, start=NINE, end=NINE + HOUR)
    failing(event_deleted, RuntimeError("no"))
    with pytest.raises(RuntimeError):
        services.delete_calendar(calendar=calendar)
    assert calendar.events.count() == 1
