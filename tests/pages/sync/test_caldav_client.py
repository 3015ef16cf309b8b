"""pages/sync/caldav_client.py against a real CalDAV server (Radicale on loopback, see
tests/caldav_server.py) and real loopback HTTP servers for what Radicale cannot be: a
web server that is not CalDAV, a server that never answers, an iCal feed."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

import pytest

from pages import outbound
from pages.sync import caldav_client as client
from tests.caldav_server import event, free_port
from tests.pages.sync.web import Quiet

pytestmark = pytest.mark.caldav


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def calendar(caldav) -> client.Calendar:
    """One event calendar of the test's user, as discovery gives it."""
    url = caldav.make_calendar("work", "Work")
    (found,) = client.discover(url, caldav.username, caldav.password).calendars
    return found


# Discovery


def test_discovery_from_the_server_root_lists_each_event_calendar_with_its_name(caldav):
    caldav.make_calendar("work", "Work")
    caldav.make_calendar("home", "Home")
    caldav.make_calendar("chores", "Chores", components="VTODO")  # no events: not listed

    account = client.discover(caldav.server_url, caldav.username, caldav.password)

    assert account.principal_url == f"{caldav.server_url}{caldav.username}/"
    by_name = {c.name: c for c in account.calendars}
    assert sorted(by_name) == ["Home", "Work"]
    work = by_name["Work"]
    assert work.url == f"{caldav.server_url}{caldav.username}/work/"
    assert work.ctag and work.sync_token
    assert work.read_only is False
    assert work.credentials.username == caldav.username
    assert caldav.password not in repr(work)


def test_discovery_from_a_calendar_collection_url_gives_that_calendar_alone(caldav):
    caldav.make_calendar("work", "Work")
    url = caldav.make_calendar("home", "Home")

    account = client.discover(url, caldav.username, caldav.password)

    assert account.principal_url is None
    assert [(c.url, c.name) for c in account.calendars] == [(url, "Home")]


def test_a_calendar_shared_read_only_is_discovered_read_only_and_still_syncs(radicale, caldav):
    owner = radicale.new_user()
    url = owner.make_calendar("shared-team", "Team")
    href = owner.put_event(url, "e1", event("e1", "20270105T100000Z", "20270105T110000Z"))
    (own,) = client.discover(url, owner.username, owner.password).calendars
    assert own.read_only is False

    (shared,) = client.discover(url, caldav.username, caldav.password).calendars

    assert (shared.name, shared.read_only) == ("Team", True)
    assert [item.href for item in client.changes(shared, None).changed] == [href]
    assert [r.href for r in client.fetch(shared, [href])] == [href]


def test_a_wrong_password_is_credentials_refused_saying_what_the_server_answered(caldav):
    with pytest.raises(client.CredentialsRefused, match="HTTP 401"):
        client.discover(caldav.server_url, caldav.username, "not the password")


def test_a_web_server_that_is_not_caldav_is_not_caldav(web):
    class Homepage(Quiet):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>Welcome</html>")

    server = web(Homepage)  # PROPFIND is answered 501 by http.server

    with pytest.raises(client.NotCalDAV, match="not a CalDAV server.*HTTP 501"):
        client.discover(server.url, "someone", "password")


