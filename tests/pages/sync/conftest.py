"""A Radicale server for the session (tests/caldav_server.py), a user of its own for
each test, loopback HTTP servers (``web``), and loopback opened in the outbound policy
(Radicale and those servers listen on 127.0.0.1)."""

from __future__ import annotations

import pytest

from tests.caldav_server import RadicaleServer
from tests.pages.sync.web import LoopbackServer


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    # Tests marked ``caldav`` are skipped (tests/conftest.py) before this runs when
    # Radicale is not installed.
    server = RadicaleServer(tmp_path_factory.mktemp("radicale"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def caldav(radicale, loopback_destinations):
    """A fresh user (and principal) on the session's Radicale: ``.server_url``,
    ``.username``, ``.password``, and helpers to make calendars and events."""
    return radicale.new_user()


@pytest.fixture
def web(loopback_destinations):
    """Start a loopback HTTP server with a handler class (tests/pages/sync/web.py); stopped
    after the test."""
    started = []

    def start(handler):
        started.append(LoopbackServer(handler))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def connect_grant(db):
    """Connect a grant the way POST /v3/connect/custom does (reach the server, store what
    it showed), without the HTTP round: ``connect_grant(provider, values, zone)``."""
    from pages.sync import providers, services

    def connect(provider: str, values: dict, zone: str = "UTC", email: str = ""):
        grant, _token = services.connect_grant(
            provider=provider,
            values=values,
            found=providers.reach(provider, values),
            email=email or "organizer@example.com",
            timezone_name=zone,
        )
        return grant

    return connect
