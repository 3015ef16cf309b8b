"""Rate limits on the hosted pages' POSTs (booking, rescheduling, cancelling).

Fixed windows counted in the database (bookings.models.RateLimitCounter), so every web
process on every machine shares one count: a Python dict per process would let N
processes allow N times the limit. One statement per check: an INSERT ... ON CONFLICT DO
UPDATE ... RETURNING, atomic on PostgreSQL and on SQLite (3.35+), so two requests racing
for the last allowance cannot both get it.

Keys are an IP address ("ip:203.0.113.9") or the SHA-256 of a guest's lowercased email
(emails are not kept in plain text for this). A fixed window lets a burst straddle two
windows (at most twice the limit in one window's length); that is accepted for its
simplicity.

Limits (requests, seconds) come from settings.SCHEDULER_PAGE_RATE_LIMITS, defaulting to
DEFAULT_LIMITS. Behind a reverse proxy, set SCHEDULER_TRUSTED_PROXY_HOPS to the number
of proxies that append to X-Forwarded-For, or every guest shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass

from django.conf import settings

from bookings.models import RateLimitCounter
from bookings.sql import count_hit

DEFAULT_LIMITS = {
    "ip": (10, 600),  # 10 booking POSTs per 10 minutes per address
    "email": (5, 3600),  # 5 bookings per hour per guest email
}
CLEANUP_CHANCE = 0.02  # of a hit, to delete the counters whose window is over


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends (when refused)


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "SCHEDULER_PAGE_RATE_LIMITS", {})}


def client_ip(request) -> str:
    hops = int(getattr(settings, "SCHEDULER_TRUSTED_PROXY_HOPS", 0) or 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops][:100]
    return request.META.get("REMOTE_ADDR", "")[:100] or "unknown"


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def hit(kind: str, value: str, *, now: float | None = None) -> Verdict:
    """Count one request of ``value`` (an IP, an email) against the ``kind`` limit."""
    allowed, window = limits()[kind]
    now = time.time() if now is None else now
    window_start = int(now) - int(now) % window
    expires_at = window_start + window
    key = f"{kind}:{value}"[:120]
    count = count_hit(key, window_start, expires_at)
    if random.random() < CLEANUP_CHANCE:
        RateLimitCounter.objects.filter(expires_at__lt=int(now)).delete()
    return Verdict(allowed=count <= allowed, retry_after=max(1, expires_at - int(now)))


def check_booking_post(request, email: str = "") -> Verdict:
    """The limits a booking POST counts against: its IP, then (when given) the guest's
    email. A request refused by the first is not counted against the second."""
    verdict = hit("ip", client_ip(request))
    if verdict.allowed and email.strip():
        verdict = hit("email", email_key(email))
    return verdict
