"""A real CalDAV server for the tests: Radicale (from PyPI) on a spare loopback port,
with its own storage folder and a plain htpasswd file of users.

One server serves a whole test session; each test takes a user of its own (a fresh
principal, so its calendars are its own), and makes calendars and events over plain
HTTP with ``CalDAVUser`` below, never through the code under test.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

USERS = 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _password(n: int) -> str:
    return f"secret-{n:03d}"


class RadicaleServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._next_user = itertools.count(1)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        users = self.folder / "users"
        users.write_text("".join(f"user{n:03d}:{_password(n)}\n" for n in range(1, USERS + 1)))
        # Each user owns their principal and calendars; a calendar whose name starts
        # with "shared-" may also be read (not written) by every other user.
        rights = self.folder / "rights"
        rights.write_text(
            "[root]\nuser: .+\ncollection:\npermissions: R\n\n"
            "[principal]\nuser: .+\ncollection: {user}\npermissions: RW\n\n"
            "[calendars]\nuser: .+\ncollection: {user}/[^/]+\npermissions: rw\n\n"
            "[shared]\nuser: .+\ncollection: [^/]+/shared-[^/]+\npermissions: r\n"
        )
        config = self.folder / "config"
        config.write_text(
            f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
delay = 0
[rights]
type = from_file
file = {rights}
[storage]
filesystem_folder = {self.folder / "collections"}
[logging]
level = warning
"""
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "radicale.log", "w"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "radicale.log").read_text()
                raise RuntimeError(f"Radicale did not start:\n{log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Radicale did not answer within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def change_password(self, user: CalDAVUser, password: str) -> None:
        """Radicale reads the htpasswd file on each login: the old password stops working."""
        users = self.folder / "users"
        users.write_text(
            users.read_text().replace(
                f"{user.username}:{user.password}\n", f"{user.username}:{password}\n"
            )
        )
        user.password = password

    def new_user(self) -> CalDAVUser:
        n = next(self._next_user)
        if n > USERS:
            raise RuntimeError(f"more than {USERS} tests asked for a CalDAV user")
        return CalDAVUser(self.url, f"user{n:03d}", _password(n))


@dataclass
class CalDAVUser:
    """A user of the test server, and what a test does to its calendars directly."""

    server_url: str
    username: str
    password: str

    @property
    def home_url(self) -> str:
        return f"{self.server_url}{self.username}/"

    def request(
        self,
        method: str,
        url: str,
        body: str | bytes = b"",
        headers: dict | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request(
                method,
                parts.path,
                body=body.encode() if isinstance(body, str) else body,
                headers={"Authorization": f"Basic {token}", **(headers or {})},
            )
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def make_calendar(self, slug: str, name: str, components: str = "VEVENT") -> str:
        """MKCALENDAR under the user's home; the collection's URL."""
        url = f"{self.home_url}{slug}/"
        comps = "".join(f'<C:comp name="{c}"/>' for c in components.split(","))
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>{name}</D:displayname>
  <C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>
  </D:prop></D:set></C:mkcalendar>"""
        # The first request as this user makes Radicale create the principal.
        self.request("PROPFIND", self.home_url, headers={"Depth": "0"})
        status, _headers, data = self.request("MKCALENDAR", url, body)
        assert status == 201, (status, data)
        return url

    def put_calendar(self, slug: str, ical: str) -> str:
        """A whole calendar in one request: a PUT of a VCALENDAR on a collection's URL
        makes (or replaces) the collection with one object per UID. Much faster than an
        event at a time for thousands of events."""
        self.request("PROPFIND", self.home_url, headers={"Depth": "0"})
        url = f"{self.home_url}{slug}/"
        status, _headers, data = self.request(
            "PUT", url, ical, {"Content-Type": "text/calendar; charset=utf-8"}, timeout=600
        )
        assert status in (201, 204), (status, data)
        return url

    def delete_calendar(self, calendar_url: str) -> None:
        status, _headers, data = self.request("DELETE", calendar_url)
        assert status in (200, 204), (status, data)

    def put_event(self, calendar_url: str, uid: str, ical: str) -> str:
        """PUT one object; its href (the server's path)."""
        href = f"{urlsplit(calendar_url).path}{uid}.ics"
        status, _headers, data = self.request(
            "PUT",
            f"{self.server_url.rstrip('/')}{href}",
            ical,
            {"Content-Type": "text/calendar; charset=utf-8"},
        )
        assert status in (201, 204), (status, data)
        return href

    def delete_event(self, href: str) -> None:
        status, _headers, data = self.request("DELETE", f"{self.server_url.rstrip('/')}{href}")
        assert status in (200, 204), (status, data)


def vevent(uid: str, start: str, end: str, summary: str = "Busy", extra: str = "") -> str:
    """One VEVENT component, for documents of many."""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n"
    )


def document(*vevents: str) -> str:
    """A VCALENDAR of these VEVENTs (a feed, or a whole calendar for ``put_calendar``)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//scheduler tests//EN\r\n"
        + "".join(vevents)
        + "END:VCALENDAR\r\n"
    )


def event(uid: str, start: str, end: str, summary: str = "Busy", extra: str = "") -> str:
    """A VEVENT's calendar object; ``start``/``end`` in iCalendar UTC form."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//scheduler tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\n{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
