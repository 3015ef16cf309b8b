"""The admin of connected grants: connecting with credentials checked against a real
server, credentials write-only, the sync state shown, and "Sync now"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pages.models import Event, Grant
from tests.caldav_server import event
from tests.pages.sync.hosting import ical_time

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]


def add_form(caldav, **changes):
    return {
        "email": "olive@example.com",
        "name": "Olive",
        "timezone": "Asia/Kathmandu",
        "provider": "caldav",
        "server_url": caldav.server_url,
        "username": caldav.username,
        "password": caldav.password,
        "calendars-TOTAL_FORMS": "0",
        "calendars-INITIAL_FORMS": "0",
        **changes,
    }


def test_a_caldav_grant_is_connected_in_the_admin_and_its_password_never_shown(
    staff_client, caldav
):
    work = caldav.make_calendar("work", "Work")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    caldav.put_event(
        work, "a", event("a", ical_time(start), ical_time(start + dt.timedelta(hours=1)), "A")
    )
    wrong = staff_client.post(
        reverse("admin:pages_grant_add"), add_form(caldav, password="nope"), follow=True
    )
    assert "refused" in wrong.content.decode()
    assert not Grant.objects.filter(email="olive@example.com").exists()

    response = staff_client.post(reverse("admin:pages_grant_add"), add_form(caldav), follow=True)
    assert response.status_code == 200
    grant = Grant.objects.get(email="olive@example.com")
    assert grant.provider == "caldav"
    assert [c.name for c in grant.calendars.all()] == ["Work"]
    assert "gt_" in response.content.decode()

    page = staff_client.get(reverse("admin:pages_grant_change", args=[grant.pk]))
    html = page.content.decode()
    assert caldav.password not in html
    assert "Connected calendars" in html

    synced = staff_client.post(
        reverse("admin:pages_grant_changelist"),
        {"action": "sync_now", "_selected_action": [str(grant.pk)]},
        follow=True,
    )
    assert "synced 1 calendar(s), 1 object(s) fetched" in synced.content.decode()
    assert Event.objects.filter(calendar__grant=grant, title="A").exists()
    page = staff_client.get(reverse("admin:pages_grant_change", args=[grant.pk]))
    assert "Last success:" in page.content.decode()
