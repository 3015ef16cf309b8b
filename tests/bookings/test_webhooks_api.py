"""/v3/webhooks: create (its URL verified with a challenge, the secret shown once), list,
read, update, delete, rotate. Every subscription here is verified for real: its URL is a
receiver on loopback that echoes the challenge (or, in the tests of verification,
answers otherwise)."""

from __future__ import annotations

import pytest

from bookings.models import WebhookEndpoint
from bookings.models.webhooks import DELIVERED_TRIGGERS, TRIGGER_TYPES
from pages.services import create_grant

pytestmark = pytest.mark.usefixtures("loopback_destinations")


@pytest.fixture(autouse=True)
def verified(settings):
    settings.SCHEDULER_WEBHOOK_VERIFY = True


@pytest.fixture
def echo(receivers):
    return receivers()


@pytest.fixture
def auth(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}


@pytest.fixture
def create(echo):
    """POST /v3/webhooks; the URL is the echoing receiver's unless the body names one."""

    def post(api, auth, **body):
        payload = {"trigger_types": ["booking.created"], "webhook_url": echo.url, **body}
        return api.post("/v3/webhooks", payload, format="json", **auth)

    return post


def test_creating_a_webhook_returns_its_secret_once(api, auth, echo, create):
    response = create(
        api, auth, description="CRM", trigger_types=["booking.created", "booking.cancelled"]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"request_id", "data"}
    data = body["data"]
    assert data["description"] == "CRM"
    assert data["trigger_types"] == ["booking.created", "booking.cancelled"]
    assert data["webhook_url"] == echo.url
    assert data["status"] == "active"
    assert data["notification_email_addresses"] == []
    assert isinstance(data["created_at"], int) and isinstance(data["updated_at"], int)
    secret = data["webhook_secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    endpoint = WebhookEndpoint.objects.get(pk=data["id"])
    assert endpoint.secret == secret
    again = api.get(f"/v3/webhooks/{data['id']}", **auth).json()["data"]
    assert "webhook_secret" not in again
    listed = api.get("/v3/webhooks", **auth).json()
    assert listed["next_cursor"] is None
    assert [w["id"] for w in listed["data"]] == [data["id"]]
    assert "webhook_secret" not in listed["data"][0]


def test_creation_verifies_the_url_with_a_fresh_challenge(api, auth, echo, create):
    assert create(api, auth).status_code == 200
    assert create(api, auth, webhook_url=echo.url + "?team=a").status_code == 200
    first, second = echo.gets()
    assert first.startswith("/hooks?challenge=") and len(first) > len("/hooks?challenge=") + 20
    assert second.startswith("/hooks?team=a&challenge=")
    assert first.split("challenge=")[1] != second.split("challenge=")[1]
    assert echo.posts() == []


@pytest.mark.parametrize(
    ("behaviour", "said"),
    [
        (
            {"get_status": 404, "get_body": b"not here"},
            "answered the verification request with HTTP 404",
        ),
        ({"get_body": b"wrong"}, "answered the verification request with 'wrong' instead of"),
        ({"get_body": b""}, "with 'an empty body' instead of"),
    ],
)
def test_a_url_that_does_not_echo_the_challenge_is_a_400_saying_what_came_back(
    api, auth, receivers, behaviour, said, create
):
    receiver = receivers(**behaviour)
    response = create(api, auth, webhook_url=receiver.url)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("webhook_url: could not be verified: ")
    assert said in message
    assert len(receiver.gets()) == 1
    assert not WebhookEndpoint.objects.exists()


def test_a_challenge_wrapped_in_json_is_refused(api, auth, receivers, create):
    receiver = receivers()
    receiver.get_body = b'{"challenge": "x"}'
    response = create(api, auth, webhook_url=receiver.url)
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]["message"]


def test_a_url_that_answers_too_late_is_a_400(api, auth, receivers, settings, create):
    settings.SCHEDULER_WEBHOOK_VERIFY_TIMEOUT_SECONDS = 1
    receiver = receivers(get_delay=2)
    response = create(api, auth, webhook_url=receiver.url)
    assert response.status_code == 400
    assert (
        "did not answer the verification request (GET with ?challenge=) within 1 s"
        in (response.json()["error"]["message"])
    )
    assert not WebhookEndpoint.objects.exists()


def test_a_url_nothing_listens_at_is_a_400(api, auth, create):
    # Nothing listens on port 9 (discard).
    response = create(api, auth, webhook_url="http://127.0.0.1:9/hook")
    assert response.status_code == 400
    assert "did not answer the verification request" in response.json()["error"]["message"]


def test_the_challenge_goes_through_the_outbound_policy(api, auth, echo, settings, create):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []
    response = create(api, auth)
    assert response.status_code == 400
    assert "loopback" in response.json()["error"]["message"]
    assert echo.gets() == []


def test_verification_can_be_switched_off(api, auth, settings, create):
    settings.SCHEDULER_WEBHOOK_VERIFY = False
    assert create(api, auth, webhook_url="http://127.0.0.1:9/hook").status_code == 200


