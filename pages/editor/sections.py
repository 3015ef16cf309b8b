"""The editor's sections: what each shows of a configuration, and the
ConfigurationChanges its saved form becomes. Each change holds only that section's
fields and lists, so saving one section never touches another's.

Opening hours belong to the hosts (participants whose calendars make them busy). The
editor shows one list, and saving it gives every host exactly those hours; the
configuration's default open hours are cleared then, since a host with hours of its
own never uses them, and an empty list must mean what the editor showed: open at any
time. A page with no host keeps its hours as the configuration's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pages.editor import forms as editor_forms
from pages.models import Configuration, OpenHours, Participant
from pages.services import (
    AdditionalFieldSpec,
    ConfigurationChanges,
    OpenHoursSpec,
    ParticipantSpec,
    ReminderSpec,
    update_configuration,
)

DEFAULT_COLOR = "#2563eb"  # the hosted pages' accent when a page has none
APPEARANCE_TEXTS = ("company_name", "logo", "submit_text", "thank_you_text", "embed_origins")


@dataclass
class SectionForms:
    """A section's form and/or formset, bound or not, and problems the service found
    that no single field owns."""

    form: forms.Form | None = None
    formset: editor_forms.RowFormSet | None = None
    problems: list[str] = field(default_factory=list)

    def is_valid(self) -> bool:
        valid = True
        for part in (self.form, self.formset):
            if part is not None and not part.is_valid():
                valid = False
        return valid and not self.problems

    def add_service_errors(self, error: ValidationError) -> None:
        """A ValidationError keyed by model field, from the service, shown beside the
        field of that name when this section has one."""
        if not hasattr(error, "error_dict"):
            self.problems.extend(error.messages)
            return
        for name, messages in error.message_dict.items():
            if self.form is not None and name in self.form.fields:
                self.form.add_error(name, messages)
            else:
                self.problems.extend(messages)


@dataclass(frozen=True)
class Section:
    name: str  # in the URL and as the HTML id
    title: str
    form_class: type[forms.Form] | None
    formset_class: type[editor_forms.RowFormSet] | None
    prefix: str  # the formset's
    initial: Callable[[Configuration], dict]
    rows: Callable[[Configuration], list[dict]]
    changes: Callable[[Configuration, SectionForms], ConfigurationChanges]

    def bind(self, configuration: Configuration, data=None) -> SectionForms:
        """The section's forms: filled from the configuration, or bound to ``data``."""
        state = SectionForms()
        if self.form_class is not None:
            state.form = self.form_class(data=data, initial=self.initial(configuration))
        if self.formset_class is not None:
            # Bound, the rows are what was posted: INITIAL_FORMS says which existed, and
            # an empty extra row must not be compared with a row added meanwhile.
            rows = self.rows(configuration) if data is None else None
            state.formset = self.formset_class(data=data, initial=rows, prefix=self.prefix)
        return state

    def save(self, configuration: Configuration, state: SectionForms) -> Configuration:
        """Writes a valid section; a ValidationError from the service leaves nothing
        written."""
        with transaction.atomic():
            # Locked before reading what the changes are built from (the participants
            # rebuilt for opening hours): an API update of them cannot slip in between
            # this read and the write and be undone by it.
            locked = Configuration.objects.select_for_update().get(pk=configuration.pk)
            return update_configuration(configuration=locked, changes=self.changes(locked, state))


def _nothing(configuration: Configuration) -> list[dict]:
    return []


def _no_fields(configuration: Configuration) -> dict:
    return {}


# Event


def _event_initial(configuration: Configuration) -> dict:
    return {
        "title": configuration.title,
        "duration_minutes": configuration.duration_minutes,
        "location": configuration.location,
        "locale": editor_forms.page_language(configuration.locale) or "en",
    }


def _event_changes(configuration: Configuration, state: SectionForms) -> ConfigurationChanges:
    fields = dict(state.form.cleaned_data)
    # The same language kept as the API set it ("fr-CA" stays, not "fr").
    if not fields.get("locale") or fields["locale"] == editor_forms.page_language(
        configuration.locale
    ):
        fields.pop("locale", None)
    return ConfigurationChanges(fields=fields)


# Availability


def _clock(minute: int) -> str:
    """For <input type=time>: the end of the day (24:00) is 00:00."""
    minute %= 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_key(rows) -> tuple:
    """Rows (OpenHours or OpenHoursSpec) in an order-free form, for comparing lists."""
    return tuple(
        sorted(
            (
                tuple(sorted(r.days)),
                r.start_minute,
                r.end_minute,
                r.timezone,
                tuple(r.exdates),
            )
            for r in rows
        )
    )