def test_a_server_answering_propfind_with_a_page_is_not_caldav(web):
    class Everything(Quiet):
        def _page(self):
            self.send_response(200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            self.wfile.write(b"<html>Welcome</html>")

        do_GET = do_PROPFIND = _page

    server = web(Everything)

    with pytest.raises(client.NotCalDAV, match="HTTP 200"):
        client.discover(f"{server.url}dav/", "someone", "password")


def test_a_closed_port_is_unreachable(loopback_destinations):
    port = free_port()
    with pytest.raises(client.Unreachable, match="refused"):
        client.discover(f"http://127.0.0.1:{port}/", "someone", "password", timeout=2)


def test_a_name_that_does_not_resolve_is_unreachable(monkeypatch):
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", no_such_name)
    with pytest.raises(client.Unreachable, match="could not be resolved"):
        client.discover("https://caldav.example.com/", "someone", "password")


def test_a_server_that_never_answers_times_out_in_the_configured_time(loopback_destinations):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts (the kernel does) and never answers
    try:
        began = time.monotonic()
        with pytest.raises(client.Unreachable, match="within 0.5 s|timed out"):
            client.discover(
                f"http://127.0.0.1:{listener.getsockname()[1]}/", "someone", "pw", timeout=0.5
            )
        # Its own half second, not the client's default of ten (with room for a busy CI).
        assert 0.4 < time.monotonic() - began < 4
    finally:
        listener.close()


def test_the_outbound_policy_refuses_loopback_when_no_private_destination_is_listed(
    caldav, settings
):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []
    with pytest.raises(client.DestinationRefused, match="loopback"):
        client.discover(caldav.server_url, caldav.username, caldav.password)


def test_a_redirect_to_another_host_is_not_followed(web, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.0/8"]
    hits = []

    class Elsewhere(Quiet):
        def do_PROPFIND(self):
            hits.append(self.path)
            self.send_response(301)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_port}/dav/")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = web(Elsewhere)

    with pytest.raises(client.ServerError, match="another host"):
        client.discover(server.url, "someone", "password")
    # Both starting points were asked here; neither redirect was followed.
    assert hits == ["/.well-known/caldav", "/"]


# Changes by sync token


def test_changes_from_no_token_give_every_event_and_a_token(caldav, calendar):
    one = caldav.put_event(
        calendar.url, "one", event("one", "20270105T100000Z", "20270105T110000Z")
    )
    two = caldav.put_event(
        calendar.url, "two", event("two", "20270106T100000Z", "20270106T110000Z")
    )

    found = client.changes(calendar, None)

    assert sorted(item.href for item in found.changed) == sorted([one, two])
    assert all(item.etag for item in found.changed)
    assert found.removed == ()
    assert found.sync_token


def test_changes_after_one_change_give_exactly_that_href_and_a_new_token(caldav, calendar):
    caldav.put_event(calendar.url, "one", event("one", "20270105T100000Z", "20270105T110000Z"))
    two = caldav.put_event(
        calendar.url, "two", event("two", "20270106T100000Z", "20270106T110000Z")
    )
    first = client.changes(calendar, None)
    old_etag = {item.href: item.etag for item in first.changed}[two]

    caldav.put_event(calendar.url, "two", event("two", "20270106T120000Z", "20270106T130000Z"))
    second = client.changes(calendar, first.sync_token)

    assert [item.href for item in second.changed] == [two]
    assert second.changed[0].etag != old_etag
    assert second.removed == ()
    assert second.sync_token != first.sync_token
    assert client.changes(calendar, second.sync_token).changed == ()


def test_a_deleted_event_is_reported_removed(caldav, calendar):
    one = caldav.put_event(
        calendar.url, "one", event("one", "20270105T100000Z", "20270105T110000Z")
    )
    caldav.put_event(calendar.url, "two", event("two", "20270106T100000Z", "20270106T110000Z"))
    first = client.changes(calendar, None)

    caldav.delete_event(one)
    second = client.changes(calendar, first.sync_token)

    assert second.removed == (one,)
    assert second.changed == ()


def test_a_forged_sync_token_is_rejected(calendar):
    with pytest.raises(client.SyncTokenRejected, match="valid-sync-token"):
        client.changes(calendar, "http://radicale.org/ns/sync/" + "0" * 64)


def test_a_server_without_the_sync_report_says_so(web):
    class NoSync(Quiet):
        def do_REPORT(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'<error xmlns="DAV:"><supported-report/></error>'
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = web(NoSync)
    calendar = client.Calendar(url=f"{server.url}cal/")

    with pytest.raises(client.NoSyncToken):
        client.changes(calendar, None)


def test_the_refresh_of_a_calendar_shows_a_new_ctag_after_a_change(caldav, calendar):
    caldav.put_event(calendar.url, "one", event("one", "20270105T100000Z", "20270105T110000Z"))
    fresh = client.refresh(calendar)
    assert fresh.ctag != calendar.ctag
    assert fresh.sync_token != calendar.sync_token
    assert client.refresh(fresh).ctag == fresh.ctag


def test_a_response_larger_than_the_limit_is_refused(caldav, calendar):
    for n in range(5):
        caldav.put_event(
            calendar.url, f"e{n}", event(f"e{n}", "20270105T100000Z", "20270105T110000Z")
        )
    with pytest.raises(client.TooLarge, match="more than 500"):
        client.changes(calendar, None, max_bytes=500)


def test_changed_credentials_are_refused_mid_life(caldav, calendar):
    wrong = client.Calendar(
        url=calendar.url, credentials=client.Credentials(caldav.username, "rotated")
    )
    with pytest.raises(client.CredentialsRefused):
        client.changes(wrong, None)
    with pytest.raises(client.CredentialsRefused):
        client.etags_in_range(wrong, utc(2027, 1, 1), utc(2027, 2, 1))
    with pytest.raises(client.CredentialsRefused):
        client.fetch(wrong, ["/x.ics"])


# Time ranges and objects

KOLKATA = (
    "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def test_etags_in_range_keeps_only_events_overlapping_the_range(caldav, calendar):
    # 09:30-10:00 in Kolkata (UTC+05:30) is 04:00-04:30 UTC.
    kolkata = caldav.put_event(
        calendar.url,
        "kolkata",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        + KOLKATA
        + "BEGIN:VEVENT\r\nUID:kolkata\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Asia/Kolkata:20270105T093000\r\nDTEND;TZID=Asia/Kolkata:20270105T100000\r\n"
        "SUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    # A weekly series begun two years earlier still has an instance that week.
    weekly = caldav.put_event(
        calendar.url,
        "weekly",
        event("weekly", "20250107T150000Z", "20250107T160000Z", extra="RRULE:FREQ=WEEKLY\r\n"),
    )
    caldav.put_event(calendar.url, "later", event("later", "20270301T100000Z", "20270301T110000Z"))

    def hrefs(start, end):
        return sorted(item.href for item in client.etags_in_range(calendar, start, end))

    assert hrefs(utc(2027, 1, 5, 4, 15), utc(2027, 1, 5, 4, 45)) == [kolkata]
    assert hrefs(utc(2027, 1, 5, 4, 30), utc(2027, 1, 5, 5)) == []  # the end is exclusive
    assert hrefs(utc(2027, 1, 5), utc(2027, 1, 6)) == sorted([kolkata, weekly])
    assert hrefs(utc(2027, 1, 12, 15, 30), utc(2027, 1, 12, 15, 45)) == [weekly]
    with pytest.raises(ValueError, match="aware"):
        client.etags_in_range(calendar, datetime(2027, 1, 5), datetime(2027, 1, 6))


def test_fetch_returns_each_events_text_and_etag(caldav, calendar):
    one = caldav.put_event(
        calendar.url, "one", event("one", "20270105T100000Z", "20270105T110000Z")
    )
    two = caldav.put_event(
        calendar.url, "two", event("two", "20270106T100000Z", "20270106T110000Z", "Dentist")
    )
    etags = {item.href: item.etag for item in client.changes(calendar, None).changed}

    found = {r.href: r for r in client.fetch(calendar, [one, two, one, f"{calendar.href}gone.ics"])}

    assert sorted(found) == sorted([one, two])
    assert "SUMMARY:Dentist" in found[two].ical
    assert "UID:one" in found[one].ical
    assert {href: r.etag for href, r in found.items()} == etags


def test_fetch_asks_in_batches(caldav, calendar, monkeypatch):
    monkeypatch.setattr(client, "MULTIGET_BATCH", 2)
    start = utc(2027, 1, 5, 10)
    hrefs = [
        caldav.put_event(
            calendar.url,
            f"e{n}",
            event(
                f"e{n}",
                (start + timedelta(days=n)).strftime("%Y%m%dT%H%M%SZ"),
                (start + timedelta(days=n, hours=1)).strftime("%Y%m%dT%H%M%SZ"),
            ),
        )
        for n in range(5)
    ]
    assert sorted(r.href for r in client.fetch(calendar, hrefs)) == sorted(hrefs)


# iCal feeds

FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//feed//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:f1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270105T100000Z\r\n"
    b"DTEND:20270105T110000Z\r\nSUMMARY:Feed event\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def feed_server(web, *, etag: str | None, last_modified: str | None, seen: list):
    class Feed(Quiet):
        def do_GET(self):
            seen.append(dict(self.headers))
            if (etag and self.headers.get("If-None-Match") == etag) or (
                last_modified and self.headers.get("If-Modified-Since") == last_modified
            ):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            if etag:
                self.send_header("ETag", etag)
            if last_modified:
                self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

    return web(Feed)


def test_a_feed_is_fetched_then_unchanged_by_its_etag(web):
    seen = []
    server = feed_server(web, etag='"v1"', last_modified=None, seen=seen)

    first = client.fetch_feed(f"{server.url}secret-address/basic.ics")
    assert not first.unchanged
    assert "SUMMARY:Feed event" in first.ical
    assert first.etag == '"v1"'
    assert "Authorization" not in seen[0]

    again = client.fetch_feed(f"{server.url}secret-address/basic.ics", etag=first.etag)
    assert again.unchanged and again.ical is None and again.etag == '"v1"'
    assert seen[1]["If-None-Match"] == '"v1"'


def test_a_feed_is_fetched_then_unchanged_by_its_last_modified_date(web):
    stamp = formatdate(1_800_000_000, usegmt=True)
    seen = []
    server = feed_server(web, etag=None, last_modified=stamp, seen=seen)

    first = client.fetch_feed(f"{server.url}feed.ics")
    assert first.last_modified == stamp and first.etag is None

    again = client.fetch_feed(f"{server.url}feed.ics", last_modified=first.last_modified)
    assert again.unchanged
    assert seen[1]["If-Modified-Since"] == stamp


def test_a_feed_larger_than_the_limit_is_refused(web):
    server = feed_server(web, etag=None, last_modified=None, seen=[])
    with pytest.raises(client.TooLarge):
        client.fetch_feed(f"{server.url}feed.ics", max_bytes=len(FEED) - 1)


def test_a_feed_address_that_answers_no_icalendar_is_refused(web):
    class Page(Quiet):
        def do_GET(self):
            self.send_response(404 if "gone" in self.path else 200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            self.wfile.write(b"<html>Welcome</html>")

    server = web(Page)
    with pytest.raises(client.ServerError, match="not answer an iCalendar feed"):
        client.fetch_feed(f"{server.url}feed.ics")
    with pytest.raises(client.ServerError, match="HTTP 404"):
        client.fetch_feed(f"{server.url}gone.ics")


def test_a_feed_address_that_is_no_longer_allowed_is_credentials_refused(web):
    class Revoked(Quiet):
        def do_GET(self):
            self.send_response(403)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"Forbidden")

    server = web(Revoked)
    with pytest.raises(client.CredentialsRefused, match="refused the feed's address: HTTP 403"):
        client.fetch_feed(f"{server.url}feed.ics")


def test_a_feed_must_be_http_or_https(loopback_destinations):
    with pytest.raises(client.DestinationRefused, match="http"):
        client.fetch_feed("file:///etc/passwd")


# Addresses a server names: followed with the user's password only over http(s), never
# from https down to plain http.


def test_a_principal_named_on_another_scheme_is_refused_with_what_was_named(caldav, web):
    from tests.pages.sync.web import proxy_handler

    def elsewhere(method, data):
        return data.replace(f"/{caldav.username}/</".encode(), b"file:///etc/</")

    proxy = web(proxy_handler(caldav.server_url, rewrite=elsewhere))
    with pytest.raises(client.NotCalDAV, match="'file:///etc/': only http\\(s\\) addresses"):
        client.discover(proxy.url, caldav.username, caldav.password)


def test_a_calendar_listed_on_another_scheme_is_left_out_and_the_rest_found(caldav, web):
    from tests.pages.sync.web import proxy_handler

    caldav.make_calendar("work", "Work")
    caldav.make_calendar("home", "Home")

    def gopher(method, data):
        return data.replace(f"/{caldav.username}/work/".encode(), b"gopher://127.0.0.1/work/")

    proxy = web(proxy_handler(caldav.server_url, rewrite=gopher))
    account = client.discover(proxy.url, caldav.username, caldav.password)
    assert [c.name for c in account.calendars] == ["Home"]


@pytest.mark.parametrize(
    ("base", "href", "followed"),
    [
        (
            "https://caldav.icloud.com/",
            "/123/principal/",
            "https://caldav.icloud.com/123/principal/",
        ),
        # iCloud's calendar home is on another host than its principal.
        (
            "https://caldav.icloud.com/123/principal/",
            "https://p42-caldav.icloud.com:443/123/calendars/",
            "https://p42-caldav.icloud.com:443/123/calendars/",
        ),
        ("https://dav.example.com/", "http://dav.example.com/u/", None),
        ("http://127.0.0.1:5232/", "https://127.0.0.1:5232/u/", "https://127.0.0.1:5232/u/"),
        ("https://dav.example.com/", "file:///etc/passwd", None),
        ("https://dav.example.com/", "javascript:alert(1)", None),
        ("http://dav.example.com/", "ftp://dav.example.com/u/", None),
    ],
)
def test_which_named_addresses_are_followed(base, href, followed):
    assert client._followable(base, href) == followed
