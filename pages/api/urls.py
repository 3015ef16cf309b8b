"""v3 organizer-side routes: grants, calendars, events, configurations; the OpenAPI
schema and its browsable docs.

IDs in these routes are read as plain path segments and looked up by the views, so a
malformed ID is the same JSON 404 as a missing one (a ``<uuid:>`` converter would leave
it to Django's HTML 404)."""

from django.urls import path, register_converter
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from pages.api import calendars, configurations, connect, events, grants, v2_views


class CalendarIdConverter:
    """A calendar ID or ``primary``; never ``free-busy``, which is bookings' route
    (``POST /v3/grants/{grant_id}/calendars/free-busy``, included after this URLconf)."""

    regex = r"(?!free-busy/?$)[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CalendarIdConverter, "calendar_id")

GRANT = "v3/grants/<str:grant_id>"

urlpatterns = [
    path("manage/pages", v2_views.ManagePagesView.as_view()),
    path("manage/pages/<str:page_id>", v2_views.ManagePageView.as_view()),
    path("manage/pages/<str:page_id>/calendars", v2_views.ManagePageCalendarsView.as_view()),
    path("manage/pages/<str:page_id>/upload-image", v2_views.ManagePageImageView.as_view()),
    path("v3/schema", SpectacularJSONAPIView.as_view(), name="v3-schema"),
    # The split view serves its start-up script from a URL, not inline (the CSP).
    path("v3/docs", SpectacularSwaggerSplitView.as_view(url_name="v3-schema"), name="v3-docs"),
    path("v3/grants", grants.GrantListView.as_view()),
    path("v3/connect/custom", connect.ConnectCustomView.as_view()),
    path(GRANT, grants.GrantDetailView.as_view()),
    path(f"{GRANT}/calendars", calendars.CalendarListView.as_view()),
    path(f"{GRANT}/calendars/<calendar_id:calendar_id>", calendars.CalendarDetailView.as_view()),
    path(f"{GRANT}/events", events.EventListView.as_view()),
    path(f"{GRANT}/events/<str:event_id>", events.EventDetailView.as_view()),
    path(
        f"{GRANT}/scheduling/configurations",
        configurations.ConfigurationListView.as_view(),
    ),
    path(
        f"{GRANT}/scheduling/configurations/<str:configuration_id>",
        configurations.ConfigurationDetailView.as_view(),
    ),
]
