"""A v3 configuration body (API.md, "Configurations (v3)") read into the services'
ConfigurationChanges. Every problem is a 400 whose message starts with the field's path.

POST fills each nested object it is not sent with the defaults. PUT replaces each nested
object it is sent (participants, availability, event_booking, scheduler, appearance) and
keeps the others, and sets the top-level values it is sent. Keys this API does not know,
at the top level and directly inside availability, event_booking and scheduler, are kept
in Configuration.extra and given back as sent; so is ``event_booking.conferencing``, once
checked and normalised (pages/conferencing.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from pages import conferencing, embeds, page_urls
from pages.answer_patterns import pattern_problem
from pages.api import parsing as p
from pages.api.auth import Caller
from pages.api.errors import BadRequest
from pages.api.optional import given, zone_or_blank
from pages.api.participant_input import read_open_hours_list, read_participants
from pages.models import AdditionalField, Configuration, Reminder
from pages.models.configurations import slug_validator
from pages.services import AdditionalFieldSpec, ConfigurationChanges, ReminderSpec

# Keys of the output that are not settable; a client that PUTs back what it got is fine.
READ_ONLY_KEYS = frozenset({"id", "object", "grant_id", "created_at", "updated_at"})
SECTIONS = {
    "availability": frozenset(
        {"duration_minutes", "interval_minutes", "round_to", "availability_rules"}
    ),
    "event_booking": frozenset(
        {
            "title",
            "description",
            "location",
            "timezone",
            "booking_type",
            "hide_participants",
            "disable_emails",
            "reminders",
            "capacity",
        }
    ),
    "scheduler": frozenset(
        {
            "available_days_in_future",
            "min_booking_notice",
            "min_cancellation_notice",
            "cancellation_policy",
            "confirmation_redirect_url",
            "rescheduling_url",
            "cancellation_url",
            "organizer_confirmation_url",
            "hide_rescheduling_options",
            "hide_cancellation_options",
            "hide_additional_guests",
            "additional_fields",
            "email_template",
        }
    ),
}
# Each Configuration column's wire path (for errors a service raises by model field).
WIRE_PATHS = {
    **{f: f"availability.{f}" for f in ("duration_minutes", "interval_minutes", "round_to")},
    **{
        f: f"availability.availability_rules.{f}"
        for f in ("availability_method", "round_robin_group_id", "tentative_as_busy")
    },
    "buffer_before": "availability.availability_rules.buffer.before",
    "buffer_after": "availability.availability_rules.buffer.after",
    **{f: f"event_booking.{f}" for f in SECTIONS["event_booking"] - {"reminders"}},
    **{f: f"scheduler.{f}" for f in SECTIONS["scheduler"] - {"additional_fields"}},
}
TOP_LEVEL_KEYS = frozenset(
    {"name", "slug", "requires_session_auth", "locale", "participants", "appearance", *SECTIONS}
)
METHODS = tuple(Configuration.Method.values)
MAX_REMINDERS = 20
MAX_ADDITIONAL_FIELDS = 50
MAX_APPEARANCE_KEYS = 100
MINUTES_IN_A_YEAR = 525_600
LOCALE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
CHOICE_TYPES = {
    AdditionalField.Type.DROPDOWN,
    AdditionalField.Type.RADIO_BUTTON,
    AdditionalField.Type.MULTI_SELECT,
}


def default(name: str) -> Any:
    return Configuration._meta.get_field(name).get_default()


def read_configuration(
    body: Any, *, caller: Caller, configuration: Configuration | None = None
) -> ConfigurationChanges:
    """``configuration`` is the one being updated (None: a new one)."""
    body = p.as_object(body, "body")
    creating = configuration is None
    changes = ConfigurationChanges()
    fields = changes.fields
    if "name" in body:
        fields["name"] = p.text(given(body, "name", ""), "name", max_length=200)
    if "slug" in body:
        fields["slug"] = read_slug(body["slug"], configuration)
    if "requires_session_auth" in body:
        value = given(body, "requires_session_auth", False)
        fields["requires_session_auth"] = p.boolean(value, "requires_session_auth")
    if "locale" in body:
        locale = p.text(given(body, "locale", default("locale")), "locale", max_length=16)
        if not LOCALE.fullmatch(locale):
            raise BadRequest("must be a language code such as en or de", field="locale")
        fields["locale"] = locale
    readers = {
        "availability": read_availability,
        "event_booking": read_event_booking,
        "scheduler": read_scheduler,
    }
    for section, read in readers.items():
        if creating or section in body:
            values = p.as_object(given(body, section, {}), section)
            read(values, changes)
            unknown = {k: v for k, v in values.items() if k not in SECTIONS[section]}
            if section == "event_booking" and "conferencing" in unknown:
                # Known, but without a column: kept (normalised) with the unknown keys.
                unknown["conferencing"] = read_conferencing(unknown["conferencing"])
                if not unknown["conferencing"]:
                    del unknown["conferencing"]
            if unknown:
                changes.extra[section] = unknown
            else:
                changes.extra_removed.add(section)
    if creating or "appearance" in body:
        fields["appearance"] = read_appearance(given(body, "appearance", {}))
    if creating or "participants" in body:
        changes.participants = read_participants(body.get("participants"), caller=caller)
    for key, value in body.items():
        if key not in TOP_LEVEL_KEYS and key not in READ_ONLY_KEYS:
            changes.extra[key] = value
    return changes


def read_slug(value: Any, configuration: Configuration | None) -> str | None:
    if value is None or value == "":
        return None
    slug = p.text(value, "slug", max_length=64)
    try:
        slug_validator(slug)
    except ValidationError as exc:
        raise BadRequest(exc.messages[0], field="slug") from None
    taken = Configuration.objects.filter(slug=slug)
    if configuration is not None:
        taken = taken.exclude(pk=configuration.pk)
    if taken.exists():
        raise BadRequest(f"{slug!r} is taken by another configuration", field="slug")
    return slug


def minutes(value: Any, field: str, *, minimum: int, maximum: int, step: int = 1) -> int:
    number = p.whole_number(value, field, minimum=minimum, maximum=maximum)
    if number % step:
        raise BadRequest(f"must be a multiple of {step}", field=field)
    return number


def read_availability(values: Mapping[str, Any], changes: ConfigurationChanges) -> None:
    fields = changes.fields
    fields["duration_minutes"] = minutes(
        given(values, "duration_minutes", default("duration_minutes")),
        "availability.duration_minutes",
        minimum=5,
        maximum=1440,
    )
    interval = given(values, "interval_minutes")
    fields["interval_minutes"] = (
        None
        if interval is None
        else minutes(interval, "availability.interval_minutes", minimum=5, maximum=1440)
    )
    fields["round_to"] = minutes(
        given(values, "round_to", default("round_to")),
        "availability.round_to",
        minimum=5,
        maximum=60,
        step=5,
    )
    field = "availability.availability_rules"
    rules = p.as_object(given(values, "availability_rules", {}), field)
    fields["availability_method"] = p.one_of(
        given(rules, "availability_method", default("availability_method")),
        f"{field}.availability_method",
        METHODS,
    )
    buffer = p.as_object(given(rules, "buffer", {}), f"{field}.buffer")
    for side in ("before", "after"):
        fields[f"buffer_{side}"] = minutes(
            given(buffer, side, 0), f"{field}.buffer.{side}", minimum=0, maximum=120, step=5
        )
    fields["round_robin_group_id"] = p.text(
        given(rules, "round_robin_group_id", ""), f"{field}.round_robin_group_id", max_length=200
    )
    fields["tentative_as_busy"] = p.boolean(
        given(rules, "tentative_as_busy", True), f"{field}.tentative_as_busy"
    )
    changes.default_open_hours = read_open_hours_list(
        given(rules, "default_open_hours", []), f"{field}.default_open_hours"
    )


def read_event_booking(values: Mapping[str, Any], changes: ConfigurationChanges) -> None:
    fields = changes.fields
    field = "event_booking"
    for name, limit in (("title", 500), ("description", 10_000), ("location", 500)):
        fields[name] = p.text(
            given(values, name, default(name)), f"{field}.{name}", max_length=limit
        )
    if not fields["title"].strip():
        raise BadRequest("must not be empty", field=f"{field}.title")
    fields["timezone"] = zone_or_blank(values, "timezone", f"{field}.timezone")
    fields["booking_type"] = p.one_of(
        given(values, "booking_type", default("booking_type")),
        f"{field}.booking_type",
        tuple(Configuration.BookingType.values),
    )
    for name in ("hide_participants", "disable_emails"):
        fields[name] = p.boolean(given(values, name, False), f"{field}.{name}")
    fields["capacity"] = p.whole_number(
        given(values, "capacity", 1), f"{field}.capacity", minimum=1, maximum=1000
    )
    items = p.as_list(given(values, "reminders", []), f"{field}.reminders")
    if len(items) > MAX_REMINDERS:
        raise BadRequest(f"at most {MAX_REMINDERS} reminders", field=f"{field}.reminders")
    changes.reminders = [
        read_reminder(item, f"{field}.reminders[{i}]") for i, item in enumerate(items)
    ]


def read_conferencing(value: Any, field: str = "event_booking.conferencing") -> dict:
    """``event_booking.conferencing`` (pages/conferencing.py), {} for none."""
    try:
        return conferencing.read(value)
    except conferencing.ConferencingProblem as problem:
        path = f"{field}.{problem.path}" if problem.path else field
        raise BadRequest(problem.message, field=path) from None


def read_reminder(value: Any, field: str) -> ReminderSpec:
    reminder = p.as_object(value, field)
    if reminder.get("minutes_before_event") is None:
        raise BadRequest("is required", field=f"{field}.minutes_before_event")
    return ReminderSpec(
        minutes_before_event=p.whole_number(
            reminder["minutes_before_event"],
            f"{field}.minutes_before_event",
            minimum=1,
            maximum=60 * 24 * 30,
        ),
        type=p.one_of(given(reminder, "type", "email"), f"{field}.type", Reminder.Type.values),
        recipient=p.one_of(
            given(reminder, "recipient", "all"), f"{field}.recipient", Reminder.Recipient.values
        ),
        email_subject=p.text(
            given(reminder, "email_subject", ""), f"{field}.email_subject", max_length=200
        ),
    )


def read_scheduler(values: Mapping[str, Any], changes: ConfigurationChanges) -> None:
    fields = changes.fields
    field = "scheduler"
    fields["available_days_in_future"] = p.whole_number(
        given(values, "available_days_in_future", default("available_days_in_future")),
        f"{field}.available_days_in_future",
        minimum=1,
        maximum=730,
    )
    for name in ("min_booking_notice", "min_cancellation_notice"):
        fields[name] = p.whole_number(
            given(values, name, default(name)),
            f"{field}.{name}",
            minimum=0,
            maximum=MINUTES_IN_A_YEAR,
        )
    fields["cancellation_policy"] = p.text(
        given(values, "cancellation_policy", ""), f"{field}.cancellation_policy", max_length=10_000
    )
    for name in (
        "confirmation_redirect_url",
        "rescheduling_url",
        "cancellation_url",
        "organizer_confirmation_url",
    ):
        fields[name] = web_address(given(values, name, ""), f"{field}.{name}")
    for name in (
        "hide_rescheduling_options",
        "hide_cancellation_options",
        "hide_additional_guests",
    ):
        fields[name] = p.boolean(given(values, name, False), f"{field}.{name}")
    fields["email_template"] = read_email_template(
        given(values, "email_template", {}), f"{field}.email_template"
    )
    questions = p.as_object(given(values, "additional_fields", {}), f"{field}.additional_fields")
    if len(questions) > MAX_ADDITIONAL_FIELDS:
        raise BadRequest(
            f"at most {MAX_ADDITIONAL_FIELDS} fields", field=f"{field}.additional_fields"
        )
    changes.additional_fields = [
        read_additional_field(key, item, f"{field}.additional_fields.{key}")
        for key, item in questions.items()
    ]


def read_additional_field(key: str, value: Any, field: str) -> AdditionalFieldSpec:
    """``{label, type, required, default, pattern, order, options}`` under its key."""
    try:
        validate_slug(key)
    except ValidationError:
        raise BadRequest("keys use letters, digits, _ and - only", field=field) from None
    if len(key) > 100:
        raise BadRequest("keys are at most 100 characters", field=field)
    question = p.as_object(value, field)
    if not given(question, "label"):
        raise BadRequest("is required", field=f"{field}.label")
    kind = p.one_of(
        given(question, "type", "text"), f"{field}.type", tuple(AdditionalField.Type.values)
    )
    options = p.as_list(given(question, "options", []), f"{field}.options")
    for i, option in enumerate(options):
        p.text(option, f"{field}.options[{i}]", max_length=300)
    if kind in CHOICE_TYPES and not options:
        raise BadRequest(f"a {kind} needs at least one option", field=f"{field}.options")
    pattern = p.text(given(question, "pattern", ""), f"{field}.pattern", max_length=500)
    if pattern and (problem := pattern_problem(pattern)):
        raise BadRequest(problem, field=f"{field}.pattern")
    return AdditionalFieldSpec(
        key=key,
        label=p.text(question["label"], f"{field}.label", max_length=300),
        type=kind,
        required=p.boolean(given(question, "required", False), f"{field}.required"),
        default=p.text(given(question, "default", ""), f"{field}.default", max_length=500),
        pattern=pattern,
        order=p.whole_number(
            given(question, "order", 0), f"{field}.order", minimum=-10_000, maximum=10_000
        ),
        options=tuple(options),
    )


def read_email_template(value: Any, field: str) -> dict:
    """``{logo, booking_confirmed: {title, body}}``: the keys sent, and no others."""
    template = p.as_object(value, field)
    stored: dict = {}
    if given(template, "logo") is not None:
        stored["logo"] = web_address(template["logo"], f"{field}.logo")
    if given(template, "booking_confirmed") is not None:
        confirmed = p.as_object(template["booking_confirmed"], f"{field}.booking_confirmed")
        stored["booking_confirmed"] = {
            name: p.text(confirmed[name], f"{field}.booking_confirmed.{name}", max_length=limit)
            for name, limit in (("title", 300), ("body", 10_000))
            if given(confirmed, name) is not None
        }
    return stored


def read_appearance(value: Any) -> dict[str, str]:
    appearance = p.as_object(value, "appearance")
    if len(appearance) > MAX_APPEARANCE_KEYS:
        raise BadRequest(f"at most {MAX_APPEARANCE_KEYS} keys", field="appearance")
    for key, item in appearance.items():
        p.text(item, f"appearance.{key}", max_length=2000)
        if page_urls.is_appearance_address(key):
            web_address(item, f"appearance.{key}")
        if key == embeds.APPEARANCE_KEY:
            try:
                embeds.parse_origins(item)
            except ValueError as problem:
                raise BadRequest(str(problem), field=f"appearance.{key}") from None
    return dict(appearance)


def web_address(value: Any, field: str) -> str:
    """An address a page links to or shows (pages/page_urls.py): "" or a safe URL."""
    address = p.text(value, field, max_length=page_urls.MAX_LENGTH).strip()
    if address and (why := page_urls.problem(address)):
        raise BadRequest(why, field=field)
    return address
