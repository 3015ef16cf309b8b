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


def test_explain_and_availability_name_and_respect_the_remote_event(api, api_key, caldav):
    from tests.pages.sync.hosting import page_for, slot

    work = caldav.make_calendar("work", "Work")
    start = slot(4, 14, 45)  # a quarter past in a half-hour zone
    caldav.put_event(
        work,
        "dentist",
        event("dentist", ical_time(start), ical_time(start + dt.timedelta(hours=1)), "Dentist"),
    )
    grant = Grant.objects.get(
        pk=connect(api, api_key, caldav, timezone="Asia/Kolkata").json()["data"]["id"]
    )
    passes.sync_grant(grant)
    configuration = page_for(grant)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    at = int(start.timestamp())
    explained = api.get(
        f"/v3/grants/{grant.pk}/scheduling/configurations/{configuration.pk}/explain"
        f"?start_time={at}",
        **auth,
    ).json()["data"]
    assert explained["available"] is False
    (busy,) = [r for r in explained["reasons"] if r["reason"] == "busy"]
    assert "“Dentist” in Work" in busy["detail"]

    slots = api.get(
        f"/v3/scheduling/availability?configuration_id={configuration.pk}"
        f"&start_time={at - 3600}&end_time={at + 7200}",
        **auth,
    ).json()["data"]["time_slots"]
    # The grid is the half hours of Kolkata: 14:00 is free, 14:30 to 15:30 meet the
    # dentist (14:45-15:45), 16:00 is free again.
    assert [s["start_time"] for s in slots] == [at - 2700, at + 4500]


