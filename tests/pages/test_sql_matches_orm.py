"""Each hand-written read of pages/sql.py, compared with the same read through the ORM on
random pages: every concrete field of every row, in the model's order. A field added to a
model that the SQL would not read, a column read into the wrong key, or an order that
differs from Meta.ordering fails here."""

from __future__ import annotations

import uuid

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages import services
from pages.models import (
    AdditionalField,
    Calendar,
    Configuration,
    OpenHours,
    Participant,
    Reminder,
)
from pages.sql import (
    PARTICIPANT_EXTRAS,
    configuration_by,
    from_json,
    questions_of,
    reminders_of,
    roster_source,
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = ("", "America/Chicago", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Berlin")
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=0, max_size=12)


def plain(field, value):
    """A column's value as both reads agree to write it: UUIDs as UUIDs, booleans as
    booleans (SQLite's JSON has 0 and 1), everything else as it is."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if value is None:
        return None
    if kind == "UUIDField":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if kind == "BooleanField":
        return bool(value)
    return value


def row_of(model, source) -> dict:
    """Every concrete field of ``source`` (an instance or a dict keyed by attname)."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return {f.attname: plain(f, get(f.attname)) for f in model._meta.concrete_fields}


@st.composite
def pages(draw):
    """A page's shape: its participants (with or without a grant, own open hours, chosen
    calendars), the page's own open hours, its questions and reminders."""
    people = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "grant": st.booleans(),
                    "zone": st.sampled_from(ZONES),
                    "organizer": st.booleans(),
                    "availability": st.booleans(),
                    "position": st.integers(0, 3),
                    "own_hours": st.integers(0, 2),
                    "chosen": st.integers(0, 2),
                    "name": words,
                }
            ),
            max_size=4,
        )
    )
    return {
        "people": people,
        "page_hours": draw(st.integers(0, 3)),
        "zone": draw(st.sampled_from(ZONES)),
        "questions": draw(
            st.lists(
                st.tuples(
                    st.sampled_from([t for t, _ in AdditionalField.Type.choices]),
                    st.booleans(),
                    st.integers(-2, 3),
                    st.lists(words, max_size=3),
                ),
                max_size=4,
            )
        ),
        "reminders": draw(st.lists(st.integers(5, 2880), max_size=3, unique=True)),
    }


def hours(draw_days, index: int) -> dict:
    return {
        "days": sorted(draw_days),
        "start_minute": 60 * (index + 8),
        "end_minute": 60 * (index + 12),
        "exdates": ["2026-12-24"] if index % 2 else [],
    }


def build(shape) -> Configuration:
    owner, _ = services.create_grant(email=f"owner-{uuid.uuid4().hex[:8]}@example.com")
    configuration = Configuration.objects.create(
        grant=owner, slug=f"p-{uuid.uuid4().hex[:10]}", timezone=shape["zone"], title="T"
    )
    for index in range(shape["page_hours"]):
        OpenHours.objects.create(
            configuration=configuration, timezone=shape["zone"], **hours([1, 2 + index], index)
        )
    for index, person in enumerate(shape["people"]):
        grant = None
        if person["grant"]:
            grant, _ = services.create_grant(
                email=f"host-{uuid.uuid4().hex[:8]}@example.com",
                name=person["name"],
                timezone=person["zone"] or "UTC",
            )
            for n in range(person["chosen"]):
                services.create_calendar(grant=grant, name=f"Extra {n}")
        participant = Participant.objects.create(
            configuration=configuration,
            grant=grant,
            email=grant.email if grant else f"guest-{index}@example.com",
            name=person["name"],
            is_organizer=person["organizer"],
            timezone=person["zone"],
            has_availability=person["availability"],
            booking_calendar=grant.calendars.filter(is_primary=True).first() if grant else None,
            position=person["position"],
        )
        if grant:
            extra = list(grant.calendars.filter(is_primary=False))
            participant.availability_calendars.set(extra)
        for n in range(person["own_hours"]):
            OpenHours.objects.create(
                configuration=configuration, participant=participant, **hours([n], n)
            )
    for index, (kind, required, order, options) in enumerate(shape["questions"]):
        AdditionalField.objects.create(
            configuration=configuration,
            key=f"q{index}",
            label=f"Question {index}?",
            type=kind,
            required=required,
            order=order,
            options=options,
        )
    for minutes in shape["reminders"]:
        Reminder.objects.create(configuration=configuration, minutes_before_event=minutes)
    return configuration


@PROPERTY
@given(shape=pages())
def test_the_configuration_read_matches_the_orm(db, shape):
    with transaction.atomic():
        configuration = build(shape)
        expected = Configuration.objects.get(pk=configuration.pk)
        for found in (configuration_by(pk=configuration.pk), configuration_by(slug=expected.slug)):
            assert row_of(Configuration, found) == row_of(Configuration, expected)
            assert found.grant.email == expected.grant.email
            assert [row_of(AdditionalField, f) for f in questions_of(found)] == [
                row_of(AdditionalField, f) for f in expected.additional_fields.all()
            ]
            assert [row_of(Reminder, r) for r in reminders_of(found)] == [
                row_of(Reminder, r) for r in expected.reminders.all()
            ]
        transaction.set_rollback(True)


@PROPERTY
@given(shape=pages())
def test_the_roster_read_matches_the_orm(db, shape):
    with transaction.atomic():
        configuration = build(shape)
        for found in (configuration_by(pk=configuration.pk), configuration):
            participants, open_hours = roster_source(found)
            expected = list(Participant.objects.filter(configuration=configuration))
            assert [row_of(Participant, p) for p in participants] == [
                row_of(Participant, p) for p in expected
            ]
            for read, person in zip(participants, expected, strict=True):
                assert set(read) == {f.attname for f in Participant._meta.concrete_fields} | set(
                    PARTICIPANT_EXTRAS
                )
                grant = person.grant
                assert (read["grant_email"], read["grant_name"], read["grant_timezone"]) == (
                    (grant.email, grant.name, grant.timezone) if grant else (None, None, None)
                )
                chosen = sorted(
                    str(plain(Calendar._meta.pk, c)) for c in from_json(read["chosen"]) or [] if c
                )
                assert chosen == sorted(str(c.pk) for c in person.availability_calendars.all())
                primary = grant.calendars.filter(is_primary=True).first() if grant else None
                assert plain(Calendar._meta.pk, read["primary_calendar"]) == (
                    primary.pk if primary else None
                )
                caldav = Calendar.objects.exclude(source="").exclude(
                    source__startswith=Calendar.FEED_PREFIX
                )
                assert bool(read["caldav_calendars"]) == (
                    grant is not None
                    and grant.grant_status == grant.Status.VALID
                    and caldav.filter(grant=grant).exists()
                )
                assert (
                    bool(read["booking_calendar_caldav"])
                    == caldav.filter(pk=person.booking_calendar_id, read_only=False).exists()
                )
            assert [row_of(OpenHours, o) for o in open_hours] == [
                row_of(OpenHours, o) for o in OpenHours.objects.filter(configuration=configuration)
            ]
        transaction.set_rollback(True)
