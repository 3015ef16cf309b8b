"""Secrets stay out of logs.

Request paths and query strings carry bearer secrets: a guest's booking_ref
(/booking/<ref>/, /v3/scheduling/bookings/<ref>, /schedule/<slug>/<ref>/cancel), the
organizer's confirm/decline token (/confirm/<token>/), session ids
(/v3/scheduling/sessions/<id>), edit tokens (?edit_token=) and organizer link salts.
Django's request warnings, runserver's and gunicorn's access lines and our own messages
would write them out as they are.

Two layers, both installed by ``configure_logging`` (settings.LOGGING_CONFIG):

- a log record factory redacts every record's message, arguments, traceback and stack
  when it is made, whichever logger makes it and whichever handler writes it (gunicorn's
  own handlers, pytest's caplog, an operator's extra handler);
- the ``RedactSecrets`` filter, on every handler and logger settings.LOGGING names, also
  replaces a record's ``request`` (Django attaches it for the admins' error emails) with
  a copy whose path, query string, cookies and Authorization header are redacted.

What is recognised (``redact``): the secret segments of the routes above; query and form
parameters and JSON keys named like credentials; Authorization values; our prefixed
secrets (sk_, gt_, et_, ss_, whsec_); signed tokens; and, as a last net, any run of 32 or
more URL-safe characters that mixes upper case, lower case and digits, as random tokens
do (UUIDs and hex digests, which are not secrets, are left alone).
"""

from __future__ import annotations

import copy
import logging
import logging.config
import re
import traceback
from typing import Any

REDACTED = "[redacted]"
TOKEN_CHARS = r"[^/?#&\s\"'<>;,)]+"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# (pattern, replacement): the secret is the named group "secret".
PATTERNS: list[re.Pattern[str]] = [
    # Routes whose path segment is a secret.
    re.compile(rf"/booking/(?P<secret>{TOKEN_CHARS})"),
    re.compile(rf"/confirm/(?P<secret>{TOKEN_CHARS})"),
    re.compile(rf"/v3/scheduling/sessions/(?P<secret>{TOKEN_CHARS})"),
    # A booking's id is not secret; a booking_ref in its place is.
    re.compile(rf"/v3/scheduling/bookings/(?!{UUID}(?:[/?#\s\"']|$))(?P<secret>{TOKEN_CHARS})"),
    re.compile(rf"/schedule/[^/?#\s]+/(?P<secret>{TOKEN_CHARS})/(?:cancel|confirm)\b"),
    # Parameters and JSON keys named like credentials, in query strings, forms and text.
    re.compile(
        r"(?<![A-Za-z0-9_])(?:edit_token|access_token|refresh_token|token|salt|secret|"
        r"password|api_key|session_id|booking_ref|edit_hash)=(?P<secret>[^&#\s\"']+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"[\"'](?:edit_token|access_token|refresh_token|token|salt|secret|password|api_key|"
        r"session_id|booking_ref|edit_hash|authorization|webhook_secret)[\"']\s*:\s*"
        r"[\"'](?P<secret>[^\"']+)[\"']",
        re.IGNORECASE,
    ),
    # Authorization: "Bearer x", "Basic x", or a header dump's value.
    re.compile(r"\b(?:[Bb]earer|BEARER|Basic)\s+(?P<secret>[A-Za-z0-9._~+/=:-]+)"),
    re.compile(
        r"(?:HTTP_)?AUTHORIZATION[\"']?\s*[:=]\s*[\"']?(?P<secret>[^\"'\n,}]+)", re.IGNORECASE
    ),
    # Our own prefixed secrets, wherever they appear.
    re.compile(r"(?<![A-Za-z0-9])(?:sk|gt|et|ss)_(?P<secret>[A-Za-z0-9_-]{16,})"),
    re.compile(r"(?<![A-Za-z0-9])whsec_(?P<secret>[A-Za-z0-9+/=_-]{16,})"),
    # Django signed values (the organizer link token): payload:timestamp:signature.
    re.compile(r"(?P<secret>[A-Za-z0-9_-]{10,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_-]{20,})"),
]
RANDOM_LOOKING = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")


def _mask(match: re.Match[str]) -> str:
    start, end = match.span("secret")
    text = match.group(0)
    offset = match.start(0)
    return text[: start - offset] + REDACTED + text[end - offset :]


def _mask_random(match: re.Match[str]) -> str:
    token = match.group(0)
    mixed = (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c.isdigit() for c in token)
    )
    return REDACTED if mixed else token


def redact(text: str) -> str:
    """``text`` with every secret it carries replaced by [redacted]."""
    if not text:
        return text
    for pattern in PATTERNS:
        text = pattern.sub(_mask, text)
    return RANDOM_LOOKING.sub(_mask_random, text)


def _has_secret(text: str) -> bool:
    return redact(text) != text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact the message, its arguments, the traceback and the stack of ``record`` (in
    place). A message that carried a secret, or whose arguments did, is kept as its
    redacted text with no arguments left to give the secret back."""
    if getattr(record, "_secrets_redacted", False):
        return record
    record._secrets_redacted = True
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is written
        message = None
    if message is not None:
        arguments = repr(record.args) if record.args else ""
        if _has_secret(message) or (arguments and _has_secret(arguments)):
            record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _has_secret(text):
            # Only the redacted text is kept: a handler reading the exception object
            # itself would find the secret in its message or its frames.
            record.exc_text, record.exc_info = redact(text), None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def redacted_request(request: Any) -> Any:
    """A copy of a Django request fit for a log record: path, query string, cookies and
    Authorization redacted. Anything else (runserver's socket, None) is returned as is."""
    from django.http import HttpRequest, QueryDict

    if not isinstance(request, HttpRequest):
        return request
    clean = copy.copy(request)
    meta = {}
    for name, value in request.META.items():
        if name in ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_X_CSRFTOKEN"):
            meta[name] = REDACTED
        elif isinstance(value, str):
            meta[name] = redact(value)
        else:
            meta[name] = value
    clean.META = meta
    if hasattr(clean, "environ"):
        clean.environ = meta
    clean.path = redact(request.path)
    clean.path_info = redact(request.path_info)
    clean.GET = QueryDict(meta.get("QUERY_STRING", ""))
    clean.COOKIES = {}
    clean.resolver_match = None
    return clean


class RedactSecrets(logging.Filter):
    """Redacts a record on its way through a handler or logger; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        if "request" in record.__dict__:
            record.request = redacted_request(record.request)
        return True


def _redacting_factory(previous):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    make_record.redacts_secrets = True
    return make_record


def configure_logging(config: dict) -> None:
    """settings.LOGGING_CONFIG: every record is redacted when it is made, then LOGGING is
    applied as usual (its handlers and loggers carry RedactSecrets too)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_secrets", False):
        logging.setLogRecordFactory(_redacting_factory(factory))
    logging.config.dictConfig(config)