def test_a_subscription_may_mix_any_hosted_trigger_types(api, auth, create):
    mixed = [
        "booking.created",
        "grant.expired",
        "event.updated",
        "message.created",
        "notetaker.media",
    ]
    response = create(api, auth, trigger_types=mixed)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["trigger_types"] == mixed
    assert create(api, auth, trigger_types=list(TRIGGER_TYPES)).status_code == 200
    assert set(DELIVERED_TRIGGERS) < set(TRIGGER_TYPES)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger_types": []}, "trigger_types"),
        ({"trigger_types": ["calendar.exploded"]}, "trigger_types[0]"),
        ({"trigger_types": "booking.created"}, "trigger_types"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"webhook_url": "http://example.com:99999/"}, "webhook_url"),
        ({"webhook_url": 5}, "webhook_url"),
        ({"description": "x" * 501}, "description"),
        ({"description": "null\u0000byte"}, "description"),
        ({"webhook_url": "https://example.com/a\tb"}, "webhook_url"),
        ({"notification_email_addresses": ["nope"]}, "notification_email_addresses[0]"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, auth, body, field, create):
    response = create(api, auth, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(f"{field}:")
    assert not WebhookEndpoint.objects.exists()


def test_text_the_database_cannot_store_is_a_400(api, auth, echo):
    body = '{"trigger_types": ["booking.created"], "webhook_url": "%s", "description": "a\\ud800"}'
    response = api.post("/v3/webhooks", body % echo.url, content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "description: is not valid Unicode text"


@pytest.mark.parametrize("missing", ["trigger_types", "webhook_url"])
def test_required_fields(api, auth, echo, missing):
    body = {"trigger_types": ["booking.created"], "webhook_url": echo.url}
    del body[missing]
    response = api.post("/v3/webhooks", body, format="json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"{missing}: is required"


def test_a_body_that_is_not_an_object_is_a_400(api, auth):
    response = api.post("/v3/webhooks", ["x"], format="json", **auth)
    assert response.status_code == 400


def test_update_changes_what_is_sent_and_can_pause(api, auth, echo, create):
    webhook_id = create(api, auth).json()["data"]["id"]
    response = api.put(
        f"/v3/webhooks/{webhook_id}",
        {"trigger_types": ["booking.reminder"], "status": "pause", "description": "later"},
        format="json",
        **auth,
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["trigger_types"] == ["booking.reminder"]
    assert data["status"] == "pause"
    assert data["description"] == "later"
    assert data["webhook_url"] == echo.url
    assert "webhook_secret" not in data
    refused = api.put(f"/v3/webhooks/{webhook_id}", {"status": "failed"}, format="json", **auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("status:")


def test_rotating_the_secret_returns_a_new_one_at_both_addresses(api, auth, create):
    created = create(api, auth).json()["data"]
    first = api.post(f"/v3/webhooks/{created['id']}/rotate-secret", **auth)
    assert first.status_code == 200
    second = api.post(f"/v3/webhooks/rotate-secret/{created['id']}", **auth)
    assert second.status_code == 200
    secrets = {created["webhook_secret"], first.json()["data"]["webhook_secret"]}
    secrets.add(second.json()["data"]["webhook_secret"])
    assert len(secrets) == 3
    assert WebhookEndpoint.objects.get().secret == second.json()["data"]["webhook_secret"]


def test_delete_answers_success_in_the_envelope(api, auth, create):
    webhook_id = create(api, auth).json()["data"]["id"]
    response = api.delete(f"/v3/webhooks/{webhook_id}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"request_id", "data"} and body["data"] == {"status": "success"}
    assert api.get(f"/v3/webhooks/{webhook_id}", **auth).status_code == 404


@pytest.mark.parametrize("webhook_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_webhook_is_a_json_404(api, auth, webhook_id):
    for response in (
        api.get(f"/v3/webhooks/{webhook_id}", **auth),
        api.put(f"/v3/webhooks/{webhook_id}", {}, format="json", **auth),
        api.delete(f"/v3/webhooks/{webhook_id}", **auth),
        api.post(f"/v3/webhooks/{webhook_id}/rotate-secret", **auth),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "not_found_error"


def test_the_list_is_paginated(api, auth, create):
    for _ in range(3):
        create(api, auth)
    first = api.get("/v3/webhooks?limit=2", **auth).json()
    assert len(first["data"]) == 2 and first["next_cursor"]
    rest = api.get(f"/v3/webhooks?limit=2&page_token={first['next_cursor']}", **auth).json()
    assert len(rest["data"]) == 1 and rest["next_cursor"] is None


def test_webhooks_need_the_api_key(api, db):
    assert api.get("/v3/webhooks").status_code == 401
    bad = api.get("/v3/webhooks", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and bad.json()["error"]["type"] == "unauthorized"
    _grant, token = create_grant(email="someone@example.com")
    as_grant = api.get("/v3/webhooks", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert as_grant.status_code == 403 and as_grant.json()["error"]["type"] == "forbidden"
    assert not WebhookEndpoint.objects.exists()


def test_the_schema_describes_the_webhook_routes(api, db):
    schema = api.get("/v3/schema").json()
    assert "/v3/webhooks" in schema["paths"]
    assert "/v3/webhooks/{webhook_id}/rotate-secret" in schema["paths"]
