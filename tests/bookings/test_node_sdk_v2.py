"""The v2-era official Node SDK (npm ``nylas`` 6.x), installed with npm into a temporary
folder and pointed at our live server on loopback (``apiServer``, and ``baseUrl`` for the
scheduler): every call of its scheduler and calendar-availability API works unchanged.

What it does that a careful client might not: HTTP Basic with the token as user name,
JSON bodies labelled text/plain (node-fetch's default), list() paging by 100 until a
short page, timeslots with no range, consecutive availability, integer page IDs.
tests/bookings/node/v2_sdk_calls.js makes the calls; this checks what each one got."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from bookings import links
from bookings.models import Booking
from pages import services
from pages.api.v2_pages import read_page
from pages.models import Configuration
from tests.bookings.test_v2_pages import seed_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.npm]

PACKAGE = "nylas@6"
SCRIPT = Path(__file__).parent / "node" / "v2_sdk_calls.js"
INSTALL_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def sdk_folder(tmp_path_factory) -> Path:
    """A temporary folder with the SDK installed by npm's ordinary client (scripts off);
    no npm or no registry: the test skips, which CI (npm required) turns into a failure."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    folder = tmp_path_factory.mktemp("node-sdk-v2")
    (folder / "package.json").write_text('{"name": "v2-sdk-under-test", "private": true}')
    try:
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"]
            + [PACKAGE],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as failed:
        pytest.skip(f"npm install {PACKAGE} failed: {failed.stderr[-2000:]}")
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {PACKAGE} took over {INSTALL_TIMEOUT_S} s")
    version = json.loads((folder / "node_modules/nylas/package.json").read_text())["version"]
    assert version.startswith("6."), version
    shutil.copy(SCRIPT, folder / SCRIPT.name)
    return folder


def run_sdk(folder: Path, **env: str) -> dict:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "npm is here, so node is too"
    finished = subprocess.run(
        [node, SCRIPT.name],
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.stdout, finished.stderr
    results = json.loads(finished.stdout)
    assert "crashed" not in results, results["crashed"]
    return results


def test_every_scheduler_and_availability_call_of_the_v2_node_sdk_works(
    sdk_folder, live_server, make_host
):
    ada = make_host("ada@example.com", "Asia/Kolkata", name="Ada")
    calendar_id = str(ada.calendars.get(is_primary=True).pk)
    # 101 pages (and one more below): the SDK's list() asks for 100 at a time and stops
    # at a short page.
    for number in range(101):
        body = seed_body(ada, calendar_id)
        body["slug"] = f"page-{number}"
        body["config"]["booking"]["min_booking_notice"] = 0
        services.create_configuration(grant=ada, changes=read_page(body, [ada]))
    # A page whose organizer confirms by hand, with a booking waiting: the organizer's
    # link carries the hash confirmBooking() takes.
    body = seed_body(ada, calendar_id)
    body["slug"] = "by-hand"
    body["config"]["booking"].update(confirmation_method="manual", min_booking_notice=0)
    services.create_configuration(grant=ada, changes=read_page(body, [ada]))
    guest = APIClient()
    slot = guest.get("/schedule/by-hand/timeslots").json()[0]
    waiting = guest.post(
        "/schedule/by-hand/timeslots",
        {"slot": slot, "email": "wanda@example.com", "name": "Wanda"},
        format="json",
    )
    assert waiting.json()["is_confirmed"] is False, waiting.content
    pending = Booking.objects.get(guest_email="wanda@example.com")
    results = run_sdk(
        sdk_folder,
        BASE=live_server.url,
        TOKEN=ada.token,
        GRANT_ID=str(ada.pk),
        GRANT_EMAIL=ada.email,
        CALENDAR_ID=calendar_id,
        SLUG="page-0",
        CONFIRM_SLUG="by-hand",
        CONFIRM_HASH=links.organizer_link_token(pending),
    )
    refused = {
        "page.uploadImage",
        "scheduler.getGoogleAvailability",
        "scheduler.getOffice365Availability",
    }
    failed = {name: r for name, r in results.items() if not r["ok"] and name not in refused}
    assert not failed, json.dumps(failed, indent=2)
    value = {name: r.get("value") for name, r in results.items()}

    listed = value["scheduler.list"]
    assert listed["count"] == 102
    numbers = list(
        Configuration.objects.order_by("v2_page_id").values_list("v2_page_id", flat=True)
    )
    assert listed["ids"] == numbers  # integers, as the seed's and the SDK keeps them

    made = value["scheduler.build().save() (create)"]
    assert made["slug"] == "made-by-the-v2-sdk" and made["editToken"]
    assert made["id"] == max(numbers) + 1
    assert value["scheduler.find"] == {
        "id": made["id"],
        "title": "SDK tea",
        "slug": "made-by-the-v2-sdk",
    }
    assert value["page.save() (update)"] == {
        "id": made["id"],
        "name": "Renamed by the v2 SDK",
        "title": "SDK coffee",
    }
    assert value["page.getAvailableCalendars"] == [
        {"id": str(ada.pk), "email": ada.email, "calendars": [calendar_id]}
    ]
    # Images are not hosted here: a clear refusal, not a 404 or a 500.
    upload = results["page.uploadImage"]
    assert not upload["ok"] and upload["status"] == 400, upload
    assert upload["type"] == "invalid_request_error"
    assert "config.appearance.logo" in upload["message"]

    assert value["scheduler.getPageBySlug"] == {"slug": "page-0", "title": "30-min Coffee Meeting"}
    slots = value["scheduler.getAvailableTimeSlots"]
    assert slots["count"] > 0 and slots["accountId"] == str(ada.pk)
    assert slots["first"]["end"] - slots["first"]["start"] == 1800
    booked = value["scheduler.bookTimeSlot"]
    assert booked["start"] == slots["first"]["start"] and booked["editHash"]
    assert booked["email"] == "grace@example.com"
    assert value["scheduler.cancelBooking"] == {"success": True}
    booking = Booking.objects.get(guest_email="grace@example.com")
    assert booking.status == Booking.Status.CANCELLED
    assert value["scheduler.confirmBooking"] == {"ok": True}
    pending.refresh_from_db()
    assert pending.status == Booking.Status.BOOKED
    for provider in ("scheduler.getGoogleAvailability", "scheduler.getOffice365Availability"):
        refusal = results[provider]
        assert not refusal["ok"] and refusal["status"] == 400, refusal
        assert "CalDAV" in refusal["message"]
    assert value["scheduler.first"] == {"id": numbers[0]}
    assert value["scheduler.delete"] == {"stillThere": False, "status": 404}
    assert not Configuration.objects.filter(slug="made-by-the-v2-sdk").exists()

    # Wanda's booking, confirmed above, is Ada's one busy time (Grace's was cancelled).
    assert value["calendars.freeBusy"] == [{"email": ada.email, "busy": 1}]
    availability = value["calendars.availability"]
    assert availability["count"] > 0
    first = availability["first"]
    assert first["end"] - first["start"] == 1800
    assert first["emails"] == [ada.email, "friend@example.com"]
    consecutive = value["calendars.consecutiveAvailability"]
    assert consecutive["count"] > 0
    meetings = consecutive["first"]
    assert [m["emails"] for m in meetings] in (
        [[ada.email], ["friend@example.com"]],
        [["friend@example.com"], [ada.email]],
    )
    assert meetings[1]["start_time"] == meetings[0]["end_time"]
