"""A pass over an account where nothing changed asks the server one thing: the calendar
home's listing (one PROPFIND, carrying every calendar's ctag and sync-token), instead of
discovering the account again (well-known, principal, home) and then asking each
calendar for its ctag. New and removed calendars still appear and go; a home that moved,
or new settings, mean discovery again. Against Radicale."""

from __future__ import annotations

import datetime as dt

import pytest

from pages import outbound
from pages.models import Event, Grant
from pages.sync import passes, providers, services
from tests.caldav_server import event

pytestmark = [pytest.mark.caldav, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC
# Asia/Kathmandu (UTC+05:45): the busy hour lands on a quarter hour.
ZONE = "Asia/Kathmandu"


def values(user, url: str | None = None) -> dict:
    return {"url": url or user.server_url, "username": user.username, "password": user.password}


def put(user, calendar_url: str, uid: str, days: int) -> None:
    start = (dt.datetime.now(UTC) + dt.timedelta(days=days)).replace(
        minute=15, second=0, microsecond=0
    )
    user.put_event(
        calendar_url,
        uid,
        event(uid, _ical(start), _ical(start + dt.timedelta(minutes=45)), uid),
    )


def _ical(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def requests(monkeypatch):
    """Every request the sync makes, as (method, path, depth): counted, then sent."""
    sent: list[tuple[str, str, str]] = []
    send = outbound.send

    def counted(method, url, **kwargs):
        depth = (kwargs.get("headers") or {}).get("Depth", "")
        sent.append((method, url.split("://", 1)[-1].split("/", 1)[-1], depth))
        return send(method, url, **kwargs)

    monkeypatch.setattr(outbound, "send", counted)
    return sent


def titles(grant) -> list[str]:
    return sorted(Event.objects.filter(calendar__grant=grant).values_list("title", flat=True))


def test_a_quiet_pass_over_an_account_of_three_calendars_is_one_request(
    caldav, connect_grant, requests
):
    for slug in ("work", "home", "club"):
        put(caldav, caldav.make_calendar(slug, slug.title()), f"{slug}-1", 1)
    grant = connect_grant("caldav", values(caldav), ZONE)
    first = passes.sync_grant(grant)
    assert first.errors == [] and first.fetched >= 3
    grant.refresh_from_db()
    assert grant.calendar_home_url.rstrip("/").endswith(caldav.username)

    requests.clear()
    quiet = passes.sync_grant(grant)

    assert quiet.errors == [] and quiet.fetched == 0
    assert requests == [("PROPFIND", f"{caldav.username}/", "1")], requests
    assert titles(grant) == ["club-1", "home-1", "work-1"]


def test_a_change_in_one_calendar_is_read_from_that_calendar_alone(caldav, connect_grant, requests):
    work = caldav.make_calendar("work", "Work")
    caldav.make_calendar("home", "Home")
    grant = connect_grant("caldav", values(caldav), ZONE)
    passes.sync_grant(grant)
    put(caldav, work, "moved-in", 2)

    requests.clear()
    outcome = passes.sync_grant(grant)

    assert outcome.fetched == 1
    assert requests[0] == ("PROPFIND", f"{caldav.username}/", "1")
    assert all("/home/" not in path for _method, path, _depth in requests), requests
    assert "moved-in" in titles(grant)


def test_calendars_made_and_removed_on_the_server_appear_and_go(caldav, connect_grant):
    first = caldav.make_calendar("work", "Work")
    put(caldav, first, "w", 1)
    grant = connect_grant("caldav", values(caldav), ZONE)
    passes.sync_grant(grant)

    second = caldav.make_calendar("evenings", "Evenings")
    put(caldav, second, "e", 1)
    passes.sync_grant(grant)
    assert sorted(grant.calendars.exclude(source="").values_list("name", flat=True)) == [
        "Evenings",
        "Work",
    ]
    assert titles(grant) == ["e", "w"]

    caldav.delete_calendar(first)
    passes.sync_grant(grant)
    assert list(grant.calendars.exclude(source="").values_list("name", flat=True)) == ["Evenings"]
    assert titles(grant) == ["e"]


@pytest.mark.parametrize("where", ["gone", "another users"])
def test_a_home_that_moved_means_discovery_again_not_a_refused_grant(
    caldav, connect_grant, requests, where, radicale
):
    put(caldav, caldav.make_calendar("work", "Work"), "w", 1)
    grant = connect_grant("caldav", values(caldav), ZONE)
    passes.sync_grant(grant)
    real_home = Grant.objects.get(pk=grant.pk).calendar_home_url
    stale = (
        f"{caldav.server_url}no-such-home/"
        if where == "gone"
        else radicale.new_user().home_url  # Radicale answers 403 for another user's
    )
    Grant.objects.filter(pk=grant.pk).update(calendar_home_url=stale)
    grant.refresh_from_db()

    requests.clear()
    outcome = passes.sync_grant(grant)

    grant.refresh_from_db()
    assert outcome.errors == [], outcome.errors
    assert grant.grant_status == Grant.Status.VALID
    assert grant.calendar_home_url == real_home
    assert len(requests) > 2  # the stale listing, then discovery
    assert titles(grant) == ["w"]


def test_a_grant_of_one_collection_asks_that_collection_alone(caldav, connect_grant, requests):
    work = caldav.make_calendar("work", "Work")
    caldav.make_calendar("other", "Other")
    put(caldav, work, "w", 1)
    grant = connect_grant("caldav", values(caldav, work), ZONE)
    passes.sync_grant(grant)
    grant.refresh_from_db()
    assert grant.calendar_home_url == ""
    assert list(grant.calendars.exclude(source="").values_list("name", flat=True)) == ["Work"]

    requests.clear()
    passes.sync_grant(grant)

    assert requests == [("PROPFIND", f"{caldav.username}/work/", "0")], requests


def test_new_settings_forget_the_home(caldav, connect_grant, radicale):
    put(caldav, caldav.make_calendar("work", "Work"), "w", 1)
    grant = connect_grant("caldav", values(caldav), ZONE)
    passes.sync_grant(grant)
    other = radicale.new_user()
    put(other, other.make_calendar("mine", "Mine"), "theirs", 1)
    new_values = values(other)

    services.change_grant_settings(
        grant=grant, values=new_values, found=providers.reach("caldav", new_values)
    )
    grant.refresh_from_db()
    assert grant.calendar_home_url == ""
    passes.sync_grant(grant)

    grant.refresh_from_db()
    assert grant.calendar_home_url == other.home_url
    assert titles(grant) == ["theirs"]