@dataclass(frozen=True)
class OpenHoursView:
    """The one list of opening hours the editor shows, and whether the hosts had
    different ones (saving then gives them all these)."""

    rows: list[OpenHours]
    hosts_differ: bool


def open_hours_view(configuration: Configuration) -> OpenHoursView:
    rows = list(configuration.open_hours.order_by("pk"))
    default = [r for r in rows if r.participant_id is None]
    hosts = [p for p in configuration.participants.all() if p.has_availability]
    if not hosts:
        return OpenHoursView(default, False)
    effective = [[r for r in rows if r.participant_id == host.pk] or default for host in hosts]
    shown = effective[0]
    differ = any(hours_key(hours) != hours_key(shown) for hours in effective)
    return OpenHoursView(shown, differ)


def _availability_initial(configuration: Configuration) -> dict:
    return {
        "available_days_in_future": configuration.available_days_in_future,
        "min_booking_notice": configuration.min_booking_notice,
        "buffer_after": configuration.buffer_after,
    }


def _open_hours_rows(configuration: Configuration) -> list[dict]:
    return [
        {
            "days": [editor_forms.DAY_LETTER[d] for d in row.days],
            "start": _clock(row.start_minute),
            "end": _clock(row.end_minute),
            "timezone": row.timezone,
            "exdates": ", ".join(row.exdates or []),
        }
        for row in open_hours_view(configuration).rows
    ]


def _participant_spec(participant: Participant, open_hours: tuple) -> ParticipantSpec:
    return ParticipantSpec(
        email=participant.email,
        name=participant.name,
        is_organizer=participant.is_organizer,
        timezone=participant.timezone,
        grant=participant.grant,
        has_availability=participant.has_availability,
        availability_calendars=tuple(participant.availability_calendars.order_by("pk")),
        open_hours=open_hours,
        booking_calendar=participant.booking_calendar,
    )


def _own_hours(participant: Participant) -> tuple[OpenHoursSpec, ...]:
    return tuple(
        OpenHoursSpec(
            days=tuple(r.days),
            start_minute=r.start_minute,
            end_minute=r.end_minute,
            timezone=r.timezone,
            exdates=tuple(r.exdates or ()),
        )
        for r in participant.open_hours.order_by("pk")
    )


def _availability_changes(
    configuration: Configuration, state: SectionForms
) -> ConfigurationChanges:
    changes = ConfigurationChanges(fields=dict(state.form.cleaned_data))
    hours = [
        OpenHoursSpec(
            days=row["days"],
            start_minute=row["start"],
            end_minute=row["end"],
            timezone=row["timezone"],
            exdates=row["exdates"],
        )
        for row in state.formset.rows()
    ]
    participants = list(
        configuration.participants.select_related("grant", "booking_calendar").order_by(
            "position", "email"
        )
    )
    hosts = [p for p in participants if p.has_availability]
    if not hosts:
        changes.default_open_hours = hours
        return changes
    has_default = configuration.open_hours.filter(participant=None).exists()
    if not has_default and all(hours_key(_own_hours(h)) == hours_key(hours) for h in hosts):
        return changes  # the hours are as they were: the participants stay untouched
    # update_configuration writes a participant's open hours only with the participant,
    # so every participant is sent again as it is, the hosts with the new hours.
    changes.participants = [
        _participant_spec(p, tuple(hours) if p.has_availability else _own_hours(p))
        for p in participants
    ]
    changes.default_open_hours = []
    return changes


# Questions (additional fields)


def _question_rows(configuration: Configuration) -> list[dict]:
    return [
        {
            "label": f.label,
            "key": f.key,
            "type": f.type,
            "required": f.required,
            "options": ", ".join(f.options or []),
            "pattern": f.pattern,
        }
        for f in configuration.additional_fields.all()
    ]


V2_OPTION_KEYS = ("dropdown_options", "multi_select_options", "options")


