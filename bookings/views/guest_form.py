"""The guest form of a hosted page: its fields (from the configuration's additional
fields), reading a POST into what bookings.guest_input.clean_guest takes, and the
refusals of clean_guest turned into a message beside the field they are about.

Validation itself is clean_guest's, the same the API runs: the page adds HTML hints
(required, pattern, input types) for a quicker answer, never a rule of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from bookings.guest_input import (
    clean_answer,
    clean_email,
    clean_name,
)
from bookings.languages import LANGUAGE_NAMES, LANGUAGES
from bookings.problems import InvalidBooking
from pages.answer_patterns import browser_pattern
from pages.models import AdditionalField

T = AdditionalField.Type
INPUT_TYPES = {T.TEXT: "text", T.EMAIL: "email", T.PHONE_NUMBER: "tel", T.DATE: "date"}
GUEST_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class FormField:
    """One question as the template draws it."""

    name: str  # the POST name
    key: str  # the additional field's key ("" for name/email)
    label: str
    kind: str  # text, email, tel, date, textarea, select, radio, checkbox, multi, hidden
    required: bool = False
    pattern: str = ""
    options: list[str] = field(default_factory=list)
    value: Any = ""
    error: str = ""
    autocomplete: str = ""

    @property
    def input_id(self) -> str:
        return f"id_{self.name}"

    @property
    def error_id(self) -> str:
        return f"{self.input_id}_error"

    @property
    def chosen(self) -> list[str]:
        if isinstance(self.value, list):
            return self.value
        return [self.value] if isinstance(self.value, str) and self.value else []


def _kind(definition: AdditionalField) -> str:
    if definition.type in INPUT_TYPES:
        return INPUT_TYPES[definition.type]
    return {
        T.MULTI_LINE_TEXT: "textarea",
        T.DROPDOWN: "select",
        T.RADIO_BUTTON: "radio",
        T.CHECKBOX: "checkbox",
        T.MULTI_SELECT: "multi",
        T.METADATA: "hidden",
    }[definition.type]


def field_name(key: str) -> str:
    return f"field_{key}"


@dataclass
class GuestForm:
    fields: list[FormField]
    additional_guests: FormField | None
    email_language: FormField
    errors: int = 0
    general: str = ""  # an error about a field the guest cannot see (metadata)

    def by_name(self, name: str) -> FormField | None:
        everything = [*self.fields, self.additional_guests, self.email_language]
        return next((f for f in everything if f and f.name == name), None)

    @property
    def visible(self) -> list[FormField]:
        return [f for f in self.fields if f.kind != "hidden"]

    @property
    def hidden(self) -> list[FormField]:
        return [f for f in self.fields if f.kind == "hidden"]


def guest_form(
    configuration, definitions, language: str, data=None, prefill=None, given=None
) -> GuestForm:
    """The form, filled from a POST (``data``) or from the page's URL (``prefill``: name,
    email and metadata fields may be given in the query string, as hosted pages allow),
    and an embed's answers to any question (``given``, by question key)."""
    source = data if data is not None else (prefill or {})
    fields = [
        FormField(
            "name",
            "",
            _("Your name"),
            "text",
            required=True,
            value=source.get("name", ""),
            autocomplete="name",
        ),
        FormField(
            "email",
            "",
            _("Email"),
            "email",
            required=True,
            value=source.get("email", ""),
            autocomplete="email",
        ),
    ]
    fields += [
        _question_field(definition, data, prefill, (given or {}).get(definition.key))
        for definition in definitions
    ]
    guests = None
    if not configuration.hide_additional_guests:
        guests = FormField(
            "additional_guests",
            "",
            _("Additional guests"),
            "textarea",
            value=source.get("additional_guests", ""),
        )
    language_field = FormField(
        "email_language",
        "",
        _("Language of emails"),
        "select",
        options=list(LANGUAGES),
        value=source.get("email_language", "") or language,
    )
    return GuestForm(fields, guests, language_field)


def _question_value(definition, kind: str, name: str, data, prefill, given=None) -> Any:
    """What a question's field holds: what was posted, else an embed's answer, else (a
    hidden field) what the page's URL gave, else the question's default."""
    if data is not None:
        if kind == "multi":
            return data.getlist(name)
        if kind == "checkbox":
            return name in data
        return data.get(name, "")
    if given is not None:
        if kind == "multi":
            return [str(v) for v in given] if isinstance(given, list) else [str(given)]
        if kind == "checkbox":
            return str(given).lower() in ("true", "1", "yes", "on")
        return str(given) if not isinstance(given, list) else ", ".join(map(str, given))
    if kind == "hidden":
        return (prefill or {}).get(definition.key, "") or definition.default
    if kind == "multi":
        return [o for o in definition.options if o == definition.default]
    if kind == "checkbox":
        return definition.default.lower() in ("true", "1", "yes", "on")
    return definition.default


