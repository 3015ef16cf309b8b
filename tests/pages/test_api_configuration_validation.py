"""Every refusal of a configuration is a 400 invalid_request_error whose message starts
with the field's path, and nothing is written."""

from __future__ import annotations

import copy

import pytest

from pages.models import Configuration

NOT_A_UUID_OR_PRIMARY = "not-a-calendar"


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/scheduling/configurations"


def valid(owner) -> dict:
    return {
        "participants": [
            {
                "email": owner.email,
                "is_organizer": True,
                "availability": {
                    "calendar_ids": ["primary"],
                    "open_hours": [
                        {"days": [1], "start": "9:00", "end": "12:00"},
                        {"days": [2], "start": "13:00", "end": "17:00"},
                    ],
                },
                "booking": {"calendar_id": "primary"},
            }
        ]
    }


def changed(body: dict, path: str, value) -> dict:
    """``body`` with the value at ``path`` (dots and [i]) replaced; None deletes it."""
    body = copy.deepcopy(body)
    keys = [
        int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")
    ]
    target = body
    for key in keys[:-1]:
        if isinstance(target, dict) and key not in target:
            target[key] = {}
        target = target[key]
    if value is None:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return body


def refuses(client, base, body, field, refused) -> str:
    message = refused(client.post(base, body, format="json"), 400, "invalid_request_error")
    assert message.startswith(f"{field}: "), message
    assert not Configuration.objects.exists()
    return message


