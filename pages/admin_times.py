"""Times in the admin, in the zone the admin chose.

Each admin user picks a zone (``/admin/timezone/``, kept in their session); until they
do, it is the zone most organizers (grants) use, else the site's TIME_ZONE. For admin
requests the middleware activates that zone, so Django's own date handling (date
hierarchy, date filters, editable date fields) works in it, and the columns below
render instants in it with the zone named in their header: "Start (Asia/Kolkata)".
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme

from pages.models import Grant
from pages.validators import known_timezones

SESSION_KEY = "admin_timezone"
LIST_FORMAT = "D j M Y H:i"  # Mon 7 Dec 2026 09:30: short enough for a list column
DETAIL_FORMAT = "D j M Y, H:i:s"


def default_zone() -> str:
    """The zone most grants use (the earliest grant's among equals), else TIME_ZONE."""
    row = (
        Grant.objects.values("timezone")
        .annotate(n=Count("id"), first=Min("created_at"))
        .order_by("-n", "first")
        .first()
    )
    return row["timezone"] if row else settings.TIME_ZONE


def chosen_zone(request: HttpRequest) -> str:
    zone = request.session.get(SESSION_KEY)
    return zone if zone in known_timezones() else default_zone()


class AdminTimezoneMiddleware:
    """Activates the admin user's zone for requests under the admin's URL, and only
    there: the guests' pages keep their own zones."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None  # the admin's URL, found on the first request (URLs load late)

    def __call__(self, request: HttpRequest):
        # Every request passes here, the hot paths too: one string comparison for them.
        self.prefix = self.prefix or reverse("admin:index")
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        zone = chosen_zone(request)
        request.admin_timezone = zone
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            return self.get_response(request)


def _with_zone(label: str) -> str:
    return f"{label} ({timezone.get_current_timezone_name()})"


# Evaluated when rendered, so a header names the zone of the request drawing it.
with_zone = lazy(_with_zone, str)


def local_time(field: str, label: str, *, fmt: str = LIST_FORMAT):
    """A list or read-only column showing ``field`` in the admin's zone, sortable by
    it, headed "<label> (<zone>)". Assign it as a ModelAdmin (or inline) attribute."""

    def column(modeladmin, obj):
        value = getattr(obj, field, None)
        if value is None:
            return modeladmin.get_empty_value_display()
        return dateformat.format(timezone.localtime(value), fmt)

    column.__name__ = f"{field}_local"
    column.short_description = with_zone(label)
    column.admin_order_field = field
    return column


def detail_time(field: str, label: str):
    return local_time(field, label, fmt=DETAIL_FORMAT)


class LocalTimesAdmin:
    """Editable date-and-time fields say which zone they are read and typed in."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateTimeField):
            formfield.help_text = with_zone("Date and time in the admin's zone")
        return formfield


class ZoneForm(forms.Form):
    timezone = forms.ChoiceField(label="Show times in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(known_timezones())]


def choose_zone(request: HttpRequest):
    """The admin user's zone picker: GET shows it, POST keeps the choice in the
    session and goes back where the admin came from."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    back = back or reverse("admin:index")
    current = chosen_zone(request)
    form = ZoneForm(request.POST or None, initial={"timezone": current})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["timezone"]
        return HttpResponseRedirect(back)
    return TemplateResponse(
        request,
        "admin/timezone.html",
        {
            **admin.site.each_context(request),
            "title": "Time zone of the admin's times",
            "form": form,
            "next": back,
            "default_zone": default_zone(),
        },
    )
