"""Who reaches what on the organizer routes. The API key reaches every grant; a grant
token only its own (another grant's things are a 404, as if missing); no header is a
401; edit tokens and sessions are 403; malformed IDs are a JSON 404."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from bookings.models import Session
from pages.models import Configuration, Event


@pytest.fixture
def things(owner):
    """One of each thing under the owner's grant: {name: id}."""
    calendar = owner.calendars.get()
    start = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)
    event = Event.objects.create(calendar=calendar, start=start, end=start + dt.timedelta(hours=1))
    configuration = Configuration.objects.create(grant=owner)
    return {
        "grant": owner.pk,
        "calendar": calendar.pk,
        "event": event.pk,
        "configuration": configuration.pk,
    }


# (method, path template); {grant} etc. are filled from ``things``.
ROUTES = [
    ("get", "/v3/grants/{grant}"),
    ("delete", "/v3/grants/{grant}"),
    ("get", "/v3/grants/{grant}/calendars"),
    ("post", "/v3/grants/{grant}/calendars"),
    ("get", "/v3/grants/{grant}/calendars/{calendar}"),
    ("get", "/v3/grants/{grant}/calendars/primary"),
    ("put", "/v3/grants/{grant}/calendars/{calendar}"),
    ("delete", "/v3/grants/{grant}/calendars/{calendar}"),
    ("get", "/v3/grants/{grant}/events?calendar_id=primary"),
    ("post", "/v3/grants/{grant}/events?calendar_id=primary"),
    ("get", "/v3/grants/{grant}/events/{event}?calendar_id={calendar}"),
    ("put", "/v3/grants/{grant}/events/{event}?calendar_id={calendar}"),
    ("delete", "/v3/grants/{grant}/events/{event}?calendar_id={calendar}"),
    ("get", "/v3/grants/{grant}/scheduling/configurations"),
    ("post", "/v3/grants/{grant}/scheduling/configurations"),
    ("get", "/v3/grants/{grant}/scheduling/configurations/{configuration}"),
    ("put", "/v3/grants/{grant}/scheduling/configurations/{configuration}"),
    ("delete", "/v3/grants/{grant}/scheduling/configurations/{configuration}"),
]
ROUTE_IDS = [f"{method} {path.split('?')[0]}" for method, path in ROUTES]


def call(client, method: str, path: str, things):
    return getattr(client, method)(path.format(**things), {}, format="json")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_no_header_is_a_401_in_the_v3_envelope(api, things, refused, method, path):
    response = call(api, method, path, things)
    refused(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_an_unknown_token_is_a_401(things, refused, client_with, method, path):
    refused(call(client_with("sk_not-a-key"), method, path, things), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_a_grant_token_cannot_reach_another_grant(as_outsider, things, refused, method, path):
    refused(call(as_outsider, method, path, things), 404, "not_found_error")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_an_edit_token_is_forbidden(things, refused, client_with, method, path):
    configuration = Configuration.objects.get(pk=things["configuration"])
    token = configuration.set_new_edit_token()
    configuration.save()
    refused(call(client_with(token), method, path, things), 403, "forbidden")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_a_session_is_forbidden(things, refused, client_with, method, path):
    session = Session(
        configuration_id=things["configuration"],
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    )
    token = session.set_new_token()
    session.save()
    refused(call(client_with(token), method, path, things), 403, "forbidden")


@pytest.mark.parametrize("who", ["as_app", "as_owner"])
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_the_api_key_and_the_own_grant_token_get_past_auth(request, things, who, method, path):
    client = request.getfixturevalue(who)
    # Empty bodies may be refused as bad input, but never for who is asking.
    assert call(client, method, path, things).status_code in (200, 400)


def test_a_grant_token_sees_the_same_404_for_another_grant_as_for_a_missing_one(
    as_outsider, owner, refused
):
    other = refused(as_outsider.get(f"/v3/grants/{owner.pk}"), 404)
    missing = refused(as_outsider.get(f"/v3/grants/{uuid.uuid4()}"), 404)
    assert other == missing


@pytest.mark.parametrize(
    "path",
    [
        "/v3/grants/not-a-uuid",
        "/v3/grants/123/calendars",
        "/v3/grants/{grant}/calendars/not-a-uuid",
        "/v3/grants/{grant}/events/not-a-uuid?calendar_id=primary",
        "/v3/grants/{grant}/events?calendar_id=not-a-uuid",
        "/v3/grants/{grant}/scheduling/configurations/not-a-uuid",
        "/v3/grants/{grant}/scheduling/configurations/{calendar}",
    ],
)
def test_a_malformed_or_unknown_id_is_a_json_404(as_app, things, refused, path):
    refused(as_app.get(path.format(**things)), 404, "not_found_error")


def test_a_configuration_is_reached_only_under_its_own_grant(as_app, things, outsider, refused):
    path = f"/v3/grants/{outsider.pk}/scheduling/configurations/{things['configuration']}"
    refused(as_app.get(path), 404, "not_found_error")


def test_an_event_is_reached_only_through_its_own_calendar(as_app, owner, things, refused):
    other = owner.calendars.create(name="Other")
    path = f"/v3/grants/{owner.pk}/events/{things['event']}?calendar_id={other.pk}"
    refused(as_app.get(path), 404, "not_found_error")


def basic(secret: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{secret}:{password}".encode()).decode()


def test_http_basic_with_the_token_as_user_name_works_like_bearer(api_key, owner, things):
    """The v2 convention, which the v2-era SDKs send: the token as the user name, no
    password. It reaches exactly what the same secret reaches as a bearer token."""
    for secret, reached in ((api_key, 200), (owner.token, 200)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic(secret))
        assert client.get(f"/v3/grants/{things['grant']}").status_code == reached
        assert client.get("/manage/pages").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Basic", "Basic !!!not-base64!!!", "Basic " + base64.b64encode(b":").decode(), "Digest x"],
)
def test_malformed_or_empty_credentials_are_a_401(things, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"/v3/grants/{things['grant']}")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "unauthorized"


def test_basic_with_an_unknown_user_name_is_a_401(things):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic("gt_not_a_real_token"))
    assert client.get(f"/v3/grants/{things['grant']}").status_code == 401
