"""What the Schedule Editor tests share: a v2 page to edit, the editor's addresses, form
data in the shape its forms post."""

from __future__ import annotations

import re

from rest_framework.test import APIClient

from pages.models import Configuration

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_body(grant, slug: str = "coffee", **config) -> dict:
    """A v2 page (seed 000) as a backend makes it: one host with opening hours."""
    calendar_id = str(grant.calendars.get(is_primary=True).pk)
    body = {
        "access_tokens": [grant.token],
        "name": "Coffee with Olive",
        "slug": slug,
        "config": {
            "event": {"title": "30-min Coffee Meeting", "duration": 30, "location": "Cafe"},
            "timezone": "America/Chicago",
            "calendar_ids": {
                str(grant.pk): {"availability": [calendar_id], "booking": calendar_id}
            },
            "booking": {
                "available_days_in_future": 14,
                "min_booking_notice": 60,
                "min_buffer": 10,
                "opening_hours": [
                    {
                        "account_id": str(grant.pk),
                        "days": ["M", "T", "W", "R", "F"],
                        "start": "09:00",
                        "end": "17:00",
                    }
                ],
                "additional_fields": [
                    {
                        "name": "company",
                        "label": "Company",
                        "type": "text",
                        "required": True,
                        "order": 1,
                    },
                    {
                        "name": "food",
                        "label": "Favorite food",
                        "type": "multi-select list",
                        "multi_select_options": ["Ice Cream", "Chips"],
                        "order": 2,
                    },
                ],
            },
            "reminders": [
                {
                    "delivery_method": "email",
                    "delivery_recipient": "customer",
                    "email_subject": "Soon!",
                    "time_before_event": 30,
                }
            ],
            "appearance": {
                "color": "#82c0e7",
                "company_name": "Sample Solutions",
                "show_timezone_options": False,
                "submit_text": "Book it!",
            },
            **config,
        },
    }
    return body


def create_page(grant, slug: str = "coffee", **config) -> tuple[Configuration, str]:
    api = APIClient()
    response = api.post(
        "/manage/pages",
        page_body(grant, slug, **config),
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {grant.token}",
    )
    assert response.status_code == 200, response.content
    return Configuration.objects.get(pk=response.json()["configuration_id"]), response.json()[
        "edit_token"
    ]


def v2_page(configuration: Configuration, token: str) -> dict:
    response = APIClient().get(
        f"/manage/pages/{configuration.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    return response.json()


def url(configuration, section: str = "") -> str:
    return f"/editor/{configuration.pk}/" + (f"{section}/" if section else "")


def formset(prefix: str, rows: list[dict], *, initial: int | None = None) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def availability_data(rows: list[dict], **fields) -> dict:
    return {
        "available_days_in_future": "14",
        "min_booking_notice": "60",
        "buffer_after": "10",
        **fields,
        **formset("hours", rows),
    }


def text_of(response) -> str:
    return response.content.decode()


def error_beside(html: str, field_id: str) -> str:
    """The error shown for a field, after checking the field points at it."""
    match = re.search(rf'<p class="error" id="{field_id}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown for {field_id}"
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="{field_id}"', html
    ), f"{field_id} is not marked invalid"
    return match.group(1)
