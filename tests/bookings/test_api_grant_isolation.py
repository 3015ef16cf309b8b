"""A grant token sees its own grant's busy time only: free-busy (v3 and v2) and the
stateless availability endpoints (v3 and v2) never show another grant's busy intervals
to it, and answer another grant's email exactly as an unknown one. What the request
supplies itself (``free_busy``) still counts, and the API key keeps its reach."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

KOLKATA = ZoneInfo("Asia/Kolkata")  # a half-hour zone
DAY = dt.datetime(2026, 12, 7, tzinfo=KOLKATA)
START, END = int(DAY.replace(hour=9).timestamp()), int(DAY.replace(hour=17).timestamp())
B_BUSY = (DAY.replace(hour=11), DAY.replace(hour=12, minute=30))
A_BUSY = (DAY.replace(hour=14), DAY.replace(hour=15))


@pytest.fixture
def grants(make_host, busy_event):
    a = make_host("alice@example.com", "Asia/Kolkata")
    b = make_host("bob@example.com", "Asia/Kolkata")
    busy_event(a, *A_BUSY)
    busy_event(b, *B_BUSY)
    return a, b


def post(api, url, body, secret):
    return api.post(url, body, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}")


def unix(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def free_busy_body(*emails):
    return {"start_time": START, "end_time": END, "emails": list(emails)}


def slots_of(answer) -> list[tuple[int, int]]:
    return [(s["start_time"], s["end_time"]) for s in answer.get("time_slots", [])]


def test_v3_free_busy_with_a_grant_token_shows_its_own_time_and_nobody_elses(api, grants):
    a, b = grants
    body = free_busy_body("alice@example.com", "bob@example.com", "nobody@example.com")
    response = post(api, f"/v3/grants/{a.pk}/calendars/free-busy", body, a.token)
    assert response.status_code == 200, response.content
    mine, bobs, nobodys = response.json()["data"]
    assert slots_of(mine) == [(unix(A_BUSY[0]), unix(A_BUSY[1]))]
    assert slots_of(bobs) == []
    assert {**bobs, "email": "?"} == {**nobodys, "email": "?"}  # a grant's email or not: alike
    assert "grant" not in bobs["error"].lower()


def test_v2_free_busy_with_a_grant_token_shows_its_own_time_and_nobody_elses(api, grants):
    a, b = grants
    body = free_busy_body("bob@example.com", "nobody@example.com", "ALICE@example.com")
    response = post(api, "/calendars/free-busy", body, a.token)
    assert response.status_code == 200, response.content
    bobs, nobodys, mine = response.json()
    assert {**bobs, "email": "?"} == {**nobodys, "email": "?"}
    assert slots_of(mine) == [(unix(A_BUSY[0]), unix(A_BUSY[1]))]


def test_the_api_key_reads_every_grants_free_busy(api, api_key, grants):
    a, b = grants
    body = free_busy_body("alice@example.com", "bob@example.com")
    for url in (f"/v3/grants/{a.pk}/calendars/free-busy", "/calendars/free-busy"):
        answer = post(api, url, body, api_key).json()
        answers = answer if isinstance(answer, list) else answer["data"]
        assert slots_of(answers[1]) == [(unix(B_BUSY[0]), unix(B_BUSY[1]))], url


def v3_availability_body(*emails):
    return {
        "start_time": START,
        "end_time": END,
        "duration_minutes": 30,
        "interval_minutes": 30,
        "participants": [
            {
                "email": email,
                "open_hours": [
                    {"days": [1], "start": "09:00", "end": "17:00", "timezone": "Asia/Kolkata"}
                ],
            }
            for email in emails
        ],
    }


def v3_starts(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {s["start_time"] for s in response.json()["data"]["time_slots"]}


def test_v3_stateless_availability_ignores_another_grants_busy_time_for_a_grant_token(
    api, api_key, grants
):
    a, _b = grants
    body = v3_availability_body("bob@example.com")
    as_a = v3_starts(post(api, "/v3/calendars/availability", body, a.token))
    assert unix(B_BUSY[0]) in as_a and unix(DAY.replace(hour=12)) in as_a
    as_key = v3_starts(post(api, "/v3/calendars/availability", body, api_key))
    assert unix(B_BUSY[0]) not in as_key and unix(DAY.replace(hour=12)) not in as_key
    assert unix(DAY.replace(hour=12, minute=30)) in as_key


def test_v3_stateless_availability_still_counts_the_grant_tokens_own_busy_time(api, grants):
    a, _b = grants
    body = v3_availability_body("alice@example.com")
    starts = v3_starts(post(api, "/v3/calendars/availability", body, a.token))
    assert unix(A_BUSY[0]) not in starts and unix(A_BUSY[1]) in starts


def v2_availability_body(*emails, free_busy=()):
    return {
        "start_time": START,
        "end_time": END,
        "duration_minutes": 30,
        "interval_minutes": 30,
        "emails": list(emails),
        "open_hours": [
            {
                "emails": list(emails),
                "days": [0, 1, 2, 3, 4, 5, 6],
                "timezone": "Asia/Kolkata",
                "start": "09:00",
                "end": "17:00",
            }
        ],
        "free_busy": list(free_busy),
    }


def v2_starts(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {s["start_time"] for s in response.json()["time_slots"]}


def test_v2_stateless_availability_ignores_another_grants_busy_time_for_a_grant_token(
    api, api_key, grants
):
    a, _b = grants
    body = v2_availability_body("bob@example.com")
    assert unix(B_BUSY[0]) in v2_starts(post(api, "/calendars/availability", body, a.token))
    assert unix(B_BUSY[0]) not in v2_starts(post(api, "/calendars/availability", body, api_key))


def test_v2_stateless_availability_counts_the_busy_time_the_request_supplies(api, grants):
    a, _b = grants
    supplied = {
        "email": "bob@example.com",
        "time_slots": [
            {"start_time": unix(DAY.replace(hour=10)), "end_time": unix(DAY.replace(hour=11))}
        ],
    }
    body = v2_availability_body("bob@example.com", free_busy=[supplied])
    starts = v2_starts(post(api, "/calendars/availability", body, a.token))
    assert (
        unix(DAY.replace(hour=10)) not in starts
        and unix(DAY.replace(hour=10, minute=30)) not in starts
    )
    assert unix(B_BUSY[0]) in starts  # the calendar's busy time is still not shown
