"""What can be booked: a configuration (a v2 "scheduling page" is the same object), its
participants, their open hours, reminders and the guest form's additional fields."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from pages import tokens
from pages.answer_patterns import pattern_problem
from pages.validators import validate_timezone

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
    "Use lowercase letters, digits and hyphens (at most 64), not starting or ending with -.",
)


def multiple_of_five(value: int) -> None:
    if value % 5:
        raise ValidationError("Must be a multiple of 5 minutes.", code="not_multiple_of_5")


class Configuration(models.Model):
    class Method(models.TextChoices):
        COLLECTIVE = "collective", "Collective (everyone attends)"
        MAX_FAIRNESS = "max-fairness", "Round-robin, maximize fairness"
        MAX_AVAILABILITY = "max-availability", "Round-robin, maximize availability"

    class BookingType(models.TextChoices):
        BOOKING = "booking", "Booked at once"
        ORGANIZER_CONFIRMATION = "organizer-confirmation", "Organizer confirms"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The grant under which it was made (API: /v3/grants/{grant_id}/scheduling/...).
    grant = models.ForeignKey(
        "pages.Grant", on_delete=models.CASCADE, related_name="configurations"
    )
    # The v2 dialect's integer page ID (seed 000: "id": 1111111), given in order of
    # creation by services.create_configuration (V2PageIdCounter); v3 keeps the UUID.
    # Every configuration has one, since every configuration is also a v2 page.
    v2_page_id = models.PositiveBigIntegerField(unique=True, null=True, editable=False)
    name = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(
        max_length=64, unique=True, null=True, blank=True, validators=[slug_validator]
    )
    requires_session_auth = models.BooleanField(default=False)

    # availability
    duration_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(1440)]
    )
    interval_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
        help_text="Minutes between offered starts; empty means the duration.",
    )
    round_to = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60), multiple_of_five],
        help_text="Offered starts are aligned to multiples of this many minutes.",
    )
    availability_method = models.CharField(
        max_length=20, choices=Method.choices, default=Method.COLLECTIVE
    )
    buffer_before = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(120), multiple_of_five]
    )
    buffer_after = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(120), multiple_of_five]
    )
    round_robin_group_id = models.CharField(max_length=200, blank=True)
    tentative_as_busy = models.BooleanField(default=True)

    # event_booking
    title = models.CharField(max_length=500, default="Meeting")
    description = models.TextField(blank=True)
    location = models.CharField(max_length=500, blank=True)
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone])
    booking_type = models.CharField(
        max_length=32, choices=BookingType.choices, default=BookingType.BOOKING
    )
    hide_participants = models.BooleanField(default=False)
    disable_emails = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="More than 1 makes a group event: that many guests share one slot.",
    )

    # scheduler
    available_days_in_future = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    min_booking_notice = models.PositiveIntegerField(default=60, help_text="Minutes")
    min_cancellation_notice = models.PositiveIntegerField(default=0, help_text="Minutes")
    cancellation_policy = models.TextField(blank=True)
    confirmation_redirect_url = models.URLField(blank=True, max_length=2000)
    rescheduling_url = models.CharField(blank=True, max_length=2000)
    cancellation_url = models.CharField(blank=True, max_length=2000)
    organizer_confirmation_url = models.CharField(blank=True, max_length=2000)
    hide_rescheduling_options = models.BooleanField(default=False)
    hide_cancellation_options = models.BooleanField(default=False)
    hide_additional_guests = models.BooleanField(default=False)
    email_template = models.JSONField(default=dict, blank=True)

    appearance = models.JSONField(default=dict, blank=True)
    locale = models.CharField(max_length=16, default="en")
    # Fields of one dialect with no column here (v2 page flags and the like) are kept
    # so that a round trip through the other dialect loses nothing.
    extra = models.JSONField(default=dict, blank=True)
    edit_token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="capacity_at_least_1"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="duration_positive"),
            models.CheckConstraint(
                condition=Q(buffer_before__lte=120, buffer_after__lte=120),
                name="buffers_at_most_120",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.title

    @property
    def effective_interval_minutes(self) -> int:
        return self.interval_minutes or self.duration_minutes

    @property
    def is_round_robin(self) -> bool:
        return self.availability_method != self.Method.COLLECTIVE

    @property
    def is_public(self) -> bool:
        return bool(self.slug) and not self.requires_session_auth

    def set_new_edit_token(self) -> str:
        token = tokens.new_secret("et_")
        self.edit_token_digest = tokens.digest(token)
        return token


class V2PageIdCounter(models.Model):
    """The last v2 page ID given (one row). IDs count up from it, so none is given twice,
    even after the page that had the highest is deleted; the row is locked while a
    configuration is created (pages/services.py)."""

    last_given = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"last v2 page ID given: {self.last_given}"


class Participant(models.Model):
    """A person taking part in a configuration's meetings. With a grant, their calendars
    can make them busy (``has_availability``) and the event goes on their booking
    calendar; a bare email is always free and not on the event."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    configuration = models.ForeignKey(
        Configuration, on_delete=models.CASCADE, related_name="participants"
    )
    grant = models.ForeignKey(
        "pages.Grant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    is_organizer = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone])
    has_availability = models.BooleanField(
        default=True, help_text="Whether this person's calendars make them busy."
    )
    availability_calendars = models.ManyToManyField(
        "pages.Calendar",
        blank=True,
        related_name="+",
        help_text="Calendars whose events make this person busy (empty: the primary).",
    )
    booking_calendar = models.ForeignKey(
        "pages.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where booked events are written; empty: not on the event.",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "email"], name="participant_once_per_configuration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def clean(self) -> None:
        if (self.has_availability or self.booking_calendar_id) and self.grant_id is None:
            raise ValidationError(
                {"grant": "A participant with availability or a booking calendar is a grant."}
            )
        if (
            self.grant_id
            and self.booking_calendar_id
            and self.booking_calendar.grant_id != self.grant_id
        ):
            raise ValidationError(
                {"booking_calendar": "The booking calendar must be this grant's."}
            )


DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def validate_days(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in value)
    ):
        raise ValidationError("Days are a non-empty list of 0 (Sunday) to 6 (Saturday).")
    if len(set(value)) != len(value):
        raise ValidationError("A day is listed twice.")


