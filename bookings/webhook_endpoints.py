"""The services of webhook subscriptions: the only code that writes WebhookEndpoint rows.

The webhooks API and the admin call these; each runs in one transaction. A secret is
returned once, by the call that made it, and stored as issued (it must sign deliveries).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bookings.models import WebhookEndpoint


@transaction.atomic
def create_endpoint(**fields) -> tuple[WebhookEndpoint, str]:
    """A new subscription and its signing secret (shown to the caller once)."""
    endpoint = WebhookEndpoint(**fields)
    secret = endpoint.set_new_secret()
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def update_endpoint(*, endpoint_id, changes: dict) -> WebhookEndpoint | None:
    """Apply ``changes``; a change of status is dated. Locked, so two updates at once
    apply one after the other. None when the endpoint is gone meanwhile."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return None
    for field, value in changes.items():
        setattr(endpoint, field, value)
    if "status" in changes:
        endpoint.status_updated_at = timezone.now()
    endpoint.save()
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint_id) -> tuple[WebhookEndpoint, str] | None:
    """A new secret signs every delivery from now on; the old one stops at once. None
    when the endpoint is gone meanwhile."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return None
    secret = endpoint.set_new_secret()
    endpoint.save(update_fields=["secret", "secret_hint", "updated_at"])
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
