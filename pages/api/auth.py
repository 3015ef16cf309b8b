"""Who is calling: ``Authorization: Bearer <secret>`` resolved to a Caller.

API keys act for the whole application; a grant access token acts for its grant only;
an edit token reaches one v2 page. (Sessions, which reach one private configuration,
are resolved by bookings, which owns them: see bookings/api/auth.py.)
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from pages import services, tokens
from pages.api.errors import Unauthorized
from pages.models import ApiKey, Configuration, Grant


@dataclass(frozen=True)
class Caller:
    kind: str  # "api_key" | "grant" | "edit_token" | "session"
    api_key: ApiKey | None = None
    grant: Grant | None = None
    configuration: Configuration | None = None  # edit token or session: this one only
    session_id: object | None = None

    @property
    def is_application(self) -> bool:
        return self.kind == "api_key"

    def reaches_grant(self, grant_id) -> bool:
        if self.kind == "api_key":
            return True
        if self.kind == "grant":
            return str(self.grant.pk) == str(grant_id)
        return False


def bearer_secret(request) -> str | None:
    """The secret of ``Authorization: Bearer <secret>``, or of ``Basic`` with the secret
    as the user name and no password (base64 of ``<secret>:``): the v2 convention, which
    the v2-era SDKs still send. None without the header."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    scheme, secret = scheme.lower(), secret.strip()
    if scheme == "basic" and secret:
        secret = _basic_user(secret)
    elif scheme != "bearer":
        secret = ""
    if not secret:
        raise Unauthorized("Use 'Authorization: Bearer <API key or token>'.")
    return secret


def _basic_user(encoded: str) -> str:
    """The user name of HTTP Basic credentials ("" when they do not decode)."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0].strip()


def caller_for_secret(secret: str) -> Caller | None:
    digest = tokens.digest(secret)
    api_key = ApiKey.objects.filter(key_digest=digest).first()
    if api_key is not None:
        services.record_api_key_use(api_key=api_key, at=timezone.now())
        return Caller(kind="api_key", api_key=api_key)
    grant = Grant.objects.filter(access_token_digest=digest).first()
    if grant is not None:
        return Caller(kind="grant", grant=grant)
    configuration = (
        Configuration.objects.filter(edit_token_digest=digest).select_related("grant").first()
    )
    if configuration is not None:
        return Caller(kind="edit_token", configuration=configuration)
    return None


class BearerAuthentication(BaseAuthentication):
    """No header: anonymous (public routes decide). A header that matches nothing: 401."""

    def authenticate(self, request):
        secret = bearer_secret(request)
        if secret is None:
            return None
        caller = self.resolve(secret)
        if caller is None:
            raise Unauthorized("The API key or token is not valid (or has expired).")
        return (None, caller)

    def resolve(self, secret: str) -> Caller | None:
        return caller_for_secret(secret)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
