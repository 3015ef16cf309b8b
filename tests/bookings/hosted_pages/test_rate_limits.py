"""Rate limits on the hosted pages' booking POSTs: per IP and per guest email, counted
in the database so every process shares them."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from bookings import rate_limits
from bookings.models import Booking, RateLimitCounter

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "panel"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="intro")


def start(hour: int, day: int = 7) -> str:
    return str(int(dt.datetime(2026, 12, day, hour, tzinfo=CHICAGO).timestamp()))


def post(client, slot: str, email: str = "grace@example.com", ip: str = "203.0.113.9", **extra):
    data = {"slot": slot, "tz": "America/Chicago", "name": "Grace", "email": email}
    return client.post("/book/intro/", data, REMOTE_ADDR=ip, **extra)


def test_one_ip_gets_a_friendly_429_after_its_allowance(client, page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (3, 600), "email": (100, 3600)}
    for i in range(3):
        assert post(client, start(9 + i), email=f"g{i}@example.com").status_code == 303
    response = post(client, start(13), email="g9@example.com")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html and "Please wait 10 minutes" in html
    assert 0 < int(response["Retry-After"]) <= 600
    assert Booking.objects.count() == 3
    # Another address is not affected.
    assert post(client, start(14), email="g10@example.com", ip="198.51.100.7").status_code == 303


def test_one_email_gets_a_429_whatever_its_address(client, page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (100, 600), "email": (2, 3600)}
    assert post(client, start(9), ip="198.51.100.1").status_code == 303
    assert post(client, start(10), ip="198.51.100.2").status_code == 303
    assert post(client, start(11), email="GRACE@example.com ", ip="198.51.100.3").status_code == 429


def test_htmx_gets_the_message_as_the_panel(client, page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (0, 600)}
    response = post(client, start(9), **HTMX)
    assert response.status_code == 429
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel"')
    assert "Too many attempts" in html


def test_the_window_resets(client, page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1, 600), "email": (100, 3600)}
    assert post(client, start(9), email="a@example.com").status_code == 303
    assert post(client, start(10), email="b@example.com").status_code == 429
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assert post(client, start(10), email="b@example.com").status_code == 303


def test_counters_are_kept_in_the_database_without_plain_emails(db):
    rate_limits.hit("email", rate_limits.email_key("Grace@Example.com"))
    rate_limits.hit("email", rate_limits.email_key("grace@example.com"))
    (row,) = RateLimitCounter.objects.all()
    assert row.count == 2
    assert "grace" not in row.key.lower()


def test_expired_counters_are_cleaned_up(db, monkeypatch):
    monkeypatch.setattr(rate_limits, "CLEANUP_CHANCE", 1.0)
    rate_limits.hit("ip", "192.0.2.1", now=NOW.timestamp() - 7200)
    rate_limits.hit("ip", "192.0.2.2", now=NOW.timestamp())
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["ip:192.0.2.2"]


def test_a_trusted_proxys_forwarded_address_is_used(rf, settings):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.2")
    assert rate_limits.client_ip(request) == "10.0.0.1"
    settings.SCHEDULER_TRUSTED_PROXY_HOPS = 1
    assert rate_limits.client_ip(request) == "10.0.0.2"
    settings.SCHEDULER_TRUSTED_PROXY_HOPS = 2
    assert rate_limits.client_ip(request) == "203.0.113.5"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_requests_never_exceed_the_limit(settings):
    """Twenty threads (twenty connections) race for an allowance of five."""
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (5, 600)}
    verdicts, barrier = [], threading.Barrier(20)

    def attempt():
        barrier.wait()
        try:
            verdicts.append(rate_limits.hit("ip", "203.0.113.77").allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(verdicts) == [False] * 15 + [True] * 5
    assert RateLimitCounter.objects.get().count == 20
