"""Each difference between /v3/schema and the API that schemathesis once found, pinned
as one concrete request: its answer must be one the schema documents, in that status's
content type. (tests/scheduler_site/test_schemathesis_all.py hunts for new ones.)"""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/v3/schema").json()


@pytest.fixture
def key(db):
    from pages.services import create_api_key

    return create_api_key(name="findings")[1]


def documented(schema, method: str, route: str, status: int) -> dict | None:
    return schema["paths"][route][method]["responses"].get(str(status))


def send(client, method, path, key=None, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if body is None and method in ("get", "delete"):
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, body or "{}", content_type="application/json", **headers)


@pytest.mark.parametrize(
    "method,route,path,with_key,status",
    [
        ("get", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("get", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("put", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("put", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("delete", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("delete", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("post", "/manage/pages", "/manage/pages", False, 401),
        ("post", "/manage/pages", "/manage/pages", True, 400),
        ("get", "/schedule/{slug}/info", "/schedule/0/info", False, 404),
        ("post", "/schedule/{slug}/{edit_hash}/confirm", "/schedule/0/0/confirm", False, 404),
    ],
)
def test_a_v2_error_is_documented(client, schema, key, method, route, path, with_key, status):
    response = send(client, method, path, key if with_key else None)
    assert response.status_code == status, response.content[:200]
    answer = documented(schema, method, route, status)
    assert answer is not None, f"{method.upper()} {route} does not document {status}"
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/V2Error"
    }


@pytest.mark.parametrize(
    "method,route",
    [
        ("get", "/v3/scheduling/should-redirect/{slug}"),
        ("get", "/v3/scheduling/availability"),
        ("get", "/v3/scheduling/ui-settings"),
        ("post", "/v3/scheduling/bookings"),
        ("get", "/v3/scheduling/bookings/{booking_id}"),
        ("patch", "/v3/scheduling/bookings/{booking_id}"),
        ("delete", "/v3/scheduling/bookings/{booking_id}"),
    ],
)
def test_a_route_a_guest_calls_without_a_header_says_the_header_is_optional(schema, method, route):
    assert {} in schema["paths"][route][method]["security"]


def test_should_redirect_answers_without_a_header(client, db, schema):
    response = client.get("/v3/scheduling/should-redirect/nothing-here")
    assert response.status_code == 200
    assert {} in schema["paths"]["/v3/scheduling/should-redirect/{slug}"]["get"]["security"]


def test_an_organizer_only_route_still_requires_its_header(schema):
    assert {} not in schema["paths"]["/v3/scheduling/sessions"]["post"]["security"]
    assert {} not in schema["paths"]["/v3/calendars/availability"]["post"]["security"]


def component(schema, route, method):
    ref = schema["paths"][route][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].split("/")[-1]]


def test_patch_grant_takes_nulls_and_refuses_other_keys_as_documented(client, schema, key):
    from pages.services import create_grant

    grant, _ = create_grant(email="patched@example.com")
    path = f"/v3/grants/{grant.pk}"
    body = {"settings": None, "name": "", "timezone": None}
    assert send(client, "patch", path, key, body).status_code == 200
    request = component(schema, "/v3/grants/{grant_id}", "patch")
    assert all(request["properties"][name].get("nullable") for name in body if name != "name")
    refused = send(client, "patch", path, key, {"colour": "red"})
    assert refused.status_code == 400
    assert request["additionalProperties"] is False
    for kept in ("scope", "state"):
        assert send(client, "patch", path, key, {kept: {"any": 1}}).status_code == 200
        assert kept in request["properties"]


def test_a_virtual_calendar_grant_is_connected_without_settings(client, schema, key):
    body = {"provider": "virtual-calendar", "email": "no-settings@example.com"}
    assert send(client, "post", "/v3/connect/custom", key, body).status_code == 200
    assert "settings" not in component(schema, "/v3/connect/custom", "post").get("required", [])


def test_a_webhook_status_is_set_by_an_update_only(client, schema, key, settings):
    settings.SCHEDULER_WEBHOOK_VERIFY = False
    body = {"trigger_types": ["booking.created"], "webhook_url": "https://hooks.example.com/x"}
    made = send(client, "post", "/v3/webhooks", key, {**body, "status": {}})
    assert made.status_code == 200  # status is not the creator's to set: ignored
    assert made.json()["data"]["status"] == "active"
    create = component(schema, "/v3/webhooks", "post")
    assert create["properties"]["status"].get("readOnly") is True
    path = f"/v3/webhooks/{made.json()['data']['id']}"
    assert send(client, "put", path, key, {"status": ""}).status_code == 400
    update = component(schema, "/v3/webhooks/{webhook_id}", "put")
    status = update["properties"]["status"]
    if "$ref" in status:
        status = schema["components"]["schemas"][status["$ref"].split("/")[-1]]
    assert status["enum"] == ["active", "pause"]


def test_a_configuration_is_created_with_participants_as_documented(client, schema, key):
    from pages.services import create_grant

    grant, _ = create_grant(email="organizer@example.com")
    route = "/v3/grants/{grant_id}/scheduling/configurations"
    path = route.replace("{grant_id}", str(grant.pk))
    assert send(client, "post", path, key, {"name": "x"}).status_code == 400
    assert "participants" in component(schema, route, "post")["required"]
    # A PUT keeps the participants it is not sent.
    assert "participants" not in component(schema, route + "/{configuration_id}", "put").get(
        "required", []
    )


def test_an_event_range_before_1970_is_refused_as_documented(client, schema, key):
    from pages.services import create_grant

    grant, _ = create_grant(email="events@example.com")
    path = f"/v3/grants/{grant.pk}/events?calendar_id=primary&start=-5"
    assert send(client, "get", path, key).status_code == 400
    parameters = schema["paths"]["/v3/grants/{grant_id}/events"]["get"]["parameters"]
    for parameter in parameters:
        if parameter["name"] in ("start", "end"):
            assert parameter["schema"]["minimum"] == 0


def test_a_webhook_description_with_a_control_character_is_refused_as_documented(
    client, schema, key, settings
):
    import re

    settings.SCHEDULER_WEBHOOK_VERIFY = False
    body = {
        "trigger_types": ["booking.created"],
        "webhook_url": "https://hooks.example.com/x",
        "description": "bell\x07",
    }
    assert send(client, "post", "/v3/webhooks", key, body).status_code == 400
    assert (
        send(client, "post", "/v3/webhooks", key, {**body, "description": "a\nb"}).status_code
        == 200
    )
    pattern = component(schema, "/v3/webhooks", "post")["properties"]["description"]["pattern"]
    assert re.fullmatch(pattern, "a\nb\tc")
    assert not re.fullmatch(pattern, "bell\x07")


def test_a_session_needs_a_configuration_id_or_a_slug_as_documented(client, schema, key):
    assert send(client, "post", "/v3/scheduling/sessions", key, {}).status_code == 400
    body = schema["paths"]["/v3/scheduling/sessions"]["post"]["requestBody"]
    assert body["required"] is True
    alternatives = body["content"]["application/json"]["schema"]["anyOf"]
    assert [a["required"] for a in alternatives] == [["configuration_id"], ["slug"]]
    missing = {"slug": "no-such-page"}
    assert send(client, "post", "/v3/scheduling/sessions", key, missing).status_code == 404


def test_a_v2_page_needs_its_access_tokens_as_documented(client, schema, key):
    assert send(client, "post", "/manage/pages", key, {}).status_code == 400
    body = schema["paths"]["/manage/pages"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["required"] == ["access_tokens"]


def test_at_most_ten_notification_addresses_as_documented(client, schema, key, settings):
    settings.SCHEDULER_WEBHOOK_VERIFY = False
    body = {
        "trigger_types": ["booking.created"],
        "webhook_url": "https://hooks.example.com/x",
        "notification_email_addresses": [f"a{i}@example.com" for i in range(11)],
    }
    assert send(client, "post", "/v3/webhooks", key, body).status_code == 400
    for route, method in (("/v3/webhooks", "post"), ("/v3/webhooks/{webhook_id}", "put")):
        addresses = component(schema, route, method)["properties"]["notification_email_addresses"]
        assert addresses["maxItems"] == 10


def test_a_participant_email_is_an_email_address_as_documented(client, schema, key):
    from pages.services import create_grant

    grant, _ = create_grant(email="host@example.com")
    body = {"participants": [{"email": "", "is_organizer": True}]}
    path = f"/v3/grants/{grant.pk}/scheduling/configurations"
    assert send(client, "post", path, key, body).status_code == 400
    participant = schema["components"]["schemas"]["ParticipantSchema"]
    assert participant["properties"]["email"]["format"] == "email"


def test_connect_custom_reads_null_as_not_sent_as_documented(client, schema, key):
    body = {
        "provider": "virtual-calendar",
        "email": "nulls@example.com",
        "name": None,
        "timezone": None,
        "state": None,
    }
    assert send(client, "post", "/v3/connect/custom", key, body).status_code == 200
    properties = component(schema, "/v3/connect/custom", "post")["properties"]
    assert all(properties[name]["nullable"] for name in ("email", "name", "timezone", "state"))


def test_a_zone_is_an_iana_name_blank_or_null_as_documented(client, schema, key):
    from pages.services import create_grant

    grant, _ = create_grant(email="zones@example.com")
    path = f"/v3/grants/{grant.pk}/calendars"
    refused = send(client, "post", path, key, {"name": "x", "timezone": "Mars/Olympus"})
    assert refused.status_code == 400
    for zone in ("Asia/Kathmandu", "", None):
        assert send(client, "post", path, key, {"name": "x", "timezone": zone}).status_code == 200
    zones = schema["components"]["schemas"]["TimeZone"]["enum"]
    assert "Asia/Kathmandu" in zones and "Mars/Olympus" not in zones
    for route, method in (
        ("/v3/grants/{grant_id}/calendars", "post"),
        ("/v3/grants/{grant_id}/calendars/{calendar_id}", "put"),
        ("/v3/grants", "post"),
        ("/v3/grants/{grant_id}", "patch"),
        ("/v3/connect/custom", "post"),
    ):
        timezone = component(schema, route, method)["properties"]["timezone"]
        assert {"$ref": "#/components/schemas/TimeZone"} in timezone["oneOf"], route


def test_an_idempotency_key_is_what_the_schema_says(schema):
    """The header's pattern is exactly run_once()'s rule over a Latin-1 header value:
    1 to 255 printable characters, neither end a space (HTTP strips those)."""
    import re

    from bookings.idempotency import run_once
    from pages.api.errors import BadRequest

    operation = schema["paths"]["/v3/scheduling/bookings"]["post"]
    (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    rule = header["schema"]
    assert (rule["minLength"], rule["maxLength"]) == (1, 255)
    pattern = re.compile(rule["pattern"])
    for code in range(256):
        value = f"a{chr(code)}b"
        refused = False
        try:
            run_once(key=value, scope="-", digest="-", work=lambda: (500, {}))
        except BadRequest:
            refused = True
        except Exception:  # noqa: BLE001 (past the key's checks: the database, here none)
            pass
        assert bool(pattern.match(value)) is not refused, hex(code)
    assert not pattern.match(" a") and not pattern.match("a ")


def test_a_blank_guest_name_is_refused_as_documented(schema):
    import re

    from bookings.guest_input import clean_name

    name = schema["components"]["schemas"]["GuestSchema"]["properties"]["name"]
    assert name["maxLength"] == 200
    for value in (" ", "\u3000", "a\nb", "Ada", " Ada ", "x" * 200):
        try:
            clean_name(value, "guest.name")
            taken = True
        except Exception:  # noqa: BLE001 (InvalidBooking)
            taken = False
        assert bool(re.match(name["pattern"], value)) is taken, repr(value)


def test_round_to_is_a_multiple_of_five_as_documented(client, schema, key):
    rules = component(schema, "/v3/calendars/availability", "post")["properties"]["round_to"]
    assert rules["multipleOf"] == 5
    body = {
        "start_time": 1_900_000_000,
        "end_time": 1_900_003_600,
        "duration_minutes": 30,
        "round_to": 11,
        "participants": [{"email": "nobody@example.com"}],
    }
    answer = send(client, "post", "/v3/calendars/availability", key, body)
    assert answer.status_code == 400 and "round_to" in answer.json()["error"]["message"]


def test_a_session_says_when_it_began_and_ends(client, schema, key):
    """GET session's created_at and expires_at are the range the stateful run's links ask
    availability for."""
    from pages.services import create_grant

    grant, _ = create_grant(email="sessions@example.com")
    made = send(
        client,
        "post",
        f"/v3/grants/{grant.pk}/scheduling/configurations",
        key,
        {"participants": [{"email": grant.email, "is_organizer": True}]},
    )
    assert made.status_code == 200, made.content[:300]
    body = {"configuration_id": made.json()["data"]["id"], "time_to_live": 30}
    session = send(client, "post", "/v3/scheduling/sessions", key, body).json()["data"]
    info = send(client, "get", f"/v3/scheduling/sessions/{session['session_id']}", key)
    data = info.json()["data"]
    assert data["expires_at"] - data["created_at"] in (1799, 1800)
    documented_fields = schema["components"]["schemas"]["SessionInfo"]["properties"]
    assert {"created_at", "expires_at"} <= set(documented_fields)
