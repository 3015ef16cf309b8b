"""The v3 success envelope and cursor pagination."""

from __future__ import annotations

import base64
from typing import Any

from rest_framework.response import Response

from pages.api.errors import BadRequest, new_request_id

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def v3(data: Any, *, status: int = 200, next_cursor: str | None = None, listing: bool = False):
    body: dict[str, Any] = {"request_id": new_request_id(), "data": data}
    if listing:
        body["next_cursor"] = next_cursor
    return Response(body, status=status)


def v3_deleted() -> Response:
    return Response({"request_id": new_request_id()}, status=200)


# Far beyond any list here, and within the database's integer range.
MAX_OFFSET = 10**12


def page_of(queryset, query_params) -> tuple[list, str | None]:
    """One page of an ordered queryset, by ``limit`` and ``page_token`` (an opaque cursor)."""
    raw_limit = query_params.get("limit", DEFAULT_LIMIT)
    try:
        limit = int(raw_limit)
    except (TypeError, ValueError):
        raise BadRequest("must be a whole number from 1 to 200", field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest("must be from 1 to 200", field="limit")
    offset = 0
    token = query_params.get("page_token")
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode() + b"==").decode())
            if not 0 <= offset <= MAX_OFFSET:
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("is not a cursor this API gave out", field="page_token") from None
    items = list(queryset[offset : offset + limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = base64.urlsafe_b64encode(str(offset + limit).encode()).decode().rstrip("=")
    return items, next_cursor
