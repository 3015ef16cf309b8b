"""Webhook endpoints (v3): ``/v3/webhooks[/{id}]``, ``rotate-secret``, ``send-test-event``
and ``mock-payload``. The API key only: webhooks belong to the application, not to one
grant. Thin: read the body, check the receiver (bookings/webhook_checks.py), write the
endpoint, render it. The secret is in the answer to a create or a rotation, never after.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from bookings import webhook_checks, webhook_endpoints
from bookings.api.scoping import parse_uuid, require_caller
from bookings.models import WebhookEndpoint
from bookings.models.webhooks import DELIVERED_TRIGGERS, TRIGGER_TYPES
from pages import outbound
from pages.api import parsing as p
from pages.api.auth import BearerAuthentication
from pages.api.envelope import page_of, v3
from pages.api.errors import BadRequest, NotFound
from pages.api.openapi import PAGE_PARAMETERS, constant, enveloped, responses
from pages.unix_time import to_unix

TAGS = ["webhooks"]
EDITABLE_STATUSES = (WebhookEndpoint.Status.ACTIVE.value, WebhookEndpoint.Status.PAUSE.value)
MAX_NOTIFICATION_ADDRESSES = 10


TRIGGERS_HELP = (
    "Any trigger type of the hosted service; delivered here: "
    + ", ".join(DELIVERED_TRIGGERS)
    + " (the others are kept and never sent)"
)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,  # null is read as ""
        "maxLength": 500,
        # storable_text(allow_lines=True): line breaks and tabs, no other control character
        "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$",
    }
)
class DescriptionField(serializers.CharField):
    pass


class WebhookSchema(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    description = DescriptionField(required=False, max_length=500)
    trigger_types = serializers.ListField(
        child=serializers.ChoiceField(choices=TRIGGER_TYPES), min_length=1, help_text=TRIGGERS_HELP
    )
    webhook_url = serializers.URLField(
        max_length=2000,
        help_text="http(s) URL POSTed to. On create it must answer a GET with a `challenge` "
        "query parameter by echoing the value as the body within 10 s (else a 400 saying "
        "what came back)",
    )
    notification_email_addresses = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=MAX_NOTIFICATION_ADDRESSES
    )
    # Read-only here: a new subscription is active whatever is sent; an update may set
    # it (UPDATE_REQUEST).
    status = serializers.CharField(
        read_only=True,
        help_text="active, pause or failed (the receiver answered 410 Gone); "
        "an update may set active or pause",
    )
    status_updated_at = serializers.IntegerField(read_only=True, help_text="Unix seconds")
    created_at = serializers.IntegerField(read_only=True, help_text="Unix seconds")
    updated_at = serializers.IntegerField(read_only=True, help_text="Unix seconds")


class WebhookWithSecretSchema(WebhookSchema):
    webhook_secret = serializers.CharField(
        read_only=True, help_text="Shown once: signs every delivery (see the README)"
    )


ONE = enveloped("WebhookOne", WebhookSchema())
WITH_SECRET = enveloped("WebhookWithSecret", WebhookWithSecretSchema())
DELETED = enveloped(
    "WebhookDeleted",
    inline_serializer(name="WebhookDeletedStatus", fields={"status": constant("success")}),
)
TRIGGER_CHOICE = serializers.ChoiceField(choices=TRIGGER_TYPES)
TEST_EVENT_REQUEST = inline_serializer(
    name="WebhookTestEventRequest",
    fields={
        "trigger_type": TRIGGER_CHOICE,
        "webhook_url": serializers.URLField(
            max_length=2000,
            help_text="Where the example is POSTed (signed with the secret "
            "mock-webhook-secret, X-Nylas-Signature)",
        ),
    },
)
TEST_EVENT_SENT = inline_serializer(
    name="WebhookTestEventSent",
    fields={"request_id": serializers.UUIDField(), "data": constant("success")},
)
MOCK_PAYLOAD_REQUEST = inline_serializer(
    name="WebhookMockPayloadRequest",
    fields={
        "trigger_type": serializers.ChoiceField(choices=TRIGGER_TYPES),
        "webhook_url": serializers.URLField(
            required=False, max_length=2000, help_text="Accepted and not used"
        ),
    },
)
MOCK_PAYLOAD = enveloped(
    "WebhookMockPayload",
    inline_serializer(
        name="WebhookNotification",
        fields={
            "specversion": serializers.CharField(),
            "type": serializers.CharField(help_text="The trigger type"),
            "source": serializers.CharField(),
            "id": serializers.CharField(),
            "time": serializers.IntegerField(help_text="Unix seconds"),
            "data": inline_serializer(
                name="WebhookNotificationData",
                fields={"object": serializers.DictField(help_text="What changed")},
            ),
        },
    ),
)
UPDATE_REQUEST = inline_serializer(
    name="WebhookUpdate",
    fields={
        "description": DescriptionField(required=False, max_length=500),
        "trigger_types": serializers.ListField(
            child=serializers.ChoiceField(choices=TRIGGER_TYPES), required=False, min_length=1
        ),
        "webhook_url": serializers.URLField(required=False),
        "notification_email_addresses": serializers.ListField(
            child=serializers.EmailField(), required=False, max_length=MAX_NOTIFICATION_ADDRESSES
        ),
        "status": serializers.ChoiceField(choices=EDITABLE_STATUSES, required=False),
    },
)


def webhook_json(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    data = {
        "id": str(endpoint.id),
        "description": endpoint.description,
        "trigger_types": list(endpoint.trigger_types),
        "webhook_url": endpoint.webhook_url,
        "notification_email_addresses": list(endpoint.notification_email_addresses),
        "status": endpoint.status,
        "status_updated_at": to_unix(endpoint.status_updated_at),
        "created_at": to_unix(endpoint.created_at),
        "updated_at": to_unix(endpoint.updated_at),
    }
    if secret is not None:
        data["webhook_secret"] = secret
    return data


# Reading the body

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def storable_text(value: str, field: str, *, allow_lines: bool = False) -> str:
    """Text the database can keep: PostgreSQL stores no NUL and no lone surrogate (JSON
    allows both), and a URL or an address has no control characters at all."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("is not valid Unicode text", field=field) from None
    found = _CONTROL.findall(value)
    if any(ch not in "\n\r\t" or not allow_lines for ch in found):
        raise BadRequest("must not contain control characters", field=field)
    return value


