from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.contrib import messages as messages_framework
from django.utils import timezone

from bookings import services, webhook_endpoints
from bookings.models import (
    Booking,
    BookingHost,
    OutboxMessage,
    Session,
    WebhookAttempt,
    WebhookEndpoint,
)
from bookings.models.webhooks import TRIGGER_TYPES
from bookings.notifications import outbox
from pages import outbound
from pages.api.errors import ApiError


class BookingHostInline(admin.TabularInline):
    model = BookingHost
    extra = 0
    fields = ["grant", "blocked_start", "blocked_end", "active", "exclusive"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BookingMessageInline(admin.TabularInline):
    """What this booking owed and what became of it (emails, reminders, webhooks)."""

    model = OutboxMessage
    fk_name = "booking"
    extra = 0
    fields = ["kind", "purpose", "recipient", "due_at", "status", "attempts", "sent_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Messages (emails, reminders, webhooks)"

    def has_add_permission(self, request, obj=None):
        return False


def _apply(modeladmin, request, queryset, verb: str, change) -> None:
    """Run a booking service on each selected booking; report refusals by booking."""
    done = 0
    for booking in queryset.select_related("configuration__grant"):
        try:
            change(booking)
            done += 1
        except ApiError as problem:
            modeladmin.message_user(
                request, f"{booking}: {problem.message}", level=messages_framework.WARNING
            )
    if done:
        modeladmin.message_user(
            request, f"{verb} {done} booking(s).", level=messages_framework.SUCCESS
        )


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings change only through bookings/services.py (locks, emails, webhooks), so
    here they are read, and changed by the actions."""

    list_display = ["guest_name", "guest_email", "configuration", "start", "status", "created_at"]
    list_filter = [
        "status",
        "configuration",
        ("host_rows__grant", admin.RelatedOnlyFieldListFilter),
        "start",
    ]
    search_fields = ["guest_name", "guest_email", "configuration__title", "configuration__slug"]
    date_hierarchy = "start"
    list_select_related = ["configuration"]
    inlines = [BookingHostInline, BookingMessageInline]
    actions = ["confirm", "decline", "cancel", "resend_emails"]
    fields = [
        "configuration",
        "status",
        "start",
        "end",
        "organizer",
        "event",
        "guest_name",
        "guest_email",
        "guest_timezone",
        "language",
        "additional_guests",
        "additional_fields",
        "cancellation_reason",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        # A booking is made through the hosted page or the API, which check the slot.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would drop the guest's notices and leave the calendar event behind:
        # a booking ends by the Cancel action, which goes through the services.
        return False

    @admin.action(description="Confirm selected pending bookings", permissions=["change"])
    def confirm(self, request, queryset):
        _apply(self, request, queryset, "Confirmed", lambda b: services.confirm_booking(booking=b))

    @admin.action(description="Decline selected pending bookings", permissions=["change"])
    def decline(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            "Declined",
            lambda b: services.decline_booking(booking=b, reason="Declined by the organizer."),
        )

    @admin.action(description="Cancel selected bookings (notices are sent)", permissions=["change"])
    def cancel(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            "Cancelled",
            lambda b: services.cancel_booking(
                booking=b, reason="Cancelled by an administrator.", enforce_notice=False
            ),
        )

    @admin.action(description="Send the selected bookings' emails again", permissions=["change"])
    def resend_emails(self, request, queryset):
        rows = OutboxMessage.objects.filter(
            booking__in=queryset,
            kind=OutboxMessage.Kind.EMAIL,
            status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED],
        )
        count = outbox.resend(rows)
        self.message_user(
            request, f"{count} email(s) will be sent again.", level=messages_framework.SUCCESS
        )


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["configuration", "expires_at", "created_at"]
    list_filter = ["expires_at"]
    autocomplete_fields = ["configuration"]
    fields = ["configuration", "expires_at", "created_at"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request):
        # A session's id is its secret: made through the API, which returns it once.
        return False


# Notifications: the outbox and webhooks. Rows are read-only here; the one thing an
# admin does is send again (bookings.notifications.outbox.resend).


def _resend(modeladmin, request, messages) -> None:
    count = outbox.resend(messages)
    modeladmin.message_user(
        request,
        f"{count} message(s) queued to be sent again."
        if count
        else "Nothing to re-send (messages being sent right now are left alone).",
        level=messages_framework.SUCCESS if count else messages_framework.WARNING,
    )


def answer_excerpt(attempt: WebhookAttempt) -> str:
    # Rows written before pages/outbound.py kept 500 raw characters: cut and redact them
    # here too.
    return outbound.excerpt(attempt.response_excerpt)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "duration_ms", "error", "answer"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="answer (excerpt)")
    def answer(self, attempt: WebhookAttempt) -> str:
        return answer_excerpt(attempt)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "purpose",
        "kind",
        "recipient",
        "booking",
        "status",
        "due_at",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "purpose", "due_at"]
    search_fields = ["=id", "recipient", "booking__guest_email", "booking__guest_name"]
    date_hierarchy = "due_at"
    list_select_related = ["booking"]
    ordering = ["-due_at"]
    actions = ["resend_selected"]
    inlines = [WebhookAttemptInline]
    fields = [
        "id",
        "kind",
        "purpose",
        "booking",
        "audience",
        "recipient",
        "recipient_name",
        "endpoint",
        "due_at",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "last_error",
        "resent_from",
        "context",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="last error")
    def short_error(self, message: OutboxMessage) -> str:
        return message.last_error[:80]

    @admin.action(description="Send the selected messages again", permissions=["view"])
    def resend_selected(self, request, queryset):
        _resend(self, request, queryset)


class WebhookEndpointForm(forms.ModelForm):
    trigger_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in TRIGGER_TYPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["description", "webhook_url", "trigger_types", "status"]

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"]
        if urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError("Use an http:// or https:// URL.")
        try:
            outbound.check_url(url)
        except outbound.RefusedDestination as exc:
            raise forms.ValidationError(f"This URL {exc}.") from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["__str__", "webhook_url", "status", "trigger_list", "created_at"]
    list_filter = ["status"]
    search_fields = ["description", "webhook_url"]
    readonly_fields = ["secret_hint", "status_updated_at", "created_at", "updated_at"]
    actions = ["rotate_secret"]

    @admin.display(description="trigger types")
    def trigger_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.trigger_types or [])

    def save_model(self, request, obj, form, change):
        secret = None if change else obj.set_new_secret()
        if change and "status" in form.changed_data:
            obj.status_updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if secret:
            self.message_user(
                request,
                f"The signing secret (shown this once): {secret}",
                level=messages_framework.WARNING,
            )

    @admin.action(description="Rotate the signing secret (shows the new one once)")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated = webhook_endpoints.rotate_secret(endpoint_id=endpoint.pk)
            if rotated is None:
                continue  # deleted meanwhile
            endpoint, secret = rotated
            self.message_user(
                request,
                f"New signing secret of {endpoint}: {secret}",
                level=messages_framework.WARNING,
            )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "attempted_at",
        "endpoint",
        "purpose",
        "status_code",
        "duration_ms",
        "short_error",
        "delivery_status",
    ]
    list_filter = ["status_code", "endpoint", "attempted_at"]
    search_fields = ["webhook_url", "error", "=message__id"]
    date_hierarchy = "attempted_at"
    list_select_related = ["endpoint", "message"]
    actions = ["resend_deliveries"]
    readonly_fields = [
        "message",
        "endpoint",
        "attempted_at",
        "webhook_url",
        "status_code",
        "duration_ms",
        "error",
        "answer",
    ]
    fields = readonly_fields

    @admin.display(description="answer (excerpt)")
    def answer(self, attempt: WebhookAttempt) -> str:
        return answer_excerpt(attempt)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="event")
    def purpose(self, attempt: WebhookAttempt) -> str:
        return attempt.message.purpose

    @admin.display(description="error")
    def short_error(self, attempt: WebhookAttempt) -> str:
        return attempt.error[:80]

    @admin.display(description="delivery")
    def delivery_status(self, attempt: WebhookAttempt) -> str:
        return attempt.message.status

    @admin.action(description="Send these deliveries again", permissions=["view"])
    def resend_deliveries(self, request, queryset):
        ids = set(queryset.values_list("message_id", flat=True))
        _resend(self, request, OutboxMessage.objects.filter(pk__in=ids))
