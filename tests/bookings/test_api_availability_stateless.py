"""POST /calendars/availability (v2, seed 003), POST /v3/calendars/availability,
free-busy in both dialects, and the explain endpoint."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC

# Seed 003, "Putting it all together": Thursday 2020-11-19 08:00-17:00 Chicago.
SEED_EXAMPLE = {
    "duration_minutes": 30,
    "start_time": 1605794400,
    "end_time": 1605826800,
    "interval_minutes": 10,
    "emails": ["jane.doe@example.com"],
    "free_busy": [
        {
            "email": "lamarr@example.com",
            "object": "free/busy",
            "time_slots": [
                {
                    "start_time": 1601042400,
                    "end_time": 1601044200,
                    "object": "time_slot",
                    "status": "busy",
                }
            ],
        }
    ],
    "open_hours": [
        {
            "emails": ["jane.doe@example.com"],
            "days": ["1, 2, 3, 4, 5"],
            "timezone": "America/Chicago",
            "start": "10:00",
            "end": "14:00",
            "object_type": "open_hours",
        }
    ],
}


def chicago(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, CHICAGO).strftime("%H:%M")


def post(api, url, body, key, **extra):
    return api.post(url, body, format="json", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def test_the_seed_example_gives_half_hours_every_ten_minutes_from_ten_to_two(api, api_key):
    response = post(api, "/calendars/availability", SEED_EXAMPLE, api_key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "availability"
    slots = body["time_slots"]
    assert [chicago(s["start_time"]) for s in slots] == [
        f"{h}:{m:02d}" for h in (10, 11, 12, 13) for m in range(0, 60, 10)
    ][:-2]
    assert chicago(slots[-1]["end_time"]) == "14:00"
    assert all(s["end_time"] - s["start_time"] == 1800 for s in slots)
    # The seed's response names the times "start" and "end"; the v2 SDKs read
    # "start_time" and "end_time": each slot carries both.
    assert slots[0] == {
        "object": "time_slot",
        "status": "free",
        "start": 1605801600,
        "end": 1605803400,
        "start_time": 1605801600,
        "end_time": 1605803400,
        "emails": ["jane.doe@example.com"],
    }


def test_free_busy_of_a_listed_email_blocks_its_time(api, api_key):
    body = json.loads(json.dumps(SEED_EXAMPLE))
    body["free_busy"][0]["email"] = "jane.doe@example.com"
    body["free_busy"][0]["time_slots"][0].update(start_time=1605805200, end_time=1605808800)
    starts = [
        chicago(s["start_time"])
        for s in post(api, "/calendars/availability", body, api_key).json()["time_slots"]
    ]
    assert "10:40" not in starts and "11:00" not in starts and "11:50" not in starts
    assert "10:30" in starts and "12:00" in starts  # touching busy time is not overlapping


def test_a_grant_email_contributes_its_calendar(api, api_key, make_host, busy_event):
    host = make_host("jane.doe@example.com")
    start = dt.datetime(2020, 11, 19, 11, 0, tzinfo=CHICAGO)
    busy_event(host, start, start + dt.timedelta(hours=1))
    starts = [
        chicago(s["start_time"])
        for s in post(api, "/calendars/availability", SEED_EXAMPLE, api_key).json()["time_slots"]
    ]
    assert "11:00" not in starts and "10:40" not in starts and "12:00" in starts


def test_the_grant_token_works_as_well_as_the_api_key(api, make_host):
    host = make_host("someone@example.com")
    assert post(api, "/calendars/availability", SEED_EXAMPLE, host.token).status_code == 200


def test_round_start_aligns_starts_to_the_clock(api, api_key):
    body = {**SEED_EXAMPLE, "start_time": SEED_EXAMPLE["start_time"] + 7 * 60, "round_start": True}
    slots = post(api, "/calendars/availability", body, api_key).json()["time_slots"]
    assert chicago(slots[0]["start_time"]) == "10:00"
    unaligned = {**body, "round_start": False}
    slots = post(api, "/calendars/availability", unaligned, api_key).json()["time_slots"]
    assert chicago(slots[0]["start_time"]) == "10:07"


def test_v2_round_robin_lists_the_free_people_and_the_order(api, api_key):
    body = {
        **SEED_EXAMPLE,
        "emails": ["a@example.com", "b@example.com"],
        "round_robin": "max-availability",
        "open_hours": [
            {**SEED_EXAMPLE["open_hours"][0], "emails": ["a@example.com", "b@example.com"]}
        ],
        "free_busy": [
            {
                "email": "a@example.com",
                "time_slots": [
                    {"start_time": 1605801600, "end_time": 1605805200, "status": "busy"}
                ],
            }
        ],
    }
    result = post(api, "/calendars/availability", body, api_key).json()
    assert result["order"] == ["a@example.com", "b@example.com"]
    first = result["time_slots"][0]
    assert chicago(first["start_time"]) == "10:00" and first["emails"] == ["b@example.com"]


def test_buffer_applies_on_both_sides(api, api_key):
    body = json.loads(json.dumps(SEED_EXAMPLE))
    body["buffer"] = 10
    body["free_busy"][0].update(email="jane.doe@example.com")
    body["free_busy"][0]["time_slots"][0].update(
        start_time=1605808800, end_time=1605810600
    )  # 12:00-12:30
    starts = [
        chicago(s["start_time"])
        for s in post(api, "/calendars/availability", body, api_key).json()["time_slots"]
    ]
    assert (
        "11:20" in starts and "11:30" not in starts and "12:30" not in starts and "12:40" in starts
    )


def without(body, key):
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (without(SEED_EXAMPLE, "duration_minutes"), "duration_minutes"),
        ({**SEED_EXAMPLE, "interval_minutes": 4}, "interval_minutes"),
        ({**SEED_EXAMPLE, "start_time": "tomorrow"}, "start_time"),
        ({**SEED_EXAMPLE, "start_time": 1605794400.5}, "start_time"),
        ({**SEED_EXAMPLE, "end_time": 1605794000}, "end_time"),
        ({**SEED_EXAMPLE, "end_time": 1605794400 + 63 * 86400}, "end_time"),
        ({**SEED_EXAMPLE, "emails": [f"p{i}@example.com" for i in range(51)]}, "emails"),
        ({**SEED_EXAMPLE, "emails": ["not an email"]}, "emails[0]"),
        ({**SEED_EXAMPLE, "round_robin": "coin-flip"}, "round_robin"),
        (
            {
                **SEED_EXAMPLE,
                "open_hours": [{**SEED_EXAMPLE["open_hours"][0], "timezone": "Mars/Base"}],
            },
            "open_hours[0].timezone",
        ),
        (
            {**SEED_EXAMPLE, "open_hours": [{**SEED_EXAMPLE["open_hours"][0], "days": ["1, 9"]}]},
            "open_hours[0].days[0]",
        ),
        (
            {**SEED_EXAMPLE, "open_hours": [{**SEED_EXAMPLE["open_hours"][0], "end": "9:00"}]},
            "open_hours[0].end",
        ),
        (
            {**SEED_EXAMPLE, "open_hours": [{**SEED_EXAMPLE["open_hours"][0], "start": "25:00"}]},
            "open_hours[0].start",
        ),
        (
            {
                **SEED_EXAMPLE,
                "free_busy": [
                    {
                        "email": "jane.doe@example.com",
                        "time_slots": [{"start_time": "x", "end_time": 1}],
                    }
                ],
            },
            "free_busy[0].time_slots[0].start_time",
        ),
        ({**SEED_EXAMPLE, "free_busy": {"email": "x"}}, "free_busy"),
    ],
)
def test_bad_v2_bodies_get_a_400_naming_the_field(api, api_key, body, field):
    response = post(api, "/calendars/availability", body, api_key)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(f"{field}:"), error["message"]


def test_a_body_that_is_not_json_gets_a_400(api, api_key):
    response = api.post(
        "/calendars/availability",
        b"{nope",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("path", "dialect"),
    [("/calendars/availability", "v2"), ("/v3/calendars/availability", "v3")],
)
def test_a_body_that_is_not_sent_as_json_gets_a_415_in_the_dialects_envelope(
    api, api_key, path, dialect
):
    """As the schema documents: a form-encoded body is refused, in v2's or v3's words."""
    response = api.post(
        path,
        "duration_minutes=30",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 415, response.content
    body = response.json()
    error = body if dialect == "v2" else body["error"]
    assert set(body) == ({"type", "message"} if dialect == "v2" else {"request_id", "error"})
    assert error["type"] == "unsupported_media_type"
    assert "application/json" in error["message"]


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", "text/plain", ""])
@pytest.mark.parametrize("path", ["/calendars/availability", "/v3/calendars/availability"])
def test_json_sent_as_text_plain_or_untyped_is_read_as_json(api, api_key, path, content_type):
    """node-fetch labels a string body text/plain (the v2-era Node SDK sends its JSON so),
    and some clients send no type: the body is read when it parses as JSON."""
    response = api.generic(
        "POST",
        path,
        json.dumps(SEED_EXAMPLE).encode(),
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    if path.startswith("/v3/"):  # the v2 example in v3: read, then refused for its content
        assert response.status_code == 400, response.content
        assert "participants" in response.json()["error"]["message"]
    else:
        assert response.status_code == 200, response.content
        assert response.json()["time_slots"]


@pytest.mark.parametrize("content_type", ["text/plain", ""])
def test_text_that_is_not_json_is_still_a_415(api, api_key, content_type):
    response = api.generic(
        "POST",
        "/v3/calendars/availability",
        b"duration_minutes=30",
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 415, response.content
    assert response.json()["error"]["type"] == "unsupported_media_type"


def test_a_json_array_body_gets_a_400(api, api_key):
    response = post(api, "/calendars/availability", [1, 2], api_key)
    assert response.status_code == 400


def test_v2_without_a_key_is_401_in_the_v2_shape(api, db):
    response = api.post("/calendars/availability", SEED_EXAMPLE, format="json")
    assert response.status_code == 401
    assert set(response.json()) == {"type", "message"}


# v3 stateless


def test_v3_stateless_availability_reads_participants_and_rules(
    api, api_key, make_host, busy_event
):
    host = make_host("jane.doe@example.com")
    busy_event(
        host,
        dt.datetime(2020, 11, 19, 11, tzinfo=CHICAGO),
        dt.datetime(2020, 11, 19, 12, tzinfo=CHICAGO),
    )
    body = {
        "start_time": SEED_EXAMPLE["start_time"],
        "end_time": SEED_EXAMPLE["end_time"],
        "duration_minutes": 30,
        "interval_minutes": 30,
        "participants": [
            {
                "email": "jane.doe@example.com",
                "calendar_ids": ["primary"],
                "open_hours": [
                    {"days": [4], "start": "10:00", "end": "14:00", "timezone": "America/Chicago"}
                ],
            },
        ],
        "availability_rules": {"buffer": {"before": 0, "after": 30}},
    }
    response = post(api, "/v3/calendars/availability", body, api_key)
    assert response.status_code == 200, response.content
    starts = [chicago(s["start_time"]) for s in response.json()["data"]["time_slots"]]
    assert starts == ["10:00", "12:00", "12:30", "13:00", "13:30"]


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"buffer": {"before": 7}}, "availability_rules.buffer.before"),
        ({"buffer": {"after": 125}}, "availability_rules.buffer.after"),
        ({"availability_method": "lottery"}, "availability_rules.availability_method"),
    ],
)
def test_v3_stateless_bad_rules_name_the_field(api, api_key, rules, field):
    body = {
        "start_time": 1605794400,
        "end_time": 1605826800,
        "duration_minutes": 30,
        "participants": [{"email": "a@example.com"}],
        "availability_rules": rules,
    }
    response = post(api, "/v3/calendars/availability", body, api_key)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(field)


# free-busy


def test_free_busy_lists_merged_busy_time_of_grants(api, api_key, make_host, busy_event):
    host = make_host("jane.doe@example.com")
    start = dt.datetime(2020, 11, 19, 11, tzinfo=CHICAGO)
    busy_event(host, start, start + dt.timedelta(hours=1))
    busy_event(host, start + dt.timedelta(minutes=30), start + dt.timedelta(hours=2))
    body = {
        "start_time": SEED_EXAMPLE["start_time"],
        "end_time": SEED_EXAMPLE["end_time"],
        "emails": ["jane.doe@example.com", "nobody@example.com"],
    }
    v2 = post(api, "/calendars/free-busy", body, api_key).json()
    assert v2[0]["time_slots"] == [
        {
            "object": "time_slot",
            "status": "busy",
            "start_time": int(start.timestamp()),
            "end_time": int(start.timestamp()) + 7200,
        }
    ]
    assert v2[1]["object"] == "error"
    v3 = post(api, f"/v3/grants/{host.pk}/calendars/free-busy", body, host.token).json()
    assert v3["data"][0]["time_slots"] == v2[0]["time_slots"]


def test_free_busy_of_another_grant_is_404_for_a_grant_token(api, make_host):
    mine, other = make_host("me@example.com"), make_host("other@example.com")
    body = {"start_time": 1, "end_time": 2, "emails": ["me@example.com"]}
    assert (
        post(api, f"/v3/grants/{other.pk}/calendars/free-busy", body, mine.token).status_code == 404
    )


# explain


def test_explain_says_who_is_busy_and_why(api, api_key, make_configuration, busy_event):
    configuration = make_configuration(duration_minutes=30, interval_minutes=30, buffer_after=15)
    host = configuration.hosts[0]
    monday = dt.datetime(2026, 12, 7, tzinfo=CHICAGO)
    busy_event(host, monday.replace(hour=10, minute=30), monday.replace(hour=11))
    url = f"/v3/grants/{host.pk}/scheduling/configurations/{configuration.pk}/explain"
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        free = api.get(
            url,
            {"start_time": int(monday.replace(hour=9).timestamp())},
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        buffered = api.get(
            url,
            {"start_time": int(monday.replace(hour=10).timestamp())},
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        night = api.get(
            url,
            {"start_time": int(monday.replace(hour=3).timestamp())},
            HTTP_AUTHORIZATION=f"Bearer {host.token}",
        )
    assert free.json()["data"]["available"] is True, free.json()["data"]["reasons"]
    data = buffered.json()["data"]
    assert data["available"] is False
    assert [(r["email"], r["reason"]) for r in data["reasons"]] == [(host.email, "buffer")]
    reasons = {r["reason"] for r in night.json()["data"]["reasons"]}
    assert "outside_open_hours" in reasons


def test_explain_needs_a_key_and_the_right_grant(api, make_configuration, make_host):
    configuration = make_configuration()
    stranger = make_host("stranger@example.com")
    url = (
        f"/v3/grants/{configuration.grant_id}/scheduling/configurations/{configuration.pk}/explain"
    )
    assert api.get(url, {"start_time": 1}).status_code == 401
    assert (
        api.get(url, {"start_time": 1}, HTTP_AUTHORIZATION=f"Bearer {stranger.token}").status_code
        == 404
    )


def test_explain_refuses_a_start_whose_meeting_ends_after_2100(api, api_key, make_configuration):
    configuration = make_configuration()
    url = (
        f"/v3/grants/{configuration.grant_id}/scheduling/configurations/{configuration.pk}/explain"
    )
    response = api.get(url, {"start_time": 4102444800 - 60}, HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("start_time")


def test_v3_stateless_round_to_rounds_in_the_open_hours_zone(api, api_key):
    """As a configuration rounds in its zone: on the hour in Kolkata, not in UTC (which
    would put every start at half past in India)."""
    body = {
        "start_time": 1796581800,  # Monday 2026-12-07 00:00 in Kolkata
        "end_time": 1796668200,
        "duration_minutes": 60,
        "round_to": 60,
        "participants": [
            {
                "email": "a@example.com",
                "open_hours": [
                    {"days": [1], "start": "9:00", "end": "12:00", "timezone": "Asia/Kolkata"}
                ],
            }
        ],
    }
    response = post(api, "/v3/calendars/availability", body, api_key)
    assert response.status_code == 200, response.content
    kolkata = ZoneInfo("Asia/Kolkata")
    starts = [
        dt.datetime.fromtimestamp(s["start_time"], kolkata).strftime("%H:%M")
        for s in response.json()["data"]["time_slots"]
    ]
    assert starts == ["09:00", "10:00", "11:00"]