def read_trigger(value, field: str) -> str:
    if not isinstance(value, str) or value not in TRIGGER_TYPES:
        raise BadRequest(
            f"{value!r} is not a trigger type of the hosted service (those delivered here: "
            f"{', '.join(DELIVERED_TRIGGERS)})",
            field=field,
        )
    return value


def read_trigger_types(value) -> list[str]:
    items = p.as_list(value, "trigger_types")
    if not items:
        raise BadRequest("must list at least one trigger type", field="trigger_types")
    triggers: list[str] = []
    for index, item in enumerate(items):
        read_trigger(item, f"trigger_types[{index}]")
        if item not in triggers:
            triggers.append(item)
    return triggers


def read_webhook_url(value) -> str:
    url = p.text(value, "webhook_url", max_length=2000).strip()
    storable_text(url, "webhook_url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise BadRequest("is not a valid URL", field="webhook_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("must be an absolute http(s) URL", field="webhook_url")
    if any(ch.isspace() for ch in url):
        raise BadRequest("must not contain spaces", field="webhook_url")
    try:
        outbound.check_url(url)
    except outbound.RefusedDestination as exc:
        raise BadRequest(str(exc), field="webhook_url") from None
    return url


def read_addresses(value) -> list[str]:
    items = p.as_list(value, "notification_email_addresses")
    if len(items) > MAX_NOTIFICATION_ADDRESSES:
        raise BadRequest(
            f"at most {MAX_NOTIFICATION_ADDRESSES} addresses", field="notification_email_addresses"
        )
    return [
        storable_text(
            p.email_address(item, f"notification_email_addresses[{index}]"),
            f"notification_email_addresses[{index}]",
        )
        for index, item in enumerate(items)
    ]


def read_changes(body, *, creating: bool) -> dict:
    body = p.as_object(body, "body")
    changes: dict = {}
    for field in ("trigger_types", "webhook_url") if creating else ():
        if field not in body:
            raise BadRequest("is required", field=field)
    if "trigger_types" in body:
        changes["trigger_types"] = read_trigger_types(body["trigger_types"])
    if "webhook_url" in body:
        changes["webhook_url"] = read_webhook_url(body["webhook_url"])
    if "description" in body:
        description = body["description"]
        if description is None:
            description = ""
        description = p.text(description, "description", max_length=500)
        changes["description"] = storable_text(description, "description", allow_lines=True)
    if "notification_email_addresses" in body:
        changes["notification_email_addresses"] = read_addresses(
            body["notification_email_addresses"]
        )
    if "status" in body and not creating:
        changes["status"] = p.one_of(body["status"], "status", EDITABLE_STATUSES)
    return changes


# Views


class WebhookView(p.RefusesNulCharacters, APIView):
    dialect = "v3"
    authentication_classes = [BearerAuthentication]
    permission_classes: list = []

    def endpoint(self, webhook_id: str) -> WebhookEndpoint:
        require_caller(self.request, "api_key")
        try:
            pk = parse_uuid(webhook_id, "id")
        except BadRequest:
            raise NotFound("No webhook with this ID.") from None
        endpoint = WebhookEndpoint.objects.filter(pk=pk).first()
        if endpoint is None:
            raise NotFound("No webhook with this ID.")
        return endpoint


class WebhookListView(WebhookView):
    """GET|POST /v3/webhooks"""

    @extend_schema(
        operation_id="webhooks_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses=responses(enveloped("WebhookList", WebhookSchema(many=True), listing=True)),
    )
    def get(self, request):
        require_caller(request, "api_key")
        endpoints = WebhookEndpoint.objects.order_by("created_at", "pk")
        items, cursor = page_of(endpoints, request.query_params)
        return v3([webhook_json(e) for e in items], next_cursor=cursor, listing=True)

    @extend_schema(
        operation_id="webhooks_create",
        tags=TAGS,
        summary="Create a webhook (its URL must answer the challenge); the answer carries "
        "webhook_secret, once",
        request=WebhookSchema,
        responses=responses(WITH_SECRET),
    )
    def post(self, request):
        require_caller(request, "api_key")
        changes = read_changes(request.data, creating=True)
        if settings.SCHEDULER_WEBHOOK_VERIFY:
            # Before anything is written: a receiver that does not answer is no
            # subscription (as on the hosted service).
            try:
                webhook_checks.verify(changes["webhook_url"])
            except webhook_checks.NotVerified as exc:
                raise BadRequest(f"could not be verified: {exc}", field="webhook_url") from None
        endpoint, secret = webhook_endpoints.create_endpoint(**changes)
        return v3(webhook_json(endpoint, secret))


class WebhookDetailView(WebhookView):
    """GET|PUT|DELETE /v3/webhooks/{id}"""

    @extend_schema(operation_id="webhooks_retrieve", tags=TAGS, responses=responses(ONE))
    def get(self, request, webhook_id):
        return v3(webhook_json(self.endpoint(webhook_id)))

    @extend_schema(
        operation_id="webhooks_update",
        tags=TAGS,
        summary="Change the fields sent; status may be set to active or pause",
        request=UPDATE_REQUEST,
        responses=responses(ONE),
    )
    def put(self, request, webhook_id):
        require_caller(request, "api_key")
        changes = read_changes(request.data, creating=False)
        endpoint = self.endpoint(webhook_id)
        endpoint = webhook_endpoints.update_endpoint(endpoint_id=endpoint.pk, changes=changes)
        if endpoint is None:
            raise NotFound("No webhook with this ID.")
        return v3(webhook_json(endpoint))

    @extend_schema(operation_id="webhooks_destroy", tags=TAGS, responses=responses(DELETED))
    def delete(self, request, webhook_id):
        webhook_endpoints.delete_endpoint(endpoint=self.endpoint(webhook_id))
        return v3({"status": "success"})


class WebhookRotateSecretView(WebhookView):
    """POST /v3/webhooks/{id}/rotate-secret (and /v3/webhooks/rotate-secret/{id})"""

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        tags=TAGS,
        summary="A new secret signs every delivery from now on; the old one stops at once",
        request=None,
        responses=responses(WITH_SECRET),
    )
    def post(self, request, webhook_id):
        rotated = webhook_endpoints.rotate_secret(endpoint_id=self.endpoint(webhook_id).pk)
        if rotated is None:
            raise NotFound("No webhook with this ID.")
        endpoint, secret = rotated
        return v3(webhook_json(endpoint, secret))


