"""Admin form pieces that let a person edit open hours without raw JSON."""

from __future__ import annotations

import datetime

from django import forms

from pages.models import OpenHours
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
