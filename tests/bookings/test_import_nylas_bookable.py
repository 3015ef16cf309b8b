"""A configuration imported with its hosted id (``manage.py import_nylas``) is bookable at
the same id and slug: availability, a booking, and the hosted page."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from bookings.models import Booking
from tests.nylas_exports import ADA, INTRO, envelope, hosted_configuration, hosted_grant

KOLKATA = ZoneInfo("Asia/Kolkata")
MONDAY = dt.datetime(2026, 12, 7, tzinfo=KOLKATA)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def at(hour: int, minute: int = 0) -> int:
    return int(MONDAY.replace(hour=hour, minute=minute).timestamp())


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def imported(db, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps(
            envelope(
                [
                    hosted_grant(ADA, "ada@example.com"),
                    hosted_configuration(INTRO, "ada@example.com", "intro"),
                ]
            )
        )
    )
    out = io.StringIO()
    call_command("import_nylas", str(export), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "2 imported, 0 already here, 0 skipped"


def test_the_hosted_id_offers_the_hosted_grid_and_books(api, imported):
    response = api.get(
        "/v3/scheduling/availability",
        {"configuration_id": INTRO, "start_time": at(0), "end_time": at(23, 59)},
    )
    assert response.status_code == 200, response.content
    slots = response.json()["data"]["time_slots"]
    # 09:00-17:30 in Kolkata (a half-hour zone), 45 minutes each, from 09:00 local.
    starts = [s["start_time"] for s in slots]
    assert starts[:3] == [at(9), at(9, 45), at(10, 30)]
    assert starts[-1] == at(16, 30)
    assert all(s["emails"] == ["ada@example.com"] for s in slots)

    booked = api.post(
        f"/v3/scheduling/bookings?configuration_id={INTRO}",
        {
            "start_time": at(9, 45),
            "end_time": at(10, 30),
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        },
        format="json",
    )
    assert booked.status_code == 200, booked.content
    booking = Booking.objects.get(pk=booked.json()["data"]["booking_id"])
    assert str(booking.configuration_id) == INTRO
    assert booked.json()["data"]["organizer"]["email"] == "ada@example.com"

    again = api.get(
        "/v3/scheduling/availability",
        {"slug": "intro", "start_time": at(0), "end_time": at(23, 59)},
    )
    assert at(9, 45) not in [s["start_time"] for s in again.json()["data"]["time_slots"]]


def test_the_hosted_slug_books_too(api, client, imported):
    booked = api.post(
        "/v3/scheduling/bookings?slug=intro",
        {
            "start_time": at(11, 15),
            "end_time": at(12),
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        },
        format="json",
    )
    assert booked.status_code == 200, booked.content
    page = client.get("/book/intro/")
    assert page.status_code == 200
    assert "Intro" in page.content.decode()
