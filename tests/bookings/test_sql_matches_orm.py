"""Each hand-written read of bookings/sql.py, compared with the same read through the ORM
on random data: busy time per grant (events of the chosen calendars, the time bookings
block, the exclusions of a group search and of a booking being moved), when each host
was last booked, and what the booking page's shell shows."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingHost
from bookings.sql import busy_by_grant, last_booked_by_grant, shell_rows
from pages import services, tokens
from pages.models import Configuration, Event, Participant

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


def at(seconds: int) -> dt.datetime:
    return BASE + dt.timedelta(seconds=seconds)


def span(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """Whole seconds, rounded outwards: a busy interval never shrinks."""
    return math.floor(start.timestamp()), math.ceil(end.timestamp())


moments = st.integers(-3 * 3600, 8 * 3600)
lengths = st.integers(1, 4 * 3600)


@st.composite
def worlds(draw):
    return {
        "events": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 3),  # calendar index
                    moments,
                    lengths,
                    st.booleans(),  # busy
                    st.sampled_from(Event.Status.values),
                    st.integers(0, 999_999),  # microseconds, for the rounding
                ),
                max_size=12,
            )
        ),
        "bookings": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 1),  # configuration index
                    st.sets(st.integers(0, 1), min_size=1),  # host indexes
                    moments,
                    lengths,
                    st.sampled_from(Booking.Status.values),
                    st.booleans(),  # host rows active
                    st.booleans(),  # made an event
                ),
                max_size=8,
            )
        ),
        "window": (draw(moments), draw(st.integers(1, 6 * 3600))),
        "tentative": draw(st.booleans()),
        "seat_search": draw(st.booleans()),
        "exclude": draw(st.integers(-1, 7)),
    }


def build(world):
    grants = []
    calendars = []
    for index in range(2):
        grant, _ = services.create_grant(email=f"h{index}-{uuid.uuid4().hex[:6]}@example.com")
        grants.append(grant)
        calendars.append(grant.calendars.get(is_primary=True))
        calendars.append(services.create_calendar(grant=grant, name="Other"))
    configurations = [
        Configuration.objects.create(grant=grants[0], slug=None, title=f"C{i}", capacity=1 + i)
        for i in range(2)
    ]
    for calendar_index, start, length, busy, status, micro in world["events"]:
        begins = at(start) + dt.timedelta(microseconds=micro)
        Event.objects.create(
            calendar=calendars[calendar_index],
            start=begins,
            end=begins + dt.timedelta(seconds=length),
            busy=busy,
            status=status,
        )
    bookings = []
    for configuration_index, hosts, start, length, status, active, with_event in world["bookings"]:
        event = None
        if with_event:
            event = Event.objects.create(
                calendar=calendars[0], start=at(start), end=at(start + length)
            )
        booking = Booking.objects.create(
            configuration=configurations[configuration_index],
            start=at(start),
            end=at(start + length),
            status=status,
            guest_name="G",
            guest_email="g@example.com",
            salt_digest=tokens.digest(tokens.new_secret()),
            event=event,
        )
        bookings.append(booking)
        for host in hosts:
            BookingHost.objects.create(
                booking=booking,
                grant=grants[host],
                blocked_start=at(start - 600),
                blocked_end=at(start + length + 300),
                active=active,
                exclusive=False,  # random rows may overlap: not the constraint under test
            )
    return grants, calendars, configurations, bookings


def orm_busy(calendar_owner, grant_ids, low, high, *, tentative, seat_of, exclude):
    def skipped(booking) -> bool:
        if booking is None:
            return False
        return (seat_of is not None and booking.configuration_id == seat_of) or (
            exclude is not None and booking.pk == exclude
        )

    statuses = [Event.Status.CONFIRMED] + ([Event.Status.TENTATIVE] if tentative else [])
    busy = defaultdict(list)
    events = Event.objects.filter(
        calendar_id__in=list(calendar_owner),
        start__lt=high,
        end__gt=low,
        busy=True,
        status__in=statuses,
    )
    for event in events:
        made_by = Booking.objects.filter(event=event).first()
        if not skipped(made_by):
            busy[calendar_owner[event.calendar_id]].append(span(event.start, event.end))
    rows = BookingHost.objects.filter(
        grant_id__in=grant_ids, active=True, blocked_start__lt=high, blocked_end__gt=low
    ).select_related("booking")
    for row in rows:
        if not skipped(row.booking):
            busy[row.grant_id].append(span(row.blocked_start, row.blocked_end))
    return {grant: sorted(found) for grant, found in busy.items()}


@PROPERTY
@given(world=worlds())
def test_busy_time_matches_the_orm(db, world):
    with transaction.atomic():
        grants, calendars, configurations, bookings = build(world)
        calendars_by_grant = {g.pk: [c.pk for c in calendars if c.grant_id == g.pk] for g in grants}
        owner = {c: g for g, cs in calendars_by_grant.items() for c in cs}
        start, length = world["window"]
        low, high = at(start), at(start + length)
        seat_of = configurations[1].pk if world["seat_search"] else None
        exclude = bookings[world["exclude"]].pk if 0 <= world["exclude"] < len(bookings) else None
        found = busy_by_grant(
            [g.pk for g in grants],
            calendars_by_grant,
            low,
            high,
            tentative_as_busy=world["tentative"],
            seat_configuration_id=seat_of,
            exclude_booking_id=exclude,
        )
        expected = orm_busy(
            owner,
            [g.pk for g in grants],
            low,
            high,
            tentative=world["tentative"],
            seat_of=seat_of,
            exclude=exclude,
        )
        assert {g: sorted(v) for g, v in found.items() if v} == expected
        transaction.set_rollback(True)


@PROPERTY
@given(world=worlds(), by_group=st.booleans())
def test_last_booked_matches_the_orm(db, world, by_group):
    with transaction.atomic():
        grants, _calendars, configurations, _bookings = build(world)
        configuration = configurations[0]
        rotation = [configuration.pk]
        if by_group:
            group = "team"
            Configuration.objects.filter(pk__in=[c.pk for c in configurations]).update(
                round_robin_group_id=group
            )
            configuration.refresh_from_db()
            rotation = [c.pk for c in configurations]
        found = last_booked_by_grant(configuration, [g.pk for g in grants])
        expected = {
            row["grant"]: int(row["last"].timestamp())
            for row in BookingHost.objects.filter(
                grant__in=grants, booking__configuration__in=rotation
            )
            .exclude(booking__status=Booking.Status.CANCELLED)
            .values("grant")
            .annotate(last=Max("booking__created_at"))
        }
        assert found == expected
        transaction.set_rollback(True)


@PROPERTY
@given(
    people=st.lists(st.tuples(st.text(max_size=8), st.booleans(), st.integers(0, 3)), max_size=3),
    private=st.booleans(),
)
def test_the_shell_read_matches_the_orm(db, people, private):
    with transaction.atomic():
        owner, _ = services.create_grant(email=f"o-{uuid.uuid4().hex[:6]}@example.com")
        configuration = Configuration.objects.create(
            grant=owner,
            slug="shell-read",
            title="Shell",
            appearance={"color": "#123456"},
            requires_session_auth=private,
        )
        for index, (name, organizer, position) in enumerate(people):
            Participant.objects.create(
                configuration=configuration,
                grant=owner if index == 0 else None,
                email=f"p{index}@example.com",
                name=name,
                is_organizer=organizer,
                position=position,
            )
        rows = shell_rows("shell-read")
        if private:
            assert rows == ()
        else:
            participants = list(configuration.participants.order_by("position", "email")) or [None]
            assert len(rows) == len(participants)
            for row, participant in zip(rows, participants, strict=True):
                assert row[1] == configuration.title
                assert row[4] == configuration.duration_minutes
                shown = row[11:15]
                if participant is None:
                    assert shown == (None, None, None, None)
                else:
                    assert (shown[0], shown[1], bool(shown[2])) == (
                        participant.name,
                        participant.email,
                        participant.is_organizer,
                    )
        transaction.set_rollback(True)
