"""Connected calendars' secrets, sealed at rest: a CalDAV password, a feed's address.

A grant's provider settings are stored as one Fernet token (AES-128-CBC and
HMAC-SHA256, from ``cryptography``) of their JSON. The keys come from
``settings.SCHEDULER_ENCRYPTION_KEYS`` (the environment's SCHEDULER_ENCRYPTION_KEY,
comma-separated): the first seals, every one opens, so a key is rotated by putting the
new one first, re-sealing (``python manage.py reseal_credentials``), then dropping the
old one. Each configured key is any string of 32 characters or more; the Fernet key is
its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class Unreadable(Exception):
    """No configured key opens the sealed settings (the key that sealed them is gone)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys]
    )


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.SCHEDULER_ENCRYPTION_KEYS))


def seal(values: dict) -> str:
    """``values`` as a token only the configured keys open."""
    return _keys().encrypt(json.dumps(values, sort_keys=True).encode()).decode("ascii")


def open_sealed(token: str) -> dict:
    """What ``seal`` sealed; {} for nothing sealed."""
    if not token:
        return {}
    try:
        return json.loads(_keys().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        raise Unreadable(
            "none of the keys in SCHEDULER_ENCRYPTION_KEY opens this grant's credentials"
        ) from error


def reseal(token: str) -> str:
    """The same values sealed with the first key (after a rotation)."""
    if not token:
        return token
    try:
        return _keys().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise Unreadable(
            "none of the keys in SCHEDULER_ENCRYPTION_KEY opens this grant's credentials"
        ) from error
