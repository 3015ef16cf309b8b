from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.contrib import messages as messages_framework
from django.utils import dateformat, timezone
from django.utils.html import format_html

from bookings import services, webhook_endpoints
from bookings.models import (
    Booking,
    BookingHost,
    OutboxMessage,
    Session,
    WebhookAttempt,
    WebhookEndpoint,
)
from bookings.models.webhooks import DELIVERED_TRIGGERS, TRIGGER_TYPES
from bookings.notifications import outbox
from pages import outbound
from pages.admin_times import LIST_FORMAT, LocalTimesAdmin, detail_time, local_time
from pages.api.errors import ApiError


class BookingHostInline(admin.TabularInline):
    model = BookingHost
    extra = 0
    fields = ["grant", "blocked_from", "blocked_until", "active", "exclusive"]
    readonly_fields = fields
    blocked_from = detail_time("blocked_start", "Blocked from")
    blocked_until = detail_time("blocked_end", "Blocked until")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BookingMessageInline(admin.TabularInline):
    """What this booking owed and what became of it (emails, reminders, webhooks)."""

    model = OutboxMessage
    fk_name = "booking"
    extra = 0
    fields = ["kind", "purpose", "recipient", "due", "status", "attempts", "sent"]
    readonly_fields = fields
    due = detail_time("due_at", "Due")
    sent = detail_time("sent_at", "Sent")
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


class BookingStatusFilter(admin.SimpleListFilter):
    """Status as the admin reads it: a declined booking is stored cancelled."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("booked", "Booked"),
            ("pending", "Pending"),
            ("declined", "Declined"),
            ("cancelled", "Cancelled"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "declined":
                return queryset.filter(declined_at__isnull=False)
            case "cancelled":
                return queryset.filter(status=Booking.Status.CANCELLED, declined_at__isnull=True)
            case "booked" | "pending" as status:
                return queryset.filter(status=status)
        return queryset


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Bookings change only through bookings/services.py (locks, emails, webhooks), so
    here they are read, and changed by the actions."""

    # Four columns and a short date, so the list fits 1280 px beside the menu and the
    # filters, with the status in view.
    list_display = ["guest", "configuration", "start_local", "state"]
    list_display_links = ["guest"]
    list_filter = [
        BookingStatusFilter,
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
        "state",
        "starts",
        "ends",
        "organizer",
        "event",
        "guest_name",
        "guest_email",
        "guest_timezone",
        "language",
        "additional_guests",
        "additional_fields",
        "cancellation_reason",
        "declined",
        "created",
        "updated",
    ]
    readonly_fields = fields
    start_local = local_time("start", "Start")
    starts = detail_time("start", "Start")
    ends = detail_time("end", "End")
    declined = detail_time("declined_at", "Declined")
    created = detail_time("created_at", "Created")
    updated = detail_time("updated_at", "Updated")

    @admin.display(description="Guest", ordering="guest_name")
    def guest(self, booking: Booking) -> str:
        return format_html(
            '{}<br><span class="guest-email">{}</span>', booking.guest_name, booking.guest_email
        )

    @admin.display(description="Status", ordering="status")
    def state(self, booking: Booking) -> str:
        label = booking.status_label
        return format_html('<span class="booking-status {}">{}</span>', label.lower(), label)

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
class SessionAdmin(LocalTimesAdmin, admin.ModelAdmin):
    list_display = ["configuration", "expires", "created_local"]
    list_filter = ["expires_at"]
    autocomplete_fields = ["configuration"]
    fields = ["configuration", "expires_at", "created"]
    readonly_fields = ["created"]
    expires = local_time("expires_at", "Expires")
    created_local = local_time("created_at", "Created")
    created = detail_time("created_at", "Created")

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
    fields = ["attempted", "status_code", "duration_ms", "error", "answer"]
    readonly_fields = fields
    attempted = detail_time("attempted_at", "Attempted")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="answer (excerpt)")
    def answer(self, attempt: WebhookAttempt) -> str:
        return answer_excerpt(attempt)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    # Four columns, so the times stay in view at 1280 px: the kind is a filter, the
    # booking a detail field (and searchable); when it was sent, the attempts and the
    # last error sit under the status.
    list_display = ["purpose", "recipient", "state", "due"]
    due = local_time("due_at", "Due")
    list_filter = ["status", "kind", "purpose", "due_at"]
    search_fields = ["=id", "recipient", "booking__guest_email", "booking__guest_name"]
    date_hierarchy = "due_at"
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
        "due_at_detail",
        "status",
        "attempts",
        "next_attempt",
        "lease_ends",
        "sent_at_detail",
        "last_error",
        "resent_from",
        "context",
        "created",
        "updated",
    ]
    readonly_fields = fields
    due_at_detail = detail_time("due_at", "Due")
    next_attempt = detail_time("next_attempt_at", "Next attempt")
    lease_ends = detail_time("lease_until", "Lease until")
    sent_at_detail = detail_time("sent_at", "Sent")
    created = detail_time("created_at", "Created")
    updated = detail_time("updated_at", "Updated")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Status", ordering="status")
    def state(self, message: OutboxMessage) -> str:
        notes = []
        if message.sent_at:
            sent = dateformat.format(timezone.localtime(message.sent_at), LIST_FORMAT)
            notes.append(f"at {sent}")  # the zone of the Due column's header
        if message.attempts > 1 or message.status == OutboxMessage.Status.FAILED:
            notes.append(f"{message.attempts} attempts")
        return format_html(
            '{}<span class="outbox-note">{}</span><span class="outbox-error">{}</span>',
            message.status,
            " · ".join(notes),
            message.last_error[:80],
        )

    @admin.action(description="Send the selected messages again", permissions=["view"])
    def resend_selected(self, request, queryset):
        _resend(self, request, queryset)


class WebhookEndpointForm(forms.ModelForm):
    trigger_types = forms.MultipleChoiceField(
        choices=[
            (t, t if t in DELIVERED_TRIGGERS else f"{t} (kept; never sent here)")
            for t in TRIGGER_TYPES
        ],
        widget=forms.CheckboxSelectMultiple,
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
    list_display = ["__str__", "webhook_url", "status", "trigger_list", "created_local"]
    list_filter = ["status"]
    search_fields = ["description", "webhook_url"]
    readonly_fields = ["secret_hint", "status_updated", "created", "updated"]
    created_local = local_time("created_at", "Created")
    status_updated = detail_time("status_updated_at", "Status updated")
    created = detail_time("created_at", "Created")
    updated = detail_time("updated_at", "Updated")
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
        "attempted",
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
    attempted = local_time("attempted_at", "Attempted")
    attempted_detail = detail_time("attempted_at", "Attempted")
    readonly_fields = [
        "message",
        "endpoint",
        "attempted_detail",
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
