"""Objects shaped as the hosted Nylas API returns them, for the import tests."""

from __future__ import annotations

ADA = "e19f8e1a-eb1c-41c0-b6a6-d2e59daf7f47"
BEN = "5b0c9a4e-7d21-4c8e-a3f5-1e2d3c4b5a69"
INTRO = "8a3f2c1d-0b4e-4f6a-9c7d-2e5b1a0f3c9d"
MEET = "0d7e6f5a-4b3c-4d2e-8f1a-9b8c7d6e5f40"
STRANGER = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b98"


def hosted_grant(grant_id: str, email: str, provider: str = "google") -> dict:
    """A grant object as GET /v3/grants returns it on the hosted service."""
    return {
        "id": grant_id,
        "provider": provider,
        "grant_status": "valid",
        "email": email,
        "scope": ["https://www.googleapis.com/auth/calendar"],
        "user_agent": "Mozilla/5.0",
        "ip": "203.0.113.7",
        "state": "",
        "created_at": 1_700_000_000,
        "updated_at": 1_700_000_500,
    }


def hosted_configuration(configuration_id: str, email: str, slug: str, **event_booking) -> dict:
    """A configuration as GET .../scheduling/configurations returns it on the hosted
    service: the organizer's calendar IDs are the provider's (a Google address)."""
    return {
        "id": configuration_id,
        "slug": slug,
        "name": "Intro call",
        "requires_session_auth": False,
        "participants": [
            {
                "name": "Ada",
                "email": email,
                "is_organizer": True,
                "availability": {
                    "calendar_ids": [email, "team@group.calendar.google.com"],
                    "open_hours": [
                        {
                            "days": [1, 2, 3, 4, 5],
                            "start": "09:00",
                            "end": "17:30",
                            "timezone": "Asia/Kolkata",
                            "exdates": [],
                        }
                    ],
                },
                "booking": {"calendar_id": email},
            }
        ],
        "availability": {
            "duration_minutes": 45,
            "interval_minutes": 45,
            "round_to": 15,
            "availability_rules": {
                "availability_method": "collective",
                "buffer": {"before": 0, "after": 10},
            },
        },
        "event_booking": {"title": "Intro", "booking_type": "booking", **event_booking},
        "scheduler": {"available_days_in_future": 30, "min_booking_notice": 60},
        "appearance": {"company_name": "Example"},
    }


def envelope(data) -> dict:
    body = {"request_id": "5fa64c92-e840-4357-86b9-2aa364d35b88", "data": data}
    if isinstance(data, list):
        body["next_cursor"] = None
    return body
