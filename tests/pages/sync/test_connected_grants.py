"""Connecting a grant to a real CalDAV server (Radicale) through the API, and what a
sync pass then stores: the remote calendars as the grant's, their busy occurrences as
events, sealed credentials, incremental passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from pages.models import Calendar, Event, Grant, RemoteEvent
from pages.sync import passes
from tests.caldav_server import event

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC


def ical_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def soon(days: int = 2, hour: int = 15) -> dt.datetime:
    base = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return (base + dt.timedelta(days=days)).replace(hour=hour)


def connect(api, api_key, caldav, **extra):
    body = {
        "provider": "caldav",
        "settings": {
            "url": caldav.server_url,
            "username": caldav.username,
            "password": caldav.password,
        },
        "email": f"{caldav.username}@example.com",
        "timezone": "Europe/Paris",
        **extra,
    }
    return api.post(
        "/v3/connect/custom", body, format="json", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    )


def test_a_caldav_account_connects_with_its_calendars_and_a_pass_stores_its_busy_time(
    api, api_key, caldav
):
    work = caldav.make_calendar("work", "Work")
    caldav.make_calendar("home", "Home")
    start = soon()
    caldav.put_event(
        work,
        "dentist",
        event("dentist", ical_time(start), ical_time(start + dt.timedelta(hours=1)), "Dentist"),
    )

    answer = connect(api, api_key, caldav)
    assert answer.status_code == 200, answer.content
    data = answer.json()["data"]
    assert data["provider"] == "caldav"
    assert data["grant_status"] == "valid"
    assert data["access_token"]
    assert caldav.password not in answer.content.decode()

    grant = Grant.objects.get(pk=data["id"])
    names = sorted(c.name for c in grant.calendars.all())
    assert names == ["Home", "Work"]
    assert grant.calendars.filter(is_primary=True).count() == 1

    outcome = passes.sync_grant(grant)
    assert outcome.errors == []
    dentist = Event.objects.get(calendar__grant=grant, title="Dentist")
    assert (dentist.start, dentist.end) == (start, start + dt.timedelta(hours=1))
    assert dentist.ical_uid == "dentist"
    assert dentist.calendar.name == "Work"

    listed = api.get(
        f"/v3/grants/{grant.pk}/calendars", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    ).json()["data"]
    assert sorted(c["name"] for c in listed) == ["Home", "Work"]

    shown = api.get(f"/v3/grants/{grant.pk}", HTTP_AUTHORIZATION=f"Bearer {api_key}").json()
    assert shown["data"]["sync"]["calendars"] == 2
    assert shown["data"]["sync"]["events"] == 1
    assert shown["data"]["sync"]["last_error"] is None
    assert shown["data"]["sync"]["last_success_at"] is not None


def test_the_password_is_sealed_in_the_database(api, api_key, caldav):
    caldav.make_calendar("work", "Work")
    data = connect(api, api_key, caldav).json()["data"]
    table = connection.ops.quote_name(Grant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        rows = repr(cursor.fetchall())
    assert caldav.password not in rows
    assert data["id"] in rows or data["id"].replace("-", "") in rows


def test_a_second_pass_with_nothing_changed_asks_one_request_per_calendar(
    api, api_key, caldav, monkeypatch
):
    work = caldav.make_calendar("work", "Work")
    start = soon()
    for n in range(20):
        at = start + dt.timedelta(days=n)
        caldav.put_event(
            work, f"e{n}", event(f"e{n}", ical_time(at), ical_time(at + dt.timedelta(hours=1)))
        )
    grant = Grant.objects.get(pk=connect(api, api_key, caldav).json()["data"]["id"])
    passes.sync_grant(grant)
    assert RemoteEvent.objects.filter(calendar__grant=grant).count() == 20

    from pages import outbound

    sent = []
    real_send = outbound.send

    def counting(method, url, **kw):
        sent.append(method)
        return real_send(method, url, **kw)

    monkeypatch.setattr(outbound, "send", counting)
    passes.sync_grant(grant)
    calendar_requests = [m for m in sent if m != "PROPFIND"]
    assert calendar_requests == []  # nothing changed: the ctag said so

    caldav.put_event(
        work,
        "new",
        event("new", ical_time(start), ical_time(start + dt.timedelta(minutes=30)), "New"),
    )
    sent.clear()
    passes.sync_grant(grant)
    assert sent.count("REPORT") == 2  # sync-collection, then one multiget
    assert Event.objects.filter(calendar__grant=grant, title="New").count() == 1
    assert RemoteEvent.objects.filter(calendar__grant=grant).count() == 21


def test_a_deleted_event_is_gone_after_the_next_pass(api, api_key, caldav):
    work = caldav.make_calendar("work", "Work")
    start = soon()
    href = caldav.put_event(
        work, "gone", event("gone", ical_time(start), ical_time(start + dt.timedelta(hours=1)))
    )
    grant = Grant.objects.get(pk=connect(api, api_key, caldav).json()["data"]["id"])
    passes.sync_grant(grant)
    assert Event.objects.filter(calendar__grant=grant).count() == 1
    caldav.delete_event(href)
    passes.sync_grant(grant)
    assert Event.objects.filter(calendar__grant=grant).count() == 0
    assert Calendar.objects.filter(grant=grant).count() == 1
