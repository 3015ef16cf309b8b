"""GET /v3/scheduling/availability: by configuration, with the database's busy time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking, Session
from pages.models import Configuration, Event

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC
# Monday 2026-12-07, 09:00 Chicago = 15:00 UTC.
MONDAY = dt.datetime(2026, 12, 7, tzinfo=CHICAGO)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def ts(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def local(hour: int, minute: int = 0, day: dt.datetime = MONDAY) -> dt.datetime:
    return day.replace(hour=hour, minute=minute)


def get_slots(api, params, **headers):
    response = api.get("/v3/scheduling/availability", params, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"request_id", "data"}
    return body["data"]


def starts(data, zone=CHICAGO) -> list[str]:
    return [
        dt.datetime.fromtimestamp(s["start_time"], zone).strftime("%a %H:%M")
        for s in data["time_slots"]
    ]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def monday_params(configuration, **extra):
    return {
        "configuration_id": str(configuration.pk),
        "start_time": ts(local(0)),
        "end_time": ts(local(0) + dt.timedelta(days=1)),
        **extra,
    }


def test_a_public_configuration_offers_its_open_hours_without_a_header(api, make_configuration):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    data = get_slots(api, monday_params(configuration))
    assert starts(data) == [f"Mon {h:02d}:00" for h in range(9, 17)]
    assert data["time_slots"][0]["emails"] == ["host@example.com"]
    assert data["order"] == []


def test_the_slug_works_as_well_as_the_id(api, make_configuration):
    configuration = make_configuration(slug="intro", duration_minutes=60, interval_minutes=60)
    params = monday_params(configuration)
    del params["configuration_id"]
    assert len(get_slots(api, {**params, "slug": "intro"})["time_slots"]) == 8


def test_busy_events_block_and_free_or_cancelled_ones_do_not(api, make_configuration, busy_event):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    host = configuration.hosts[0]
    busy_event(host, local(10), local(11))
    busy_event(host, local(12), local(13), busy=False)
    busy_event(host, local(14), local(15), status=Event.Status.CANCELLED)
    assert "Mon 10:00" not in starts(get_slots(api, monday_params(configuration)))
    assert {"Mon 12:00", "Mon 14:00"} <= set(starts(get_slots(api, monday_params(configuration))))


def test_tentative_events_block_unless_the_configuration_says_otherwise(
    api, make_configuration, busy_event
):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    busy_event(configuration.hosts[0], local(10), local(11), status=Event.Status.TENTATIVE)
    assert "Mon 10:00" not in starts(get_slots(api, monday_params(configuration)))
    Configuration.objects.filter(pk=configuration.pk).update(tentative_as_busy=False)
    assert "Mon 10:00" in starts(get_slots(api, monday_params(configuration)))


def test_pending_bookings_block_and_cancelled_ones_free_the_time(
    api, make_configuration, booking_for
):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    host = configuration.hosts[0]
    booking_for(configuration, [host], local(10), local(11), status="pending")
    booking_for(configuration, [host], local(13), local(14), status="cancelled")
    offered = starts(get_slots(api, monday_params(configuration)))
    assert "Mon 10:00" not in offered
    assert "Mon 13:00" in offered


def test_a_booking_of_another_configuration_blocks_the_same_host(
    api, make_configuration, booking_for
):
    first = make_configuration(duration_minutes=30, slug="short")
    host = first.hosts[0]
    second = Configuration.objects.create(grant=host, slug="long", duration_minutes=60)
    second.participants.create(grant=host, email=host.email, is_organizer=True)
    booking_for(first, [host], local(10), local(10, 30))
    offered = starts(get_slots(api, monday_params(second)))
    assert "Mon 09:30" not in offered and "Mon 10:00" not in offered


def test_buffers_keep_distance_from_busy_time(api, make_configuration, busy_event):
    configuration = make_configuration(
        duration_minutes=30, interval_minutes=30, buffer_before=15, buffer_after=15
    )
    busy_event(configuration.hosts[0], local(12), local(13))
    offered = starts(get_slots(api, monday_params(configuration)))
    assert "Mon 11:00" in offered
    assert "Mon 11:30" not in offered  # ends 12:00, its after-buffer reaches into 12:00-13:00
    assert "Mon 13:00" not in offered  # its before-buffer reaches back into the event
    assert "Mon 13:30" in offered


def test_booking_id_excludes_that_bookings_own_time(api, make_configuration, booking_for):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    booking = booking_for(configuration, configuration.hosts, local(10), local(11))
    assert "Mon 10:00" not in starts(get_slots(api, monday_params(configuration)))
    with_own = get_slots(api, monday_params(configuration, booking_id=str(booking.pk)))
    assert "Mon 10:00" in starts(with_own)


def test_min_booking_notice_and_days_in_future_bound_the_offer(api, make_configuration):
    configuration = make_configuration(
        duration_minutes=60,
        interval_minutes=60,
        min_booking_notice=120,
        available_days_in_future=7,
    )
    now = local(9, 30)
    with time_machine.travel(now, tick=False):
        offered = starts(get_slots(api, monday_params(configuration)))
    assert offered[0] == "Mon 12:00"  # 09:30 + 2 h notice, on the hour grid
    too_far = monday_params(configuration)
    with time_machine.travel(now - dt.timedelta(days=8), tick=False):
        assert get_slots(api, too_far)["time_slots"] == []


def test_collective_needs_every_host(api, make_configuration, busy_event):
    configuration = make_configuration(
        ("a@example.com", "b@example.com"), duration_minutes=60, interval_minutes=60
    )
    busy_event(configuration.hosts[1], local(10), local(11))
    data = get_slots(api, monday_params(configuration))
    assert "Mon 10:00" not in starts(data)
    assert data["time_slots"][0]["emails"] == ["a@example.com", "b@example.com"]


def test_round_robin_offers_whoever_is_free_and_gives_the_queue(
    api, make_configuration, busy_event, booking_for
):
    configuration = make_configuration(
        ("a@example.com", "b@example.com"),
        duration_minutes=60,
        interval_minutes=60,
        availability_method="max-availability",
    )
    a, b = configuration.hosts
    busy_event(a, local(10), local(11))
    # a was booked (long ago, on another day): b is next in the queue.
    booking_for(
        configuration, [a], local(9) - dt.timedelta(days=3), local(10) - dt.timedelta(days=3)
    )
    data = get_slots(api, monday_params(configuration))
    by_start = {s: slot["emails"] for s, slot in zip(starts(data), data["time_slots"], strict=True)}
    assert by_start["Mon 10:00"] == ["b@example.com"]
    assert by_start["Mon 09:00"] == ["b@example.com", "a@example.com"]
    assert data["order"] == ["b@example.com", "a@example.com"]


def test_max_fairness_offers_only_the_next_host(api, make_configuration, busy_event, booking_for):
    configuration = make_configuration(
        ("a@example.com", "b@example.com"),
        duration_minutes=60,
        interval_minutes=60,
        availability_method="max-fairness",
    )
    a, b = configuration.hosts
    booking_for(
        configuration, [a], local(9) - dt.timedelta(days=3), local(10) - dt.timedelta(days=3)
    )
    busy_event(b, local(10), local(11))
    data = get_slots(api, monday_params(configuration))
    assert "Mon 10:00" not in starts(data)  # a is free but it is b's turn
    assert all(slot["emails"] == ["b@example.com"] for slot in data["time_slots"])


def test_round_robin_history_is_shared_by_a_round_robin_group(api, make_configuration, booking_for):
    """Bookings of every configuration in the group count as history; those of a
    configuration outside it, and cancelled ones, do not."""
    hosts = ("a@example.com", "b@example.com")
    rules = {"availability_method": "max-availability", "duration_minutes": 60}
    sales = make_configuration(hosts, slug="sales", round_robin_group_id="team", **rules)
    support = make_configuration(hosts, slug="support", round_robin_group_id="team", **rules)
    solo = make_configuration(hosts, slug="solo", **rules)
    a, b = sales.hosts
    earlier = local(9) - dt.timedelta(days=3)
    first = booking_for(sales, [a], earlier, earlier + dt.timedelta(hours=1))
    Booking.objects.filter(pk=first.pk).update(created_at=NOW - dt.timedelta(days=2))
    for configuration in (sales, support):
        order = get_slots(api, monday_params(configuration))["order"]
        assert order == ["b@example.com", "a@example.com"], configuration.slug
    assert get_slots(api, monday_params(solo))["order"] == ["a@example.com", "b@example.com"]

    # b's later booking in the group puts a first again; once cancelled, it is forgotten.
    later = booking_for(
        support, [b], earlier + dt.timedelta(days=1), earlier + dt.timedelta(days=1, hours=1)
    )
    Booking.objects.filter(pk=later.pk).update(created_at=NOW - dt.timedelta(days=1))
    assert get_slots(api, monday_params(sales))["order"] == ["a@example.com", "b@example.com"]
    later.status = "cancelled"
    later.save(update_fields=["status"])
    assert get_slots(api, monday_params(sales))["order"] == ["b@example.com", "a@example.com"]


def test_a_group_event_stays_offered_until_full(api, make_configuration, booking_for):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60, capacity=3)
    host = configuration.hosts[0]
    for _ in range(2):
        booking_for(configuration, [host], local(10), local(11))
    data = get_slots(api, monday_params(configuration))
    remaining = {
        s: slot["capacity_remaining"]
        for s, slot in zip(starts(data), data["time_slots"], strict=True)
    }
    assert remaining["Mon 10:00"] == 1
    assert remaining["Mon 09:00"] == 3
    booking_for(configuration, [host], local(10), local(11))
    assert "Mon 10:00" not in starts(get_slots(api, monday_params(configuration)))


def test_open_hours_follow_local_time_across_the_dst_change(api, make_configuration):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    # Chicago leaves DST on Sunday 2026-11-01: Friday before is CDT, Monday after is CST.
    start = dt.datetime(2026, 10, 30, tzinfo=CHICAGO)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        data = get_slots(
            api,
            {
                "configuration_id": str(configuration.pk),
                "start_time": ts(start),
                "end_time": ts(start + dt.timedelta(days=4)),
            },
        )
    utc_hours = [
        dt.datetime.fromtimestamp(s["start_time"], UTC).strftime("%a %H:%M")
        for s in data["time_slots"]
    ]
    assert utc_hours[0] == "Fri 14:00" and "Fri 21:00" in utc_hours  # CDT, UTC-5
    assert "Mon 15:00" in utc_hours and "Mon 22:00" in utc_hours  # CST, UTC-6
    assert "Mon 14:00" not in utc_hours
    assert starts(data)[0] == "Fri 09:00" and starts(data)[-1] == "Mon 16:00"


# Access


def test_a_private_configuration_needs_a_session(api, make_configuration):
    configuration = make_configuration(requires_session_auth=True)
    response = api.get("/v3/scheduling/availability", monday_params(configuration))
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "unauthorized"


def test_a_session_reaches_its_configuration_without_naming_it(api, make_configuration):
    configuration = make_configuration(requires_session_auth=True)
    session = Session(
        configuration=configuration, expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    secret = session.set_new_token()
    session.save()
    params = monday_params(configuration)
    del params["configuration_id"]
    data = get_slots(api, params, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert len(data["time_slots"]) > 0


def test_an_expired_session_gets_401(api, make_configuration):
    configuration = make_configuration(requires_session_auth=True)
    session = Session(
        configuration=configuration, expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    secret = session.set_new_token()
    session.save()
    response = api.get(
        "/v3/scheduling/availability",
        monday_params(configuration),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 401


def test_the_api_key_reaches_private_configurations(api, api_key, make_configuration):
    configuration = make_configuration(requires_session_auth=True)
    data = get_slots(api, monday_params(configuration), HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert data["time_slots"]


def test_another_grants_token_does_not_reach_a_private_configuration(
    api, make_configuration, make_host
):
    configuration = make_configuration(requires_session_auth=True)
    stranger = make_host("stranger@example.com")
    response = api.get(
        "/v3/scheduling/availability",
        monday_params(configuration),
        HTTP_AUTHORIZATION=f"Bearer {stranger.token}",
    )
    assert response.status_code == 404


def test_an_unknown_bearer_token_is_refused(api, make_configuration):
    configuration = make_configuration()
    response = api.get(
        "/v3/scheduling/availability",
        monday_params(configuration),
        HTTP_AUTHORIZATION="Bearer sk_nothing",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"configuration_id": None}, "configuration_id"),
        ({"configuration_id": "not-a-uuid"}, "configuration_id"),
        ({"start_time": "soon"}, "start_time"),
        ({"end_time": None}, "end_time"),
        ({"end_time": 0}, "end_time"),
        ({"end_time": "+63d"}, "end_time"),
        ({"booking_id": "x"}, "booking_id"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_field(api, make_configuration, change, field):
    configuration = make_configuration()
    params = monday_params(configuration)
    for key, value in change.items():
        if value is None:
            params.pop(key)
        elif value == "+63d":
            params[key] = params["start_time"] + 63 * 86400
        else:
            params[key] = value
    response = api.get("/v3/scheduling/availability", params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(field)


def test_an_unknown_configuration_is_404(api, db):
    response = api.get(
        "/v3/scheduling/availability",
        {
            "configuration_id": "7f8e2f9c-3c7e-4a7e-9a55-1f0f2a6c9d10",
            "start_time": 1,
            "end_time": 2,
        },
    )
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


# Cost


def count_queries(api, configuration) -> int:
    with CaptureQueriesContext(connection) as queries:
        get_slots(api, monday_params(configuration))
    return len(queries)


FIFTY = [f"p{i:02d}@example.com" for i in range(50)]
QUERY_COUNT_KINDS = {
    "collective": {},
    "round-robin": {"availability_method": "max-fairness"},
    "group-event": {"capacity": 3},
}


def minute_events(grants, count: int) -> None:
    """``count`` one-minute busy events on Monday, dealt round the grants' calendars."""
    calendars = [grant.calendars.get(is_primary=True) for grant in grants]
    Event.objects.bulk_create(
        Event(
            calendar=calendars[i % len(calendars)],
            start=local(0) + dt.timedelta(seconds=8 * i),
            end=local(0) + dt.timedelta(seconds=8 * i + 60),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("kind", QUERY_COUNT_KINDS)
def test_the_query_count_does_not_grow_with_participants_or_events(
    api, make_configuration, booking_for, kind
):
    rules = {"duration_minutes": 30, **QUERY_COUNT_KINDS[kind]}
    one = make_configuration(FIFTY[:1], slug="one", **rules)
    fifty = make_configuration(FIFTY, slug="fifty", **rules)
    # Bookings give round-robin its history and a group event its seats (and block hosts;
    # p00 is on both pages, so at different times).
    booking_for(one, one.hosts, local(16), local(16, 30))
    booking_for(fifty, fifty.hosts, local(15), local(15, 30))
    minute_events(one.hosts, 10)
    counts = {"1 participant, 10 events": count_queries(api, one)}
    counts["50 participants, 10 events"] = count_queries(api, fifty)
    minute_events(fifty.hosts, 10_000 - 10)
    counts["1 participant, 10,000 events"] = count_queries(api, one)
    counts["50 participants, 10,000 events"] = count_queries(api, fifty)
    assert counts == dict.fromkeys(counts, counts["1 participant, 10 events"])


def count_post_queries(api, path: str, body: dict, key: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.post(path, body, format="json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return len(queries)


def v2_body(emails: list[str]) -> dict:
    return {
        "duration_minutes": 30,
        "start_time": ts(local(0)),
        "end_time": ts(local(0) + dt.timedelta(days=1)),
        "emails": emails,
        "open_hours": [
            {
                "emails": emails,
                "days": [1],
                "timezone": "America/Chicago",
                "start": "9:00",
                "end": "17:00",
            }
        ],
        "free_busy": [
            {
                "email": emails[0],
                "time_slots": [
                    {"start_time": ts(local(12)), "end_time": ts(local(13)), "status": "busy"}
                ],
            }
        ],
    }


def v3_body(emails: list[str]) -> dict:
    hours = [{"days": [1], "start": "9:00", "end": "17:00", "timezone": "America/Chicago"}]
    return {
        "start_time": ts(local(0)),
        "end_time": ts(local(0) + dt.timedelta(days=1)),
        "duration_minutes": 30,
        "participants": [
            {"email": email, "calendar_ids": ["primary"], "open_hours": hours} for email in emails
        ],
        "availability_rules": {"buffer": {"before": 5, "after": 5}},
    }


@pytest.mark.parametrize(
    ("path", "body_for"),
    [("/calendars/availability", v2_body), ("/v3/calendars/availability", v3_body)],
    ids=["v2", "v3-stateless"],
)
def test_the_stateless_query_count_does_not_grow_with_participants(
    api, api_key, make_host, busy_event, booking_for, make_configuration, path, body_for
):
    """Every email is a grant's, with busy events and a hosted booking to load."""
    hosts = [make_host(email) for email in FIFTY]
    for host in hosts:
        busy_event(host, local(10), local(10, 30))
    configuration = make_configuration(FIFTY, slug="hosted")
    booking_for(configuration, hosts, local(15), local(15, 30))
    # The key's first use records last_used_at (an UPDATE, throttled): not counted here.
    count_post_queries(api, path, body_for(FIFTY[:1]), api_key)
    one = count_post_queries(api, path, body_for(FIFTY[:1]), api_key)
    fifty = count_post_queries(api, path, body_for(FIFTY), api_key)
    assert fifty == one
