"""What a guest gives: checked against the configuration's form definition. Shared by
the API and the hosted pages so both accept and refuse the same things."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bookings.languages import api_language
from bookings.notifications.safe_headers import address_of, valid_address
from bookings.problems import InvalidBooking
from pages.answer_patterns import answer_matches
from pages.models import AdditionalField, Configuration
from pages.sql import questions_of
from pages.validators import known_timezones

PHONE = re.compile(r"^\+?[0-9 ().-]{5,30}$")
MAX_ADDITIONAL_GUESTS = 10
LANGUAGE_CODE_EXPECTED = "must be a language code such as en or fr"


@dataclass(frozen=True)
class Guest:
    name: str
    email: str
    timezone: str = ""
    language: str = ""
    additional_guests: tuple[dict, ...] = ()
    additional_fields: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)


def clean_email(value: Any, field_name: str) -> str:
    """One mailbox address (email-validator, no DNS lookups), normalized: it is what the
    guest's emails are sent to and what the organizer replies to."""
    address = address_of(value.strip()) if isinstance(value, str) else None
    if address is None:
        raise InvalidBooking(
            "must be an email address", field=field_name, code=InvalidBooking.EMAIL
        )
    return address


def clean_name(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidBooking("is required", field=field_name, code=InvalidBooking.REQUIRED)
    if len(value) > 200 or any(c in value for c in "\r\n\x00"):
        raise InvalidBooking(
            "must be one line of at most 200 characters",
            field=field_name,
            code=InvalidBooking.ONE_LINE,
        )
    return value.strip()


def clean_guest(
    configuration: Configuration,
    *,
    name: Any,
    email: Any,
    timezone: Any = "",
    language: Any = "",
    additional_guests: Any = (),
    additional_fields: Any = None,
    metadata: Any = None,
    field_prefix: str = "guest.",
) -> Guest:
    name = clean_name(name, f"{field_prefix}name")
    email = clean_email(email, f"{field_prefix}email")
    # None or "" is "not given"; any other non-string (a list, an object) is a mistake.
    if timezone is not None and not isinstance(timezone, str):
        raise InvalidBooking("must be an IANA time zone name (a string)", field="timezone")
    if timezone and timezone not in known_timezones():
        raise InvalidBooking(f"{timezone!r} is not an IANA time zone name", field="timezone")
    if language is not None and not isinstance(language, str):
        raise InvalidBooking(
            LANGUAGE_CODE_EXPECTED, field="email_language", code=InvalidBooking.LANGUAGE
        )
    # A language the site does not speak is English rather than a refused booking:
    # browsers send whatever their reader's language is ("pt-BR").
    language = api_language(language) if language and language.strip() else ""
    guests = []
    if additional_guests:
        if configuration.hide_additional_guests:
            raise InvalidBooking("this page takes no additional guests", field="additional_guests")
        if not isinstance(additional_guests, list | tuple):
            raise InvalidBooking("must be a list", field="additional_guests")
        if len(additional_guests) > MAX_ADDITIONAL_GUESTS:
            raise InvalidBooking(
                f"at most {MAX_ADDITIONAL_GUESTS}",
                field="additional_guests",
                code=InvalidBooking.TOO_MANY_GUESTS,
                limit=MAX_ADDITIONAL_GUESTS,
            )
        for i, item in enumerate(additional_guests):
            if not isinstance(item, dict):
                raise InvalidBooking("must be an object", field=f"additional_guests[{i}]")
            guests.append(
                {
                    "name": str(item.get("name") or "")[:200].replace("\n", " "),
                    "email": clean_email(item.get("email"), f"additional_guests[{i}].email"),
                }
            )
    answers = clean_additional_fields(configuration, additional_fields or {})
    metadata = clean_metadata(metadata)
    return Guest(name, email, timezone or "", language or "", tuple(guests), answers, metadata)


MAX_METADATA_KEYS = 50
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 500


def clean_metadata(value: Any) -> dict[str, str]:
    """Free-form metadata from an embed's host page: string keys and values, bounded;
    anything else is left out (a guest's page is no place for an error about it)."""
    if not isinstance(value, dict):
        return {}
    metadata = {}
    for key, item in list(value.items())[:MAX_METADATA_KEYS]:
        if not isinstance(key, str) or not key or len(key) > MAX_METADATA_KEY:
            continue
        if isinstance(item, bool | int | float):
            item = json.dumps(item)
        if isinstance(item, str):
            metadata[key] = item[:MAX_METADATA_VALUE]
    return metadata


def clean_additional_fields(configuration: Configuration, answers: Any) -> dict:
    """Answers keyed by field key, checked by each field's type, required flag, pattern
    and options. Unknown keys are refused (a typo would otherwise be lost silently)."""
    if not isinstance(answers, dict):
        raise InvalidBooking("must be an object", field="additional_fields")
    definitions = {f.key: f for f in questions_of(configuration)}
    for key in answers:
        if key not in definitions:
            raise InvalidBooking("is not a field of this page", field=f"additional_fields.{key}")
    cleaned = {}
    for key, definition in definitions.items():
        path = f"additional_fields.{key}"
        value = answers.get(key, definition.default or None)
        if value in (None, "", []):
            if definition.required and definition.type != AdditionalField.Type.METADATA:
                raise InvalidBooking("is required", field=path, code=InvalidBooking.REQUIRED)
            continue
        cleaned[key] = clean_answer(definition, value, path)
    return cleaned


def clean_answer(definition: AdditionalField, value: Any, path: str) -> Any:
    types = AdditionalField.Type
    kind = definition.type
    if kind == types.CHECKBOX:
        if not isinstance(value, bool):
            raise InvalidBooking("must be true or false", field=path)
        if definition.required and not value:
            raise InvalidBooking("must be checked", field=path, code=InvalidBooking.UNCHECKED)
        return value
    if kind == types.MULTI_SELECT:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidBooking(
                "must be a list of options", field=path, code=InvalidBooking.OPTION
            )
        unknown = [v for v in value if v not in definition.options]
        if unknown:
            raise InvalidBooking(
                f"{unknown[0]!r} is not one of the options", field=path, code=InvalidBooking.OPTION
            )
        return value
    if not isinstance(value, str):
        raise InvalidBooking("must be a string", field=path)
    value = value.strip()
    limit = 5000 if kind == types.MULTI_LINE_TEXT else 500
    if len(value) > limit:
        raise InvalidBooking(
            f"must be at most {limit} characters",
            field=path,
            code=InvalidBooking.TOO_LONG,
            limit=limit,
        )
    if kind in (types.DROPDOWN, types.RADIO_BUTTON) and value not in definition.options:
        raise InvalidBooking("is not one of the options", field=path, code=InvalidBooking.OPTION)
    if kind == types.EMAIL and not valid_address(value):
        raise InvalidBooking("must be an email address", field=path, code=InvalidBooking.EMAIL)
    if kind == types.PHONE_NUMBER and not PHONE.match(value):
        raise InvalidBooking("must be a phone number", field=path, code=InvalidBooking.PHONE)
    if kind == types.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidBooking(
                "must be a date such as 2026-12-24", field=path, code=InvalidBooking.DATE
            ) from None
    if definition.pattern and not answer_matches(definition.pattern, value):
        raise InvalidBooking(
            "does not have the expected form", field=path, code=InvalidBooking.PATTERN
        )
    return value