CASES = [
    # (path to change, new value (None deletes), the field the message names)
    ("participants", None, "participants"),
    ("participants", [], "participants"),
    ("participants", {}, "participants"),
    ("participants[0]", "owner", "participants[0]"),
    ("participants[0].email", None, "participants[0].email"),
    ("participants[0].email", "not-an-email", "participants[0].email"),
    ("participants[0].email", "stranger@example.com", "participants[0].email"),
    ("participants[0].name", 5, "participants[0].name"),
    ("participants[0].is_organizer", "yes", "participants[0].is_organizer"),
    ("participants[0].timezone", "Moon/Base", "participants[0].timezone"),
    ("participants[0].availability", [], "participants[0].availability"),
    (
        "participants[0].availability.calendar_ids",
        "primary",
        "participants[0].availability.calendar_ids",
    ),
    (
        "participants[0].availability.calendar_ids",
        ["primary", NOT_A_UUID_OR_PRIMARY],
        "participants[0].availability.calendar_ids[1]",
    ),
    (
        "participants[0].availability.calendar_ids",
        ["00000000-0000-0000-0000-000000000000"],
        "participants[0].availability.calendar_ids[0]",
    ),
    (
        "participants[0].booking.calendar_id",
        NOT_A_UUID_OR_PRIMARY,
        "participants[0].booking.calendar_id",
    ),
    ("participants[0].booking", "primary", "participants[0].booking"),
    ("participants[0].is_organizer", False, "participants"),
    (
        "participants[0].availability.open_hours[1].end",
        "12:00",
        "participants[0].availability.open_hours[1].end",
    ),
    (
        "participants[0].availability.open_hours[1].end",
        "24:01",
        "participants[0].availability.open_hours[1].end",
    ),
    (
        "participants[0].availability.open_hours[1].start",
        "24:00",
        "participants[0].availability.open_hours[1].start",
    ),
    (
        "participants[0].availability.open_hours[1].start",
        "9",
        "participants[0].availability.open_hours[1].start",
    ),
    (
        "participants[0].availability.open_hours[1].start",
        None,
        "participants[0].availability.open_hours[1].start",
    ),
    (
        "participants[0].availability.open_hours[1].days",
        None,
        "participants[0].availability.open_hours[1].days",
    ),
    (
        "participants[0].availability.open_hours[1].days",
        [],
        "participants[0].availability.open_hours[1].days",
    ),
    (
        "participants[0].availability.open_hours[1].days",
        [7],
        "participants[0].availability.open_hours[1].days[0]",
    ),
    (
        "participants[0].availability.open_hours[1].timezone",
        "Atlantis",
        "participants[0].availability.open_hours[1].timezone",
    ),
    (
        "participants[0].availability.open_hours[1].exdates",
        ["2026-02-30"],
        "participants[0].availability.open_hours[1].exdates[0]",
    ),
    (
        "participants[0].availability.open_hours[1].exdates",
        "2026-12-24",
        "participants[0].availability.open_hours[1].exdates",
    ),
    ("name", "n" * 201, "name"),
    ("slug", "Not A Slug", "slug"),
    ("slug", "-leading", "slug"),
    ("requires_session_auth", "sometimes", "requires_session_auth"),
    ("locale", "english please", "locale"),
    ("availability", [], "availability"),
    ("availability.duration_minutes", 0, "availability.duration_minutes"),
    ("availability.duration_minutes", 1441, "availability.duration_minutes"),
    ("availability.duration_minutes", "long", "availability.duration_minutes"),
    ("availability.interval_minutes", 4, "availability.interval_minutes"),
    ("availability.round_to", 7, "availability.round_to"),
    ("availability.round_to", 65, "availability.round_to"),
    ("availability.availability_rules", 3, "availability.availability_rules"),
    (
        "availability.availability_rules.availability_method",
        "random",
        "availability.availability_rules.availability_method",
    ),
    (
        "availability.availability_rules.buffer.before",
        7,
        "availability.availability_rules.buffer.before",
    ),
    (
        "availability.availability_rules.buffer.after",
        125,
        "availability.availability_rules.buffer.after",
    ),
    (
        "availability.availability_rules.tentative_as_busy",
        "no",
        "availability.availability_rules.tentative_as_busy",
    ),
    (
        "availability.availability_rules.round_robin_group_id",
        12,
        "availability.availability_rules.round_robin_group_id",
    ),
    (
        "availability.availability_rules.default_open_hours",
        [{"days": [1], "start": "17:00", "end": "9:00"}],
        "availability.availability_rules.default_open_hours[0].end",
    ),
    ("event_booking", "meeting", "event_booking"),
    ("event_booking.title", "", "event_booking.title"),
    ("event_booking.title", "t" * 501, "event_booking.title"),
    ("event_booking.timezone", "Gondor/Minas_Tirith", "event_booking.timezone"),
    ("event_booking.booking_type", "instant", "event_booking.booking_type"),
    ("event_booking.hide_participants", 2, "event_booking.hide_participants"),
    ("event_booking.capacity", 0, "event_booking.capacity"),
    ("event_booking.reminders", [{}], "event_booking.reminders[0].minutes_before_event"),
    (
        "event_booking.reminders",
        [{"minutes_before_event": 0}],
        "event_booking.reminders[0].minutes_before_event",
    ),
    (
        "event_booking.reminders",
        [{"minutes_before_event": 5, "type": "sms"}],
        "event_booking.reminders[0].type",
    ),
    (
        "event_booking.reminders",
        [{"minutes_before_event": 5, "recipient": "boss"}],
        "event_booking.reminders[0].recipient",
    ),
    ("event_booking.reminders", [{"minutes_before_event": 5}] * 21, "event_booking.reminders"),
    ("scheduler", [], "scheduler"),
    ("scheduler.available_days_in_future", 0, "scheduler.available_days_in_future"),
    ("scheduler.min_booking_notice", -1, "scheduler.min_booking_notice"),
    ("scheduler.min_cancellation_notice", "soon", "scheduler.min_cancellation_notice"),
    (
        "scheduler.confirmation_redirect_url",
        "ftp://example.com",
        "scheduler.confirmation_redirect_url",
    ),
    ("scheduler.confirmation_redirect_url", "not a url", "scheduler.confirmation_redirect_url"),
    ("scheduler.cancellation_url", 5, "scheduler.cancellation_url"),
    ("scheduler.hide_additional_guests", "x", "scheduler.hide_additional_guests"),
    ("scheduler.additional_fields", [], "scheduler.additional_fields"),
    ("scheduler.additional_fields", {"a b": {"label": "A"}}, "scheduler.additional_fields.a b"),
    ("scheduler.additional_fields", {"q": {}}, "scheduler.additional_fields.q.label"),
    (
        "scheduler.additional_fields",
        {"q": {"label": "Q", "type": "color"}},
        "scheduler.additional_fields.q.type",
    ),
    (
        "scheduler.additional_fields",
        {"q": {"label": "Q", "type": "dropdown"}},
        "scheduler.additional_fields.q.options",
    ),
    (
        "scheduler.additional_fields",
        {"q": {"label": "Q", "options": [1]}},
        "scheduler.additional_fields.q.options[0]",
    ),
    (
        "scheduler.additional_fields",
        {"q": {"label": "Q", "pattern": "("}},
        "scheduler.additional_fields.q.pattern",
    ),
    (
        "scheduler.additional_fields",
        {"q": {"label": "Q", "required": "y"}},
        "scheduler.additional_fields.q.required",
    ),
    ("scheduler.email_template", "logo", "scheduler.email_template"),
    ("scheduler.email_template", {"logo": 5}, "scheduler.email_template.logo"),
    (
        "scheduler.email_template",
        {"booking_confirmed": {"title": 1}},
        "scheduler.email_template.booking_confirmed.title",
    ),
    ("appearance", "blue", "appearance"),
    ("appearance", {"color": 5}, "appearance.color"),
]


@pytest.mark.parametrize(
    ("path", "value", "field"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES]
)
def test_a_bad_value_is_a_400_naming_its_path(as_app, owner, base, refused, path, value, field):
    refuses(as_app, base, changed(valid(owner), path, value), field, refused)


def test_the_message_says_what_is_wrong_after_the_path(as_app, owner, base, refused):
    body = changed(valid(owner), "participants[0].availability.open_hours[1].end", "12:00")
    message = refuses(as_app, base, body, "participants[0].availability.open_hours[1].end", refused)
    assert message == "participants[0].availability.open_hours[1].end: must be after start"


