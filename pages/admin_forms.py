"""Admin form pieces that let a person edit open hours without raw JSON."""

from __future__ import annotations

import datetime

from django import forms

from pages import embeds, page_urls
from pages.models import AdditionalField, Configuration, OpenHours
from pages.models.configurations import DAY_NAMES, format_minute

DAY_CHOICES = [(i, name) for i, name in enumerate(DAY_NAMES)]


def parse_wall_clock(value: str, *, allow_24: bool) -> int:
    """ "9:00" / "09:00" / "24:00" (as an end) → minutes after midnight."""
    try:
        hours_text, minutes_text = value.strip().split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except ValueError:
        raise forms.ValidationError("Use H:MM, such as 9:00 or 17:30.") from None
    if allow_24 and (hours, minutes) == (24, 0):
        return 1440
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise forms.ValidationError("Not a time of day.")
    return hours * 60 + minutes


class OpenHoursForm(forms.ModelForm):
    days = forms.TypedMultipleChoiceField(
        choices=DAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start = forms.CharField(max_length=5, help_text="Local time, H:MM")
    end = forms.CharField(max_length=5, help_text="Local time, H:MM (24:00 for midnight)")
    exdates_text = forms.CharField(
        required=False,
        label="Exdates",
        help_text="Dates when closed, YYYY-MM-DD, comma-separated",
    )

    class Meta:
        model = OpenHours
        fields = ["participant", "days", "start", "end", "timezone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["start"] = format_minute(self.instance.start_minute)
            self.initial["end"] = format_minute(self.instance.end_minute)
            self.initial["exdates_text"] = ", ".join(self.instance.exdates or [])

    def clean_start(self) -> int:
        return parse_wall_clock(self.cleaned_data["start"], allow_24=False)

    def clean_end(self) -> int:
        return parse_wall_clock(self.cleaned_data["end"], allow_24=True)

    def clean_exdates_text(self) -> list[str]:
        items = [d.strip() for d in self.cleaned_data["exdates_text"].split(",") if d.strip()]
        for item in items:
            try:
                datetime.date.fromisoformat(item)
            except ValueError:
                raise forms.ValidationError(f"{item} is not a YYYY-MM-DD date.") from None
        return sorted(set(items))

    def clean_embed_origins(self) -> str:
        try:
            return " ".join(embeds.parse_origins(self.cleaned_data.get("embed_origins", "")))
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, int) and isinstance(end, int) and end <= start:
            self.add_error("end", "The end must be after the start.")
        return data

    def save(self, commit=True):
        self.instance.start_minute = self.cleaned_data["start"]
        self.instance.end_minute = self.cleaned_data["end"]
        self.instance.exdates = self.cleaned_data["exdates_text"]
        return super().save(commit)

    def _post_clean(self):
        # The model's own fields are filled from the text fields before model validation.
        if isinstance(self.cleaned_data.get("start"), int):
            self.instance.start_minute = self.cleaned_data["start"]
        if isinstance(self.cleaned_data.get("end"), int):
            self.instance.end_minute = self.cleaned_data["end"]
        if isinstance(self.cleaned_data.get("exdates_text"), list):
            self.instance.exdates = self.cleaned_data["exdates_text"]
        super()._post_clean()


DEFAULT_ACCENT = "#2563eb"  # static/css/site.css --accent
APPEARANCE_KEYS = (
    "company_name",
    "logo",
    "color",
    "submit_text",
    "thank_you_text",
    "show_timezone_options",
)

# The configuration's own address columns (pages/page_urls.py: what is allowed and why).
PAGE_ADDRESSES = (
    "confirmation_redirect_url",
    "rescheduling_url",
    "cancellation_url",
    "organizer_confirmation_url",
)


class ConfigurationForm(forms.ModelForm):
    """Appearance and the email template as fields a person fills in, not JSON. Keys of
    those maps the form does not know are kept as they are."""

    company_name = forms.CharField(required=False, max_length=200)
    logo = forms.URLField(
        required=False, max_length=2000, label="Logo URL", validators=[page_urls.validate]
    )
    color = forms.RegexField(
        required=False,
        regex=r"^#[0-9a-fA-F]{6}$",
        label="Accent color",
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": "Use a color such as #2563eb."},
    )
    submit_text = forms.CharField(required=False, max_length=100)
    thank_you_text = forms.CharField(required=False, max_length=500)
    show_timezone_options = forms.BooleanField(
        required=False, initial=True, label="Let guests pick their time zone"
    )
    email_logo = forms.URLField(
        required=False, max_length=2000, label="Email logo URL", validators=[page_urls.validate]
    )
    confirmed_title = forms.CharField(
        required=False, max_length=200, label="Confirmation email title"
    )
    confirmed_body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Confirmation email text"
    )

    embed_origins = forms.CharField(
        required=False,
        max_length=2000,
        label="Sites that may embed this page",
        help_text="Origins such as https://www.example.com, separated by spaces or commas: "
        "they may show the booking page and the Schedule Editor in a frame (README, "
        "“Embedding”). SCHEDULER_EMBED_ORIGINS adds its own for every page.",
    )

    class Meta:
        model = Configuration
        fields = ["name", "slug"]  # the admin's fieldsets choose the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        appearance = self.instance.appearance or {}
        # A color input always submits a value (black when empty): start from the hosted
        # page's own accent so saving other fields does not turn the page black.
        self.initial["color"] = DEFAULT_ACCENT
        for name in APPEARANCE_KEYS:
            if name in appearance:
                value = appearance[name]
                if name == "show_timezone_options":
                    value = value not in (False, "false")
                self.initial[name] = value
        self.initial["embed_origins"] = appearance.get(embeds.APPEARANCE_KEY, "")
        template = self.instance.email_template or {}
        confirmed = template.get("booking_confirmed") or {}
        self.initial.setdefault("email_logo", template.get("logo"))
        self.initial.setdefault("confirmed_title", confirmed.get("title"))
        self.initial.setdefault("confirmed_body", confirmed.get("body"))

    def clean(self):
        data = super().clean()
        for name in PAGE_ADDRESSES:
            value = (data.get(name) or "").strip()
            if name in data:
                data[name] = value
            if value and (why := page_urls.problem(value)):
                self.add_error(name, f"This address {why}.")
        # The name follows the title unless set apart: when the title changes, a name
        # that was empty or equal to the old title (and not edited now) takes the new one.
        if "title" in self.changed_data and "name" not in self.changed_data and "title" in data:
            old_name, old_title = self.initial.get("name") or "", self.initial.get("title") or ""
            if old_name in ("", old_title):
                data["name"] = data["title"][: Configuration._meta.get_field("name").max_length]
        return data

    def _post_clean(self):
        data = self.cleaned_data
        appearance = dict(self.instance.appearance or {})
        for name in APPEARANCE_KEYS:
            if name not in data:
                continue
            value = data[name]
            if name == "show_timezone_options":
                appearance[name] = "true" if value else "false"
            elif value:
                appearance[name] = value
            else:
                appearance.pop(name, None)
        if "embed_origins" in data:
            if data["embed_origins"]:
                appearance[embeds.APPEARANCE_KEY] = data["embed_origins"]
            else:
                appearance.pop(embeds.APPEARANCE_KEY, None)
        self.instance.appearance = appearance
        template = dict(self.instance.email_template or {})
        confirmed = dict(template.get("booking_confirmed") or {})
        for key, name in (("title", "confirmed_title"), ("body", "confirmed_body")):
            if data.get(name):
                confirmed[key] = data[name]
            else:
                confirmed.pop(key, None)
        if confirmed:
            template["booking_confirmed"] = confirmed
        else:
            template.pop("booking_confirmed", None)
        if data.get("email_logo"):
            template["logo"] = data["email_logo"]
        else:
            template.pop("logo", None)
        self.instance.email_template = template
        super()._post_clean()


class AdditionalFieldForm(forms.ModelForm):
    """Options as one line, comma-separated, instead of a JSON list."""

    options_text = forms.CharField(
        required=False, label="Options", help_text="Comma-separated (dropdown, radio, multi-select)"
    )

    class Meta:
        model = AdditionalField
        fields = ["key", "label", "type", "required", "default", "pattern", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["options_text"] = ", ".join(self.instance.options or [])

    def _post_clean(self):
        text = self.cleaned_data.get("options_text") or ""
        self.instance.options = [o.strip() for o in text.split(",") if o.strip()]
        super()._post_clean()
