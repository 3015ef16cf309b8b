"""The rate limits of the public API routes: the hosted pages' limits (bookings/
rate_limits.py, counted in the database so every process shares them) on the API's
guest-facing writes: booking (v3 and v2 timeslots), rescheduling and cancelling.

Everyone but the API key is counted, per address and per guest email. The API key is a
server's: its requests all come from one address and carry many guests' emails, so
counting it would stop a backend, not an abuser (a backend that lets its own users
flood an inbox must limit them itself)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import Throttled

from bookings import rate_limits
from pages.api.auth import Caller


def limit_public_write(request, guest_email: Any = "") -> None:
    """Count this request against its address and (when it is a string) the guest's
    email; a 429 with ``Retry-After`` in the view's dialect once either is spent."""
    caller: Caller | None = getattr(request, "auth", None)
    if caller is not None and caller.is_application:
        return
    email = guest_email if isinstance(guest_email, str) and len(guest_email) <= 254 else ""
    verdict = rate_limits.check_booking_post(request, email)
    if not verdict.allowed:
        raise Throttled(
            wait=verdict.retry_after,
            detail=(
                "Too many booking requests from this address or for this guest email; "
                f"try again in {verdict.retry_after} seconds."
            ),
        )


def guest_email_of(body: Any, *path: str) -> Any:
    """The guest's email at ``path`` in a body not yet validated ("" when absent)."""
    for key in path:
        if not isinstance(body, dict):
            return ""
        body = body.get(key, "")
    return body
