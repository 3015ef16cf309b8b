from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from pages import embeds, services
from pages.admin_forms import AdditionalFieldForm, ConfigurationForm, GrantForm, OpenHoursForm
from pages.admin_times import LocalTimesAdmin, detail_time, local_time
from pages.api.errors import ApiError
from pages.models import (
    AdditionalField,
    ApiKey,
    Calendar,
    Configuration,
    Event,
    Grant,
    OpenHours,
    Participant,
    Reminder,
    RemoteEvent,
)
from pages.models.calendars import local_minute
from pages.services import ensure_primary_calendar
from pages.sync import passes
from pages.sync import services as sync_services

# "View site" leads to / (bookings' home page: the booking pages, for staff).
admin.site.site_header = "Scheduler administration"
admin.site.site_title = "Scheduler admin"
admin.site.site_url = "/"


def show_secret_once(request, what: str, secret: str) -> None:
    messages.warning(
        request,
        format_html(
            "{} (copy it now; it is stored hashed and will not be shown again): "
            "<code class='secret'>{}</code>",
            what,
            secret,
        ),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "key_hint", "created_local", "last_used"]
    search_fields = ["name"]
    readonly_fields = ["key_hint", "created", "last_used_detail"]
    fields = ["name", "key_hint", "created", "last_used_detail"]
    created_local = local_time("created_at", "Created")
    last_used = local_time("last_used_at", "Last used")
    created = detail_time("created_at", "Created")
    last_used_detail = detail_time("last_used_at", "Last used")

    def save_model(self, request, obj, form, change):
        key = None if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if key:
            show_secret_once(request, f"The API key “{obj.name}”", key)


class CalendarInline(admin.TabularInline):
    model = Calendar
    extra = 0
    fields = ["name", "timezone", "is_primary", "read_only", "description"]