def _question_field(definition, data, prefill, given=None) -> FormField:
    kind = _kind(definition)
    name = field_name(definition.key)
    return FormField(
        name,
        definition.key,
        definition.label,
        kind,
        required=definition.required and kind != "hidden",
        pattern=browser_pattern(definition.pattern) if kind in ("text", "email", "tel") else "",
        options=list(definition.options or []),
        value=_question_value(definition, kind, name, data, prefill, given),
    )


def language_options() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def answers(form: GuestForm) -> dict:
    """The additional fields' answers as the API's additional_fields object."""
    found: dict = {}
    for item in form.fields:
        if not item.key:
            continue
        value = item.value
        if item.kind == "checkbox":
            found[item.key] = bool(value)
        elif item.kind == "multi":
            if value:
                found[item.key] = list(value)
        elif isinstance(value, str) and value.strip():
            found[item.key] = value
    return found


def additional_guest_list(text: str) -> list[dict]:
    """ "a@x.com, b@y.com" (or one per line) as the API's additional_guests."""
    return [{"email": part} for part in GUEST_SPLIT.split(text or "") if part]


# clean_guest's messages (English, for the API) → what the page says, per language.
def friendly(problem: InvalidBooking, message: str) -> str:
    """The guest's words for a refusal, chosen by its rule (``problem.code``); a refusal
    without one keeps the API's message."""
    code, limit = problem.code, problem.limit
    words = {
        InvalidBooking.REQUIRED: _("Please fill in this field."),
        InvalidBooking.UNCHECKED: _("Please tick this box to continue."),
        InvalidBooking.EMAIL: _("Please enter an email address such as name@example.com."),
        InvalidBooking.PHONE: _("Please enter a phone number (digits, spaces and + ( ) - . only)."),
        InvalidBooking.DATE: _("Please enter a date."),
        InvalidBooking.OPTION: _("Please choose one of the options."),
        InvalidBooking.PATTERN: _("This doesn't have the form the organizer asked for."),
        InvalidBooking.ONE_LINE: _("Please use one line of at most 200 characters."),
        InvalidBooking.LANGUAGE: _("Please choose a language from the list."),
    }
    if code == InvalidBooking.TOO_LONG:
        return _("Please use at most %(limit)s characters.") % {"limit": limit}
    if code == InvalidBooking.TOO_MANY_GUESTS:
        return _("You can add at most %(limit)s guests.") % {"limit": limit}
    return words.get(code, message)


def field_problems(form: GuestForm, definitions) -> list[InvalidBooking]:
    """Every field's refusal at once (clean_guest stops at the first), by the same rules:
    guest_input's own per-field checks. clean_guest still has the last word."""
    problems = []
    for check, value, path in (
        (clean_name, form.fields[0].value, "guest.name"),
        (clean_email, form.fields[1].value, "guest.email"),
    ):
        try:
            check(value, path)
        except InvalidBooking as problem:
            problems.append(problem)
    given = answers(form)
    for definition in definitions:
        path = f"additional_fields.{definition.key}"
        value = given.get(definition.key, definition.default or None)
        try:
            if value in (None, "", []):
                if definition.required and definition.type != T.METADATA:
                    raise InvalidBooking("is required", field=path)
                continue
            clean_answer(definition, value, path)
        except InvalidBooking as problem:
            problems.append(problem)
    return problems


def attach_error(form: GuestForm, problem: InvalidBooking, guests_text: str = "") -> FormField:
    """Put clean_guest's refusal beside its field; returns that field."""
    path = problem.field or ""
    message = problem.message.removeprefix(f"{path}: ") if path else problem.message
    target: FormField | None
    if path.startswith("guest."):
        target = form.by_name(path.removeprefix("guest."))
    elif path.startswith("additional_fields."):
        target = form.by_name(field_name(path.removeprefix("additional_fields.")))
    elif path.startswith("additional_guests"):
        target = form.additional_guests
        if match := re.match(r"additional_guests\[(\d+)\]\.email", path):
            emails = additional_guest_list(guests_text)
            index = int(match[1])
            bad = emails[index]["email"] if index < len(emails) else ""
            message = ""
            if target is not None:
                target.error = _("“%(email)s” is not an email address.") % {"email": bad}
                form.errors += 1
                return target
    elif path == "email_language":
        target = form.email_language
    else:
        target = None
    target = target or form.fields[0]
    if target.kind == "hidden":
        form.general = f"{target.label}: {friendly(problem, message)}"
    else:
        target.error = friendly(problem, message)
    form.errors += 1
    return target
