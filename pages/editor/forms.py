"""The editor's forms: one per section, rows as formsets (extra empty rows and a
"Remove" checkbox, so adding and removing rows works without JavaScript).

They check what the API checks (pages/api/configuration_input.py) with the same limits,
so a saved form is one the services accept; the messages are for a person at a form."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from pages import embeds, page_urls
from pages.admin_forms import parse_wall_clock
from pages.answer_patterns import pattern_problem
from pages.api.configuration_input import MAX_ADDITIONAL_FIELDS, MAX_REMINDERS, MINUTES_IN_A_YEAR
from pages.models import AdditionalField, Reminder
from pages.validators import known_timezones

# The v2 day letters (seed 000), Monday first as people read a week; values are the
# letters, the model's day numbers are 0 (Sunday) to 6.
WEEK = (
    ("M", 1, _("Mon")),
    ("T", 2, _("Tue")),
    ("W", 3, _("Wed")),
    ("R", 4, _("Thu")),
    ("F", 5, _("Fri")),
    ("S", 6, _("Sat")),
    ("U", 0, _("Sun")),
)
DAY_NUMBER = {letter: number for letter, number, _label in WEEK}
DAY_LETTER = {number: letter for letter, number, _label in WEEK}
MAX_OPEN_HOURS_ROWS = 20
CHOICE_TYPES = {
    AdditionalField.Type.DROPDOWN,
    AdditionalField.Type.RADIO_BUTTON,
    AdditionalField.Type.MULTI_SELECT,
}
HEX_COLOR = r"^#[0-9a-fA-F]{6}$"

# The site's languages (settings.LANGUAGES) by the API's codes: "zh", not Django's "zh-hans".
LANGUAGE_CHOICES = [(code.split("-")[0], name) for code, name in settings.LANGUAGES]


def page_language(locale: str) -> str:
    """A configuration's locale as one of the editor's choices: "fr-CA" → "fr",
    "zh-Hans" → "zh"; "" for a language the site does not speak."""
    primary = (locale or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in dict(LANGUAGE_CHOICES) else ""


class EventForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        error_messages={"required": _("Give the meeting a title.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=5,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=500,
        required=False,
        help_text=_("An address, a room or a video link."),
    )
    locale = forms.ChoiceField(
        label=_("Language of the page and its emails"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("A guest can still switch the page to another language."),
    )


class AvailabilityForm(forms.Form):
    available_days_in_future = forms.IntegerField(
        label=_("Days ahead"),
        min_value=1,
        max_value=730,
        help_text=_("How many days into the future guests can book."),
    )
    min_booking_notice = forms.IntegerField(
        label=_("Minimum notice (minutes)"),
        min_value=0,
        max_value=MINUTES_IN_A_YEAR,
        help_text=_("The earliest a guest can book, counted from now."),
    )
    buffer_after = forms.IntegerField(
        label=_("Buffer after each meeting (minutes)"),
        min_value=0,
        max_value=120,
        help_text=_("0 to 120, in steps of 5."),
        widget=forms.NumberInput(attrs={"step": 5}),
    )

    def clean_buffer_after(self) -> int:
        buffer = self.cleaned_data["buffer_after"]
        if buffer % 5:
            raise ValidationError(_("Use a multiple of 5 minutes."))
        return buffer


def _wall_clock(value: str, *, allow_24: bool) -> int:
    value = value.strip()
    if re.fullmatch(r"\d{1,2}:\d{2}:00(\.0+)?", value):  # <input type=time> may add seconds
        value = value[: value.index(":") + 3]
    return parse_wall_clock(value, allow_24=allow_24)


class OpenHoursForm(forms.Form):
    """One row of opening hours. An end of 00:00 is midnight at the end of the day (a
    time input cannot say 24:00)."""

    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=[(letter, label) for letter, _number, label in WEEK],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one day.")},
    )
    start = forms.CharField(
        label=_("From"),
        initial="09:00",
        max_length=12,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("Enter a start time.")},
    )
    end = forms.CharField(
        label=_("Until"),
        initial="17:00",
        max_length=12,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("Enter an end time.")},
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "list": "editor-zones",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("The host's own"),
            }
        ),
    )
    # Dates the row is closed on, set through the API; kept as they are.
    exdates = forms.CharField(required=False, widget=forms.HiddenInput, max_length=11_000)

    def clean_days(self) -> tuple[int, ...]:
        return tuple(sorted(DAY_NUMBER[letter] for letter in set(self.cleaned_data["days"])))

    def clean_start(self) -> int:
        return _wall_clock(self.cleaned_data["start"], allow_24=False)

    def clean_end(self) -> int:
        minute = _wall_clock(self.cleaned_data["end"], allow_24=True)
        return 1440 if minute == 0 else minute

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if zone and zone not in known_timezones():
            raise ValidationError(
                _("%(zone)s is not a time zone name such as America/Chicago."),
                params={"zone": zone},
            )
        return zone

    def clean_exdates(self) -> tuple[str, ...]:
        dates = [d.strip() for d in self.cleaned_data["exdates"].split(",") if d.strip()]
        for date in dates:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                raise ValidationError(_("Closed dates must be YYYY-MM-DD.")) from None
        return tuple(dict.fromkeys(dates))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, int) and isinstance(end, int) and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return data


class QuestionForm(forms.Form):
    """One additional field of the guest form."""

    label = forms.CharField(
        label=_("Question"), max_length=300, error_messages={"required": _("Enter the question.")}
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off"}),
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=AdditionalField.Type.choices, initial=AdditionalField.Type.TEXT
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=10_000,
    )
    pattern = forms.CharField(
        label=_("Pattern"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if key:
            try:
                validate_slug(key)
            except ValidationError:
                raise ValidationError(_("Use letters, digits, _ and - only.")) from None
        return key

    def clean_options(self) -> tuple[str, ...]:
        options = [o.strip() for o in self.cleaned_data["options"].split(",") if o.strip()]
        if any(len(o) > 300 for o in options):
            raise ValidationError(_("Each option is at most 300 characters."))
        return tuple(dict.fromkeys(options))

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        if pattern and (problem := pattern_problem(pattern)):
            raise ValidationError(
                _("This pattern cannot be used: it %(problem)s."), params={"problem": problem}
            )
        return pattern

    def clean(self) -> dict:
        data = super().clean()
        if data.get("type") in CHOICE_TYPES and "options" in data and not data["options"]:
            self.add_error("options", _("This type needs at least one option."))
        if "label" in data and not data.get("key") and "key" not in self.errors:
            derived = slugify(data["label"]).replace("-", "_")[:100].strip("_")
            data["key"] = derived or "question"
        return data


class ReminderForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Send"),
        choices=[(Reminder.Type.EMAIL, _("Email")), (Reminder.Type.WEBHOOK, _("Webhook"))],
        initial=Reminder.Type.EMAIL,
    )
    minutes_before_event = forms.IntegerField(
        label=_("Minutes before"),
        min_value=1,
        max_value=60 * 24 * 30,
        error_messages={"required": _("Enter how many minutes before the meeting.")},
    )
    recipient = forms.ChoiceField(
        label=_("To"),
        choices=[
            (Reminder.Recipient.GUEST, _("Guest")),
            (Reminder.Recipient.HOST, _("Host")),
            (Reminder.Recipient.ALL, _("Guest and host")),
        ],
        initial=Reminder.Recipient.GUEST,
    )
    email_subject = forms.CharField(label=_("Email subject"), required=False, max_length=200)


class AppearanceForm(forms.Form):
    color = forms.RegexField(
        label=_("Accent color"),
        regex=HEX_COLOR,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Use a color such as #2563eb.")},
    )
    company_name = forms.CharField(label=_("Company name"), required=False, max_length=200)
    logo = forms.URLField(
        label=_("Logo URL"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_("An https:// address of an image."),
    )
    submit_text = forms.CharField(
        label=_("Text of the booking button"), required=False, max_length=100
    )
    thank_you_text = forms.CharField(
        label=_("Thank-you text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the guest after booking."),
    )
    show_timezone_options = forms.BooleanField(
        label=_("Let guests choose their time zone"), required=False
    )
    embed_origins = forms.CharField(
        label=_("Sites that may embed this page"),
        required=False,
        max_length=2000,
        help_text=_(
            "Addresses such as https://www.example.com, separated by spaces: they may show "
            "the booking page and this editor in a frame."
        ),
    )

    def clean_embed_origins(self) -> str:
        try:
            return " ".join(embeds.parse_origins(self.cleaned_data["embed_origins"]))
        except ValueError as problem:
            raise ValidationError(str(problem)) from None

    def clean_logo(self) -> str:
        logo = self.cleaned_data["logo"].strip()
        if logo and page_urls.problem(logo):
            if "http" in page_urls.allowed_schemes():
                raise ValidationError(_("Use an http:// or https:// address."))
            raise ValidationError(_("Use an https:// address."))
        return logo


class RowFormSet(forms.BaseFormSet):
    """Rows of one list. Only rows that exist get a "Remove" box; an empty extra row that
    nobody filled in is not a row."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Remove")

    def rows(self) -> list[dict]:
        """The cleaned rows, in order, without removed and untouched empty ones."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


class QuestionFormSet(RowFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            key = form.cleaned_data["key"]
            if key in seen:
                form.add_error(
                    "key" if self.data.get(form.add_prefix("key")) else "label",
                    _("Another question has the key %(key)s; give this one its own key.")
                    % {"key": key},
                )
            seen.add(key)


def _row_formset(form, *, base=RowFormSet, max_num: int):
    return forms.formset_factory(
        form,
        formset=base,
        extra=1,
        can_delete=True,
        can_delete_extra=False,
        max_num=max_num,
        validate_max=True,
        absolute_max=max_num + 10,
    )


OpenHoursFormSet = _row_formset(OpenHoursForm, max_num=MAX_OPEN_HOURS_ROWS)
QuestionFormSetFactory = _row_formset(
    QuestionForm, base=QuestionFormSet, max_num=MAX_ADDITIONAL_FIELDS
)
ReminderFormSet = _row_formset(ReminderForm, max_num=MAX_REMINDERS)