class WebhookRotateSecretAliasView(WebhookRotateSecretView):
    """POST /v3/webhooks/rotate-secret/{id} (the address Nylas documents)"""

    @extend_schema(
        operation_id="webhooks_rotate_secret_alias",
        tags=TAGS,
        summary="The same as POST /v3/webhooks/{id}/rotate-secret",
        request=None,
        responses=responses(WITH_SECRET),
    )
    def post(self, request, webhook_id):
        return super().post(request, webhook_id)


def read_check_request(body, *, url_required: bool) -> tuple[str, str | None]:
    body = p.as_object(body, "body")
    if "trigger_type" not in body:
        raise BadRequest("is required", field="trigger_type")
    trigger = read_trigger(body["trigger_type"], "trigger_type")
    if "webhook_url" not in body:
        if url_required:
            raise BadRequest("is required", field="webhook_url")
        return trigger, None
    return trigger, read_webhook_url(body["webhook_url"])


class WebhookSendTestEventView(WebhookView):
    """POST /v3/webhooks/send-test-event"""

    @extend_schema(
        operation_id="webhooks_send_test_event",
        tags=TAGS,
        summary="POST an example of trigger_type to webhook_url (signed with the secret "
        "mock-webhook-secret); data is 'success' when it answered 2xx, else a 400 says what "
        "came back",
        request=TEST_EVENT_REQUEST,
        responses=responses(TEST_EVENT_SENT),
    )
    def post(self, request):
        require_caller(request, "api_key")
        trigger, url = read_check_request(request.data, url_required=True)
        try:
            webhook_checks.send_test_event(trigger, url)
        except webhook_checks.NotVerified as exc:
            raise BadRequest(str(exc), field="webhook_url") from None
        return v3("success")


class WebhookMockPayloadView(WebhookView):
    """POST /v3/webhooks/mock-payload"""

    @extend_schema(
        operation_id="webhooks_mock_payload",
        tags=TAGS,
        summary="An example notification of trigger_type, as it would be POSTed",
        request=MOCK_PAYLOAD_REQUEST,
        responses=responses(MOCK_PAYLOAD),
    )
    def post(self, request):
        require_caller(request, "api_key")
        trigger, _url = read_check_request(request.data, url_required=False)
        return v3(webhook_checks.mock_payload(trigger))
