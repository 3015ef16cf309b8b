"""Bearer auth that also knows sessions (which bookings owns)."""

from __future__ import annotations

from django.utils import timezone

from bookings.models import Session
from pages import tokens
from pages.api.auth import BearerAuthentication, Caller, caller_for_secret


def caller_for_session(secret: str) -> Caller | None:
    session = (
        Session.objects.filter(token_digest=tokens.digest(secret), expires_at__gt=timezone.now())
        .select_related("configuration__grant")
        .first()
    )
    if session is None:
        return None
    return Caller(kind="session", configuration=session.configuration, session_id=session.pk)


class SchedulingAuthentication(BearerAuthentication):
    """API key, grant token, edit token or session. Sessions are tried first when the
    secret looks like one, so the common public-widget call costs one lookup."""

    def resolve(self, secret: str) -> Caller | None:
        if secret.startswith("ss_"):
            return caller_for_session(secret)
        return caller_for_secret(secret) or caller_for_session(secret)
