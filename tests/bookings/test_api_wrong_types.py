"""No 500 from a type: every writing route, given a valid body with one field (at any
depth) replaced by a value of the wrong JSON type, answers with a 4xx (or takes it) in
its dialect's envelope, never a 500.

Hypothesis picks the (field, wrong value) pairs from the full list of a route's valid
body, derandomized and bounded, so a run is the same every time and stays short. Set
SCHEDULER_WRONG_TYPES_EXHAUSTIVE=1 to try every pair instead (slow; for hunting)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from bookings.models import Session, WebhookEndpoint
from pages.models import Configuration, Event

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY_TEN = int(dt.datetime(2026, 12, 7, 10, tzinfo=KOLKATA).timestamp())
WRONG_VALUES = [[], ["x"], {}, {"x": 1}, 7, 1.5, True, None, "x" * 100_000]
EXHAUSTIVE = os.environ.get("SCHEDULER_WRONG_TYPES_EXHAUSTIVE") == "1"
EXAMPLES_PER_ROUTE = 25
FRESH = itertools.count()  # unique slugs and emails: a body taken once is taken again


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: Callable[[dict], str]
    body: Callable[[dict], dict]
    auth: str = "key"  # "key", "grant", "grant_token" of the page's host, or "none"


def configuration_body(world: dict) -> dict:
    return {
        "name": "Intro call",
        "slug": f"intro-{next(FRESH)}",
        "requires_session_auth": False,
        "locale": "de",
        "participants": [
            {
                "email": world["host_email"],
                "name": "Olive",
                "is_organizer": True,
                "timezone": "Asia/Kolkata",
                "availability": {
                    "calendar_ids": ["primary"],
                    "open_hours": [
                        {
                            "days": [1, 2, 3],
                            "start": "9:00",
                            "end": "12:30",
                            "timezone": "Asia/Kolkata",
                            "exdates": ["2026-12-24"],
                        }
                    ],
                },
                "booking": {"calendar_id": "primary"},
            }
        ],
        "availability": {
            "duration_minutes": 45,
            "interval_minutes": 15,
            "round_to": 30,
            "availability_rules": {
                "availability_method": "collective",
                "buffer": {"before": 10, "after": 15},
                "default_open_hours": [
                    {"days": [1, 2], "start": "8:00", "end": "18:00", "timezone": "UTC"}
                ],
                "round_robin_group_id": "team-a",
                "tentative_as_busy": False,
            },
        },
        "event_booking": {
            "title": "Intro",
            "description": "Let's talk",
            "location": "Video",
            "timezone": "Asia/Kolkata",
            "booking_type": "organizer-confirmation",
            "hide_participants": True,
            "disable_emails": True,
            "reminders": [
                {
                    "type": "email",
                    "minutes_before_event": 60,
                    "recipient": "guest",
                    "email_subject": "Soon",
                }
            ],
            "capacity": 3,
        },
        "scheduler": {
            "available_days_in_future": 14,
            "min_booking_notice": 120,
            "min_cancellation_notice": 30,
            "cancellation_policy": "A day ahead.",
            "confirmation_redirect_url": "https://example.com/thanks",
            "rescheduling_url": "https://example.com/reschedule/:booking_ref",
            "cancellation_url": "https://example.com/cancel/:booking_ref",
            "organizer_confirmation_url": "https://example.com/confirm/:booking_ref",
            "hide_rescheduling_options": True,
            "hide_cancellation_options": True,
            "hide_additional_guests": False,
            "additional_fields": {
                "company": {
                    "label": "Company",
                    "type": "text",
                    "required": True,
                    "default": "",
                    "pattern": "^[A-Z].*",
                    "order": 1,
                    "options": [],
                },
                "size": {
                    "label": "Team size",
                    "type": "dropdown",
                    "required": False,
                    "order": 2,
                    "options": ["1-10", "11-50"],
                },
            },
            "email_template": {
                "logo": "https://example.com/logo.png",
                "booking_confirmed": {"title": "See you", "body": "Thanks for booking."},
            },
        },
        "appearance": {"color": "#123456", "company_name": "Example", "submit_text": "Book"},
    }


def v2_page_body(world: dict) -> dict:
    return {
        "access_tokens": [world["host_token"]],
        "name": "Coffee",
        "slug": f"coffee-{next(FRESH)}",
        "config": {
            "appearance": {"color": "#82c0e7", "company_name": "Sample", "submit_text": "Go"},
            "booking": {
                "additional_fields": [
                    {
                        "dropdown_options": ["Monday", "Tuesday"],
                        "label": "Day",
                        "name": "day",
                        "order": 1,
                        "pattern": "",
                        "required": False,
                        "type": "dropdown",
                    }
                ],
                "available_days_in_future": 14,
                "confirmation_method": "automatic",
                "min_booking_notice": 0,
                "min_buffer": 0,
                "opening_hours": [
                    {
                        "account_id": world["host_id"],
                        "days": ["M", "T", "W"],
                        "end": "17:00",
                        "start": "09:00",
                    }
                ],
                "scheduling_method": "round-robin-maximize-fairness",
            },
            "calendar_ids": {
                world["host_id"]: {
                    "availability": [world["calendar_id"]],
                    "booking": world["calendar_id"],
                }
            },
            "event": {"capacity": 1, "duration": 30, "location": "Cafe", "title": "Coffee"},
            "locale": "en",
            "reminders": [
                {
                    "delivery_method": "email",
                    "delivery_recipient": "customer",
                    "email_subject": "Soon!",
                    "time_before_event": 30,
                }
            ],
            "timezone": "America/Los_Angeles",
        },
    }


def booking_body(world: dict) -> dict:
    return {
        "start_time": MONDAY_TEN,
        "end_time": MONDAY_TEN + 1800,
        "guest": {"name": "Grace", "email": "grace@example.com"},
        "participants": [{"email": world["host_email"]}],
        "timezone": "Asia/Kolkata",
        "email_language": "de",
        "additional_guests": [{"name": "Ada", "email": "ada@example.com"}],
        "additional_fields": {"company": "Acme"},
    }


def stateless_v3_body(world: dict) -> dict:
    return {
        "start_time": MONDAY_TEN,
        "end_time": MONDAY_TEN + 86400,
        "duration_minutes": 30,
        "interval_minutes": 15,
        "round_to": 15,
        "availability_rules": {
            "availability_method": "collective",
            "buffer": {"before": 5, "after": 10},
            "tentative_as_busy": True,
            "default_open_hours": [
                {"days": [1], "start": "9:00", "end": "17:00", "timezone": "Asia/Kolkata"}
            ],
        },
        "participants": [
            {
                "email": world["host_email"],
                "calendar_ids": ["primary"],
                "open_hours": [
                    {"days": [1], "start": "9:00", "end": "17:00", "exdates": ["2026-12-24"]}
                ],
            }
        ],
    }


def stateless_v2_body(world: dict) -> dict:
    return {
        "start_time": MONDAY_TEN,
        "end_time": MONDAY_TEN + 86400,
        "duration_minutes": 30,
        "interval_minutes": 10,
        "buffer": 5,
        "round_start": True,
        "tentative_busy": True,
        "round_robin": "max-fairness",
        "emails": [world["host_email"], "lamarr@example.com"],
        "free_busy": [
            {
                "email": "lamarr@example.com",
                "object": "free/busy",
                "time_slots": [
                    {
                        "start_time": MONDAY_TEN,
                        "end_time": MONDAY_TEN + 1800,
                        "object": "time_slot",
                        "status": "busy",
                    }
                ],
            }
        ],
        "open_hours": [
            {
                "emails": [world["host_email"]],
                "days": [0, 1, 2],
                "timezone": "Asia/Kolkata",
                "start": "10:00",
                "end": "14:00",
                "object_type": "open_hours",
            }
        ],
    }


def free_busy_body(world: dict) -> dict:
    return {
        "start_time": MONDAY_TEN,
        "end_time": MONDAY_TEN + 86400,
        "emails": [world["host_email"], "x@example.com"],
    }


def timeslots_body(world: dict) -> dict:
    return {
        "slot": {
            "start": MONDAY_TEN,
            "end": MONDAY_TEN + 1800,
            "account_id": world["host_id"],
            "calendar_id": world["calendar_id"],
        },
        "email": "grace@example.com",
        "name": "Grace",
        "timezone": "Asia/Kolkata",
        "additional_emails": ["ada@example.com"],
        "additional_values": {"company": "Acme"},
    }


def event_body(world: dict) -> dict:
    return {
        "title": "Standup",
        "description": "Daily",
        "location": "Room 1",
        "when": {"start_time": MONDAY_TEN, "end_time": MONDAY_TEN + 900},
        "busy": True,
        "participants": [{"email": "guest@example.com", "name": "Guest"}],
        "metadata": {"team": "a"},
    }


def webhook_body(world: dict) -> dict:
    return {
        "trigger_types": ["booking.created", "booking.cancelled"],
        "webhook_url": "https://hooks.example.com/in",
        "description": "CRM",
        "notification_email_addresses": ["ops@example.com"],
    }


ROUTES = [
    Route(
        "booking create",
        "post",
        lambda w: f"/v3/scheduling/bookings?configuration_id={w['configuration_id']}",
        booking_body,
    ),
    Route(
        "booking decide",
        "put",
        lambda w: f"/v3/scheduling/bookings/{w['booking_id']}",
        lambda w: {"status": "confirmed", "cancellation_reason": "x", "salt": "s"},
    ),
    Route(
        "booking reschedule",
        "patch",
        lambda w: f"/v3/scheduling/bookings/{w['booking_id']}",
        lambda w: {"start_time": MONDAY_TEN + 7200, "end_time": MONDAY_TEN + 9000},
    ),
    Route(
        "booking cancel",
        "delete",
        lambda w: f"/v3/scheduling/bookings/{w['booking_id']}",
        lambda w: {"cancellation_reason": "Plans changed"},
    ),
    Route(
        "session create",
        "post",
        lambda w: "/v3/scheduling/sessions",
        lambda w: {"configuration_id": w["configuration_id"], "time_to_live": 10, "slug": "page"},
    ),
    Route("webhook create", "post", lambda w: "/v3/webhooks", webhook_body),
    Route("webhook update", "put", lambda w: f"/v3/webhooks/{w['webhook_id']}", webhook_body),
    Route(
        "webhook mock payload",
        "post",
        lambda w: "/v3/webhooks/mock-payload",
        lambda w: {"trigger_type": "grant.created", "webhook_url": "https://hooks.example.com/in"},
    ),
    Route(
        "event create",
        "post",
        lambda w: f"/v3/grants/{w['host_id']}/events?calendar_id=primary",
        event_body,
    ),
    Route(
        "event update",
        "put",
        lambda w: f"/v3/grants/{w['host_id']}/events/{w['event_id']}?calendar_id=primary",
        event_body,
    ),
    Route(
        "grant create",
        "post",
        lambda w: "/v3/grants",
        lambda w: {
            "email": f"new{next(FRESH)}@example.com",
            "name": "N",
            "timezone": "Asia/Kolkata",
        },
    ),
    Route(
        "calendar create",
        "post",
        lambda w: f"/v3/grants/{w['host_id']}/calendars",
        lambda w: {"name": "Side", "description": "Evenings", "timezone": "Asia/Tokyo"},
    ),
    Route(
        "calendar update",
        "put",
        lambda w: f"/v3/grants/{w['host_id']}/calendars/{w['calendar_id']}",
        lambda w: {"name": "Main", "description": "Days", "timezone": "Asia/Tokyo"},
    ),
    Route(
        "configuration create",
        "post",
        lambda w: f"/v3/grants/{w['host_id']}/scheduling/configurations",
        configuration_body,
    ),
    Route(
        "configuration update",
        "put",
        lambda w: f"/v3/grants/{w['host_id']}/scheduling/configurations/{w['configuration_id']}",
        configuration_body,
    ),
    Route("v2 page create", "post", lambda w: "/manage/pages", v2_page_body, auth="grant"),
    Route(
        "v2 page update",
        "put",
        lambda w: f"/manage/pages/{w['configuration_id']}",
        v2_page_body,
        auth="grant",
    ),
    Route(
        "v2 timeslots",
        "post",
        lambda w: f"/schedule/{current_slug(w)}/timeslots",
        timeslots_body,
        "none",
    ),
    Route(
        "v3 stateless availability",
        "post",
        lambda w: "/v3/calendars/availability",
        stateless_v3_body,
    ),
    Route("v2 availability", "post", lambda w: "/calendars/availability", stateless_v2_body),
    Route(
        "v3 free-busy",
        "post",
        lambda w: f"/v3/grants/{w['host_id']}/calendars/free-busy",
        free_busy_body,
        auth="grant",
    ),
    Route("v2 free-busy", "post", lambda w: "/calendars/free-busy", free_busy_body),
]


@pytest.fixture
def world(db, api_key, make_configuration, booking_for, settings) -> dict:
    """Real objects for the routes to act on, and no rate limit in the way."""
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (100_000, 600), "email": (100_000, 3600)}
    configuration = make_configuration(zones=["Asia/Kolkata"], duration_minutes=30)
    configuration.additional_fields.create(key="company", label="Company")
    host = configuration.hosts[0]
    calendar = host.calendars.get(is_primary=True)
    start = dt.datetime(2026, 12, 8, 10, tzinfo=KOLKATA)
    booking = booking_for(configuration, [host], start, start + dt.timedelta(minutes=30))
    event = Event.objects.create(
        calendar=calendar,
        start=start + dt.timedelta(days=1),
        end=start + dt.timedelta(days=1, hours=1),
    )
    webhook = WebhookEndpoint.objects.create(
        trigger_types=["booking.created"], webhook_url="https://hooks.example.com/in", secret="s"
    )
    assert not Session.objects.exists()
    return {
        "key": api_key,
        "host_token": host.token,
        "host_email": host.email,
        "host_id": str(host.pk),
        "calendar_id": str(calendar.pk),
        "configuration_id": str(configuration.pk),
        "booking_id": str(booking.pk),
        "event_id": str(event.pk),
        "webhook_id": str(webhook.pk),
    }


def current_slug(world: dict) -> str:
    """The page's slug now (an update in the same test may have changed it)."""
    return Configuration.objects.get(pk=world["configuration_id"]).slug


