"""Every list pages with ``limit`` and ``page_token``; ``next_cursor`` is null at the end."""

from __future__ import annotations

import datetime as dt

import pytest

from pages.models import Configuration, Event

START = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)


def make_five(kind: str, owner, make_grant) -> None:
    if kind == "grants":  # the owner plus four
        for i in range(4):
            make_grant(f"person{i}@example.com")
    elif kind == "calendars":  # the primary plus four
        for i in range(4):
            owner.calendars.create(name=f"Calendar {i}")
    elif kind == "events":
        calendar = owner.calendars.get(is_primary=True)
        for i in range(5):
            start = START + dt.timedelta(hours=i)
            Event.objects.create(calendar=calendar, start=start, end=start + dt.timedelta(hours=1))
    else:
        for i in range(5):
            Configuration.objects.create(grant=owner, name=f"Page {i}")


LISTS = {
    "grants": "/v3/grants",
    "calendars": "/v3/grants/{grant}/calendars",
    "events": "/v3/grants/{grant}/events",
    "configurations": "/v3/grants/{grant}/scheduling/configurations",
}


def get_list(client, kind: str, owner, **params):
    if kind == "events":
        params["calendar_id"] = "primary"
    return client.get(LISTS[kind].format(grant=owner.pk), params)


@pytest.mark.parametrize("kind", LISTS)
def test_walking_the_pages_gives_every_item_once(as_app, owner, make_grant, kind):
    make_five(kind, owner, make_grant)
    seen, token, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"page_token": token} if token else {})}
        body = get_list(as_app, kind, owner, **params).json()
        pages += 1
        assert len(body["data"]) <= 2
        seen += [item["id"] for item in body["data"]]
        token = body["next_cursor"]
        if token is None:
            break
        assert isinstance(token, str)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("kind", LISTS)
def test_one_page_that_holds_everything_ends_with_a_null_cursor(as_app, owner, kind, ok):
    response = get_list(as_app, kind, owner)
    ok(response)
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
@pytest.mark.parametrize("kind", LISTS)
def test_a_bad_limit_is_a_400_naming_limit(as_app, owner, refused, kind, limit):
    response = get_list(as_app, kind, owner, limit=limit)
    assert refused(response, 400, "invalid_request_error").startswith("limit: ")


@pytest.mark.parametrize("kind", LISTS)
def test_a_made_up_page_token_is_a_400(as_app, owner, refused, kind):
    response = get_list(as_app, kind, owner, page_token="!!not-ours")
    assert refused(response, 400).startswith("page_token: ")


def test_the_limit_defaults_to_50_and_goes_up_to_200(as_app, owner, make_grant):
    for i in range(60):
        make_grant(f"p{i}@example.com")
    first = as_app.get("/v3/grants").json()
    assert len(first["data"]) == 50 and first["next_cursor"]
    everything = as_app.get("/v3/grants", {"limit": 200}).json()
    assert len(everything["data"]) == 61 and everything["next_cursor"] is None
