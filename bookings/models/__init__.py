from bookings.models.booking import Booking, BookingHost, IdempotencyKey, Session
from bookings.models.outbox import InviteSequence, OutboxMessage
from bookings.models.rate_limits import RateLimitCounter
from bookings.models.webhooks import WebhookAttempt, WebhookEndpoint

__all__ = [
    "Booking",
    "BookingHost",
    "IdempotencyKey",
    "InviteSequence",
    "OutboxMessage",
    "RateLimitCounter",
    "Session",
    "WebhookAttempt",
    "WebhookEndpoint",
]
