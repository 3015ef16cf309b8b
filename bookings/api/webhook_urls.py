"""v3 webhook routes. IDs are plain path segments looked up by the views, so a malformed
ID gets the same JSON 404 as a missing one."""

from django.urls import path

from bookings.api import webhooks

urlpatterns = [
    path("v3/webhooks", webhooks.WebhookListView.as_view()),
    # Before the detail route, which would otherwise read these names as IDs.
    path("v3/webhooks/send-test-event", webhooks.WebhookSendTestEventView.as_view()),
    path("v3/webhooks/mock-payload", webhooks.WebhookMockPayloadView.as_view()),
    # Before the detail route, which would otherwise read "rotate-secret" as an ID.
    path(
        "v3/webhooks/rotate-secret/<str:webhook_id>",
        webhooks.WebhookRotateSecretAliasView.as_view(),
    ),
    path("v3/webhooks/<str:webhook_id>", webhooks.WebhookDetailView.as_view()),
    path("v3/webhooks/<str:webhook_id>/rotate-secret", webhooks.WebhookRotateSecretView.as_view()),
]