def validate_exdates(value: object) -> None:
    if not isinstance(value, list):
        raise ValidationError("Exdates are a list of YYYY-MM-DD dates.")
    for item in value:
        try:
            datetime.date.fromisoformat(item)
        except (TypeError, ValueError):
            raise ValidationError(f"{item!r} is not a YYYY-MM-DD date.") from None


class OpenHours(models.Model):
    """Wall-clock hours in an IANA zone on some weekdays. With a participant they are
    that person's; without, the configuration's default open hours."""

    configuration = models.ForeignKey(
        Configuration, on_delete=models.CASCADE, related_name="open_hours"
    )
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="open_hours"
    )
    days = models.JSONField(default=list, validators=[validate_days])
    start_minute = models.PositiveSmallIntegerField(validators=[MaxValueValidator(1439)])
    end_minute = models.PositiveSmallIntegerField(validators=[MaxValueValidator(1440)])
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="Empty: the participant's zone, then the configuration's.",
    )
    exdates = models.JSONField(default=list, blank=True, validators=[validate_exdates])

    class Meta:
        verbose_name_plural = "open hours"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_minute__gt=F("start_minute"), end_minute__lte=1440),
                name="open_hours_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        days = ", ".join(DAY_NAMES[d][:3] for d in sorted(self.days or []))
        return f"{days} {format_minute(self.start_minute)}-{format_minute(self.end_minute)}"

    def clean(self) -> None:
        if (
            self.start_minute is not None
            and self.end_minute is not None
            and self.end_minute <= self.start_minute
        ):
            raise ValidationError({"end_minute": "The end must be after the start."})


def format_minute(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"


class Reminder(models.Model):
    class Type(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    class Recipient(models.TextChoices):
        ALL = "all"
        HOST = "host"
        GUEST = "guest"

    configuration = models.ForeignKey(
        Configuration, on_delete=models.CASCADE, related_name="reminders"
    )
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.EMAIL)
    minutes_before_event = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 30)]
    )
    recipient = models.CharField(max_length=8, choices=Recipient.choices, default=Recipient.ALL)
    email_subject = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-minutes_before_event"]

    def __str__(self) -> str:
        return f"{self.type} {self.minutes_before_event} min before, to {self.recipient}"


class AdditionalField(models.Model):
    """A question on the guest form."""

    class Type(models.TextChoices):
        TEXT = "text"
        MULTI_LINE_TEXT = "multi_line_text"
        EMAIL = "email"
        PHONE_NUMBER = "phone_number"
        DROPDOWN = "dropdown"
        DATE = "date"
        CHECKBOX = "checkbox"
        RADIO_BUTTON = "radio_button"
        MULTI_SELECT = "multi_select"
        METADATA = "metadata"

    configuration = models.ForeignKey(
        Configuration, on_delete=models.CASCADE, related_name="additional_fields"
    )
    key = models.SlugField(max_length=100, allow_unicode=False)
    label = models.CharField(max_length=300)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(default=False)
    default = models.CharField(max_length=500, blank=True)
    pattern = models.CharField(max_length=500, blank=True, help_text="A regular expression")
    order = models.IntegerField(default=0)
    options = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "key"], name="additional_field_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        choice_types = {self.Type.DROPDOWN, self.Type.RADIO_BUTTON, self.Type.MULTI_SELECT}
        if self.type in choice_types and not self.options:
            raise ValidationError({"options": "This type needs at least one option."})
        if not isinstance(self.options, list) or not all(isinstance(o, str) for o in self.options):
            raise ValidationError({"options": "Options are a list of strings."})
        if self.pattern and (problem := pattern_problem(self.pattern)):
            raise ValidationError({"pattern": f"This pattern cannot be used: it {problem}."})
