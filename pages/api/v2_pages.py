"""The v2 scheduling page (seed 000) is a configuration seen another way. A v2 body is
checked with v2 field paths, translated into the v3 configuration body and read by the
same reader (pages/api/configuration_input.py) into the same ConfigurationChanges; a
configuration is rendered back in the v2 shape. Fields only v2 has live in
Configuration.extra (the v3 dialect keeps them untouched), so a page survives a round
trip through either dialect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pages import conferencing, page_urls
from pages.api import parsing as p
from pages.api.auth import Caller
from pages.api.configuration_input import read_conferencing, read_configuration, web_address
from pages.api.configuration_output import configuration_json
from pages.api.errors import BadRequest
from pages.models import AdditionalField, Configuration, Grant, Reminder
from pages.services import ConfigurationChanges

DAY_LETTERS = "UMTWRFS"  # index = our day number, Sunday = 0
METHODS = {
    "round-robin-maximize-fairness": Configuration.Method.MAX_FAIRNESS,
    "round-robin-maximize-availability": Configuration.Method.MAX_AVAILABILITY,
}
V2_METHOD = {v: k for k, v in METHODS.items()}
RECIPIENTS = {"customer": "guest", "owner": "host", "both": "all"}
V2_RECIPIENT = {v: k for k, v in RECIPIENTS.items()}
FIELD_TYPES = {
    "text": AdditionalField.Type.TEXT,
    "multi-line text": AdditionalField.Type.MULTI_LINE_TEXT,
    "email": AdditionalField.Type.EMAIL,
    "phone": AdditionalField.Type.PHONE_NUMBER,
    "phone_number": AdditionalField.Type.PHONE_NUMBER,
    "dropdown": AdditionalField.Type.DROPDOWN,
    "date": AdditionalField.Type.DATE,
    "checkbox": AdditionalField.Type.CHECKBOX,
    "radio_button": AdditionalField.Type.RADIO_BUTTON,
    "multi-select list": AdditionalField.Type.MULTI_SELECT,
}
V2_FIELD_TYPE = {
    AdditionalField.Type.TEXT: "text",
    AdditionalField.Type.MULTI_LINE_TEXT: "multi-line text",
    AdditionalField.Type.EMAIL: "email",
    AdditionalField.Type.PHONE_NUMBER: "phone",
    AdditionalField.Type.DROPDOWN: "dropdown",
    AdditionalField.Type.DATE: "date",
    AdditionalField.Type.CHECKBOX: "checkbox",
    AdditionalField.Type.RADIO_BUTTON: "radio_button",
    AdditionalField.Type.MULTI_SELECT: "multi-select list",
    AdditionalField.Type.METADATA: "text",
}
# booking.* keys with no column of their own: kept in extra["booking"].
BOOKING_FLAGS = (
    "confirmation_emails_to_guests",
    "confirmation_emails_to_host",
    "calendar_invite_to_guests",
    "name_field_hidden",
)
APPEARANCE_DEFAULTS = {
    "color": "#0068D3",
    "company_name": "",
    "logo": "",
    "show_autoschedule": True,
    "show_nylas_branding": False,
    "show_timezone_options": True,
    "show_week_view": True,
    "submit_text": "Submit",
    "thank_you_text": "",
}
# v2 booking settings that are v3 scheduler settings under the same name.
SCHEDULER_KEYS = (
    "available_days_in_future",
    "min_booking_notice",
    "min_cancellation_notice",
    "cancellation_policy",
)


def v2_days(value: Any, field: str) -> list[int]:
    """v2 days are letters M T W R F S U (numbers are taken too)."""
    days = []
    for i, day in enumerate(p.as_list(value, field)):
        if isinstance(day, str) and len(day) == 1 and day.upper() in DAY_LETTERS:
            days.append(DAY_LETTERS.index(day.upper()))
        elif isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6:
            days.append(day)
        else:
            raise BadRequest(f"{day!r} is not a day: use M T W R F S U", field=f"{field}[{i}]")
    if not days:
        raise BadRequest("must list at least one day", field=field)
    return sorted(set(days))


def _opening_hours(entry: Any, field: str) -> dict:
    entry = p.as_object(entry, field)
    start = p.wall_clock(entry.get("start"), f"{field}.start", allow_24=False)
    end = p.wall_clock(entry.get("end"), f"{field}.end", allow_24=True)
    if end <= start:
        raise BadRequest("must be after start", field=f"{field}.end")
    hours = {
        "days": v2_days(entry.get("days"), f"{field}.days"),
        "start": entry["start"],
        "end": entry["end"],
    }
    if entry.get("timezone"):
        hours["timezone"] = p.timezone_name(entry["timezone"], f"{field}.timezone")
    return hours


def _additional_field(item: Any, field: str) -> tuple[str, dict]:
    item = p.as_object(item, field)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise BadRequest("is required", field=f"{field}.name")
    kind = item.get("type", "text")
    if not isinstance(kind, str) or (kind not in FIELD_TYPES and kind not in V2_FIELD_TYPE):
        raise BadRequest(f"must be one of {', '.join(FIELD_TYPES)}", field=f"{field}.type")
    kind = FIELD_TYPES.get(kind, kind)
    if kind == AdditionalField.Type.MULTI_SELECT:
        options = item.get("multi_select_options") or item.get("options") or []
    else:
        options = item.get("dropdown_options") or item.get("options") or []
    order = item.get("order", 0)
    if isinstance(order, float) and order.is_integer():
        order = int(order)
    spec = {
        "label": item.get("label") or name,
        "type": kind,
        "required": item.get("required", False),
        "pattern": item.get("pattern") or "",
        "order": order,
    }
    if kind in (
        AdditionalField.Type.DROPDOWN,
        AdditionalField.Type.MULTI_SELECT,
        AdditionalField.Type.RADIO_BUTTON,
    ):
        spec["options"] = options
    return name, spec


def _reminder(item: Any, field: str) -> dict:
    item = p.as_object(item, field)
    method = item.get("delivery_method", "email")
    if method not in ("email", "webhook"):
        raise BadRequest("must be email or webhook", field=f"{field}.delivery_method")
    recipient = item.get("delivery_recipient", "both")
    if not isinstance(recipient, str) or recipient not in RECIPIENTS:
        raise BadRequest("must be customer, owner or both", field=f"{field}.delivery_recipient")
    if "time_before_event" not in item:
        raise BadRequest("is required", field=f"{field}.time_before_event")
    reminder = {
        "type": method,
        "recipient": RECIPIENTS[recipient],
        "minutes_before_event": item["time_before_event"],
    }
    if item.get("email_subject"):
        reminder["email_subject"] = item["email_subject"]
    return reminder


@dataclass(frozen=True)
class _V2Page:
    """The parts of a v2 page body, each checked to be an object."""

    config: Mapping[str, Any]
    booking: Mapping[str, Any]
    event: Mapping[str, Any]
    calendar_ids: Mapping[str, Any]

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> _V2Page:
        config = p.as_object(body.get("config") or {}, "config")
        return cls(
            config=config,
            booking=p.as_object(config.get("booking") or {}, "config.booking"),
            event=p.as_object(config.get("event") or {}, "config.event"),
            calendar_ids=p.as_object(config.get("calendar_ids") or {}, "config.calendar_ids"),
        )


def translate(body: Mapping[str, Any], grants: list[Grant], *, creating: bool) -> tuple[dict, dict]:
    """(the v3 configuration body, the v2-only fields for Configuration.extra)."""
    page = _V2Page.of(body)
    v3: dict[str, Any] = {key: body[key] for key in ("name", "slug") if key in body}
    extra: dict[str, Any] = {}
    zone = None
    if page.config.get("timezone"):
        zone = p.timezone_name(page.config["timezone"], "config.timezone")
    if "locale" in page.config:
        v3["locale"] = page.config["locale"]
    per_account, default_hours = _opening_hours_by_account(page.booking, grants)
    method = _scheduling_method(page, grants)
    if (
        creating
        or "access_tokens" in body
        or "calendar_ids" in page.config
        or "opening_hours" in page.booking
    ):
        v3["participants"] = _participants(grants, page.calendar_ids, per_account)
    v3["availability"] = _availability(page, method, default_hours, creating=creating)
    event_booking = _event_booking(page, zone)
    if event_booking or creating:
        v3["event_booking"] = event_booking
    scheduler = _scheduler(page.booking, extra)
    if scheduler or creating:
        v3["scheduler"] = scheduler
    if "appearance" in page.config:
        v3["appearance"] = _appearance(page.config["appearance"], extra)
    _keep_v2_only_fields(page, extra)
    return v3, extra


def _opening_hours_by_account(
    booking: Mapping[str, Any], grants: list[Grant]
) -> tuple[dict[str, list[dict]], list[dict]]:
    """(open hours per grant id, the entries that name no account: the page's default)."""
    accounts = {str(g.pk) for g in grants}
    per_account: dict[str, list[dict]] = {}
    default_hours: list[dict] = []
    entries = p.as_list(booking.get("opening_hours", []), "config.booking.opening_hours")
    for i, entry in enumerate(entries):
        field = f"config.booking.opening_hours[{i}]"
        hours = _opening_hours(entry, field)
        account = entry.get("account_id") if isinstance(entry, Mapping) else None
        if account:
            if str(account) not in accounts:
                raise BadRequest("is not one of this page's accounts", field=f"{field}.account_id")
            per_account.setdefault(str(account), []).append(hours)
        else:
            default_hours.append(hours)
    return per_account, default_hours


def _scheduling_method(page: _V2Page, grants: list[Grant]) -> str:
    booking = page.booking
    features = page.config.get("features")
    features = features if isinstance(features, Mapping) else {}
    if booking.get("scheduling_method"):
        chosen = booking["scheduling_method"]
        if not isinstance(chosen, str) or chosen not in METHODS:
            raise BadRequest(
                f"must be one of {', '.join(METHODS)}", field="config.booking.scheduling_method"
            )
        return METHODS[chosen]
    if len(grants) > 1 and not features.get("collective_meetings"):
        return Configuration.Method.MAX_FAIRNESS  # several organizers' tokens: they rotate
    return Configuration.Method.COLLECTIVE


def _participants(
    grants: list[Grant], calendar_ids: Mapping[str, Any], per_account: dict[str, list[dict]]
) -> list[dict]:
    """One participant per organizer (the first organizes), with the calendars the page
    names for them (primary by default) and their own open hours."""
    participants = []
    for index, grant in enumerate(grants):
        chosen = p.as_object(
            calendar_ids.get(str(grant.pk)) or {}, f"config.calendar_ids.{grant.pk}"
        )
        participants.append(
            {
                "email": grant.email,
                "name": grant.name,
                "is_organizer": index == 0,
                "availability": {
                    "calendar_ids": chosen.get("availability") or ["primary"],
                    "open_hours": per_account.get(str(grant.pk), []),
                },
                "booking": {"calendar_id": chosen.get("booking") or "primary"},
            }
        )
    return participants


def _availability(
    page: _V2Page, method: str, default_hours: list[dict], *, creating: bool
) -> dict[str, Any]:
    event, booking = page.event, page.booking
    availability: dict[str, Any] = {"availability_rules": {"availability_method": method}}
    if "duration" in event:
        availability["duration_minutes"] = event["duration"]
    elif creating:
        availability["duration_minutes"] = 30
    if "min_buffer" in booking:
        # The gap kept after each meeting: with host buffers (README) the gap between any
        # two meetings is then exactly min_buffer.
        availability["availability_rules"]["buffer"] = {"before": 0, "after": booking["min_buffer"]}
    if default_hours or "opening_hours" in booking:
        availability["availability_rules"]["default_open_hours"] = default_hours
    return availability


def _event_booking(page: _V2Page, zone: str | None) -> dict[str, Any]:
    event, booking, config = page.event, page.booking, page.config
    event_booking: dict[str, Any] = {
        key: event[key] for key in ("title", "location", "capacity") if key in event
    }
    if zone:
        event_booking["timezone"] = zone
    if "conferencing" in event:
        # None (not {}) for none: laid over the stored configuration, {} would keep it.
        chosen = read_conferencing(event["conferencing"], "config.event.conferencing")
        event_booking["conferencing"] = chosen or None
    if "confirmation_method" in booking:
        if booking["confirmation_method"] not in ("automatic", "manual"):
            raise BadRequest(
                "must be automatic or manual", field="config.booking.confirmation_method"
            )
        event_booking["booking_type"] = (
            "organizer-confirmation" if booking["confirmation_method"] == "manual" else "booking"
        )
    if "reminders" in config:
        event_booking["reminders"] = [
            _reminder(r, f"config.reminders[{i}]")
            for i, r in enumerate(p.as_list(config["reminders"], "config.reminders"))
        ]
    return event_booking


def _scheduler(booking: Mapping[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The v3 ``scheduler`` object; the additional fields as sent go to ``extra``."""
    scheduler: dict[str, Any] = {key: booking[key] for key in SCHEDULER_KEYS if key in booking}
    if "additional_guests_hidden" in booking:
        scheduler["hide_additional_guests"] = booking["additional_guests_hidden"]
    if "additional_fields" in booking:
        fields = {}
        raw = p.as_list(booking["additional_fields"], "config.booking.additional_fields")
        for i, item in enumerate(raw):
            name, spec = _additional_field(item, f"config.booking.additional_fields[{i}]")
            fields[name] = spec
        scheduler["additional_fields"] = fields
        # The v2 objects as sent (dropdown_options beside multi_select_options, ...).
        extra["v2_additional_fields"] = raw
    return scheduler


def _appearance(value: Any, extra: dict[str, Any]) -> dict[str, str]:
    """The v3 string map; the v2 appearance as sent (with its true/false) goes to
    ``extra``."""
    appearance = p.as_object(value, "config.appearance")
    for key, item in appearance.items():
        if not isinstance(item, str | bool):
            raise BadRequest("must be a string or true/false", field=f"config.appearance.{key}")
        if isinstance(item, str) and page_urls.is_appearance_address(key):
            web_address(item, f"config.appearance.{key}")
    extra["v2_appearance"] = dict(appearance)
    return {
        k: v if isinstance(v, str) else ("true" if v else "false") for k, v in appearance.items()
    }


def _keep_v2_only_fields(page: _V2Page, extra: dict[str, Any]) -> None:
    """The booking flags, event participants and features v3 has no place for."""
    flags = {key: page.booking[key] for key in BOOKING_FLAGS if key in page.booking}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise BadRequest("must be true or false", field=f"config.booking.{key}")
    if flags:
        extra["booking"] = flags
    if "participants" in page.event:
        extra["event"] = {
            "participants": p.as_list(page.event["participants"], "config.event.participants")
        }
    if "features" in page.config:
        extra["features"] = page.config["features"]


def deep_merge(base: Any, change: Any) -> Any:
    """``change`` laid over ``base``: objects merge key by key, anything else replaces."""
    if isinstance(base, Mapping) and isinstance(change, Mapping):
        merged = dict(base)
        for key, value in change.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return change


def read_page(
    body: Any, grants: list[Grant], *, configuration: Configuration | None = None
) -> ConfigurationChanges:
    """A v2 body as ConfigurationChanges. On update, the body is laid over the page as it
    is (a v2 PUT may send part of the config) and the translation over the
    configuration's v3 body, so fields only the v3 dialect has (interval, description,
    ...) are kept."""
    body = p.as_object(body, "body")
    if configuration is None:
        v3, extra = translate(body, grants, creating=True)
    else:
        current = page_json(configuration)
        merged = deep_merge(current, body)
        sent_config = body.get("config")
        sent_event = sent_config.get("event") if isinstance(sent_config, Mapping) else None
        if isinstance(sent_event, Mapping) and "conferencing" in sent_event:
            # One conferencing replaces another whole (details and autocreate never mix).
            merged["config"]["event"]["conferencing"] = sent_event["conferencing"]
        v3_part, extra = translate(merged, grants, creating=True)
        v3 = deep_merge(configuration_json(configuration), v3_part)
        if "conferencing" in v3_part.get("event_booking", {}):
            v3["event_booking"]["conferencing"] = v3_part["event_booking"]["conferencing"]
    # The access tokens in the body (or the page's own organizers) were checked by the view.
    changes = read_configuration(v3, caller=Caller(kind="api_key"), configuration=configuration)
    changes.extra.update(extra)
    return changes


# Output


def _date(moment: dt.datetime) -> str:
    return moment.date().isoformat()


def page_json(configuration: Configuration, *, public: bool = False) -> dict:
    """The v2 page. ``public`` leaves out the accounts and calendars (/schedule/.../info)."""
    extra = configuration.extra if isinstance(configuration.extra, dict) else {}
    participants = list(configuration.participants.all())
    config = {
        "appearance": _appearance_json(configuration, extra, public=public),
        "booking": _booking_json(configuration, extra, participants),
        "event": {
            "capacity": configuration.capacity,
            "duration": configuration.duration_minutes,
            "location": configuration.location,
            "participants": (extra.get("event") or {}).get("participants", []),
            "title": configuration.title,
            **(
                {"conferencing": chosen}
                if (chosen := conferencing.of_configuration(configuration))
                else {}
            ),
        },
        "features": extra.get("features")
        or {
            "collective_meetings": configuration.availability_method
            == Configuration.Method.COLLECTIVE
        },
        "locale": configuration.locale,
        "reminders": [
            {
                "delivery_method": r.type,
                "delivery_recipient": V2_RECIPIENT.get(r.recipient, "both"),
                "email_subject": r.email_subject,
                "time_before_event": r.minutes_before_event,
            }
            for r in configuration.reminders.all()
        ],
        "timezone": configuration.timezone or configuration.grant.timezone,
    }
    page = {
        # v2 pages have integer IDs (seed 000); the configuration's UUID is its v3 ID. A
        # row made outside the services has no v2 ID and shows its UUID.
        "id": configuration.v2_page_id or str(configuration.pk),
        "configuration_id": str(configuration.pk),
        "name": configuration.name,
        "slug": configuration.slug,
        "config": config,
        "created_at": _date(configuration.created_at),
        "modified_at": _date(configuration.updated_at),
    }
    if not public:
        hosts = [pt for pt in participants if pt.grant_id]
        config["calendar_ids"] = {
            str(pt.grant_id): {
                "availability": [str(c.pk) for c in pt.availability_calendars.all()]
                or [str(c.pk) for c in pt.grant.calendars.all() if c.is_primary],
                "booking": str(pt.booking_calendar_id) if pt.booking_calendar_id else None,
            }
            for pt in hosts
        }
        page["access_token_infos"] = [
            {"account_email": pt.grant.email, "account_name": pt.grant.name} for pt in hosts
        ]
        page["app_client_id"] = None
        page["app_organization_id"] = None
    return page


def _opening_hours_json(configuration: Configuration, participants: list) -> list[dict]:
    """The open hours in v2's words (days as letters, Monday first); a participant's own
    entry names its account."""
    opening_hours = []
    for row in configuration.open_hours.all():
        entry = {
            "days": [DAY_LETTERS[d] for d in sorted(row.days, key=lambda d: (d - 1) % 7)],
            "start": f"{row.start_minute // 60:02d}:{row.start_minute % 60:02d}",
            "end": f"{row.end_minute // 60:02d}:{row.end_minute % 60:02d}",
        }
        if row.participant_id:
            owner = next((pt for pt in participants if pt.pk == row.participant_id), None)
            if owner and owner.grant_id:
                entry = {"account_id": str(owner.grant_id), **entry}
        if row.timezone:
            entry["timezone"] = row.timezone
        opening_hours.append(entry)
    return opening_hours


def _additional_fields_json(configuration: Configuration, extra: dict) -> list[dict]:
    """The questions as v2 objects: what was sent in v2 (dropdown_options beside
    multi_select_options, ...), brought up to date with the stored field."""
    raw_fields = {
        f.get("name"): f for f in extra.get("v2_additional_fields") or [] if isinstance(f, dict)
    }
    additional_fields = []
    for row in configuration.additional_fields.all():
        item = dict(raw_fields.get(row.key) or {})
        item.update(
            {
                "name": row.key,
                "label": row.label,
                "type": V2_FIELD_TYPE.get(row.type, "text"),
                "required": row.required,
                "pattern": row.pattern,
                "order": row.order,
            }
        )
        if row.type == AdditionalField.Type.MULTI_SELECT:
            item["multi_select_options"] = list(row.options)
        elif row.options:
            item["dropdown_options"] = list(row.options)
        additional_fields.append(item)
    return additional_fields


def _booking_json(configuration: Configuration, extra: dict, participants: list) -> dict:
    flags = dict.fromkeys(BOOKING_FLAGS[:3], True) | {"name_field_hidden": False}
    flags.update(extra.get("booking") or {})
    manual = configuration.booking_type == Configuration.BookingType.ORGANIZER_CONFIRMATION
    return {
        "additional_fields": _additional_fields_json(configuration, extra),
        "additional_guests_hidden": configuration.hide_additional_guests,
        "available_days_in_future": configuration.available_days_in_future,
        "cancellation_policy": configuration.cancellation_policy,
        "confirmation_method": "manual" if manual else "automatic",
        "min_booking_notice": configuration.min_booking_notice,
        "min_buffer": configuration.buffer_after,
        "min_cancellation_notice": configuration.min_cancellation_notice,
        "opening_hours": _opening_hours_json(configuration, participants),
        "scheduling_method": V2_METHOD.get(configuration.availability_method),
        **flags,
    }


def _appearance_json(configuration: Configuration, extra: dict, *, public: bool) -> dict:
    """v2's appearance (its defaults, what v2 sent with its true/false), with what v3 set
    since laid over it."""
    sent = extra.get("v2_appearance") or {}
    appearance = {**APPEARANCE_DEFAULTS, **sent}
    for key, value in (configuration.appearance or {}).items():
        if key not in sent or not isinstance(appearance[key], bool):
            appearance[key] = value
    if public:
        # Widgets put these in pages: an address stored before the checks is left out.
        for key, value in appearance.items():
            if page_urls.is_appearance_address(key) and isinstance(value, str):
                appearance[key] = page_urls.renderable(value)
    return appearance


_ = Reminder
