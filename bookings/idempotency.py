"""Idempotency-Key for booking requests (API.md): the same key and body within 24 hours
replays the first response; the same key with another body is a 422; a first request
still running is a 409. The key row is committed before the work starts, so a second
request with the key sees it whatever the first one's transaction is doing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import IdempotencyKey
from pages.api.errors import BadRequest, Conflict, IdempotencyMismatch

KEEP_FOR = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


# Query parameters the API accepts and ignores: adding one does not make another request.
IGNORED_PARAMETERS = frozenset({"client_id"})


def request_digest(method: str, path: str, query: dict, body: bytes) -> str:
    query = {k: v for k, v in query.items() if k not in IGNORED_PARAMETERS}
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True)
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    material = json.dumps([method, path, sorted(query.items()), canonical])
    return hashlib.sha256(material.encode()).hexdigest()


def run_once(
    *, key: str, scope: str, digest: str, work: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    """(status, body) of ``work``, run at most once per (scope, key) in 24 hours."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest("must be 1 to 255 characters", field="Idempotency-Key")
    if not key.isprintable():
        raise BadRequest("must not contain control characters", field="Idempotency-Key")
    record = _claim(key, scope, digest)
    if record.response_status is not None:
        return record.response_status, record.response_body
    try:
        status, body = work()
    except Exception as exc:
        # A refusal with a status (a 4xx) is an answer to replay; anything else lets a
        # retry run the work again.
        status_code = getattr(exc, "status_code", None)
        if status_code and 400 <= status_code < 500 and hasattr(exc, "error_type"):
            IdempotencyKey.objects.filter(pk=record.pk).update(
                response_status=status_code,
                response_body={"error": {"type": exc.error_type, "message": exc.message}},
            )
        else:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
        raise
    if status < 500:
        IdempotencyKey.objects.filter(pk=record.pk).update(
            response_status=status, response_body=body
        )
    else:
        IdempotencyKey.objects.filter(pk=record.pk).delete()
    return status, body


def _claim(key: str, scope: str, digest: str) -> IdempotencyKey:
    now = timezone.now()
    IdempotencyKey.objects.filter(scope=scope, key=key, created_at__lt=now - KEEP_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(key=key, scope=scope, request_digest=digest)
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if record is None:  # expired and removed by a concurrent request: take it again
        return _claim(key, scope, digest)
    if record.request_digest != digest:
        raise IdempotencyMismatch("was used with a different request body", field="Idempotency-Key")
    if record.response_status is None:
        raise Conflict("a request with this key is still being processed", field="Idempotency-Key")
    return record


def purge_expired_keys(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than 24 hours (beat runs this with the outbox sweep); returns how
    many. A key that comes back after that starts afresh, as API.md says."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
