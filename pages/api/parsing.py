"""Reading request values by hand: fast (availability bodies carry thousands of busy
intervals), and every problem is a BadRequest naming the field's path."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser

from pages.api.errors import BadRequest
from pages.validators import known_timezones

# Instants the API accepts: 1970 to 2100.
MAX_UNIX = 4_102_444_800


def as_object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadRequest("must be a JSON object", field=field)
    return value


def as_list(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise BadRequest("must be a JSON array", field=field)
    return value


def decimal_digits(text: str, *, max_length: int = 20) -> int | None:
    """The number an ASCII digit string spells, else None. str.isdigit() alone is not
    enough: it is true of "²" and of a 5,000-digit string, which int() refuses."""
    if text.isascii() and text.isdigit() and len(text) <= max_length:
        return int(text)
    return None


def unix_seconds(value: Any, field: str) -> int:
    """Unix seconds: an integer, or a string of digits (the hosted service takes both)."""
    if isinstance(value, bool):
        raise BadRequest("must be Unix seconds (an integer)", field=field)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and decimal_digits(value.strip()) is not None:
        number = decimal_digits(value.strip())
    else:
        raise BadRequest("must be Unix seconds (an integer)", field=field)
    if not 0 <= number <= MAX_UNIX:
        raise BadRequest("is out of range (1970 to 2100)", field=field)
    return number


def whole_number(value: Any, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise BadRequest("must be a whole number", field=field)
    if isinstance(value, str):
        stripped = value.strip()
        magnitude = decimal_digits(stripped.removeprefix("-"))
        if magnitude is not None:
            value = -magnitude if stripped.startswith("-") else magnitude
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise BadRequest("must be a whole number", field=field)
    if not minimum <= value <= maximum:
        raise BadRequest(f"must be from {minimum} to {maximum}", field=field)
    return value


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise BadRequest("must be true or false", field=field)


def text(value: Any, field: str, *, max_length: int = 1000) -> str:
    if not isinstance(value, str):
        raise BadRequest("must be a string", field=field)
    if len(value) > max_length:
        raise BadRequest(f"must be at most {max_length} characters", field=field)
    return value


def timezone_name(value: Any, field: str) -> str:
    if not isinstance(value, str) or value not in known_timezones():
        raise BadRequest(
            f"{value!r} is not an IANA time zone name (such as America/Chicago)", field=field
        )
    return value


def wall_clock(value: Any, field: str, *, allow_24: bool) -> int:
    """ "9:00" / "09:00" → minutes after local midnight; "24:00" as an end."""
    if not isinstance(value, str):
        raise BadRequest('must be a time such as "9:00"', field=field)
    hours_text, colon, minutes_text = value.strip().partition(":")
    if (
        not colon
        or decimal_digits(hours_text) is None
        or decimal_digits(minutes_text) is None
        or len(minutes_text) != 2
        or len(hours_text) > 2
    ):
        raise BadRequest('must be a time such as "9:00" or "17:30"', field=field)
    hours, minutes = int(hours_text), int(minutes_text)
    if allow_24 and (hours, minutes) == (24, 0):
        return 1440
    if hours > 23 or minutes > 59:
        raise BadRequest("is not a time of day", field=field)
    return hours * 60 + minutes


def iso_date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest("must be a date such as 2026-12-24", field=field) from None


def email_address(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value) > 254:
        raise BadRequest("must be an email address", field=field)
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain or " " in value.strip():
        raise BadRequest(f"{value!r} is not an email address", field=field)
    return value.strip()


def one_of(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BadRequest(f"must be one of {', '.join(choices)}", field=field)
    return value


def weekdays(value: Any, field: str) -> frozenset[int]:
    """Days as 0 (Sunday) to 6: integers, digit strings, or the v2 doc's comma string,
    inside a list (``["1, 2, 3"]`` is three days) or alone (``"1, 2, 3"``)."""
    items = [value] if isinstance(value, str) else as_list(value, field)
    days: set[int] = set()
    for index, item in enumerate(items):
        where = field if isinstance(value, str) else f"{field}[{index}]"
        parts = item.split(",") if isinstance(item, str) else [item]
        for part in parts:
            if isinstance(part, str):
                number = decimal_digits(part.strip())
                if number is None:
                    raise BadRequest(
                        f"{part.strip()!r} is not a day from 0 (Sunday) to 6", field=where
                    )
                part = number
            if isinstance(part, bool) or not isinstance(part, int) or not 0 <= part <= 6:
                raise BadRequest("days are numbers from 0 (Sunday) to 6", field=where)
            days.add(part)
    if not days:
        raise BadRequest("must list at least one day", field=field)
    return frozenset(days)


# PostgreSQL's text and jsonb cannot hold the NUL character, nor a lone UTF-16 surrogate
# (which JSON's \\ud800 escapes can spell): one reaching a query is a database error, so
# either is refused at the door with a 400 naming where it was.
NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character (\\u0000)"
SURROGATE_MESSAGE = "is not valid Unicode text"  # as the webhooks API words it


def _problem(text: str) -> str | None:
    if NUL in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _refuse_unstorable(value: Any, field: str) -> None:
    """Walk the body (iteratively: a body may nest a thousand levels deep) and name the
    first place holding a NUL or a lone surrogate."""
    pending = [(value, field)]
    while pending:
        value, field = pending.pop()
        if isinstance(value, str):
            problem = _problem(value)
            if problem:
                raise BadRequest(problem, field=field or "body")
        elif isinstance(value, Mapping):
            children = []
            for key, item in value.items():
                problem = _problem(str(key))
                if problem:
                    raise BadRequest(problem, field=field or "body")
                children.append((item, f"{field}.{key}" if field else str(key)))
            pending.extend(reversed(children))  # first key first, as before
        elif isinstance(value, list):
            pending.extend(
                (item, f"{field}[{index}]" if field else f"body[{index}]")
                for index, item in reversed(list(enumerate(value)))
            )


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, faster and refusing NUL characters.

    orjson reads a body several times faster than the json module (an availability
    request can carry ten thousand busy intervals); a body it refuses is read again by
    DRF's parser, which accepts what orjson does not (integers beyond 64 bits, lone
    surrogates, other encodings) and words the error as before. The walk that names a
    field holding what the database cannot store runs only when orjson refused the body or
    the raw bytes carry \\u0000 (a JSON text can spell a NUL no other way)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            # orjson refuses lone surrogates, which the json module lets through.
            try:
                data = super().parse(io.BytesIO(raw), media_type, parser_context)
            except RecursionError:
                # orjson stops at 1024 levels; the json module runs out of stack.
                raise ParseError("JSON parse error - the body nests too deeply") from None
            _refuse_unstorable(data, "")
        else:
            if b"\\u0000" in raw:
                _refuse_unstorable(data, "")
        return data


# Bodies the v2-era SDKs send as JSON under another name: node-fetch labels a string body
# text/plain, and some clients send none at all.
JSON_UNDER_OTHER_NAMES = ("", "text/plain")


class JSONOrPlainNegotiation(DefaultContentNegotiation):
    """JSON is read under ``application/json``, and also when the body comes labelled
    text/plain or with no type, as long as it parses as JSON (else 415, as for every other
    type: form-encoded bodies and the rest are refused)."""

    def select_parser(self, request, parsers):
        parser = super().select_parser(request, parsers)
        if parser is not None:
            return parser
        media_type = request.content_type.split(";", 1)[0].strip().lower()
        if media_type in JSON_UNDER_OTHER_NAMES:
            return UnlabelledJSONParser()
        return None


class UnlabelledJSONParser(JSONBodyParser):
    """A body that was not labelled JSON is read as JSON only when it is JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise UnsupportedMediaType(media_type or "(none)") from None


class RefusesNulCharacters:
    """Mixed into every API view: the query string and the URL's parts, like the body,
    may not carry a NUL character."""

    def initial(self, request, *args, **kwargs):
        for name, values in request.query_params.lists():
            for value in values:
                if NUL in value or NUL in name:
                    raise BadRequest(NUL_MESSAGE, field=name.replace(NUL, "") or "query")
        for name, value in kwargs.items():
            if isinstance(value, str) and NUL in value:
                raise BadRequest(NUL_MESSAGE, field=name)
        super().initial(request, *args, **kwargs)
