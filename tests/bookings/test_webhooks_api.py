"""/v3/webhooks: create (the secret shown once), list, read, update, delete, rotate."""

from __future__ import annotations

import pytest

from bookings.models import WebhookEndpoint
from pages.services import create_grant

URL = "https://hooks.example.com/scheduler"


@pytest.fixture
def auth(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}


def create(api, auth, **body):
    payload = {"trigger_types": ["booking.created"], "webhook_url": URL, **body}
    return api.post("/v3/webhooks", payload, format="json", **auth)


def test_creating_a_webhook_returns_its_secret_once(api, auth):
    response = create(
        api, auth, description="CRM", trigger_types=["booking.created", "booking.cancelled"]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"request_id", "data"}
    data = body["data"]
    assert data["description"] == "CRM"
    assert data["trigger_types"] == ["booking.created", "booking.cancelled"]
    assert data["webhook_url"] == URL
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


@pytest.mark.usefixtures("loopback_destinations")
def test_creation_does_not_call_the_url(api, auth):
    # Nothing listens on port 9 (discard): creation would fail if it tried to reach it.
    assert create(api, auth, webhook_url="http://127.0.0.1:9/hook").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger_types": []}, "trigger_types"),
        ({"trigger_types": ["message.created"]}, "trigger_types[0]"),
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
def test_bad_input_is_a_400_naming_the_field(api, auth, body, field):
    response = create(api, auth, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(f"{field}:")
    assert not WebhookEndpoint.objects.exists()


def test_text_the_database_cannot_store_is_a_400(api, auth):
    body = '{"trigger_types": ["booking.created"], "webhook_url": "%s", "description": "a\\ud800"}'
    response = api.post("/v3/webhooks", body % URL, content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "description: is not valid Unicode text"


@pytest.mark.parametrize("missing", ["trigger_types", "webhook_url"])
def test_required_fields(api, auth, missing):
    body = {"trigger_types": ["booking.created"], "webhook_url": URL}
    del body[missing]
    response = api.post("/v3/webhooks", body, format="json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"{missing}: is required"


def test_a_body_that_is_not_an_object_is_a_400(api, auth):
    response = api.post("/v3/webhooks", ["x"], format="json", **auth)
    assert response.status_code == 400


def test_update_changes_what_is_sent_and_can_pause(api, auth):
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
    assert data["webhook_url"] == URL
    assert "webhook_secret" not in data
    refused = api.put(f"/v3/webhooks/{webhook_id}", {"status": "failed"}, format="json", **auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("status:")


def test_rotating_the_secret_returns_a_new_one_at_both_addresses(api, auth):
    created = create(api, auth).json()["data"]
    first = api.post(f"/v3/webhooks/{created['id']}/rotate-secret", **auth)
    assert first.status_code == 200
    second = api.post(f"/v3/webhooks/rotate-secret/{created['id']}", **auth)
    assert second.status_code == 200
    secrets = {created["webhook_secret"], first.json()["data"]["webhook_secret"]}
    secrets.add(second.json()["data"]["webhook_secret"])
    assert len(secrets) == 3
    assert WebhookEndpoint.objects.get().secret == second.json()["data"]["webhook_secret"]


def test_delete(api, auth):
    webhook_id = create(api, auth).json()["data"]["id"]
    response = api.delete(f"/v3/webhooks/{webhook_id}", **auth)
    assert response.status_code == 200 and set(response.json()) == {"request_id"}
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


def test_the_list_is_paginated(api, auth):
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
