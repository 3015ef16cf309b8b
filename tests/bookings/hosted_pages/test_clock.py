"""Times the way people read them: the clock follows the reader's language and region
(en-US 12 hours; en-GB and German 24), a toggle switches it and every link keeps the
choice; without JavaScript the calendar comes at once, in the organizer's zone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="intro", title="Intro call", timezone="America/Chicago")


def day_times(client, query: str = "", **headers) -> list[str]:
    url = f"/book/intro/?tz=America/Chicago&day={MONDAY}{query}"
    html = client.get(url, **HTMX, HTTP_HX_TARGET="panel", **headers).content.decode()
    return re.findall(r'class="slot" href="[^"]*"[^>]*>([^<]+)<', html)


@pytest.mark.parametrize(
    ("accept", "first"),
    [
        ("en-US,en;q=0.9", "9:00 AM"),
        ("en", "9:00 AM"),
        ("en-GB,en;q=0.8", "09:00"),
        ("en-IE", "09:00"),
        ("de-DE,de;q=0.9,en;q=0.5", "9:00 AM"),  # the page speaks English: en's default
        ("", "9:00 AM"),
    ],
)
def test_the_clock_follows_the_readers_region(client, page, accept, first):
    assert day_times(client, HTTP_ACCEPT_LANGUAGE=accept)[0] == first


def test_a_german_page_reads_24_hours(client, page):
    assert day_times(client, "&lang=de", HTTP_ACCEPT_LANGUAGE="de-DE")[0] == "09:00"


def test_the_toggle_switches_the_clock_and_every_link_keeps_it(client, page):
    url = f"/book/intro/?tz=America/Chicago&day={MONDAY}"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    toggle = re.search(r'<a class="clock-toggle" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert toggle[2] == "Show 24-hour times"
    switched = client.get(toggle[1].replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en-US")
    html = switched.content.decode()
    assert ">09:00<" in html and "9:00 AM" not in html
    assert "Show 12-hour times" in html
    slot_links = re.findall(r'class="slot" href="([^"]+)"', html)
    assert slot_links and all("clock=24" in link for link in slot_links)
    chosen = client.get(slot_links[0].replace("&amp;", "&").split("#")[0]).content.decode()
    assert '<input type="hidden" name="clock" value="24">' in chosen, "the form keeps it"
    assert re.search(r"Monday, December 7, 09:00", chosen)


def test_without_javascript_the_calendar_comes_at_once_in_the_organizers_zone(client, page):
    html = client.get("/book/intro/").content.decode()
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert refresh, "the shell sends a browser without JavaScript to the calendar"
    target = refresh[1].replace("&amp;", "&")
    assert "tz=America%2FChicago" in target
    calendar = client.get(target).content.decode()
    assert 'class="day free' in calendar and 'class="slot"' in calendar


def test_the_shell_is_kept_apart_for_each_clock(client, page):
    us = client.get("/book/intro/", HTTP_ACCEPT_LANGUAGE="en-US")
    gb = client.get("/book/intro/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert "Accept-Language" in us["Vary"]
    assert "(CST, 6:00 AM)" in us.content.decode()
    assert "(CST, 06:00)" in gb.content.decode()