def paths_of(value, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON value: the keys and indexes that lead to it."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, (*prefix, index))


def replaced(body, path: tuple, value):
    if not path:
        return copy.deepcopy(value)
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    return body


def send(route: Route, world: dict, body):
    client = APIClient()
    client.raise_request_exception = False  # a 500 is an answer to report, with its input
    secret = {"key": world["key"], "grant": world["host_token"], "none": None}[route.auth]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    call = getattr(client, route.method)
    return call(route.url(world), body, format="json", **headers)


def check(route: Route, world: dict, path: tuple, value) -> None:
    body = replaced(route.body(world), path, value)
    response = send(route, world, body)
    where = ".".join(str(k) for k in path) or "(the body)"
    assert response.status_code < 500, (
        f"{route.name}: {where} = {str(value)[:40]!r} → {response.status_code} "
        f"{response.content[:300]!r}"
    )
    if response.status_code >= 400:
        answer = response.json()
        envelope = {"type", "message"} if set(answer) == {"type", "message"} else set(answer)
        assert envelope in ({"type", "message"}, {"request_id", "error"}), answer


def mutations(route: Route, world: dict) -> list[tuple[tuple, int]]:
    """Every (path in the route's valid body, index of a wrong value) pair."""
    return [
        (path, index) for path in paths_of(route.body(world)) for index in range(len(WRONG_VALUES))
    ]


def test_a_valid_body_of_each_route_is_taken(world):
    """The baseline: the mutations start from bodies the routes take (a 409 is the state
    of the world, not the body: an earlier route may have booked the slot)."""
    for route in ROUTES:
        response = send(route, world, route.body(world))
        assert response.status_code in (200, 409), (route.name, response.content[:300])


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name.replace(" ", "_"))
def test_no_wrong_type_anywhere_in_a_body_is_a_500(route, world):
    choices = mutations(route, world)
    if EXHAUSTIVE:
        problems = []
        for path, index in choices:
            try:
                check(route, world, path, WRONG_VALUES[index])
            except AssertionError as problem:
                problems.append(str(problem).splitlines()[0])
        assert not problems, "\n".join(problems)
        return

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(choices))
    def one(choice):
        path, index = choice
        check(route, world, path, WRONG_VALUES[index])

    one()


