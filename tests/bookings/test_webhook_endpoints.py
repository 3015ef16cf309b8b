"""bookings/webhook_endpoints.py, the services of webhook subscriptions: each change in
one transaction, a secret returned once by the call that made it."""

from __future__ import annotations

import pytest

from bookings import webhook_endpoints
from bookings.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def make(**fields):
    return webhook_endpoints.create_endpoint(
        webhook_url="https://hooks.example.com/in",
        trigger_types=["booking.created"],
        **fields,
    )


def test_creating_returns_the_secret_once_and_keeps_it_to_sign_with():
    endpoint, secret = make(description="CRM")
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert secret and stored.secret == secret and stored.description == "CRM"


def test_an_update_dates_a_change_of_status_and_nothing_else():
    endpoint, _ = make()
    before = endpoint.status_updated_at
    same = webhook_endpoints.update_endpoint(endpoint_id=endpoint.pk, changes={"description": "x"})
    assert same.status_updated_at == before and same.description == "x"
    paused = webhook_endpoints.update_endpoint(
        endpoint_id=endpoint.pk, changes={"status": WebhookEndpoint.Status.PAUSE}
    )
    assert paused.status == WebhookEndpoint.Status.PAUSE
    assert paused.status_updated_at != before


def test_rotating_replaces_the_secret_at_once():
    endpoint, old = make()
    endpoint, new = webhook_endpoints.rotate_secret(endpoint_id=endpoint.pk)
    assert new != old and WebhookEndpoint.objects.get(pk=endpoint.pk).secret == new


def test_an_endpoint_deleted_meanwhile_is_none_not_an_error():
    endpoint, _ = make()
    webhook_endpoints.delete_endpoint(endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists()
    assert webhook_endpoints.update_endpoint(endpoint_id=endpoint.pk, changes={}) is None
    assert webhook_endpoints.rotate_secret(endpoint_id=endpoint.pk) is None