def _question_changes(configuration: Configuration, state: SectionForms) -> ConfigurationChanges:
    current = {f.key: f for f in configuration.additional_fields.all()}
    specs = []
    for position, row in enumerate(state.formset.rows(), start=1):
        before = current.get(row["key"])
        specs.append(
            AdditionalFieldSpec(
                key=row["key"],
                label=row["label"],
                type=row["type"],
                required=row["required"],
                default=before.default if before else "",  # set through the API; kept
                pattern=row["pattern"],
                order=position,
                # Only these types offer options; others would carry them unseen.
                options=row["options"] if row["type"] in editor_forms.CHOICE_TYPES else (),
            )
        )
    changes = ConfigurationChanges(additional_fields=specs)
    raw = (configuration.extra or {}).get("v2_additional_fields")
    if isinstance(raw, list):
        # The v2 objects as the backend sent them (pages/api/v2_pages.py): kept for the
        # questions still here; one whose type or options changed loses its old options.
        by_name = {item.get("name"): item for item in raw if isinstance(item, dict)}
        kept = []
        for spec in specs:
            item = by_name.get(spec.key)
            if item is None:
                continue
            before = current.get(spec.key)
            if before is None or (before.type, tuple(before.options)) != (spec.type, spec.options):
                item = {k: v for k, v in item.items() if k not in V2_OPTION_KEYS}
            kept.append(item)
        changes.extra["v2_additional_fields"] = kept
    return changes


# Reminders


def _reminder_rows(configuration: Configuration) -> list[dict]:
    return [
        {
            "type": r.type,
            "minutes_before_event": r.minutes_before_event,
            "recipient": r.recipient,
            "email_subject": r.email_subject,
        }
        for r in configuration.reminders.all()
    ]


def _reminder_changes(configuration: Configuration, state: SectionForms) -> ConfigurationChanges:
    return ConfigurationChanges(
        reminders=[
            ReminderSpec(
                minutes_before_event=row["minutes_before_event"],
                type=row["type"],
                recipient=row["recipient"],
                email_subject=row["email_subject"],
            )
            for row in state.formset.rows()
        ]
    )


# Appearance


def _flag(value: object, default: bool) -> bool:
    """As the hosted pages read a flag (bookings/appearance.py)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip().lower() in ("true", "1", "yes", "on")
    return default


def _color(value: object) -> str:
    if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:]).lower()
    if isinstance(value, str) and re.fullmatch(editor_forms.HEX_COLOR, value):
        return value.lower()
    return DEFAULT_COLOR


def _appearance_initial(configuration: Configuration) -> dict:
    appearance = configuration.appearance if isinstance(configuration.appearance, dict) else {}
    initial = {
        name: appearance[name] if isinstance(appearance.get(name), str) else ""
        for name in APPEARANCE_TEXTS
    }
    initial["color"] = _color(appearance.get("color"))
    initial["show_timezone_options"] = _flag(appearance.get("show_timezone_options"), True)
    return initial


def _appearance_changes(configuration: Configuration, state: SectionForms) -> ConfigurationChanges:
    data = state.form.cleaned_data
    current = configuration.appearance
    appearance = dict(current) if isinstance(current, dict) else {}
    for name in APPEARANCE_TEXTS:
        if data[name]:
            appearance[name] = data[name]
        else:
            appearance.pop(name, None)
    appearance["color"] = data["color"].lower()
    appearance["show_timezone_options"] = "true" if data["show_timezone_options"] else "false"
    changes = ConfigurationChanges(fields={"appearance": appearance})
    v2 = (configuration.extra or {}).get("v2_appearance")
    if isinstance(v2, dict):
        # The v2 page shows the map as its backend sent it, overlaid with this one
        # (pages/api/v2_pages.py): the same values go there, or an old one would show.
        v2 = dict(v2)
        for name in APPEARANCE_TEXTS:
            if data[name] or name in v2:
                v2[name] = data[name]
        v2["color"] = appearance["color"]
        v2["show_timezone_options"] = data["show_timezone_options"]
        changes.extra["v2_appearance"] = v2
    return changes


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section(
            "event",
            _("Event"),
            editor_forms.EventForm,
            None,
            "",
            _event_initial,
            _nothing,
            _event_changes,
        ),
        Section(
            "availability",
            _("Availability"),
            editor_forms.AvailabilityForm,
            editor_forms.OpenHoursFormSet,
            "hours",
            _availability_initial,
            _open_hours_rows,
            _availability_changes,
        ),
        Section(
            "questions",
            _("Questions"),
            None,
            editor_forms.QuestionFormSetFactory,
            "questions",
            _no_fields,
            _question_rows,
            _question_changes,
        ),
        Section(
            "reminders",
            _("Reminders"),
            None,
            editor_forms.ReminderFormSet,
            "reminders",
            _no_fields,
            _reminder_rows,
            _reminder_changes,
        ),
        Section(
            "appearance",
            _("Appearance"),
            editor_forms.AppearanceForm,
            None,
            "",
            _appearance_initial,
            _nothing,
            _appearance_changes,
        ),
    )
}