NAMED_IN_THE_AUDIT = [
    ("booking create", ("timezone",), ["x"], "timezone"),
    ("booking create", ("timezone",), {}, "timezone"),
    ("booking create", ("email_language",), ["de"], "email_language"),
    ("v2 timeslots", ("timezone",), ["x"], "timezone"),
    ("v2 timeslots", ("timezone",), {"x": 1}, "timezone"),
    (
        "v2 page create",
        ("config", "booking", "additional_fields", 0, "type"),
        ["text"],
        "config.booking.additional_fields[0].type",
    ),
    (
        "v2 page create",
        ("config", "booking", "scheduling_method"),
        {"x": 1},
        "config.booking.scheduling_method",
    ),
    (
        "v2 page update",
        ("config", "reminders", 0, "delivery_recipient"),
        ["customer"],
        "config.reminders[0].delivery_recipient",
    ),
]


@pytest.mark.parametrize(("name", "path", "value", "field"), NAMED_IN_THE_AUDIT)
def test_the_audits_wrong_types_are_400s_naming_the_field(world, name, path, value, field):
    route = next(r for r in ROUTES if r.name == name)
    response = send(route, world, replaced(route.body(world), path, value))
    assert response.status_code == 400, response.content[:300]
    answer = response.json()
    message = answer["message"] if "message" in answer else answer["error"]["message"]
    assert message.startswith(f"{field}: "), message
