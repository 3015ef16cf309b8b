from __future__ import annotations

from django.contrib import admin

from bookings.models import Booking, BookingHost, Session


class BookingHostInline(admin.TabularInline):
    model = BookingHost
    extra = 0
    autocomplete_fields = ["grant"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["guest_name", "guest_email", "configuration", "start", "status", "created_at"]
    list_filter = ["status", "configuration", "start"]
    search_fields = ["guest_name", "guest_email", "configuration__title", "configuration__slug"]
    date_hierarchy = "start"
    list_select_related = ["configuration"]
    autocomplete_fields = ["configuration", "organizer"]
    raw_id_fields = ["event"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [BookingHostInline]


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
