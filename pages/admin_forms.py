"""Admin form pieces that let a person edit open hours without raw JSON."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from pages import conferencing, embeds, page_urls
from pages.models import AdditionalField, Configuration, Grant, OpenHours
from pages.models.configurations import DAY_NAMES, format_minute
from pages.sync import providers

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


CONFERENCING_CHOICES = [
    ("", "None"),
    ("jitsi", "Jitsi Meet: a new room for each booking"),
    ("url-template", "Our own video service: a new room for each booking (URL template)"),
    ("details", "The same meeting link for every booking"),
]


class ConfigurationForm(forms.ModelForm):
    """Appearance, the email template and the conferencing as fields a person fills in,
    not JSON. Keys of those maps the form does not know are kept as they are."""

    conferencing_kind = forms.ChoiceField(
        required=False, choices=CONFERENCING_CHOICES, label="Online meeting"
    )
    conferencing_url = forms.CharField(
        required=False,
        max_length=conferencing.MAX_URL_LENGTH,
        label="Meeting link or URL template",
        help_text="For a URL template, {room} is where each booking's random room name goes "
        "(https://video.example.com/{room}). Not used for Jitsi Meet (SCHEDULER_JITSI_URL).",
    )
    conferencing_provider = forms.CharField(
        required=False,
        max_length=100,
        label="Meeting provider",
        help_text="For the same link every time: its provider's name, such as Zoom Meeting.",
    )
    conferencing_meeting_code = forms.CharField(
        required=False, max_length=conferencing.MAX_TEXT, label="Meeting code"
    )
    conferencing_password = forms.CharField(
        required=False, max_length=conferencing.MAX_TEXT, label="Meeting password"
    )

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
        self._initial_conferencing()
        self.conferencing_chosen: dict | None = None

    def _initial_conferencing(self) -> None:
        current = conferencing.of_configuration(self.instance)
        autocreate = current.get("autocreate")
        details = current.get("details") if isinstance(current.get("details"), dict) else {}
        if isinstance(autocreate, dict):
            if current.get("provider") == conferencing.JITSI:
                self.initial["conferencing_kind"] = "jitsi"
            elif current.get("provider") == conferencing.URL_TEMPLATE:
                self.initial["conferencing_kind"] = "url-template"
                self.initial["conferencing_url"] = autocreate.get("url_template", "")
        elif current:
            self.initial["conferencing_kind"] = "details"
            self.initial["conferencing_provider"] = current.get("provider", "")
            self.initial["conferencing_url"] = details.get("url", "")
            self.initial["conferencing_meeting_code"] = details.get("meeting_code", "")
            self.initial["conferencing_password"] = details.get("password", "")

    def _clean_conferencing(self, data: dict) -> None:
        """The conferencing the fields describe, checked as the API checks it; details
        the form has no field for (pin, phone) are kept."""
        if "conferencing_kind" not in data:
            return
        kind, url = (
            data.get("conferencing_kind") or "",
            (data.get("conferencing_url") or "").strip(),
        )
        current = conferencing.of_configuration(self.instance)
        if kind == "jitsi":
            wanted = {"provider": conferencing.JITSI, "autocreate": {}}
        elif kind == "url-template":
            wanted = {"provider": conferencing.URL_TEMPLATE, "autocreate": {"url_template": url}}
        elif kind == "details":
            kept = current.get("details") if isinstance(current.get("details"), dict) else {}
            details = {k: v for k, v in kept.items() if k in ("pin", "phone")}
            details["url"] = url
            for name in ("meeting_code", "password"):
                if value := (data.get(f"conferencing_{name}") or "").strip():
                    details[name] = value
            provider = (data.get("conferencing_provider") or "").strip() or "Online meeting"
            wanted = {"provider": provider, "details": details}
        else:
            wanted = {}
        try:
            self.conferencing_chosen = conferencing.read(wanted)
        except conferencing.ConferencingProblem as problem:
            field = "conferencing_url" if "url" in problem.path else "conferencing_kind"
            self.add_error(field, problem.message[:1].upper() + problem.message[1:] + ".")

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
        self._clean_conferencing(data)
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
        # After the model's own fields are set (extra among them, when shown).
        if self.conferencing_chosen is not None:
            self.instance.extra = conferencing.with_conferencing(
                self.instance.extra, self.conferencing_chosen
            )


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


class GrantForm(forms.ModelForm):
    """A grant, and for a connected one its credentials: write-only (never shown back,
    left empty to keep them), checked against the server before they are kept."""

    server_url = forms.CharField(
        required=False,
        max_length=2000,
        label="CalDAV server",
        help_text="caldav: the server root or one calendar's address. Left empty: unchanged.",
    )
    username = forms.CharField(
        required=False, max_length=500, help_text="caldav and icloud. Left empty: unchanged."
    )
    password = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="icloud: an app-specific password. Never shown; left empty: unchanged.",
    )
    feed_urls = forms.CharField(
        required=False,
        label="Feed addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="ics: one secret iCal address per line (webcal:// too). Never shown; "
        "left empty: unchanged.",
    )

    class Meta:
        model = Grant
        fields = ["email", "name", "timezone", "picture_url", "provider"]

    connection: tuple[dict, list] | None = None  # (values to seal, calendars found)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "provider" in self.fields:
            self.fields["provider"].required = False
            self.fields["provider"].disabled = not self.instance._state.adding

    def clean(self):
        cleaned = super().clean()
        provider = cleaned.get("provider") or self.instance.provider
        cleaned["provider"] = provider
        given = {
            "url": cleaned.get("server_url", "").strip(),
            "username": cleaned.get("username", "").strip(),
            "password": cleaned.get("password", ""),
            "urls": [u.strip() for u in cleaned.get("feed_urls", "").splitlines() if u.strip()],
        }
        if provider == Grant.Provider.VIRTUAL_CALENDAR or self.errors:
            return cleaned
        if not self.instance._state.adding and not any(given.values()):
            return cleaned  # credentials unchanged
        raw = {
            "caldav": {k: given[k] for k in ("url", "username", "password")},
            "icloud": {k: given[k] for k in ("username", "password")},
            "ics": {"urls": given["urls"]},
        }[provider]
        fields = {"url": "server_url", "username": "username", "password": "password"}
        try:
            values = providers.read_settings(provider, raw)
            found = providers.reach(provider, values)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                setting = key.removeprefix("settings.").split("[")[0]
                self.add_error(fields.get(setting, "feed_urls"), messages)
            return cleaned
        except providers.Unconnectable as error:
            setting = error.setting.removeprefix("settings.").split("[")[0]
            self.add_error(fields.get(setting, "feed_urls"), error.message)
            return cleaned
        self.connection = (values, found)
        return cleaned
