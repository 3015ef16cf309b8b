"""A service's ValidationError (keyed by model field) as the API's 400 (naming the wire
field). The API layer checks its input first, so these are the backstop: whatever a
service refuses still reaches the client as a 400 naming a field, never a 500."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pages.api.errors import BadRequest


class NonFieldError(BadRequest):
    """A ValidationError not about one field (a constraint over several columns): the
    caller knows which wire field that means, and catches this to say so."""


@contextmanager
def service_errors(wire_names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Within the block, a ValidationError becomes a BadRequest naming the field as
    ``wire_names`` spells it (a model field not listed keeps its own name)."""
    try:
        yield
    except ValidationError as exc:
        raise as_bad_request(exc, wire_names or {}) from None


def as_bad_request(exc: ValidationError, wire_names: Mapping[str, str]) -> BadRequest:
    if not hasattr(exc, "error_dict"):
        return NonFieldError(exc.messages[0] if exc.messages else "is not valid")
    field, messages = next(iter(exc.message_dict.items()))
    message = messages[0] if messages else "is not valid"
    if field == NON_FIELD_ERRORS and field not in wire_names:
        return NonFieldError(message)
    return BadRequest(message, field=wire_names.get(field, field))