def test_a_body_that_is_not_an_object_is_a_400(as_app, base, refused):
    refuses(as_app, base, [1, 2], "body", refused)


def test_at_most_50_participants(as_app, owner, base, refused):
    people = [{"email": f"p{i}@example.com"} for i in range(50)]
    body = {"participants": [{"email": owner.email, "is_organizer": True}, *people]}
    refuses(as_app, base, body, "participants", refused)


def test_a_participant_listed_twice_whatever_the_case(as_app, owner, base, refused):
    body = {
        "participants": [
            {"email": owner.email, "is_organizer": True},
            {"email": owner.email.upper()},
        ]
    }
    refuses(as_app, base, body, "participants[1].email", refused)


def test_a_participant_with_only_booking_must_be_a_grant(as_app, owner, base, refused):
    body = valid(owner)
    body["participants"].append({"email": "stranger@example.com", "booking": {}})
    refuses(as_app, base, body, "participants[1].email", refused)


def test_a_participant_without_availability_or_booking_may_be_anyone(as_app, owner, base, ok):
    body = valid(owner)
    body["participants"].append({"email": "stranger@example.com"})
    ok(as_app.post(base, body, format="json"))


def test_calendar_ids_resolve_within_the_participants_own_grant(
    as_app, owner, teammate, base, refused
):
    body = changed(
        valid(owner),
        "participants[0].availability.calendar_ids",
        [str(teammate.calendars.get(is_primary=True).pk)],
    )
    refuses(as_app, base, body, "participants[0].availability.calendar_ids[0]", refused)


def test_a_read_only_booking_calendar_is_refused(as_app, owner, base, refused):
    owner.calendars.filter(is_primary=True).update(read_only=True)
    refuses(as_app, base, valid(owner), "participants[0].booking.calendar_id", refused)


def test_two_organizers_are_refused_unless_round_robin(as_app, owner, teammate, base, ok, refused):
    body = valid(owner)
    body["participants"].append({"email": teammate.email, "is_organizer": True, "availability": {}})
    refuses(as_app, base, body, "participants", refused)
    for method in ("max-fairness", "max-availability"):
        round_robin = changed(body, "availability.availability_rules.availability_method", method)
        ok(as_app.post(base, round_robin, format="json"))


def test_round_robin_needs_no_organizer(as_app, owner, base, ok):
    body = changed(valid(owner), "participants[0].is_organizer", False)
    body = changed(body, "availability.availability_rules.availability_method", "max-fairness")
    ok(as_app.post(base, body, format="json"))


def test_leaving_round_robin_without_one_organizer_is_refused(as_app, owner, base, ok, refused):
    body = changed(valid(owner), "participants[0].is_organizer", False)
    body = changed(body, "availability.availability_rules.availability_method", "max-fairness")
    created = ok(as_app.post(base, body, format="json"))
    response = as_app.put(f"{base}/{created['id']}", {"availability": {}}, format="json")
    assert refused(response, 400).startswith("participants: ")
    stored = Configuration.objects.get(pk=created["id"])
    assert stored.availability_method == "max-fairness", "nothing was written"


def test_a_taken_slug_is_a_400_naming_slug(as_app, owner, base, ok, refused):
    ok(as_app.post(base, {**valid(owner), "slug": "intro"}, format="json"))
    response = as_app.post(base, {**valid(owner), "slug": "intro"}, format="json")
    assert refused(response, 400, "invalid_request_error").startswith("slug: ")
    assert Configuration.objects.count() == 1


def test_a_slug_taken_by_another_grants_configuration_is_taken_too(
    as_app, owner, teammate, ok, refused
):
    Configuration.objects.create(grant=teammate, slug="intro")
    response = as_app.post(
        f"/v3/grants/{owner.pk}/scheduling/configurations",
        {**valid(owner), "slug": "intro"},
        format="json",
    )
    assert refused(response, 400).startswith("slug: ")


def test_a_grant_token_cannot_make_another_grant_a_host(as_owner, owner, teammate, base, refused):
    body = valid(owner)
    body["participants"].append({"email": teammate.email, "availability": {}})
    refuses(as_owner, base, body, "participants[1].email", refused)


def test_the_api_key_can_make_any_grant_a_host(as_app, owner, teammate, base, ok):
    body = valid(owner)
    body["participants"].append({"email": teammate.email, "availability": {}})
    ok(as_app.post(base, body, format="json"))


def test_a_bad_put_changes_nothing(as_app, owner, base, ok, refused):
    created = ok(as_app.post(base, {**valid(owner), "name": "Kept"}, format="json"))
    body = {"name": "Changed", "availability": {"duration_minutes": 0}}
    response = as_app.put(f"{base}/{created['id']}", body, format="json")
    assert refused(response, 400).startswith("availability.duration_minutes: ")
    assert ok(as_app.get(f"{base}/{created['id']}")) == created
