"""Callers of the v3 organizer API: the API key, a grant (the owner) with its own token,
and an outsider grant whose token "should have no access" to the owner's things; a
teammate grant for configurations with several hosts, and a configuration body that sets
every field (``full_configuration``)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from pages.services import create_grant


@pytest.fixture
def as_app(api_key):
    """A client that sends the API key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return client


@pytest.fixture
def make_grant(db):
    """make_grant("a@example.com") → a grant (with a primary calendar) whose access token
    is ``grant.token``."""

    def make(email: str, zone: str = "America/Chicago", name: str = ""):
        grant, token = create_grant(email=email, name=name or email.split("@")[0], timezone=zone)
        grant.token = token
        return grant

    return make


@pytest.fixture
def owner(make_grant):
    return make_grant("owner@example.com", name="Olive Owner")


@pytest.fixture
def outsider(make_grant):
    return make_grant("outsider@example.com", name="Oscar Outsider")


@pytest.fixture
def teammate(make_grant):
    grant = make_grant("teammate@example.com", zone="Europe/Berlin")
    grant.calendars.create(name="Travel")
    return grant


@pytest.fixture
def full_configuration(owner, teammate) -> dict:
    """Every field API.md names, with values other than the defaults."""
    travel = teammate.calendars.get(name="Travel")
    return {
        "name": "Intro call",
        "slug": "intro-call",
        "requires_session_auth": True,
        "locale": "de",
        "participants": [
            {
                "email": owner.email,
                "name": "Olive",
                "is_organizer": True,
                "timezone": "America/Chicago",
                "availability": {
                    "calendar_ids": ["primary"],
                    "open_hours": [
                        {
                            "days": [1, 2, 3],
                            "start": "9:00",
                            "end": "12:30",
                            "timezone": "America/Chicago",
                            "exdates": ["2026-12-24"],
                        },
                        {
                            "days": [4],
                            "start": "13:00",
                            "end": "24:00",
                            "timezone": "",
                            "exdates": [],
                        },
                    ],
                },
                "booking": {"calendar_id": "primary"},
            },
            {
                "email": teammate.email,
                "name": "Tim",
                "is_organizer": False,
                "timezone": "",
                "availability": {"calendar_ids": ["primary", str(travel.pk)], "open_hours": []},
            },
            {
                "email": "observer@elsewhere.example",
                "name": "",
                "is_organizer": False,
                "timezone": "",
            },
        ],
        "availability": {
            "duration_minutes": 45,
            "interval_minutes": 15,
            "round_to": 30,
            "availability_rules": {
                "availability_method": "collective",
                "buffer": {"before": 10, "after": 15},
                "default_open_hours": [
                    {
                        "days": [1, 2, 3, 4, 5],
                        "start": "8:00",
                        "end": "18:00",
                        "timezone": "Europe/Berlin",
                        "exdates": [],
                    }
                ],
                "round_robin_group_id": "team-a",
                "tentative_as_busy": False,
            },
        },
        "event_booking": {
            "title": "Intro",
            "description": "Let's talk",
            "location": "Video",
            "timezone": "America/Chicago",
            "booking_type": "organizer-confirmation",
            "hide_participants": True,
            "disable_emails": True,
            "reminders": [
                {
                    "type": "email",
                    "minutes_before_event": 60,
                    "recipient": "guest",
                    "email_subject": "Soon",
                },
                {
                    "type": "webhook",
                    "minutes_before_event": 1440,
                    "recipient": "all",
                    "email_subject": "",
                },
            ],
            "capacity": 3,
        },
        "scheduler": {
            "available_days_in_future": 14,
            "min_booking_notice": 120,
            "min_cancellation_notice": 30,
            "cancellation_policy": "Cancel a day ahead.",
            "confirmation_redirect_url": "https://example.com/thanks",
            "rescheduling_url": "https://example.com/reschedule/:booking_ref",
            "cancellation_url": "https://example.com/cancel/:booking_ref",
            "organizer_confirmation_url": "https://example.com/confirm/:booking_ref",
            "hide_rescheduling_options": True,
            "hide_cancellation_options": True,
            "hide_additional_guests": True,
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
                    "default": "1-10",
                    "pattern": "",
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


def client_for(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def as_owner(owner):
    return client_for(owner.token)


@pytest.fixture
def as_outsider(outsider):
    return client_for(outsider.token)


def data_of(response, status: int = 200):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) - {"next_cursor"} == {"request_id", "data"}
    return body["data"]


def error_of(response, status: int, error_type: str | None = None) -> str:
    """The error message, after checking the v3 error envelope."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"request_id", "error"}
    if error_type:
        assert body["error"]["type"] == error_type
    return body["error"]["message"]


@pytest.fixture
def ok():
    """ok(response[, status]) → its ``data``, after checking the envelope."""
    return data_of


@pytest.fixture
def refused():
    """refused(response, status[, type]) → the error message."""
    return error_of


@pytest.fixture
def client_with():
    """client_with(token) → a client sending that bearer secret."""
    return client_for
