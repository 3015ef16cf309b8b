"""POST /calendars/availability/consecutive (v2): back-to-back meetings with several
groups, in the order that fits; the engine is proved in
tests/bookings/availability/test_consecutive_reference.py, this is the wire."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

KOLKATA = ZoneInfo("Asia/Kolkata")
# Monday 2026-12-07, 10:00-13:00 in Kolkata (+05:30).
TEN = int(dt.datetime(2026, 12, 7, 10, tzinfo=KOLKATA).timestamp())
URL = "/calendars/availability/consecutive"


def kolkata(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, KOLKATA).strftime("%H:%M")


def body(**changes) -> dict:
    base = {
        "duration_minutes": 30,
        "interval_minutes": 30,
        "start_time": TEN,
        "end_time": TEN + 3 * 3600,
        "emails": [["ann@example.com"], ["bo@example.com", "cy@example.com"]],
        "free_busy": [
            {
                "email": "ann@example.com",
                "object": "free_busy",
                "time_slots": [
                    {"start_time": TEN, "end_time": TEN + 3600, "status": "busy"},
                    {"start_time": TEN + 5400, "end_time": TEN + 3 * 3600, "status": "busy"},
                ],
            },
            {
                "email": "cy@example.com",
                "object": "free_busy",
                "time_slots": [{"start_time": TEN + 3600, "end_time": TEN + 3 * 3600}],
            },
        ],
        "open_hours": [
            {
                "emails": ["bo@example.com"],
                "days": [1],
                "timezone": "Asia/Kolkata",
                "start": "10:00",
                "end": "13:00",
                "object_type": "open_hours",
            }
        ],
    }
    return {**base, **changes}


def post(api, payload, key, **extra):
    return api.post(URL, payload, format="json", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def test_the_groups_meet_back_to_back_in_the_order_that_fits(api, api_key):
    """Ann is free 11:00-11:30 only; Bo and Cy together 10:00-11:00 only: the one
    itinerary is Bo and Cy at 10:30, then Ann at 11:00."""
    response = post(api, body(), api_key)
    assert response.status_code == 200, response.content
    assert response.json() == [
        [
            {
                "emails": ["bo@example.com", "cy@example.com"],
                "start_time": TEN + 1800,
                "end_time": TEN + 3600,
            },
            {"emails": ["ann@example.com"], "start_time": TEN + 3600, "end_time": TEN + 5400},
        ]
    ]


def test_every_order_and_start_is_listed_by_start(api, api_key):
    free = body(free_busy=[], open_hours=[], end_time=TEN + 3600)
    itineraries = post(api, free, api_key).json()
    assert [
        [(kolkata(m["start_time"]), m["emails"][0]) for m in itinerary] for itinerary in itineraries
    ] == [
        [("10:00", "ann@example.com"), ("10:30", "bo@example.com")],
        [("10:00", "bo@example.com"), ("10:30", "ann@example.com")],
    ]


def test_a_grant_email_contributes_its_calendar(api, api_key, make_host, busy_event):
    ann = make_host("ann@example.com", "Asia/Kolkata")
    start = dt.datetime(2026, 12, 7, 11, tzinfo=KOLKATA)
    busy_event(ann, start, start + dt.timedelta(minutes=30))
    assert post(api, body(), api_key).json() == []


def test_json_sent_as_text_plain_with_basic_auth_works(api, api_key):
    """As the v2 Node SDK sends it: Basic with the key as user name, JSON as text/plain."""
    import base64
    import json

    response = api.post(
        URL,
        json.dumps(body()),
        content_type="text/plain;charset=UTF-8",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{api_key}:".encode()).decode(),
    )
    assert response.status_code == 200, response.content
    assert len(response.json()) == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"emails": []}, "emails"),
        ({"emails": ["ann@example.com"]}, "emails[0]"),
        ({"emails": [[]]}, "emails[0]"),
        ({"emails": [["not-an-email"]]}, "emails[0][0]"),
        ({"emails": [["a@example.com"]] * 7}, "emails"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"end_time": TEN}, "end_time"),
        ({"buffer": -5}, "buffer"),
    ],
)
def test_bad_bodies_get_a_400_naming_the_field(api, api_key, changes, field):
    response = post(api, body(**changes), api_key)
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "invalid_request_error"
    assert field in response.json()["message"]


def test_more_than_50_emails_in_all_is_a_400(api, api_key):
    groups = [[f"p{g}-{i}@example.com" for i in range(10)] for g in range(6)]
    response = post(api, body(emails=groups), api_key)
    assert response.status_code == 400
    assert "50" in response.json()["message"]


def test_without_a_key_is_a_401_in_the_v2_shape(api, db):
    response = api.post(URL, body(), format="json")
    assert response.status_code == 401
    assert set(response.json()) >= {"type", "message"}