class DeletesThroughServices:
    """Deletes call the services module, as the API's do, so a grant's, calendar's,
    event's or configuration's bookings are cancelled with their notices (through
    pages.signals) instead of vanishing with the rows."""

    # Rows the services end on their own way (bookings are cancelled, not deleted by
    # hand, so their admin grants no delete permission): not asked of the admin user.
    ended_by_services = frozenset({"booking"})

    def delete_one(self, obj) -> None:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(perms_needed) - self.ended_by_services, protected

    def delete_model(self, request, obj):
        self.delete_one(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            self.delete_one(obj)


@admin.register(Grant)
class GrantAdmin(DeletesThroughServices, admin.ModelAdmin):
    form = GrantForm
    list_display = ["email", "name", "provider", "grant_status", "last_sync", "created"]
    search_fields = ["email", "name"]
    list_filter = ["provider", "grant_status", "timezone"]
    inlines = [CalendarInline]
    actions = ["issue_access_token", "sync_now"]
    created = local_time("created_at", "Created")
    last_sync = local_time("last_sync_at", "Last sync")
    readonly_fields = ["grant_status", "sync_state", "calendar_count", "event_count"]

    def get_fieldsets(self, request, obj=None):
        own = ["email", "name", "timezone", "picture_url", "provider"]
        if obj is not None and not obj.is_connected:
            return [(None, {"fields": own})]
        return [
            (None, {"fields": own}),
            (
                "Connected calendars",
                {
                    "fields": [
                        "grant_status",
                        "sync_state",
                        "calendar_count",
                        "event_count",
                        "server_url",
                        "username",
                        "password",
                        "feed_urls",
                    ],
                    "description": "Credentials are write-only: never shown, checked "
                    "against the server before they are kept, unchanged when left empty.",
                },
            ),
        ]

    @admin.display(description="Sync")
    def sync_state(self, obj: Grant) -> str:
        if obj is None or not obj.is_connected:
            return "-"
        last = f"{local_minute(obj.last_sync_at)}" if obj.last_sync_at else "never"
        if obj.last_sync_error:
            return f"Last success: {last}. Last error: {obj.last_sync_error}"
        return f"Last success: {last}."

    @admin.display(description="Calendars")
    def calendar_count(self, obj: Grant) -> int:
        return obj.calendars.exclude(source="").count() if obj and obj.pk else 0

    @admin.display(description="Events (remote objects)")
    def event_count(self, obj: Grant) -> int:
        return RemoteEvent.objects.filter(calendar__grant=obj).count() if obj and obj.pk else 0

    def save_model(self, request, obj, form, change):
        if not change and obj.is_connected and form.connection:
            values, found = form.connection
            grant, token = sync_services.connect_grant(
                provider=obj.provider,
                values=values,
                found=found,
                email=obj.email,
                name=obj.name,
                timezone_name=obj.timezone,
            )
            obj.pk = grant.pk
            obj.refresh_from_db()
            show_secret_once(request, f"The access token of {obj.email}", token)
            return
        token = None if change else obj.set_new_access_token()
        super().save_model(request, obj, form, change)
        if token:
            show_secret_once(request, f"The access token of {obj.email}", token)
        if change and form.connection:
            sync_services.change_grant_settings(
                grant=obj, values=form.connection[0], found=form.connection[1]
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ensure_primary_calendar(form.instance)

    def delete_one(self, obj) -> None:
        services.delete_grant(grant=obj)

    @admin.action(description="Issue a new access token (the old one stops working)")
    def issue_access_token(self, request, queryset):
        for grant in queryset:
            token = services.issue_access_token(grant=grant)
            show_secret_once(request, f"The new access token of {grant.email}", token)

    @admin.action(description="Sync now (connected grants)")
    def sync_now(self, request, queryset):
        for grant in queryset:
            if not grant.is_connected:
                continue
            if grant.grant_status != Grant.Status.VALID:
                self.message_user(
                    request,
                    f"{grant.email}: invalid ({grant.last_sync_error}); give new credentials.",
                    messages.ERROR,
                )
                continue
            outcome = passes.sync_grant(grant)
            if outcome.errors:
                self.message_user(request, f"{grant.email}: {outcome.errors[0]}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{grant.email}: synced {outcome.calendars} calendar(s), "
                    f"{outcome.fetched} object(s) fetched, {outcome.removed} removed.",
                    messages.SUCCESS,
                )


@admin.register(Calendar)
class CalendarAdmin(DeletesThroughServices, admin.ModelAdmin):
    list_display = ["name", "grant", "timezone", "is_primary", "read_only"]
    list_filter = ["is_primary", "read_only"]
    search_fields = ["name", "grant__email"]
    list_select_related = ["grant"]
    autocomplete_fields = ["grant"]

    def has_delete_permission(self, request, obj=None):
        # The primary calendar stays as long as its grant (services.delete_calendar).
        return super().has_delete_permission(request, obj) and not (obj and obj.is_primary)

    def delete_one(self, obj) -> None:
        if not obj.is_primary:  # a bulk delete skips primaries rather than failing
            services.delete_calendar(calendar=obj)


@admin.register(Event)
class EventAdmin(DeletesThroughServices, LocalTimesAdmin, admin.ModelAdmin):
    list_display = ["title", "calendar", "starts", "ends", "busy", "status"]
    list_filter = ["status", "busy", "calendar__grant"]
    search_fields = ["title", "calendar__name", "calendar__grant__email"]
    date_hierarchy = "start"
    list_select_related = ["calendar__grant"]
    autocomplete_fields = ["calendar"]
    starts = local_time("start", "Start")
    ends = local_time("end", "End")

    # What an event's form may set, as the events API sets it (services.create_event and
    # update_event): a move made here is a move, which the booking that made the event
    # follows (with the guest told), or refuses.
    SET_THROUGH_SERVICES = (
        "start",
        "end",
        "title",
        "description",
        "location",
        "busy",
        "status",
        "participants",
        "metadata",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["calendar"] if obj is not None else fields

    def has_change_permission(self, request, obj=None):
        # A connected calendar's events come from the organizer's own calendar: shown,
        # never edited here (the next sync would undo it).
        if obj is not None and (obj.remote_event_id or obj.calendar.read_only):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in self.SET_THROUGH_SERVICES
            if name in form.cleaned_data
        }
        if change:
            services.update_event(event=obj, **values)
        else:
            obj.pk = services.create_event(calendar=form.cleaned_data["calendar"], **values).pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApiError as refused:
            # Refused by the services (a booking's event moved onto another booking):
            # the whole save was rolled back.
            self.message_user(request, f"Not saved: {refused.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_one(self, obj) -> None:
        # The admin may delete events of read-only calendars too; the booking that made
        # one is cancelled all the same (pages.signals.event_deleted).
        services.delete_event(event=obj, even_read_only=True)


class ParticipantInline(admin.StackedInline):
    model = Participant
    extra = 0
    fields = [
        ("email", "name"),
        ("grant", "is_organizer", "timezone"),
        ("has_availability", "availability_calendars"),
        "booking_calendar",
        "position",
    ]
    autocomplete_fields = ["grant"]


class OpenHoursInline(admin.StackedInline):
    # Stacked, so the seven days sit in one row and every field keeps its width at
    # 1280 px (static/css/admin.css lays the days out).
    model = OpenHours
    form = OpenHoursForm
    extra = 0
    fields = [("participant", "timezone"), "days", ("start", "end"), "exdates_text"]
    verbose_name_plural = "Open hours (no participant: the configuration's default)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["participant"]
        field.queryset = obj.participants.all() if obj else Participant.objects.none()
        return formset


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["type", "minutes_before_event", "recipient", "email_subject"]


class AdditionalFieldInline(admin.TabularInline):
    model = AdditionalField
    form = AdditionalFieldForm
    extra = 0
    fields = ["order", "key", "label", "type", "required", "options_text", "default", "pattern"]
    verbose_name_plural = "Questions on the guest form"


@admin.register(Configuration)
class ConfigurationAdmin(DeletesThroughServices, admin.ModelAdmin):
    form = ConfigurationForm
    list_display = [
        "__str__",
        "slug",
        "grant",
        "availability_method",
        "booking_type",
        "duration_minutes",
        "hosted_page",
    ]
    list_filter = ["availability_method", "booking_type", "requires_session_auth"]
    search_fields = ["name", "title", "slug", "grant__email"]
    list_select_related = ["grant"]
    autocomplete_fields = ["grant"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["hosted_page", "embed_snippets", "created", "updated"]
    inlines = [ParticipantInline, OpenHoursInline, ReminderInline, AdditionalFieldInline]
    actions = ["issue_edit_token"]
    fieldsets = [
        (
            None,
            {"fields": ["grant", "name", "slug", "hosted_page", "requires_session_auth", "locale"]},
        ),
        (
            "Event",
            {
                "fields": [
                    "title",
                    "description",
                    "location",
                    "timezone",
                    "booking_type",
                    "capacity",
                    "hide_participants",
                    "disable_emails",
                ]
            },
        ),
        (
            "Online meeting",
            {
                "fields": [
                    "conferencing_kind",
                    "conferencing_url",
                    ("conferencing_provider", "conferencing_meeting_code"),
                    "conferencing_password",
                ]
            },
        ),
        (
            "Availability rules",
            {
                "fields": [
                    ("duration_minutes", "interval_minutes", "round_to"),
                    "availability_method",
                    ("buffer_before", "buffer_after"),
                    "round_robin_group_id",
                    "tentative_as_busy",
                ]
            },
        ),
        (
            "Scheduler settings",
            {
                "fields": [
                    ("available_days_in_future", "min_booking_notice", "min_cancellation_notice"),
                    "cancellation_policy",
                    "confirmation_redirect_url",
                    "rescheduling_url",
                    "cancellation_url",
                    "organizer_confirmation_url",
                    (
                        "hide_rescheduling_options",
                        "hide_cancellation_options",
                        "hide_additional_guests",
                    ),
                ]
            },
        ),
        (
            "Appearance",
            {
                "fields": [
                    ("company_name", "color"),
                    "logo",
                    ("submit_text", "thank_you_text"),
                    "show_timezone_options",
                ]
            },
        ),
        ("Emails", {"fields": ["email_logo", "confirmed_title", "confirmed_body"]}),
        ("Embed", {"fields": ["embed_origins", "embed_snippets"]}),
        ("Fields of the other dialect", {"fields": ["extra"], "classes": ["collapse"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]
    created = detail_time("created_at", "Created")
    updated = detail_time("updated_at", "Updated")

    def delete_one(self, obj) -> None:
        services.delete_configuration(configuration=obj)

    @admin.display(description="Hosted page")
    def hosted_page(self, obj: Configuration) -> str:
        if not obj.slug:
            return "—"
        if obj.requires_session_auth:
            return "Private (needs a session)"
        url = reverse("booking-page", args=[obj.slug])
        return format_html('<a href="{}" target="_blank" rel="noopener">View hosted page</a>', url)

    @admin.display(description="Snippets")
    def embed_snippets(self, obj: Configuration) -> str:
        if not obj.slug or obj.requires_session_auth:
            return "Only a page with a public address can be embedded."
        labels = {"inline": "Inline", "popup": "Popup", "editor": "Schedule Editor"}
        return format_html_join(
            "",
            '<p><strong>{}</strong></p><pre class="embed-snippet"><code>{}</code></pre>',
            (
                (labels[kind], code)
                for kind, code in embeds.snippets(obj, settings.SITE_URL).items()
            ),
        )

    @admin.action(description="Issue a new edit token (the old one stops working)")
    def issue_edit_token(self, request, queryset):
        for configuration in queryset:
            token = services.issue_edit_token(configuration=configuration)
            show_secret_once(request, f"The edit token of “{configuration}”", token)