@pytest.mark.parametrize(
    ("settings_given", "setting", "said"),
    [
        ({"password": "wrong"}, "settings.password", "refused"),
        ({"url": "http://127.0.0.1:1/"}, "settings.url", "could not be reached"),
        ({"url": "ftp://example.com/"}, "settings.url", "http"),
        ({"username": None}, "settings.username", "required"),
    ],
)
def test_a_connection_that_fails_is_a_400_naming_the_setting(
    api, api_key, caldav, settings_given, setting, said
):
    caldav.make_calendar("work", "Work")
    values = {"url": caldav.server_url, "username": caldav.username, "password": caldav.password}
    values.update(settings_given)
    values = {k: v for k, v in values.items() if v is not None}
    answer = api.post(
        "/v3/connect/custom",
        {"provider": "caldav", "settings": values, "email": "x@example.com"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert setting in error["message"] or error.get("field") == setting, error
    assert said in error["message"], error
    assert not Grant.objects.filter(email="x@example.com").exists()


def test_a_web_server_that_is_not_caldav_is_a_400_saying_so(api, api_key, loopback_destinations):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_PROPFIND(self):
            self.send_response(405)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer = api.post(
            "/v3/connect/custom",
            {
                "provider": "caldav",
                "settings": {
                    "url": f"http://127.0.0.1:{server.server_port}/",
                    "username": "u",
                    "password": "p",
                },
                "email": "y@example.com",
            },
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 400, answer.content
    assert "settings.url" in answer.content.decode()
    assert "405" in answer.json()["error"]["message"]


def test_icloud_connects_to_apples_server_with_the_app_password(api, api_key, caldav, settings):
    settings.SCHEDULER_ICLOUD_URL = caldav.server_url.rstrip("/")
    caldav.make_calendar("home", "Home")
    answer = api.post(
        "/v3/connect/custom",
        {
            "provider": "icloud",
            "settings": {"username": caldav.username, "password": caldav.password},
            "email": "me@icloud.example",
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["data"]["provider"] == "icloud"
    grant = Grant.objects.get(email="me@icloud.example")
    assert [c.name for c in grant.calendars.all()] == ["Home"]


def test_a_grant_token_cannot_connect_and_settings_are_checked(api, api_key, organizer):
    from pages.services import issue_access_token

    token = issue_access_token(grant=organizer)
    refused = api.post(
        "/v3/connect/custom",
        {"provider": "ics", "settings": {"urls": ["https://example.com/a.ics"]}},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403
    for body, field in [
        ({"provider": "exchange", "settings": {}}, "provider"),
        ({"provider": "ics", "settings": {"urls": []}}, "settings.urls"),
        ({"provider": "ics", "settings": {"urls": ["file:///etc/passwd"]}}, "settings.urls[0]"),
        (
            {"provider": "caldav", "settings": {"url": "https://x.example", "pin": 1}},
            "settings.pin",
        ),
        ({"provider": "ics", "settings": "x"}, "settings"),
    ]:
        answer = api.post(
            "/v3/connect/custom", body, format="json", HTTP_AUTHORIZATION=f"Bearer {api_key}"
        )
        assert answer.status_code == 400, (body, answer.content)
        assert field in answer.content.decode(), (body, answer.content)


def test_patch_replaces_the_credentials_after_checking_them(api, api_key, caldav):
    caldav.make_calendar("work", "Work")
    grant_id = connect(api, api_key, caldav).json()["data"]["id"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    wrong = api.patch(
        f"/v3/grants/{grant_id}",
        {"settings": {"url": caldav.server_url, "username": caldav.username, "password": "no"}},
        format="json",
        **auth,
    )
    assert wrong.status_code == 400
    assert "settings.password" in wrong.content.decode()
    renamed = api.patch(
        f"/v3/grants/{grant_id}",
        {
            "settings": {
                "url": caldav.server_url,
                "username": caldav.username,
                "password": caldav.password,
            },
            "name": "Olive",
        },
        format="json",
        **auth,
    )
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["data"]["name"] == "Olive"
    assert renamed.json()["data"]["grant_status"] == "valid"
    assert caldav.password not in renamed.content.decode()


class _Feed:
    """An iCal feed on loopback that answers 304 to its own ETag, counting requests."""

    def __init__(self, text: str):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        feed = self
        self.text, self.etag, self.requests = text, '"v1"', []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests.append(self.path)
                if self.headers.get("If-None-Match") == feed.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = feed.text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("ETag", feed.etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/private/secret-token-123/basic.ics"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_an_ics_feed_is_a_read_only_calendar_its_address_sealed_and_fetched_conditionally(
    api, api_key, loopback_destinations
):
    start = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=3)
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-WR-CALNAME:Holidays\r\n"
        + event("h1", ical_time(start), ical_time(start + dt.timedelta(hours=2)), "Trip").split(
            "PRODID:-//scheduler tests//EN\r\n", 1
        )[1]
    )
    feed = _Feed(text)
    try:
        answer = api.post(
            "/v3/connect/custom",
            {
                "provider": "ics",
                "settings": {"urls": [feed.url.replace("http://", "webcal://", 1)]},
                "email": "feeds@example.com",
            },
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        # webcal:// is https://, which the loopback server does not speak: a 400 naming it.
        assert answer.status_code == 400
        assert "settings.urls[0]" in answer.content.decode()
        answer = api.post(
            "/v3/connect/custom",
            {"provider": "ics", "settings": {"urls": [feed.url]}, "email": "feeds@example.com"},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        assert answer.status_code == 200, answer.content
        assert "secret-token-123" not in answer.content.decode()
        grant = Grant.objects.get(email="feeds@example.com")
        (calendar,) = grant.calendars.all()
        assert (calendar.name, calendar.read_only, calendar.is_primary) == ("Holidays", True, True)
        assert "secret-token-123" not in calendar.source

        passes.sync_grant(grant)
        trip = Event.objects.get(calendar=calendar)
        assert (trip.title, trip.start) == ("Trip", start)
        before = len(feed.requests)
        passes.sync_grant(grant)  # 304: nothing read again, the event stays
        assert len(feed.requests) == before + 1
        assert Event.objects.filter(calendar=calendar).count() == 1

        refused = api.post(
            f"/v3/grants/{grant.pk}/events?calendar_id={calendar.pk}",
            {"title": "x", "when": {"start_time": 1900000000, "end_time": 1900003600}},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        assert refused.status_code == 400
    finally:
        feed.stop()


def test_the_window_rolls_forward_without_asking_the_server_for_the_objects_again(
    api, api_key, caldav, monkeypatch
):
    work = caldav.make_calendar("work", "Work")
    first = dt.datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    daily = event(
        "standup",
        ical_time(first),
        ical_time(first + dt.timedelta(minutes=15)),
        "Standup",
        "RRULE:FREQ=DAILY\r\n",
    )
    caldav.put_event(work, "standup", daily)
    grant = Grant.objects.get(pk=connect(api, api_key, caldav).json()["data"]["id"])
    now = dt.datetime.now(UTC)
    passes.sync_grant(grant, now=now)
    calendar = grant.calendars.get()
    last = Event.objects.filter(calendar=calendar).order_by("-start").first().start
    assert last <= calendar.expanded_until

    from pages import outbound

    sent = []
    real_send = outbound.send
    monkeypatch.setattr(
        outbound,
        "send",
        lambda method, url, **kw: sent.append(method) or real_send(method, url, **kw),
    )
    later = now + dt.timedelta(days=10)
    passes.sync_grant(grant, now=later)
    assert [m for m in sent if m != "PROPFIND"] == []  # the stored text was expanded again
    calendar.refresh_from_db()
    rolled_last = Event.objects.filter(calendar=calendar).order_by("-start").first().start
    assert rolled_last - last >= dt.timedelta(days=9)
    # One occurrence per day, none twice.
    starts = list(Event.objects.filter(calendar=calendar).values_list("start", flat=True))
    assert len(starts) == len(set(starts))


def test_refused_credentials_make_the_grant_invalid_owe_grant_expired_and_keep_busy_time(
    api, api_key, caldav
):
    from bookings.models import OutboxMessage, WebhookEndpoint
    from pages.sync import providers
    from pages.sync import services as sync_services

    endpoint = WebhookEndpoint(
        webhook_url="https://hooks.example.com/in",
        trigger_types=["grant.created", "grant.updated", "grant.expired"],
    )
    endpoint.set_new_secret()
    endpoint.save()
    work = caldav.make_calendar("work", "Work")
    start = soon()
    caldav.put_event(
        work, "kept", event("kept", ical_time(start), ical_time(start + dt.timedelta(hours=1)))
    )
    grant = Grant.objects.get(pk=connect(api, api_key, caldav).json()["data"]["id"])
    passes.sync_grant(grant)
    assert Event.objects.filter(calendar__grant=grant).count() == 1

    # The password changes on the server's side: what we hold is refused from now on.
    wrong = {"url": caldav.server_url, "username": caldav.username, "password": "changed"}
    found = providers.reach("caldav", {**wrong, "password": caldav.password})
    sync_services.change_grant_settings(grant=grant, values=wrong, found=found)
    outcome = passes.sync_grant(grant)
    assert outcome.errors and "refused" in outcome.errors[0]
    grant.refresh_from_db()
    assert grant.grant_status == "invalid"
    assert "refused" in grant.last_sync_error
    assert Event.objects.filter(calendar__grant=grant).count() == 1  # still busy
    passes.sync_grant(grant)  # an invalid grant is not asked again, nor announced twice
    purposes = list(
        OutboxMessage.objects.filter(endpoint=endpoint).values_list("purpose", flat=True)
    )
    assert sorted(purposes) == ["grant.created", "grant.expired", "grant.updated"]
    shown = api.get(f"/v3/grants/{grant.pk}", HTTP_AUTHORIZATION=f"Bearer {api_key}").json()
    assert shown["data"]["grant_status"] == "invalid"
    assert "refused" in shown["data"]["sync"]["last_error"]

    fixed = api.patch(
        f"/v3/grants/{grant.pk}",
        {
            "settings": {
                "url": caldav.server_url,
                "username": caldav.username,
                "password": caldav.password,
            }
        },
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert fixed.json()["data"]["grant_status"] == "valid"
    updates = OutboxMessage.objects.filter(endpoint=endpoint, purpose="grant.updated")
    assert updates.count() == 2
