"""Secrets: API keys, grant access tokens, edit tokens, session ids, booking salts.

A secret is random (``secrets.token_urlsafe``), shown once, and stored as its SHA-256
digest. These are 256-bit random strings, not passwords, so a fast hash is right: it
cannot be brute-forced, and it lets the database look a secret up by its digest.
Comparison of digests is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_secret(prefix: str = "") -> str:
    """A fresh random secret; ``prefix`` (e.g. ``"sk_"``) tells a reader what it is."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_digest: str) -> bool:
    if not secret or not stored_digest:
        return False
    return hmac.compare_digest(digest(secret), stored_digest)
