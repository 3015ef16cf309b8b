from django.urls import path

from bookings.api import availability, bookings, redirects, ui_settings, v2_schedule

urlpatterns = [
    path("v3/scheduling/availability", availability.ConfigurationAvailabilityView.as_view()),
    path("v3/calendars/availability", availability.StatelessAvailabilityView.as_view()),
    path("v3/grants/<str:grant_id>/calendars/free-busy", availability.V3FreeBusyView.as_view()),
    path(
        "v3/grants/<str:grant_id>/scheduling/configurations/<uuid:configuration_id>/explain",
        availability.ExplainView.as_view(),
    ),
    path("v3/scheduling/bookings", bookings.BookingsView.as_view()),
    path("v3/scheduling/bookings/<str:booking_id>", bookings.BookingView.as_view()),
    path("v3/scheduling/sessions", bookings.SessionsView.as_view()),
    path("v3/scheduling/ui-settings", ui_settings.UISettingsView.as_view()),
    path(
        "v3/scheduling/should-redirect/<slug:slug>",
        redirects.ShouldRedirectView.as_view(),
    ),
    path("v3/scheduling/sessions/<str:session_id>", bookings.SessionView.as_view()),
    path(
        "schedule/availability/<str:provider>",
        v2_schedule.ProviderAvailabilityView.as_view(),
    ),
    path("schedule/<slug:slug>/info", v2_schedule.InfoView.as_view()),
    path("schedule/<slug:slug>/timeslots", v2_schedule.TimeslotsView.as_view()),
    path("schedule/<slug:slug>/<str:edit_hash>/cancel", v2_schedule.CancelView.as_view()),
    path("schedule/<slug:slug>/<str:edit_hash>/confirm", v2_schedule.ConfirmView.as_view()),
    path("calendars/availability", availability.V2AvailabilityView.as_view()),
    path(
        "calendars/availability/consecutive",
        availability.V2ConsecutiveAvailabilityView.as_view(),
    ),
    path("calendars/free-busy", availability.V2FreeBusyView.as_view()),
]
