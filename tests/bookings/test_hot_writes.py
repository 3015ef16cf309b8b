"""pages.sql.insert writes what Model.save() writes, for the models the booking
path inserts with it, and those models keep nothing that insert would skip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Model, signals

from bookings.models import Booking, BookingHost
from pages.models import Event
from pages.sql import insert, insert_all

INSERTED = (Event, Booking, BookingHost)


def row_of(instance) -> dict:
    fresh = type(instance).objects.get(pk=instance.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


@pytest.mark.parametrize("model", INSERTED)
def test_the_models_have_no_save_logic_or_save_receivers(model):
    assert model.save is Model.save
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(model)


@pytest.mark.django_db
def test_insert_writes_what_save_writes(make_configuration):
    configuration = make_configuration()
    grant = configuration.hosts[0]
    calendar = grant.calendars.get()
    start = dt.datetime(2027, 3, 1, 15, tzinfo=dt.UTC)
    fields = {
        "calendar": calendar,
        "title": "Intro ✓",
        "start": start,
        "end": start + dt.timedelta(minutes=30),
        "status": Event.Status.TENTATIVE,
        "participants": [{"email": "g@example.com", "name": "Gü"}],
        "metadata": {"booking_id": "x", "nested": {"n": 1}},
    }
    saved, inserted = Event(**fields), Event(**fields)
    saved.save()
    insert(inserted)
    assert inserted._state.adding is False
    expected, got = row_of(saved), row_of(inserted)
    for name in ("id", "created_at", "updated_at"):
        expected.pop(name), got.pop(name)
    assert got == expected
    assert row_of(inserted)["created_at"] is not None

    booking = Booking(
        configuration=configuration,
        organizer=grant,
        event=inserted,
        start=start,
        end=start + dt.timedelta(minutes=30),
        guest_name="Gus",
        guest_email="gus@example.com",
        additional_fields={"company": "Acme"},
        additional_guests=[{"email": "a@example.com"}],
    )
    insert(booking)
    stored = Booking.objects.get(pk=booking.pk)
    assert (stored.event_id, stored.additional_fields, stored.status) == (
        inserted.pk,
        {"company": "Acme"},
        Booking.Status.BOOKED,
    )

    hosts = [
        BookingHost(booking=booking, grant=grant, blocked_start=start, blocked_end=booking.end),
        BookingHost(
            booking=booking,
            grant=make_configuration(("other@example.com",), slug="other").hosts[0],
            blocked_start=start,
            blocked_end=start + dt.timedelta(minutes=40),
            exclusive=False,
        ),
    ]
    insert(*hosts)
    assert all(h.pk for h in hosts), "database-generated keys are read back"
    assert [(h.pk, h.grant_id, h.exclusive) for h in booking.host_rows.order_by("pk")] == [
        (h.pk, h.grant_id, h.exclusive) for h in hosts
    ]


@pytest.mark.django_db
def test_insert_all_writes_the_groups_together(make_configuration, django_assert_num_queries):
    """An event, its booking (which references it) and the booking's host rows (keys read
    back): one statement on PostgreSQL, one per group elsewhere."""
    configuration = make_configuration()
    grant = configuration.hosts[0]
    start = dt.datetime(2027, 3, 2, 15, tzinfo=dt.UTC)
    end = start + dt.timedelta(minutes=30)
    event = Event(calendar=grant.calendars.get(), start=start, end=end, metadata={"k": [1]})
    booking = Booking(
        configuration=configuration,
        organizer=grant,
        event=event,
        start=start,
        end=end,
        guest_name="Gus",
        guest_email="gus@example.com",
    )
    host = BookingHost(booking=booking, grant=grant, blocked_start=start, blocked_end=end)
    statements = 1 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(statements):
        insert_all([event], [booking], [host])
    assert host.pk is not None
    stored = Booking.objects.select_related("event").get(pk=booking.pk)
    assert stored.event.metadata == {"k": [1]}
    assert list(stored.host_rows.values_list("pk", flat=True)) == [host.pk]


@pytest.mark.django_db
def test_insert_all_with_keys_to_read_before_the_last_group(make_configuration):
    configuration = make_configuration()
    grant = configuration.hosts[0]
    start = dt.datetime(2027, 3, 3, 15, tzinfo=dt.UTC)
    end = start + dt.timedelta(minutes=30)
    booking = Booking(
        configuration=configuration,
        organizer=grant,
        start=start,
        end=end,
        guest_name="Gus",
        guest_email="gus@example.com",
    )
    insert(booking)
    host = BookingHost(booking=booking, grant=grant, blocked_start=start, blocked_end=end)
    other = Event(calendar=grant.calendars.get(), start=start, end=end)
    insert_all([host], [other])  # host rows have database keys: not in a WITH clause
    assert host.pk is not None and Event.objects.filter(pk=other.pk).exists()
